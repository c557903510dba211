//! `datagate sample ID`: draw rows for a human label audit, or import the verdicts.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::bail;
use datagate_gate::sample::{export, import, SampleOptions};
use datagate_gate::workflow;

/// Draw a stratified sample for a human label audit (-o FILE), or import the filled-in
/// sheet (--import FILE). Importing exits 1 when the disagreement rate is over the policy's.
#[derive(clap::Args)]
pub struct Args {
    /// Drop id (or a unique prefix).
    pub id: String,
    /// Rows to draw (default: the tier's label_audit.sample).
    #[arg(long)]
    pub n: Option<usize>,
    /// Write the sheet here.
    #[arg(short, long, conflicts_with = "import")]
    pub output: Option<PathBuf>,
    /// Import a filled-in sheet.
    #[arg(long, value_name = "FILE")]
    pub import: Option<PathBuf>,
    /// Label column to stratify on (default: the tier's audit.label).
    #[arg(long)]
    pub label: Option<String>,
    /// Seed (default: the tier's label_audit.seed).
    #[arg(long)]
    pub seed: Option<u64>,
}

/// Runs `datagate sample`.
pub fn run(a: Args) -> anyhow::Result<ExitCode> {
    let mut gate = super::open()?;
    let id = workflow::resolve(&gate, &a.id)?;
    match (&a.output, &a.import) {
        (Some(out), None) => {
            let s = export(
                &gate,
                &id,
                out,
                &SampleOptions {
                    n: a.n,
                    label: a.label.clone(),
                    seed: a.seed,
                },
            )?;
            println!(
                "wrote {} rows of {id} to {} (seed {})",
                s.rows.len(),
                out.display(),
                s.seed
            );
            if let Some(l) = &s.label {
                let strata: Vec<String> =
                    s.strata.iter().map(|(k, v)| format!("{k}: {v}")).collect();
                println!("  stratified by {l}: {}", strata.join(", "));
            }
            println!(
                "  fill in the verdict column (ok / wrong), then: datagate sample {id} --import {}",
                out.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        (None, Some(sheet)) => {
            let r = import(&mut gate, &id, sheet)?;
            println!(
                "label audit of {id}: {} — {} of {} rows wrong ({:.1}%, allowed {:.1}%)",
                r.verdict.to_uppercase(),
                r.disagreements,
                r.sampled,
                r.rate * 100.0,
                r.threshold * 100.0
            );
            if r.verdict == "pass" {
                println!("  next: datagate approve {id} --key KEY");
                Ok(ExitCode::SUCCESS)
            } else {
                println!("  next: datagate reject {id} --reason \"label audit failed\"");
                Ok(ExitCode::from(1))
            }
        }
        _ => bail!("give either -o FILE (draw a sample) or --import FILE (record the verdicts)"),
    }
}
