//! `datagate policy check|explain`.

use std::process::ExitCode;

use datagate_gate::risk;

use super::{short, Format};

/// Check the policy in datagate.toml, or explain what a source's drops go through.
#[derive(clap::Subcommand)]
pub enum Command {
    /// Validate datagate.toml's policy (exit 2 with the offending field when invalid).
    Check,
    /// Print what a drop from SOURCE goes through, and the source's risk score.
    Explain(ExplainArgs),
}

/// `datagate policy explain`.
#[derive(clap::Args)]
pub struct ExplainArgs {
    /// The source.
    pub source: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// Runs `datagate policy ...`.
pub fn run(cmd: Command) -> anyhow::Result<ExitCode> {
    match cmd {
        Command::Check => {
            let gate = super::open()?;
            println!(
                "policy OK: {} source(s), {} tier(s), {} retention class(es)",
                gate.policy.sources.len(),
                gate.policy.tiers.len(),
                gate.policy.retention.len()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Explain(a) => explain(a),
    }
}

fn explain(a: ExplainArgs) -> anyhow::Result<ExitCode> {
    let gate = super::open()?;
    let src = gate.policy.source(&a.source)?;
    let tier = gate.policy.tier(&src.tier)?;
    let history = risk::History::from_ledger(&gate.ledger)?;
    let score = risk::score(src, tier, &history);
    if a.format == Format::Json {
        let doc = serde_json::json!({
            "source": src.name,
            "tier": tier.name,
            "risk": score,
            "signed": !src.keys.is_empty(),
            "keys": src.keys.iter().map(|k| &k.key_id).collect::<Vec<_>>(),
            "checks": {
                "licence": tier.licence_required,
                "suite": tier.suite.as_ref().map(|p| p.display().to_string()),
                "drift": tier.drift.as_ref().map(|d| serde_json::json!({"threshold": d.threshold, "drift_share": d.drift_share, "fail": d.fail})),
                "audit": tier.audit.as_ref().map(|d| serde_json::json!({"label": d.label, "text": d.text, "fail_on_findings": d.fail_on_findings, "thresholds": d.settings.to_map()})),
                "pii": tier.pii.as_ref().map(|d| serde_json::json!({"fail_on_any": d.fail_on_any, "allow_columns": d.allow_columns})),
                "model_scan": tier.model_scan,
            },
            "label_audit": tier.label_audit.as_ref().map(|l| serde_json::json!({"sample": l.sample, "max_disagreement": l.max_disagreement})),
            "approvals": { "k": tier.k, "n": tier.approvers.len(), "approvers": tier.approvers.iter().map(|a| serde_json::json!({"name": a.name, "key_id": a.key_id})).collect::<Vec<_>>() },
            "dataset": src.dataset,
            "retention": src.dataset.as_deref().and_then(|d| gate.policy.retention_for(d)).map(|r| r.name.clone()),
        });
        println!("{}", serde_json::to_string_pretty(&doc)?);
        return Ok(ExitCode::SUCCESS);
    }
    println!("source {} — tier {}", src.name, tier.name);
    println!("risk score {} ({})", score.score, score.level);
    for f in &score.factors {
        println!("  +{:<3} {:<17} {}", f.points, f.factor, f.reason);
    }
    println!();
    println!("a drop from {} goes through:", src.name);
    let mut step = 0;
    let mut next = |s: String| {
        step += 1;
        println!("  {step}. {s}");
    };
    next(if src.keys.is_empty() {
        "acquisition: SHA-256 fingerprint (the source is unsigned: no signature checked)".into()
    } else {
        format!(
            "acquisition: SHA-256 fingerprint + DSSE signature by one of: {}",
            src.keys
                .iter()
                .map(|k| format!("{} ({})", short(&k.key_id), k.path.display()))
                .collect::<Vec<_>>()
                .join(", ")
        )
    });
    next("quarantine: read-only copy in .datagate/drops/ID/, stored by digest".into());
    let mut checks = Vec::new();
    if tier.licence_required {
        checks.push("licence metadata present".to_string());
    }
    if let Some(s) = &tier.suite {
        checks.push(format!("expectation suite {}", s.display()));
    }
    if let Some(d) = &tier.drift {
        checks.push(format!(
            "drift vs the current version of {} (threshold {}, dataset drift at share {}{})",
            src.dataset.as_deref().unwrap_or("its dataset"),
            d.threshold
                .map(|t| t.to_string())
                .unwrap_or_else(|| "Evidently defaults".into()),
            d.drift_share,
            if d.fail { "" } else { ", reported only" }
        ));
    }
    if let Some(au) = &tier.audit {
        let defaults = datagate_audit::Settings::default().to_map();
        let changed: Vec<String> = au
            .settings
            .to_map()
            .into_iter()
            .filter(|(k, v)| defaults.get(k) != Some(v))
            .map(|(k, v)| format!("{k} = {v}"))
            .collect();
        checks.push(format!(
            "poisoning audit (label {}, text {}{}){}",
            au.label.as_deref().unwrap_or("none"),
            if au.text.is_empty() {
                "none".to_string()
            } else {
                au.text.join(", ")
            },
            if changed.is_empty() {
                String::new()
            } else {
                format!("; thresholds {}", changed.join(", "))
            },
            if au.fail_on_findings {
                ""
            } else {
                ", reported only"
            }
        ));
    }
    if let Some(p) = &tier.pii {
        checks.push(format!(
            "PII scan ({}{})",
            if p.fail_on_any {
                "fails on any finding"
            } else {
                "reported only"
            },
            if p.allow_columns.is_empty() {
                String::new()
            } else {
                format!(", allowed columns: {}", p.allow_columns.join(", "))
            }
        ));
    }
    if tier.model_scan {
        checks.push("static model scan when the drop is a model file".into());
    }
    next(if checks.is_empty() {
        "review: no checks required by this tier (a report is still written)".into()
    } else {
        format!("review: {}", checks.join("; "))
    });
    if let Some(l) = &tier.label_audit {
        next(format!(
            "label audit: {} stratified rows checked by a human, at most {:.1}% wrong",
            l.sample,
            l.max_disagreement * 100.0
        ));
    }
    next(format!(
        "approval: {} of {} approver signature(s){}",
        tier.k,
        tier.approvers.len(),
        if tier.approvers.is_empty() {
            " — no approvers configured yet: add [approvers] to datagate.toml".to_string()
        } else {
            format!(
                " ({})",
                tier.approvers
                    .iter()
                    .map(|a| format!("{} {}", a.name, short(&a.key_id)))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }
    ));
    next(format!(
        "promotion: re-hash, verify signatures, store as {}/vN{}",
        src.dataset.as_deref().unwrap_or("DATASET"),
        src.dataset
            .as_deref()
            .and_then(|d| gate.policy.retention_for(d))
            .map(|r| format!(" (retention class {})", r.name))
            .unwrap_or_default()
    ));
    Ok(ExitCode::SUCCESS)
}
