//! `datagate demo`: the whole job on bundled data — contract, quarantine, review, poisoning
//! audit, signed approval, promotion, a model linked to the data it was trained on, and a
//! verified ledger — ending in one HTML page that tells the story.
//!
//! Everything happens in a fresh project under `--out` (default `datagate-demo/`), built with
//! the same library calls the individual commands make, so the demo exercises the real gate:
//! 1. the bundled Palmer Penguins table (344 real rows, CC0) is validated against a bundled
//!    Great Expectations suite (which deliberately has three failing expectations);
//! 2. a project is created with a policy: source `penguin-lab` (internal tier, one approver)
//!    and source `vendor-x` (untrusted tier, signed drops, poisoning audit, two approvers);
//! 3. the lab's drop is ingested, reviewed, approved by alice and promoted as `penguins/v1`;
//! 4. `redteam inject` makes a poisoned copy (5% flipped labels, a backdoor pattern forcing
//!    "Gentoo", conflicting duplicates) that vendor-x signs and delivers; its review fails with
//!    named findings (with `penguins/v1` as the audit's baseline, the relabelled records are
//!    named one by one), the attempt to approve it is refused, it is rejected, and the
//!    audit's findings are scored against the injection's ground truth;
//! 5. a tiny model (per-class centroids, trained on `penguins/v1`) is written as safetensors,
//!    scanned and linked to the version it was trained on;
//! 6. the ledger is verified end to end, and `story.html` is written.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context as _};
use datagate_audit::{AuditColumns, Settings, Table};
use datagate_dataset::{Dataset, ReadOptions};
use datagate_gate::approve::{approve, Signature};
use datagate_gate::workflow::{self, IngestOptions};
use datagate_gate::{review, Gate, GateError};
use datagate_integrity::keys::{generate_files, KeyAlgorithm, PrivateKey};
use datagate_ledger::Ledger;
use datagate_project::Project;
use datagate_redteam::inject::{inject, write_truth, InjectOptions};
use datagate_redteam::spec::AttackSpec;

use crate::commands::validate::{render, run_validation, Format};
use crate::data::DataArgs;
use crate::output::{use_color, write_atomic};

const PENGUINS: &[u8] = include_bytes!("../../demo/penguins.csv");
const SUITE: &[u8] = include_bytes!("../../demo/penguins.suite.json");
/// Marks a folder as the demo's own, so a rerun may clear it.
const MARKER: &str = ".datagate-demo";
const NUMERIC: [&str; 4] = [
    "bill_length_mm",
    "bill_depth_mm",
    "flipper_length_mm",
    "body_mass_g",
];

/// Run the whole gate on bundled data (contract, quarantine, review, poisoning audit, signed
/// approval, promotion, model lineage, ledger verification) and write `story.html`.
#[derive(clap::Args)]
pub struct Args {
    /// Folder for the demo's files (cleared first if an earlier demo made it).
    #[arg(long, default_value = "datagate-demo")]
    pub out: PathBuf,
}

/// How a step of the story ended.
#[derive(Clone, Copy, PartialEq)]
enum Outcome {
    /// It did what it should and passed.
    Pass,
    /// A check failed or the gate refused, as the story expects.
    Blocked,
}

struct Step {
    title: String,
    outcome: Outcome,
    lines: Vec<String>,
    links: Vec<(String, String)>,
}

#[derive(Default)]
struct Story {
    steps: Vec<Step>,
}

impl Story {
    fn step(&mut self, title: &str, outcome: Outcome, lines: Vec<String>) -> &mut Step {
        let mark = match outcome {
            Outcome::Pass => "ok     ",
            Outcome::Blocked => "blocked",
        };
        println!("[{mark}] {title}");
        for l in &lines {
            println!("          {l}");
        }
        self.steps.push(Step {
            title: title.to_string(),
            outcome,
            lines,
            links: Vec::new(),
        });
        let last = self.steps.len() - 1;
        &mut self.steps[last]
    }
}

