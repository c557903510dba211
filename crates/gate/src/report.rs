//! The review report: its JSON shape, the mapping of checks to security frameworks, and a
//! self-contained HTML rendering (inline CSS, no scripts, no network).
//!
//! Findings are mapped to:
//! - **OWASP Top 10 for LLM Applications 2025** (ids `LLMxx:2025`): LLM04:2025 *Data and
//!   Model Poisoning*, LLM03:2025 *Supply Chain*, LLM02:2025 *Sensitive Information
//!   Disclosure*. The same risks in the 2023 list (v1.1), which the mission cites, are given
//!   alongside: LLM03 *Training Data Poisoning*, LLM05 *Supply Chain Vulnerabilities*, LLM06
//!   *Sensitive Information Disclosure*.
//! - **Google SAIF** risks (Data Poisoning, Unauthorized Training Data, Model Source
//!   Tampering, Sensitive Data Disclosure) and controls (Training Data Sanitization, Training
//!   Data Management, Model and Data Integrity Management, Model and Data Inventory
//!   Management, Privacy Enhancing Technologies).
//!
//! The JSON report's SHA-256 is what approvers sign, so it is written once and never edited;
//! a new review writes a new report.

use serde::{Deserialize, Serialize};

/// Schema id of the JSON report.
pub const REPORT_SCHEMA: &str = "https://datagate.dev/gate-review/v1";

/// Which edition of each framework the ids come from.
pub const FRAMEWORKS: &str = "OWASP Top 10 for LLM Applications 2025 (owasp_llm_2025; the 2023 v1.1 ids in owasp_llm_v1_1) and Google SAIF (saif_risks, saif_controls)";

/// A check's verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// Ran and found nothing that fails.
    Pass,
    /// Ran; findings fail the review.
    Fail,
    /// Ran; findings are reported but the policy does not fail on them.
    Warn,
    /// Did not apply (a reason is given).
    Skipped,
    /// Could not run; a required check that cannot run fails the review (fail closed).
    Error,
}

impl Verdict {
    /// Lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Fail => "fail",
            Verdict::Warn => "warn",
            Verdict::Skipped => "skipped",
            Verdict::Error => "error",
        }
    }

    /// Whether it fails the review.
    pub fn fails(self) -> bool {
        matches!(self, Verdict::Fail | Verdict::Error)
    }
}

/// One finding of a check.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ReportFinding {
    /// `fail`, `warn` or `info`.
    pub severity: String,
    /// What was seen.
    pub message: String,
    /// File rows (0-based) involved, at most 100.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rows: Vec<u64>,
}

/// One check's result.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CheckResult {
    /// `provenance`, `licence`, `suite`, `drift`, `audit`, `pii`, `model_scan`.
    pub check: String,
    /// Verdict.
    pub verdict: Verdict,
    /// One line.
    pub summary: String,
    /// Findings.
    pub findings: Vec<ReportFinding>,
    /// OWASP LLM Top 10 2025 ids.
    pub owasp_llm_2025: Vec<String>,
    /// OWASP LLM Top 10 v1.1 (2023) ids.
    pub owasp_llm_v1_1: Vec<String>,
    /// Google SAIF risks.
    pub saif_risks: Vec<String>,
    /// Google SAIF controls.
    pub saif_controls: Vec<String>,
    /// The check's own output (counts, columns, thresholds).
    pub details: serde_json::Value,
    /// Wall time of the check in seconds.
    #[serde(default)]
    pub seconds: f64,
}

/// The frameworks a check maps to: (OWASP 2025, OWASP v1.1, SAIF risks, SAIF controls).
pub fn mapping(
    check: &str,
) -> (
    &'static [&'static str],
    &'static [&'static str],
    &'static [&'static str],
    &'static [&'static str],
) {
    const POISON_25: &[&str] = &["LLM04:2025 Data and Model Poisoning"];
    const POISON_11: &[&str] = &["LLM03 Training Data Poisoning"];
    const SUPPLY_25: &[&str] = &["LLM03:2025 Supply Chain"];
    const SUPPLY_11: &[&str] = &["LLM05 Supply Chain Vulnerabilities"];
    match check {
        "provenance" => (
            SUPPLY_25,
            SUPPLY_11,
            &["Data Poisoning", "Model Source Tampering"],
            &[
                "Model and Data Integrity Management",
                "Model and Data Inventory Management",
            ],
        ),
        "licence" => (
            SUPPLY_25,
            SUPPLY_11,
            &["Unauthorized Training Data"],
            &["Training Data Management"],
        ),
        "suite" | "drift" | "audit" | "label_audit" => (
            POISON_25,
            POISON_11,
            &["Data Poisoning"],
            &["Training Data Sanitization"],
        ),
        "pii" => (
            &["LLM02:2025 Sensitive Information Disclosure"],
            &["LLM06 Sensitive Information Disclosure"],
            &["Sensitive Data Disclosure", "Unauthorized Training Data"],
            &["Privacy Enhancing Technologies", "Training Data Management"],
        ),
        "model_scan" => (
            &[
                "LLM03:2025 Supply Chain",
                "LLM04:2025 Data and Model Poisoning",
            ],
            SUPPLY_11,
            &["Model Source Tampering"],
            &["Model and Data Integrity Management"],
        ),
        _ => (&[], &[], &[], &[]),
    }
}

