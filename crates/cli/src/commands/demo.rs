//! `datagate demo`: the main job on bundled data, for a first look.

use std::path::PathBuf;
use std::process::ExitCode;

use crate::commands::validate::{render, run_validation, Format};
use crate::data::DataArgs;
use crate::output::{use_color, write_atomic};

const PENGUINS: &[u8] = include_bytes!("../../demo/penguins.csv");
const SUITE: &[u8] = include_bytes!("../../demo/penguins.suite.json");

/// Validate the bundled Palmer Penguins data (344 real rows, CC0) against a bundled
/// Great Expectations suite, print the summary, and write an HTML report and a JSON
/// result.
#[derive(clap::Args)]
pub struct Args {
    /// Folder for the demo's files.
    #[arg(long, default_value = "datagate-demo")]
    pub out: PathBuf,
}

/// Runs the subcommand.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let data = args.out.join("penguins.csv");
    let suite = args.out.join("penguins.suite.json");
    write_atomic(&data, PENGUINS)?;
    write_atomic(&suite, SUITE)?;
    let result = run_validation(&data, &suite, &DataArgs::default(), true)?;
    print!("{}", render(&result, Format::Text, use_color())?);
    let html = args.out.join("report.html");
    let json = args.out.join("result.json");
    write_atomic(&html, render(&result, Format::Html, false)?.as_bytes())?;
    write_atomic(&json, render(&result, Format::Json, false)?.as_bytes())?;
    println!();
    println!("data:        {}", data.display());
    println!("suite:       {}", suite.display());
    println!("HTML report: {}", html.display());
    println!("JSON result: {}", json.display());
    println!(
        "\nTry it on your own data:  datagate validate YOUR.csv --suite {} --html report.html",
        suite.display()
    );
    if !result.success {
        println!("(in a pipeline, `datagate validate` exits with 1 here: the contract is not met)");
    }
    Ok(ExitCode::SUCCESS)
}