/// Runs the subcommand.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let out = prepare(&args.out)?;
    let mut story = Story::default();
    contract(&out, &mut story)?;
    let project = make_project(&out)?;
    let root = project.root().to_path_buf();
    let mut gate = Gate::open(project).context("cannot open the demo project's gate")?;
    let clean = promote_clean(&mut gate, &out, &mut story)?;
    stop_poisoned(&mut gate, &out, &mut story)?;
    link_model(&mut gate, &root, &clean, &mut story)?;
    verify_ledger(&gate, &mut story)?;
    let html = out.join("story.html");
    write_atomic(&html, render_story(&story, &root).as_bytes())?;
    println!();
    println!("the whole story:  {}", html.display());
    println!(
        "the project:      {} (try: cd {} && datagate status && datagate lineage penguins/v1)",
        root.display(),
        root.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// Creates (or clears, when an earlier demo made it) the output folder.
fn prepare(out: &Path) -> anyhow::Result<PathBuf> {
    if out.exists() {
        if !out.join(MARKER).exists() {
            let empty = std::fs::read_dir(out)
                .with_context(|| format!("cannot read {}", out.display()))?
                .next()
                .is_none();
            if !empty {
                bail!(
                    "{} exists and was not made by `datagate demo`; choose another folder with --out",
                    out.display()
                );
            }
        } else {
            std::fs::remove_dir_all(out)
                .with_context(|| format!("cannot clear the earlier demo in {}", out.display()))?;
        }
    }
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    std::fs::write(out.join(MARKER), b"made by datagate demo; safe to delete\n")
        .with_context(|| format!("cannot write in {}", out.display()))?;
    let out = out.canonicalize().unwrap_or_else(|_| out.to_path_buf());
    Ok(out)
}

/// Step 1: the data contract on the bundled table.
fn contract(out: &Path, story: &mut Story) -> anyhow::Result<()> {
    let dir = out.join("contract");
    let data = dir.join("penguins.csv");
    let suite = dir.join("penguins.suite.json");
    write_atomic(&data, PENGUINS)?;
    write_atomic(&suite, SUITE)?;
    let result = run_validation(&data, &suite, &DataArgs::default(), true)?;
    let text = render(&result, Format::Text, use_color())?;
    let html = dir.join("report.html");
    write_atomic(&html, render(&result, Format::Html, false)?.as_bytes())?;
    write_atomic(
        &dir.join("result.json"),
        render(&result, Format::Json, false)?.as_bytes(),
    )?;
    let summary = text
        .lines()
        .rev()
        .find(|l| l.contains("expectations met"))
        .unwrap_or("")
        .trim()
        .to_string();
    let failed: Vec<String> = text
        .lines()
        .filter(|l| l.trim_start().starts_with("FAIL "))
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .collect();
    let mut lines = vec![
        "344 real rows (Palmer Penguins, CC0) against a Great Expectations suite".to_string(),
        summary,
    ];
    lines.extend(failed.into_iter().map(|f| format!("  {f}")));
    let outcome = if result.success {
        Outcome::Pass
    } else {
        Outcome::Blocked
    };
    story
        .step("Data contract: datagate validate", outcome, lines)
        .links
        .push(("contract report".into(), "contract/report.html".into()));
    Ok(())
}

/// Step 2: a project with keys and a policy.
fn make_project(out: &Path) -> anyhow::Result<Project> {
    let root = out.join("project");
    let project = Project::init(&root, Some("penguins-demo"))?;
    let keys = root.join("keys");
    std::fs::create_dir_all(&keys)?;
    for who in ["alice", "bob", "vendor-x"] {
        generate_files(&keys.join(who), KeyAlgorithm::Ed25519, true)?;
    }
    let policy = r#"
# The demo's policy: the lab is an internal source; vendor-x is untrusted and signs its drops.
[approvers]
alice = "keys/alice.pub"
bob = "keys/bob.pub"

[sources.penguin-lab]
tier = "internal"
update = "yearly"
dataset = "penguins"
licence = "CC0-1.0"

[sources.vendor-x]
tier = "untrusted"
keys = ["keys/vendor-x.pub"]
update = "monthly"
dataset = "penguins"
licence = "CC0-1.0"

[tiers.internal]
audit = { label = "species" }
approvals = { k = 1, approvers = ["alice"] }

[tiers.untrusted]
audit = { label = "species" }
label_audit = false
approvals = { k = 2, approvers = ["alice", "bob"] }
"#;
    let config = project.config_path();
    let mut text = std::fs::read_to_string(&config)?;
    text.push_str(policy);
    write_atomic(&config, text.as_bytes())?;
    Ledger::init(&project).context("cannot create the demo ledger")?;
    Ok(project)
}

fn drop_file(out: &Path, name: &str) -> anyhow::Result<PathBuf> {
    let dir = out.join("incoming");
    std::fs::create_dir_all(&dir)?;
    Ok(dir.join(name))
}

fn check_lines(reviewed: &review::Reviewed) -> Vec<String> {
    reviewed
        .report
        .checks
        .iter()
        .map(|c| format!("{:<10} {:<7} {}", c.check, c.verdict.as_str(), c.summary))
        .collect()
}

fn rel(root: &Path, project_relative: &str) -> String {
    let root_name = root
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "project".into());
    format!("{root_name}/{project_relative}")
}