impl CheckResult {
    /// A result with the framework mapping of `check` filled in.
    pub fn new(check: &str, verdict: Verdict, summary: impl Into<String>) -> CheckResult {
        let (o25, o11, risks, controls) = mapping(check);
        let v = |s: &[&str]| s.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        CheckResult {
            check: check.to_string(),
            verdict,
            summary: summary.into(),
            findings: Vec::new(),
            owasp_llm_2025: v(o25),
            owasp_llm_v1_1: v(o11),
            saif_risks: v(risks),
            saif_controls: v(controls),
            details: serde_json::Value::Null,
            seconds: 0.0,
        }
    }
}

/// The whole review report (the JSON file approvers sign the digest of).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Report {
    /// [`REPORT_SCHEMA`].
    pub schema: String,
    /// The drop reviewed (id, source, tier, file, sha256, bytes, dataset, licence, signer).
    pub drop: serde_json::Value,
    /// SHA-256 of `datagate.toml` at review time.
    pub policy_sha256: String,
    /// Source risk score.
    pub risk: serde_json::Value,
    /// When.
    pub generated_at: String,
    /// Who ran it.
    pub reviewer: String,
    /// `pass` or `fail`.
    pub verdict: String,
    /// Which framework editions the ids come from.
    pub frameworks: String,
    /// Every check.
    pub checks: Vec<CheckResult>,
}

fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c => o.push(c),
        }
    }
    o
}

