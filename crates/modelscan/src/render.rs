//! Report rendering: human text, JSON, and SARIF 2.1.0 (GitHub code scanning), plus the rule
//! reference in Markdown (the README section is generated from it).

use serde_json::{json, Value};

use crate::report::{FileReport, Severity, Verdict};
use crate::rules::{Rule, ALL};

/// Plain text: one block per file, one line per finding, then a summary line.
pub fn text(reports: &[FileReport]) -> String {
    let mut s = String::new();
    for r in reports {
        s.push_str(&format!(
            "{}  [{}]  {}\n",
            r.path,
            r.format,
            r.verdict.as_str().to_uppercase()
        ));
        for f in &r.findings {
            let loc = f.location.to_string();
            let loc = if loc.is_empty() {
                String::new()
            } else {
                format!(" ({loc})")
            };
            s.push_str(&format!(
                "  {:<10} {} {}: {}{}\n",
                severity_name(f.severity),
                f.rule,
                f.name,
                f.message,
                loc
            ));
            if f.severity >= Severity::Suspicious {
                s.push_str(&format!("             why: {}\n", f.why));
            }
        }
    }
    let count = |v: Verdict| reports.iter().filter(|r| r.verdict == v).count();
    s.push_str(&format!(
        "{} file{}: {} malicious, {} suspicious, {} error, {} safe\n",
        reports.len(),
        if reports.len() == 1 { "" } else { "s" },
        count(Verdict::Malicious),
        count(Verdict::Suspicious),
        count(Verdict::Error),
        count(Verdict::Safe)
    ));
    s
}

fn severity_name(s: Severity) -> &'static str {
    match s {
        Severity::Info => "info",
        Severity::Suspicious => "suspicious",
        Severity::Error => "error",
        Severity::Malicious => "MALICIOUS",
    }
}

/// JSON: `{"files": [...], "summary": {...}}`.
pub fn json(reports: &[FileReport]) -> Value {
    let count = |v: Verdict| reports.iter().filter(|r| r.verdict == v).count();
    json!({
        "files": reports,
        "summary": {
            "files": reports.len(),
            "malicious": count(Verdict::Malicious),
            "suspicious": count(Verdict::Suspicious),
            "error": count(Verdict::Error),
            "safe": count(Verdict::Safe),
        }
    })
}

fn sarif_level(s: Severity) -> &'static str {
    match s {
        Severity::Malicious | Severity::Error => "error",
        Severity::Suspicious => "warning",
        Severity::Info => "note",
    }
}

fn security_severity(s: Severity) -> &'static str {
    match s {
        Severity::Malicious => "9.8",
        Severity::Error => "5.0",
        Severity::Suspicious => "6.5",
        Severity::Info => "0.0",
    }
}

fn sarif_rule(r: &Rule) -> Value {
    let doc = r.doc();
    json!({
        "id": r.code,
        "name": r.name,
        "shortDescription": { "text": r.why },
        "fullDescription": { "text": doc.lines().next().unwrap_or(r.why) },
        "help": { "text": doc, "markdown": doc },
        "defaultConfiguration": { "level": sarif_level(r.severity) },
        "properties": { "tags": ["security", "supply-chain", "model"], "security-severity": security_severity(r.severity) }
    })
}

/// SARIF 2.1.0 with every rule in the driver and one result per finding above `info`.
pub fn sarif(reports: &[FileReport], version: &str) -> Value {
    let rules: Vec<Value> = ALL.iter().map(|r| sarif_rule(r)).collect();
    let mut results = Vec::new();
    for r in reports {
        let uri = r.path.trim_start_matches("./").replace('\\', "/");
        for f in r.findings.iter().filter(|f| f.severity > Severity::Info) {
            let idx = ALL.iter().position(|x| x.code == f.rule).unwrap_or(0);
            let mut loc = json!({
                "physicalLocation": {
                    "artifactLocation": { "uri": uri },
                    "region": { "startLine": 1 }
                }
            });
            if !f.location.member.is_empty() {
                loc["logicalLocations"] = json!([{ "fullyQualifiedName": f.location.member.join("/"), "kind": "member" }]);
            }
            results.push(json!({
                "ruleId": f.rule,
                "ruleIndex": idx,
                "level": sarif_level(f.severity),
                "message": { "text": format!("{} ({}): {}", f.message, r.verdict.as_str(), f.why) },
                "locations": [loc],
                "partialFingerprints": { "datagateFinding/v1": format!("{}:{}:{}", f.rule, uri, f.location) },
                "properties": {
                    "severity": f.severity,
                    "format": r.format,
                    "module": f.module,
                    "name": f.import,
                    "offset": f.location.offset,
                }
            }));
        }
    }
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "datagate",
                "informationUri": "https://example.invalid/datagate",
                "semanticVersion": version,
                "rules": rules
            }},
            "results": results
        }]
    })
}

/// The rule reference as Markdown (one section per rule, from the rule files' docs).
pub fn rules_markdown() -> String {
    let mut s = String::from("| code | name | severity | why it matters |\n|---|---|---|---|\n");
    for r in ALL {
        s.push_str(&format!(
            "| {} | `{}` | {} | {} |\n",
            r.code,
            r.name,
            severity_name(r.severity).to_lowercase(),
            r.why.replace("__", "\\_\\_")
        ));
    }
    for r in ALL {
        let doc = r.doc();
        let mut lines = doc.lines();
        let _title = lines.next();
        s.push_str(&format!(
            "\n#### {} `{}`\n\n{}\n",
            r.code,
            r.name,
            lines.collect::<Vec<_>>().join("\n").trim()
        ));
    }
    s
}

#[cfg(test)]
mod tests {
    #[test]
    fn readme_rule_reference_is_current() {
        let readme =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md"))
                .unwrap_or_default();
        assert!(
            readme.contains(&super::rules_markdown()),
            "README is stale: paste `datagate model rules --markdown` under 'Model scanner rules'"
        );
    }

    #[test]
    fn sarif_has_what_github_code_scanning_needs() {
        let bytes = b"cos\nsystem\n(S'echo'\ntR.";
        let r = crate::scan_bytes("./models/evil.pkl", bytes, &crate::Options::default());
        let v = super::sarif(&[r], "0.1.0");
        assert_eq!(v["version"], "2.1.0");
        let run = &v["runs"][0];
        let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
        assert_eq!(rules.len(), crate::rules::ALL.len());
        let res = &run["results"][0];
        assert_eq!(res["ruleId"], "PKL001");
        assert_eq!(res["level"], "error");
        assert_eq!(
            rules[res["ruleIndex"].as_u64().unwrap() as usize]["id"],
            "PKL001"
        );
        assert_eq!(
            res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "models/evil.pkl"
        );
        assert!(res["message"]["text"]
            .as_str()
            .unwrap()
            .contains("os.system"));
        assert!(rules[0]["properties"]["security-severity"]
            .as_str()
            .is_some());
    }
}
