//! Statistical review: runs every check the drop's tier requires on the quarantined copy and
//! writes the report (JSON + HTML) under `.datagate/reports/<drop>/`.
//!
//! | check | runs when | fails when |
//! |---|---|---|
//! | `provenance` | always | never (records the verified source signature, or that the drop is unsigned) |
//! | `licence` | `licence_required` | the drop has no licence metadata |
//! | `suite` | `suite = PATH` | an expectation fails |
//! | `drift` | `drift` on | dataset drift vs the current version of the drop's dataset (and `fail`) |
//! | `audit` | `audit` on | a poisoning/label finding passes its threshold (and `fail_on_findings`) |
//! | `pii` | `pii` on | personal data outside `allow_columns` (and `fail_on_any`) |
//! | `model_scan` | `model_scan` on | the drop is a model file and the static scan is not `safe` |
//!
//! A required check that cannot run (unreadable data, missing column) is an `error`, which
//! fails the review: the gate fails closed. Drift and the audit's shift detectors compare
//! with the dataset's *current trusted version*; with none yet (the first drop) drift is
//! `skipped` and says so. A drop that is a model file (detected by content) skips the data
//! checks, and a data file skips the model scan.
//!
//! Blind spots: checks run on the file as a whole, with default read options (CSV header,
//! inferred types); a drop that needs special read options should be normalised before
//! ingest.

use std::path::{Path, PathBuf};

use datagate_dataset::{Dataset, Format, ReadOptions};
use serde_json::json;

use crate::error::{io_err, Result};
use crate::policy::Tier;
use crate::report::{html, CheckResult, Report, ReportFinding, Verdict, FRAMEWORKS, REPORT_SCHEMA};
use crate::store::{LocalStore, Refs};
use crate::workflow::{self, CheckSummary, DropRecord, ReviewInfo, State};
use crate::{now, risk, Gate};

/// At most this many findings per check are kept in the report.
const MAX_FINDINGS: usize = 500;
/// At most this many rows per finding.
const MAX_ROWS: usize = 100;

/// The format named by a file name's inner extension (`a.csv.gz` → CSV), if any.
pub fn format_for(file: &str) -> Option<Format> {
    let lower = file.to_ascii_lowercase();
    let trimmed = lower
        .strip_suffix(".gz")
        .or_else(|| lower.strip_suffix(".gzip"))
        .or_else(|| lower.strip_suffix(".zst"))
        .or_else(|| lower.strip_suffix(".zstd"))
        .unwrap_or(&lower);
    Path::new(trimmed)
        .extension()
        .and_then(|e| e.to_str())
        .and_then(Format::from_name)
}

/// Opens a data file with default options, its format taken from `name` when it has one.
pub fn open_data(path: &Path, name: &str) -> std::result::Result<Dataset, String> {
    Dataset::open_as(path, format_for(name), &ReadOptions::default()).map_err(|e| e.to_string())
}

/// The current trusted version of `dataset`: (object path, original file name, version).
fn reference(gate: &Gate, dataset: Option<&str>) -> Result<Option<(PathBuf, String, String)>> {
    let Some(d) = dataset else { return Ok(None) };
    let Some(refs) = Refs::load(&gate.refs_dir(), d)? else {
        return Ok(None);
    };
    let Some(v) = refs.current_version() else {
        return Ok(None);
    };
    let path = LocalStore::new(gate.project.objects_dir()).path_of(&v.sha256)?;
    Ok(Some((path, v.file.clone(), format!("{d}/{}", v.version))))
}

fn rows(r: &[u64]) -> Vec<u64> {
    r.iter().take(MAX_ROWS).copied().collect()
}

fn error_result(check: &str, message: String) -> CheckResult {
    let mut c = CheckResult::new(check, Verdict::Error, format!("could not run: {message}"));
    c.findings.push(ReportFinding {
        severity: "fail".into(),
        message,
        rows: Vec::new(),
    });
    c
}

fn check_provenance(record: &DropRecord) -> CheckResult {
    match &record.signature {
        Some(s) => {
            let mut c = CheckResult::new(
                "provenance",
                Verdict::Pass,
                format!(
                    "sha256 {} recorded at ingest; DSSE signature by the source's key {} verified over the quarantined copy",
                    crate::short(&record.sha256, 16),
                    crate::short(&s.key_id, 16)
                ),
            );
            c.details =
                json!({ "signed": true, "key_id": s.key_id, "envelope_sha256": s.envelope_sha256 });
            c
        }
        None => {
            let mut c = CheckResult::new(
                "provenance",
                Verdict::Pass,
                format!(
                    "sha256 {} recorded at ingest; the source does not sign its drops (counted in its risk score)",
                    crate::short(&record.sha256, 16)
                ),
            );
            c.findings.push(ReportFinding {
                severity: "info".into(),
                message: "unsigned source: the file's origin rests on the channel it came through"
                    .into(),
                rows: Vec::new(),
            });
            c.details = json!({ "signed": false });
            c
        }
    }
}