/// Step 3: the lab's drop goes all the way to the trusted store.
fn promote_clean(gate: &mut Gate, out: &Path, story: &mut Story) -> anyhow::Result<String> {
    let root = gate.project.root().to_path_buf();
    let file = drop_file(out, "penguins-2024.csv")?;
    write_atomic(&file, PENGUINS)?;
    let ingested = workflow::ingest(gate, "penguin-lab", &file, &IngestOptions::default())?;
    let id = ingested.record.id.clone();
    story.step(
        "Ingest: penguin-lab (internal) delivers penguins-2024.csv",
        Outcome::Pass,
        vec![
            format!(
                "drop {id}, sha256 {}…, quarantined read-only",
                &ingested.record.sha256[..16]
            ),
            format!("source risk score {}", ingested.risk.score),
        ],
    );
    let reviewed = review::review(gate, &id)?;
    let passed = reviewed.record.review.as_ref().map(|r| r.verdict.as_str()) == Some("pass");
    if !passed {
        bail!(
            "the clean drop failed its review; see {}",
            reviewed.html_path.display()
        );
    }
    let html = reviewed
        .record
        .review
        .as_ref()
        .map(|r| r.report_html.clone());
    let step = story.step(
        "Review: every check the internal tier requires",
        Outcome::Pass,
        check_lines(&reviewed),
    );
    if let Some(h) = html {
        step.links.push(("review report".into(), rel(&root, &h)));
    }
    let approved = approve(gate, &id, Signature::Key(&root.join("keys/alice")))?;
    story.step(
        "Approve: alice signs the drop and report digests (DSSE, Ed25519)",
        Outcome::Pass,
        vec![format!(
            "{} of {} approvals; state {}",
            approved.count, approved.k, approved.state
        )],
    );
    let promoted = workflow::promote(gate, &id, "penguins/v1")?;
    story.step(
        "Promote: penguins/v1 enters the content-addressed trusted store",
        Outcome::Pass,
        vec![
            format!("object sha256 {}…", &promoted.sha256[..16]),
            "re-hashed and every approval re-verified at promotion".to_string(),
        ],
    );
    Ok(id)
}

