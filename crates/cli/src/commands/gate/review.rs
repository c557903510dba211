//! `datagate review ID`: run every check the drop's tier requires and write the report.

use std::process::ExitCode;

use datagate_gate::{review, workflow};

use super::Format;

/// Run every check the drop's tier requires; write a JSON and an HTML report under
/// .datagate/reports/ID/. Exit 1 when the review fails.
#[derive(clap::Args)]
pub struct Args {
    /// Drop id (or a unique prefix).
    pub id: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// Runs `datagate review`.
pub fn run(a: Args) -> anyhow::Result<ExitCode> {
    super::exit_on_tamper(run_inner(a))
}

fn run_inner(a: Args) -> anyhow::Result<ExitCode> {
    let mut gate = super::open()?;
    let id = workflow::resolve(&gate, &a.id)?;
    let out = review::review(&mut gate, &id)?;
    let failed = out.report.verdict != "pass";
    match a.format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&out.report)?),
        Format::Text => {
            println!("review of {id}: {}", out.report.verdict.to_uppercase());
            for c in &out.report.checks {
                let secs = if c.seconds >= 0.01 {
                    format!(" ({:.2} s)", c.seconds)
                } else {
                    String::new()
                };
                println!(
                    "  {:<12} {:<8} {}{secs}",
                    c.check,
                    c.verdict.as_str(),
                    c.summary
                );
                for f in c.findings.iter().filter(|f| f.severity != "info").take(5) {
                    println!("      - {}", f.message);
                }
            }
            println!("  report {}", out.html_path.display());
            println!(
                "  json   {}  (sha256 {})",
                out.json_path.display(),
                out.record
                    .review
                    .as_ref()
                    .map(|r| r.report_sha256.as_str())
                    .unwrap_or("")
            );
            let tier = gate.policy.tier(&out.record.tier)?;
            if failed {
                println!("  next: datagate reject {id} --reason \"...\"");
            } else if tier.label_audit.is_some() {
                println!("  next: datagate sample {id} -o label-audit.csv");
            } else {
                println!("  next: datagate approve {id} --key KEY");
            }
        }
    }
    Ok(ExitCode::from(if failed { 1 } else { 0 }))
}