fn check_licence(record: &DropRecord) -> CheckResult {
    match &record.licence {
        Some(l) if !l.trim().is_empty() => {
            let mut c = CheckResult::new("licence", Verdict::Pass, format!("licence: {l}"));
            c.details = json!({ "licence": l });
            c
        }
        _ => {
            let mut c = CheckResult::new(
                "licence",
                Verdict::Fail,
                "no licence metadata: the tier requires it (set licence under the source, or ingest --licence)",
            );
            c.findings.push(ReportFinding {
                severity: "fail".into(),
                message:
                    "licence metadata missing; the right to train on this data is not established"
                        .into(),
                rows: Vec::new(),
            });
            c
        }
    }
}

fn check_suite(path: &Path, name: &str, suite: &Path) -> CheckResult {
    let s = match datagate_expect::Suite::load(suite) {
        Ok(s) => s,
        Err(e) => return error_result("suite", format!("{}: {e}", suite.display())),
    };
    let ds = match open_data(path, name) {
        Ok(d) => d,
        Err(e) => return error_result("suite", e),
    };
    let r = match datagate_expect::validate(
        &ds,
        &s,
        &datagate_expect::ValidateOptions { quality: false },
    ) {
        Ok(r) => r,
        Err(e) => return error_result("suite", e.to_string()),
    };
    let failed: Vec<_> = r.results.iter().filter(|x| !x.success).collect();
    let mut c = CheckResult::new(
        "suite",
        if r.success {
            Verdict::Pass
        } else {
            Verdict::Fail
        },
        format!(
            "suite {}: {} of {} expectation(s) failed",
            r.suite_name,
            failed.len(),
            r.results.len()
        ),
    );
    for f in failed.iter().take(MAX_FINDINGS) {
        let count = f
            .result
            .get("unexpected_count")
            .map(|v| format!(" ({v} unexpected)"))
            .unwrap_or_default();
        c.findings.push(ReportFinding {
            severity: "fail".into(),
            message: format!("{} on {}{count}", f.kind(), f.subject()),
            rows: Vec::new(),
        });
    }
    c.details = json!({ "suite": suite.display().to_string(), "statistics": r.statistics });
    c
}

fn collect(
    path: &Path,
    name: &str,
) -> std::result::Result<datagate_drift::collect::Collected, String> {
    let ds = open_data(path, name)?;
    let mut c = datagate_drift::collect::Collected::with_columns(ds.schema(), None);
    ds.scan(
        |batch| -> std::result::Result<(), datagate_dataset::DatasetError> {
            c.update(&batch.data);
            Ok(())
        },
    )
    .map_err(|e| e.to_string())?;
    Ok(c)
}

fn check_drift(
    path: &Path,
    name: &str,
    spec: &crate::policy::DriftCheck,
    reference: Option<&(PathBuf, String, String)>,
) -> CheckResult {
    let Some((ref_path, ref_name, ref_label)) = reference else {
        let mut c = CheckResult::new(
            "drift",
            Verdict::Skipped,
            "no current trusted version of the drop's dataset to compare with (first drop, or no dataset set for the source)",
        );
        c.details = json!({ "reference": null });
        return c;
    };
    let (cur, refc) = match (collect(path, name), collect(ref_path, ref_name)) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(e), _) => return error_result("drift", e),
        (_, Err(e)) => return error_result("drift", format!("reference {ref_label}: {e}")),
    };
    let opts = datagate_drift::compare::DriftOptions {
        threshold: spec.threshold,
        drift_share: spec.drift_share,
        ..Default::default()
    };
    let d = datagate_drift::compare::compare(
        datagate_drift::compare::Reference::Data(&refc),
        &cur,
        &opts,
    );
    let verdict = match (d.dataset_drift, spec.fail) {
        (false, _) => Verdict::Pass,
        (true, true) => Verdict::Fail,
        (true, false) => Verdict::Warn,
    };
    let mut c = CheckResult::new(
        "drift",
        verdict,
        format!(
            "vs {ref_label}: {} of {} column(s) drifted (share {:.2}, dataset drift at {:.2})",
            d.number_of_drifted_columns,
            d.number_of_columns,
            d.share_of_drifted_columns,
            d.drift_share
        ),
    );
    let sev = if verdict == Verdict::Fail {
        "fail"
    } else {
        "warn"
    };
    for col in d
        .columns
        .iter()
        .filter(|c| c.drift_detected)
        .take(MAX_FINDINGS)
    {
        c.findings.push(ReportFinding {
            severity: sev.into(),
            message: format!(
                "column {}: {} = {:.4} (threshold {})",
                col.column, col.stattest_name, col.score, col.threshold
            ),
            rows: Vec::new(),
        });
    }
    for f in d.findings.iter().take(MAX_FINDINGS) {
        c.findings.push(ReportFinding {
            severity: "info".into(),
            message: f.message.clone(),
            rows: Vec::new(),
        });
    }
    c.details = json!({
        "reference": ref_label,
        "dataset_drift": d.dataset_drift,
        "number_of_columns": d.number_of_columns,
        "number_of_drifted_columns": d.number_of_drifted_columns,
        "share_of_drifted_columns": d.share_of_drifted_columns,
    });
    c
}