/// Step 4: the vendor's poisoned drop is stopped.
fn stop_poisoned(gate: &mut Gate, out: &Path, story: &mut Story) -> anyhow::Result<()> {
    let root = gate.project.root().to_path_buf();
    let clean = out.join("contract").join("penguins.csv");
    let poisoned = drop_file(out, "vendor-x-penguins.csv")?;
    let truth_path = out.join("vendor-x-penguins.truth.json");
    let attacks = [
        "label-flip:rate=0.05",
        "tabular-trigger:count=8,set=island=Dream,set=year=2010,target=Gentoo",
        "duplicates:mode=conflict,count=4",
    ];
    let options = InjectOptions {
        label: "species".into(),
        text: None,
        seed: 7,
        attacks: attacks
            .iter()
            .map(|a| AttackSpec::parse(a))
            .collect::<Result<_, _>>()?,
        read: ReadOptions::default(),
    };
    let truth = inject(&clean, &poisoned, &options)?;
    write_truth(&truth, &truth_path)?;
    story.step(
        "Red team: datagate redteam inject poisons a copy",
        Outcome::Pass,
        truth
            .attacks
            .iter()
            .map(|a| format!("{:<16} {} rows", a.kind, a.rows.len()))
            .collect(),
    );

    let key = PrivateKey::read(&root.join("keys/vendor-x"))?;
    let envelope = datagate_integrity::dsse::sign_file(&poisoned, &key, "vendor-x")?;
    let sig = poisoned.with_extension("csv.sig.json");
    write_atomic(&sig, serde_json::to_string_pretty(&envelope)?.as_bytes())?;
    let ingested = workflow::ingest(
        gate,
        "vendor-x",
        &poisoned,
        &IngestOptions {
            signature: Some(sig),
            ..Default::default()
        },
    )?;
    let id = ingested.record.id.clone();
    story.step(
        "Ingest: vendor-x (untrusted) delivers a signed drop",
        Outcome::Pass,
        vec![
            format!("drop {id}; the vendor's DSSE signature verifies"),
            format!(
                "source risk score {} ({})",
                ingested.risk.score, ingested.risk.level
            ),
        ],
    );

    let reviewed = review::review(gate, &id)?;
    let mut lines = check_lines(&reviewed);
    for c in &reviewed.report.checks {
        for f in c.findings.iter().filter(|f| f.severity == "fail").take(6) {
            lines.push(format!("  {}: {}", c.check, f.message));
        }
        if !c.owasp_llm_2025.is_empty() && c.verdict.fails() {
            lines.push(format!(
                "  mapped to {} / SAIF {}",
                c.owasp_llm_2025.join(", "),
                c.saif_risks.join(", ")
            ));
        }
    }
    let html = reviewed
        .record
        .review
        .as_ref()
        .map(|r| r.report_html.clone());
    let step = story.step(
        "Review: the poisoning audit fails the drop",
        Outcome::Blocked,
        lines,
    );
    if let Some(h) = html {
        step.links.push(("review report".into(), rel(&root, &h)));
    }
    if reviewed.record.review.as_ref().map(|r| r.verdict.as_str()) != Some("fail") {
        bail!("the poisoned drop passed its review: the demo's detectors regressed");
    }

    let refused = match approve(gate, &id, Signature::Key(&root.join("keys/alice"))) {
        Err(GateError::Refused(msg)) => msg,
        Err(e) => return Err(e.into()),
        Ok(_) => bail!("the gate approved a drop that failed its review"),
    };
    story.step("Approve: refused", Outcome::Blocked, vec![refused]);
    workflow::reject(
        gate,
        &id,
        "poisoning audit: flipped labels, backdoor pattern",
    )?;
    story.step(
        "Reject: the drop stays out of the trusted store",
        Outcome::Blocked,
        vec![format!("{id} rejected; recorded in the ledger")],
    );

    // How good was the audit? Score its findings against the injection's ground truth, with
    // the baseline the review had: the trusted penguins/v1 (the clean table).
    let columns = AuditColumns {
        label: Some("species".into()),
        ..Default::default()
    };
    let load = |path: &Path| -> anyhow::Result<Table> {
        Ok(Table::load(
            &Dataset::open(path, &ReadOptions::default())?,
            &columns,
        )?)
    };
    let (table, trusted) = (load(&poisoned)?, load(&clean)?);
    let report = datagate_audit::audit(
        &table,
        Some(&trusted),
        &Settings::default(),
        datagate_audit::ALL,
    );
    let scores = datagate_redteam::score::score(&truth, &serde_json::to_value(&report)?);
    story.step(
        "Score: the audit's findings against the ground truth",
        Outcome::Pass,
        scores
            .attacks
            .iter()
            .map(|s| {
                format!(
                    "{:<16} precision {:.2}  recall {:.2}  F1 {:.2}",
                    s.kind, s.precision, s.recall, s.f1
                )
            })
            .collect(),
    );
    Ok(())
}

