//! Minimal driver: `cargo run -p datagate-modelscan --example scan -- PATHS... [--json | --format json]`
//! (the real command is `datagate model scan`).

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--rules-markdown") {
        print!("{}", datagate_modelscan::render::rules_markdown());
        return;
    }
    let json = args.iter().any(|a| a == "--json" || a == "json");
    let paths: Vec<std::path::PathBuf> = args
        .iter()
        .filter(|a| !a.starts_with("--") && !["json", "text"].contains(&a.as_str()))
        .map(Into::into)
        .collect();
    match datagate_modelscan::scan_paths(&paths, &Default::default()) {
        Ok(r) if json => println!("{}", datagate_modelscan::render::json(&r)),
        Ok(r) => print!("{}", datagate_modelscan::render::text(&r)),
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(2);
        }
    }
}