fn check_audit(
    path: &Path,
    name: &str,
    spec: &crate::policy::AuditCheck,
    reference: Option<&(PathBuf, String, String)>,
) -> CheckResult {
    let cols = datagate_audit::AuditColumns {
        label: spec.label.clone(),
        text: spec.text.clone(),
        features: spec.features.clone(),
    };
    let ds = match open_data(path, name) {
        Ok(d) => d,
        Err(e) => return error_result("audit", e),
    };
    let table = match datagate_audit::Table::load(&ds, &cols) {
        Ok(t) => t,
        Err(e) => return error_result("audit", e.to_string()),
    };
    let baseline = match reference {
        None => None,
        Some((p, n, label)) => match open_data(p, n)
            .and_then(|d| datagate_audit::Table::load(&d, &cols).map_err(|e| e.to_string()))
        {
            Ok(t) => Some(t),
            Err(e) => return error_result("audit", format!("baseline {label}: {e}")),
        },
    };
    let r = datagate_audit::audit(
        &table,
        baseline.as_ref(),
        &spec.settings,
        datagate_audit::ALL,
    );
    let fails = r.fails();
    let verdict = match (fails, spec.fail_on_findings) {
        (false, _) => Verdict::Pass,
        (true, true) => Verdict::Fail,
        (true, false) => Verdict::Warn,
    };
    let mut c = CheckResult::new(
        "audit",
        verdict,
        format!(
            "{} rows; {} finding(s), {} over threshold; {} detector(s) skipped",
            r.rows,
            r.findings.len(),
            r.findings.iter().filter(|f| f.fails).count(),
            r.skipped.len()
        ),
    );
    for f in r.findings.iter().take(MAX_FINDINGS) {
        c.findings.push(ReportFinding {
            severity: if f.fails && spec.fail_on_findings {
                "fail".into()
            } else if f.fails {
                "warn".into()
            } else {
                "info".into()
            },
            message: format!("{}: {}", f.detector, f.title),
            rows: rows(&f.rows),
        });
    }
    c.details = json!({
        "rows": r.rows,
        "label": spec.label,
        "text": spec.text,
        "baseline": reference.map(|r| r.2.clone()),
        "thresholds": spec.settings.to_map(),
        "skipped": r.skipped.iter().map(|s| json!({"detector": s.detector, "reason": s.reason})).collect::<Vec<_>>(),
    });
    c
}