/// Writes a safetensors file holding `tensor` (row-major F32) and string metadata.
fn write_safetensors(
    path: &Path,
    name: &str,
    shape: [usize; 2],
    tensor: &[f32],
    metadata: &[(&str, String)],
) -> anyhow::Result<()> {
    let mut meta = serde_json::Map::new();
    for (k, v) in metadata {
        meta.insert((*k).to_string(), serde_json::Value::String(v.clone()));
    }
    let bytes = tensor.len() * 4;
    let header = serde_json::json!({
        "__metadata__": meta,
        name: { "dtype": "F32", "shape": shape, "data_offsets": [0, bytes] },
    });
    let mut head = serde_json::to_vec(&header)?;
    while head.len() % 8 != 0 {
        head.push(b' ');
    }
    let mut file = Vec::with_capacity(8 + head.len() + bytes);
    file.extend_from_slice(&(head.len() as u64).to_le_bytes());
    file.extend_from_slice(&head);
    for v in tensor {
        file.extend_from_slice(&v.to_le_bytes());
    }
    write_atomic(path, &file)
}

/// Step 5: a model trained on penguins/v1 is scanned and linked to it.
fn link_model(
    gate: &mut Gate,
    root: &Path,
    clean_id: &str,
    story: &mut Story,
) -> anyhow::Result<()> {
    let record = workflow::load(gate, clean_id)?;
    let data = record.quarantine_path(&gate.drops_dir());
    let dataset = Dataset::open(&data, &ReadOptions::default())?;
    let table = Table::load(
        &dataset,
        &AuditColumns {
            label: Some("species".into()),
            text: Vec::new(),
            features: Some(NUMERIC.iter().map(|s| s.to_string()).collect()),
        },
    )?;
    let Some(labels) = &table.labels else {
        bail!("the promoted data has no species column");
    };
    // "Training": the per-class mean of each numeric feature (a nearest-centroid classifier).
    let k = labels.classes.len();
    let mut sums = vec![0f64; k * NUMERIC.len()];
    let mut counts = vec![0f64; k * NUMERIC.len()];
    for (f, col) in table.numeric.iter().enumerate() {
        for (row, &v) in col.values.iter().enumerate() {
            let c = labels.codes[row];
            if c != datagate_audit::table::MISSING && !v.is_nan() {
                sums[c as usize * NUMERIC.len() + f] += v;
                counts[c as usize * NUMERIC.len() + f] += 1.0;
            }
        }
    }
    let centroids: Vec<f32> = sums
        .iter()
        .zip(&counts)
        .map(|(s, n)| if *n > 0.0 { (s / n) as f32 } else { 0.0 })
        .collect();
    let model_dir = root.join("models").join("penguin-centroids");
    std::fs::create_dir_all(&model_dir)?;
    write_safetensors(
        &model_dir.join("model.safetensors"),
        "centroids",
        [k, NUMERIC.len()],
        &centroids,
        &[
            ("classes", labels.classes.join(",")),
            ("features", NUMERIC.join(",")),
            ("trained_on", "penguins/v1".into()),
        ],
    )?;
    let outcome = datagate_lineage::link::link(
        &mut gate.ledger,
        &datagate_lineage::link::LinkRequest {
            model: model_dir.clone(),
            name: Some("penguin-centroids".into()),
            trained_on: vec!["penguins/v1".into()],
            allow_unsafe: false,
            actor: gate.actor.clone(),
        },
    )?;
    let graph = datagate_lineage::graph::Graph::load(&gate.ledger)?;
    let roots = graph.find("penguin-centroids");
    let lineage = graph.walk(&roots, datagate_lineage::graph::Direction::Upstream);
    let mut lines = vec![
        format!(
            "model scan: {}; OpenSSF model-signing root digest {}…",
            outcome.scan.verdict,
            &outcome.fingerprint.root_sha256[..16]
        ),
        "upstream lineage (datagate lineage penguin-centroids --upstream):".to_string(),
    ];
    lines.extend(
        datagate_lineage::render::text(&graph, &lineage)
            .lines()
            .map(|l| format!("  {l}")),
    );
    story.step(
        "Lineage: a model trained on penguins/v1 is scanned and linked",
        Outcome::Pass,
        lines,
    );
    Ok(())
}

