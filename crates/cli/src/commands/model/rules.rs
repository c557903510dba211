//! `datagate model rules`: the scanner's rule reference, generated from the rule files' docs.

use std::process::ExitCode;

use datagate_modelscan::rules::ALL;

/// Print the rules.
#[derive(clap::Args)]
pub struct Args {
    /// Print the full Markdown reference (as in the README) instead of a table.
    #[arg(long)]
    pub markdown: bool,
}

/// Print the rule list.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    if args.markdown {
        print!("{}", datagate_modelscan::render::rules_markdown());
    } else {
        for r in ALL {
            println!(
                "{}  {:<30} {:<10} {}",
                r.code,
                r.name,
                format!("{:?}", r.severity).to_lowercase(),
                r.why
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