fn check_pii(path: &Path, name: &str, spec: &crate::policy::PiiCheck) -> CheckResult {
    let config = datagate_pii::data::ScanConfig {
        min_confidence: spec.min_confidence,
        read: ReadOptions::default(),
        ..Default::default()
    };
    // pii's scanner detects the format itself; a quarantined copy keeps its extension.
    let _ = name;
    let r = match datagate_pii::data::scan_dataset(path, &config) {
        Ok(r) => r,
        Err(e) => return error_result("pii", e.to_string()),
    };
    let mut violations = 0u64;
    let mut findings = Vec::new();
    for col in &r.columns {
        if col.cells_with_pii == 0 {
            continue;
        }
        let allowed = spec.allow_columns.iter().any(|a| a == &col.class.column);
        let entities: Vec<String> = col
            .findings
            .iter()
            .map(|(e, n)| format!("{} {n}", e.as_str()))
            .collect();
        if !allowed {
            violations += col.cells_with_pii;
        }
        findings.push(ReportFinding {
            severity: if allowed {
                "info".into()
            } else if spec.fail_on_any {
                "fail".into()
            } else {
                "warn".into()
            },
            message: format!(
                "column {}: {} cell(s) with personal data ({}){}",
                col.class.column,
                col.cells_with_pii,
                entities.join(", "),
                if allowed {
                    " — allowed by policy"
                } else {
                    ""
                }
            ),
            rows: r
                .spans
                .iter()
                .filter(|s| s.column == col.class.column)
                .map(|s| s.row)
                .take(MAX_ROWS)
                .collect(),
        });
    }
    let verdict = match (violations > 0, spec.fail_on_any) {
        (false, _) => Verdict::Pass,
        (true, true) => Verdict::Fail,
        (true, false) => Verdict::Warn,
    };
    let mut c = CheckResult::new(
        "pii",
        verdict,
        format!(
            "{} rows scanned; {violations} cell(s) with personal data outside allowed columns",
            r.rows
        ),
    );
    c.findings = findings;
    c.details = json!({ "rows": r.rows, "totals": r.totals, "allow_columns": spec.allow_columns });
    c
}

fn model_result(scan: &datagate_modelscan::FileReport) -> CheckResult {
    use datagate_modelscan::Verdict as V;
    let verdict = if scan.verdict == V::Safe {
        Verdict::Pass
    } else {
        Verdict::Fail
    };
    let mut c = CheckResult::new(
        "model_scan",
        verdict,
        format!(
            "model file ({}): {:?}, {} finding(s)",
            scan.format,
            scan.verdict,
            scan.findings.len()
        )
        .to_lowercase(),
    );
    for f in scan.findings.iter().take(MAX_FINDINGS) {
        let sev = match f.severity {
            datagate_modelscan::Severity::Info => "info",
            _ => "fail",
        };
        c.findings.push(ReportFinding {
            severity: sev.into(),
            message: format!("{} {}: {}", f.rule, f.name, f.message),
            rows: Vec::new(),
        });
    }
    c.details = json!({ "format": scan.format, "verdict": scan.verdict });
    c
}

/// Runs one check and records its wall time.
fn timed(f: impl FnOnce() -> CheckResult) -> CheckResult {
    let start = std::time::Instant::now();
    let mut c = f();
    c.seconds = start.elapsed().as_secs_f64();
    c
}

/// What [`review`] did.
#[derive(Debug, Clone)]
pub struct Reviewed {
    /// The record after the review.
    pub record: DropRecord,
    /// The report.
    pub report: Report,
    /// The JSON report.
    pub json_path: PathBuf,
    /// The HTML report.
    pub html_path: PathBuf,
}

/// Runs the checks `tier` requires on the quarantined copy of `record`.
pub fn run_checks(gate: &Gate, record: &DropRecord, tier: &Tier) -> Result<Vec<CheckResult>> {
    let path = record.quarantine_path(&gate.drops_dir());
    let name = record.quarantine.clone();
    let mut checks = vec![check_provenance(record)];
    if tier.licence_required {
        checks.push(check_licence(record));
    }
    let scan_start = std::time::Instant::now();
    let scan = datagate_modelscan::scan_file(&path, &datagate_modelscan::Options::default());
    let scan_seconds = scan_start.elapsed().as_secs_f64();
    let is_model = !matches!(scan.format.as_str(), "unknown" | "empty");
    let data_checks =
        tier.suite.is_some() || tier.drift.is_some() || tier.audit.is_some() || tier.pii.is_some();
    if is_model {
        if data_checks {
            checks.push(CheckResult::new(
                "data_checks",
                Verdict::Skipped,
                format!(
                    "the drop is a model file ({}); data checks do not apply",
                    scan.format
                ),
            ));
        }
        checks.push(if tier.model_scan {
            let mut c = model_result(&scan);
            c.seconds = scan_seconds;
            c
        } else {
            // A model file through a tier that does not scan models: fail closed.
            error_result(
                "model_scan",
                format!(
                    "the drop is a model file ({}) but tier {} does not scan models (set model_scan = true)",
                    scan.format, tier.name
                ),
            )
        });
        return Ok(checks);
    }
    let reference = reference(gate, record.dataset.as_deref())?;
    if let Some(suite) = &tier.suite {
        checks.push(timed(|| check_suite(&path, &name, suite)));
    }
    if let Some(d) = &tier.drift {
        checks.push(timed(|| check_drift(&path, &name, d, reference.as_ref())));
    }
    if let Some(a) = &tier.audit {
        checks.push(timed(|| check_audit(&path, &name, a, reference.as_ref())));
    }
    if let Some(p) = &tier.pii {
        checks.push(timed(|| check_pii(&path, &name, p)));
    }
    if tier.model_scan {
        checks.push(CheckResult::new(
            "model_scan",
            Verdict::Skipped,
            "the drop is a data file, not a model file",
        ));
    }
    Ok(checks)
}