/// Step 6: the whole ledger verifies.
fn verify_ledger(gate: &Gate, story: &mut Story) -> anyhow::Result<()> {
    let report = gate.ledger.verify(None)?;
    if !report.ok {
        bail!("the demo's ledger does not verify: {:?}", report.problems);
    }
    story.step(
        "Ledger: every event verifies (RFC 9162 Merkle tree, signed checkpoints)",
        Outcome::Pass,
        vec![format!(
            "{} entries, {} signed heads, root {}…",
            report.entries,
            report.heads,
            &report.root[..16.min(report.root.len())]
        )],
    );
    Ok(())
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The story as one self-contained HTML page.
fn render_story(story: &Story, root: &Path) -> String {
    let mut h = String::new();
    h.push_str(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
<title>datagate demo: the gate, end to end</title><style>\
body{font:15px/1.5 system-ui,sans-serif;max-width:980px;margin:2em auto;color:#1d2433;padding:0 1em}\
h1{font-size:1.6em;margin-bottom:.2em}.sub{color:#5b6474;margin-top:0}\
ol{padding:0;list-style:none;counter-reset:s}li{counter-increment:s;border:1px solid #d9dee7;border-radius:8px;margin:.8em 0;padding:.7em 1em}\
li h2{font-size:1.05em;margin:.1em 0 .4em}li h2:before{content:counter(s) '. ';color:#8a93a3}\
.badge{display:inline-block;font-size:.75em;font-weight:600;padding:.1em .6em;border-radius:1em;margin-right:.6em;vertical-align:.1em}\
.pass{background:#e3f6e8;color:#17672f}.blocked{background:#fde8e8;color:#9b1c1c}\
pre{background:#f6f8fb;padding:.6em .8em;border-radius:6px;white-space:pre-wrap;overflow-wrap:anywhere;font-size:.85em;margin:.3em 0}\
a{color:#1f5fbf}</style></head><body>",
    );
    h.push_str("<h1>The gate, end to end</h1>");
    let blocked = story
        .steps
        .iter()
        .filter(|s| s.outcome == Outcome::Blocked)
        .count();
    let _ = write!(
        h,
        "<p class=\"sub\">{} steps, {} of them a check or the gate saying no. Real data (Palmer Penguins, CC0), \
a poisoned copy made by <code>datagate redteam inject</code>, and the project in <code>{}</code>: run \
<code>datagate status</code>, <code>datagate lineage penguins/v1</code> or <code>datagate log verify</code> there.</p><ol>",
        story.steps.len(),
        blocked,
        esc(&root.display().to_string())
    );
    for s in &story.steps {
        let (class, label) = match s.outcome {
            Outcome::Pass => ("pass", "passed"),
            Outcome::Blocked => ("blocked", "stopped"),
        };
        let _ = write!(
            h,
            "<li><h2><span class=\"badge {class}\">{label}</span>{}</h2><pre>{}</pre>",
            esc(&s.title),
            esc(&s.lines.join("\n"))
        );
        for (text, href) in &s.links {
            let _ = write!(h, "<a href=\"{}\">{}</a> ", esc(href), esc(text));
        }
        h.push_str("</li>");
    }
    h.push_str("</ol></body></html>\n");
    h
}
