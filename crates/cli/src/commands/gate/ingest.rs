//! `datagate ingest SOURCE FILE`: fingerprint, verify the source's signature, quarantine.

use std::path::PathBuf;
use std::process::ExitCode;

use datagate_gate::workflow::{ingest, IngestOptions};

use super::{short, Format};

/// Fingerprint a file from SOURCE, verify its signature when the source signs, and put a
/// read-only copy in quarantine. Prints the drop id.
#[derive(clap::Args)]
pub struct Args {
    /// The source (from `datagate source add`).
    pub source: String,
    /// The file.
    pub file: PathBuf,
    /// DSSE envelope by the source over the file (`datagate sign FILE --key SOURCE_KEY`).
    #[arg(long, value_name = "ENVELOPE")]
    pub signature: Option<PathBuf>,
    /// Licence metadata of this drop (overrides the source's).
    #[arg(long)]
    pub licence: Option<String>,
    /// The dataset this drop is for (overrides the source's).
    #[arg(long)]
    pub dataset: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// Runs `datagate ingest`.
pub fn run(a: Args) -> anyhow::Result<ExitCode> {
    super::exit_on_tamper(run_inner(a))
}

fn run_inner(a: Args) -> anyhow::Result<ExitCode> {
    let mut gate = super::open()?;
    let out = ingest(
        &mut gate,
        &a.source,
        &a.file,
        &IngestOptions {
            signature: a.signature.clone(),
            licence: a.licence.clone(),
            dataset: a.dataset.clone(),
            derived_from: None,
        },
    )?;
    let r = &out.record;
    match a.format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&out)?),
        Format::Text => {
            println!("{}", r.id);
            eprintln!(
                "quarantined {} from {} (tier {}): sha256 {}, {} bytes",
                r.file, r.source, r.tier, r.sha256, r.bytes
            );
            match &r.signature {
                Some(s) => eprintln!("  source signature verified (key {})", short(&s.key_id)),
                None => eprintln!("  unsigned source"),
            }
            eprintln!("  risk {} ({})", out.risk.score, out.risk.level);
            eprintln!("  next: datagate review {}", r.id);
        }
    }
    Ok(ExitCode::SUCCESS)
}