/// Reviews drop `id`: runs the checks, writes `review-N.json` and `review-N.html` under
/// `.datagate/reports/<id>/`, records `gate.review`, and moves the drop to `reviewed`.
pub fn review(gate: &mut Gate, id: &str) -> Result<Reviewed> {
    let record = workflow::load(gate, id)?;
    record.can_review()?;
    let tier = gate.policy.tier(&record.tier)?.clone();
    // The quarantined copy must still be what was ingested.
    let path = record.quarantine_path(&gate.drops_dir());
    let now_sha =
        datagate_integrity::hash::hash_file(&path, datagate_integrity::Algorithms::Sha256)?
            .sha256_hex()
            .unwrap_or_default();
    if now_sha != record.sha256 {
        return Err(crate::GateError::Tampered(format!(
            "refusing to review {}: the quarantined file {} changed since ingest (sha256 was {}, is now {now_sha}); reject it",
            record.id,
            path.display(),
            record.sha256
        )));
    }
    let checks = run_checks(gate, &record, &tier)?;
    // The checks ran unlocked (they can be long); the state update is locked, on a fresh read.
    let _lock = gate.lock_drop(id)?;
    let mut record = workflow::load(gate, id)?;
    record.can_review()?;
    let verdict = if checks.iter().any(|c| c.verdict.fails()) {
        "fail"
    } else {
        "pass"
    };
    let risk = gate.policy.sources.get(&record.source).map(|s| {
        risk::score(
            s,
            &tier,
            &risk::History::from_ledger(&gate.ledger).unwrap_or_default(),
        )
    });
    let report = Report {
        schema: REPORT_SCHEMA.into(),
        drop: json!({
            "id": record.id,
            "source": record.source,
            "tier": record.tier,
            "file": record.file,
            "sha256": record.sha256,
            "bytes": record.bytes,
            "dataset": record.dataset,
            "licence": record.licence,
            "signed_by": record.signature.as_ref().map(|s| s.key_id.clone()),
        }),
        policy_sha256: gate.policy.sha256.clone(),
        risk: serde_json::to_value(&risk).unwrap_or_default(),
        generated_at: now(),
        reviewer: gate.actor.clone(),
        verdict: verdict.into(),
        frameworks: FRAMEWORKS.into(),
        checks,
    };
    let dir = gate.project.reports_dir().join(&record.id);
    std::fs::create_dir_all(&dir).map_err(io_err(&dir))?;
    let n = (1..)
        .find(|n| !dir.join(format!("review-{n}.json")).exists())
        .unwrap_or(1);
    let json_path = dir.join(format!("review-{n}.json"));
    let html_path = dir.join(format!("review-{n}.html"));
    let bytes = serde_json::to_vec_pretty(&report)?;
    datagate_project::write_atomic(&json_path, &bytes)?;
    datagate_project::write_atomic(&html_path, html(&report).as_bytes())?;
    let report_sha256 = datagate_integrity::hash::sha256_hex(&bytes);
    let rel = |p: &Path| {
        p.strip_prefix(gate.project.root())
            .unwrap_or(p)
            .display()
            .to_string()
    };
    let summaries: Vec<CheckSummary> = report
        .checks
        .iter()
        .map(|c| CheckSummary {
            check: c.check.clone(),
            verdict: c.verdict.as_str().into(),
            findings: c.findings.len(),
        })
        .collect();
    record.review = Some(ReviewInfo {
        verdict: verdict.into(),
        report_sha256: report_sha256.clone(),
        report_json: rel(&json_path),
        report_html: rel(&html_path),
        checks: summaries.clone(),
        at: now(),
        by: gate.actor.clone(),
    });
    record.label_audit = None;
    record.approvals.clear();
    let subject = record.subject();
    workflow::transition(
        gate,
        &mut record,
        State::Reviewed,
        "gate.review",
        subject,
        json!({
            "verdict": verdict,
            "report_sha256": report_sha256,
            "report": rel(&json_path),
            "policy_sha256": gate.policy.sha256,
            "checks": summaries,
        }),
    )?;
    Ok(Reviewed {
        record,
        report,
        json_path,
        html_path,
    })
}