/// Renders the report as one self-contained HTML page.
pub fn html(r: &Report) -> String {
    let mut h = String::new();
    let field = |k: &str| {
        r.drop
            .get(k)
            .map(|v| match v {
                serde_json::Value::String(s) => s.clone(),
                serde_json::Value::Null => "—".into(),
                other => other.to_string(),
            })
            .unwrap_or_else(|| "—".into())
    };
    h.push_str("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">");
    h.push_str(&format!(
        "<title>datagate review {}</title>",
        esc(&field("id"))
    ));
    h.push_str("<style>body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:1100px;color:#222;padding:0 1em}h1{font-size:1.5em}table{border-collapse:collapse;width:100%;margin:.6em 0}th,td{border:1px solid #ddd;padding:.35em .5em;text-align:left;vertical-align:top}th{background:#f4f4f4}.pass{color:#fff;background:#2e7d32}.fail,.error{color:#fff;background:#c62828}.warn{background:#f9a825}.skipped{background:#ddd}.badge{padding:.1em .5em;border-radius:.3em;font-weight:600}code{font-size:.9em;word-break:break-all}.tags span{display:inline-block;background:#eef;border-radius:.3em;padding:0 .4em;margin:.1em;font-size:.85em}</style></head><body>");
    h.push_str(&format!(
        "<h1>Review of drop <code>{}</code> <span class=\"badge {}\">{}</span></h1>",
        esc(&field("id")),
        esc(&r.verdict),
        esc(&r.verdict.to_uppercase())
    ));
    h.push_str("<table>");
    for (k, label) in [
        ("source", "source"),
        ("tier", "tier"),
        ("file", "file"),
        ("sha256", "sha256"),
        ("bytes", "bytes"),
        ("dataset", "dataset"),
        ("licence", "licence"),
        ("signed_by", "signed by (key id)"),
    ] {
        h.push_str(&format!(
            "<tr><th>{label}</th><td><code>{}</code></td></tr>",
            esc(&field(k))
        ));
    }
    h.push_str(&format!(
        "<tr><th>risk</th><td>{}</td></tr><tr><th>reviewed</th><td>{} by {}</td></tr><tr><th>policy sha256</th><td><code>{}</code></td></tr></table>",
        esc(&format!(
            "{} ({})",
            r.risk.get("score").map(|v| v.to_string()).unwrap_or_default(),
            r.risk.get("level").and_then(|v| v.as_str()).unwrap_or("")
        )),
        esc(&r.generated_at),
        esc(&r.reviewer),
        esc(&r.policy_sha256)
    ));
    h.push_str("<h2>Checks</h2><table><tr><th>check</th><th>verdict</th><th>summary</th><th>OWASP LLM Top 10 (2025 / v1.1)</th><th>Google SAIF</th></tr>");
    for c in &r.checks {
        let tags = |v: &[String]| {
            v.iter()
                .map(|t| format!("<span>{}</span>", esc(t)))
                .collect::<String>()
        };
        h.push_str(&format!(
            "<tr><td><a href=\"#{0}\">{0}</a></td><td><span class=\"badge {1}\">{1}</span></td><td>{2}</td><td class=\"tags\">{3}{4}</td><td class=\"tags\">{5}{6}</td></tr>",
            esc(&c.check),
            c.verdict.as_str(),
            esc(&if c.seconds >= 0.01 {
                format!("{} ({:.2} s)", c.summary, c.seconds)
            } else {
                c.summary.clone()
            }),
            tags(&c.owasp_llm_2025),
            tags(&c.owasp_llm_v1_1),
            tags(&c.saif_risks),
            tags(&c.saif_controls),
        ));
    }
    h.push_str("</table>");
    for c in &r.checks {
        h.push_str(&format!(
            "<h3 id=\"{0}\">{0} — <span class=\"badge {1}\">{1}</span></h3><p>{2}</p>",
            esc(&c.check),
            c.verdict.as_str(),
            esc(&c.summary)
        ));
        if !c.findings.is_empty() {
            h.push_str("<table><tr><th>severity</th><th>finding</th><th>rows (0-based)</th></tr>");
            for f in c.findings.iter().take(200) {
                h.push_str(&format!(
                    "<tr><td><span class=\"badge {}\">{}</span></td><td>{}</td><td>{}</td></tr>",
                    esc(&f.severity),
                    esc(&f.severity),
                    esc(&f.message),
                    esc(&f
                        .rows
                        .iter()
                        .map(|r| r.to_string())
                        .collect::<Vec<_>>()
                        .join(", "))
                ));
            }
            if c.findings.len() > 200 {
                h.push_str(&format!(
                    "<tr><td colspan=3>… {} more in the JSON report</td></tr>",
                    c.findings.len() - 200
                ));
            }
            h.push_str("</table>");
        }
    }
    h.push_str(&format!(
        "<p><small>Framework ids: {}. The JSON report beside this page is what approvers sign (its SHA-256).</small></p></body></html>\n",
        esc(FRAMEWORKS)
    ));
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checks_map_to_both_owasp_editions_and_saif() {
        let c = CheckResult::new("audit", Verdict::Fail, "x");
        assert_eq!(
            c.owasp_llm_2025,
            vec!["LLM04:2025 Data and Model Poisoning"]
        );
        assert_eq!(c.owasp_llm_v1_1, vec!["LLM03 Training Data Poisoning"]);
        assert!(c.saif_risks.contains(&"Data Poisoning".to_string()));
        let m = CheckResult::new("model_scan", Verdict::Pass, "x");
        assert!(m.owasp_llm_2025.iter().any(|s| s.starts_with("LLM03:2025")));
        assert!(m.saif_risks.contains(&"Model Source Tampering".to_string()));
    }

    #[test]
    fn html_escapes_everything_from_the_data() {
        let mut c = CheckResult::new("pii", Verdict::Fail, "<script>x</script>");
        c.findings.push(ReportFinding {
            severity: "fail".into(),
            message: "a<b".into(),
            rows: vec![3],
        });
        let r = Report {
            schema: REPORT_SCHEMA.into(),
            drop: serde_json::json!({"id": "d-1", "file": "\"><img>"}),
            policy_sha256: String::new(),
            risk: serde_json::json!({"score": 5, "level": "low"}),
            generated_at: String::new(),
            reviewer: String::new(),
            verdict: "fail".into(),
            frameworks: FRAMEWORKS.into(),
            checks: vec![c],
        };
        let page = html(&r);
        assert!(!page.contains("<script>") && !page.contains("<img>"));
        assert!(page.contains("a&lt;b") && page.contains("LLM02:2025"));
    }
}
