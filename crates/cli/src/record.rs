//! Recording verdicts in the project's tamper-evident ledger.

/// Record a verdict in the project's ledger when run inside an initialised project (a
/// `datagate.toml` in the working directory or above it). Outside a project nothing is recorded.
/// Returns the ledger entry's sequence number. A ledger that cannot be written is a warning,
/// not a failure of the check itself.
pub fn record_verdict(
    action: &str,
    subject: &str,
    sha256: &str,
    details: serde_json::Value,
) -> Option<u64> {
    let project = datagate_project::Project::discover_from_cwd().ok()?;
    let event = datagate_ledger::Event::new(
        datagate_ledger::default_actor(),
        action,
        datagate_ledger::Subject::named(subject).with_digest("sha256", sha256),
    )
    .with_details(details);
    match datagate_ledger::Ledger::open(&project).and_then(|mut l| l.append(event)) {
        Ok(receipt) => Some(receipt.seq),
        Err(e) => {
            eprintln!(
                "datagate: warning: could not record this verdict in the ledger of {}: {e}",
                project.root().display()
            );
            None
        }
    }
}
