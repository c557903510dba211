//! Human-readable renderings of scan and k-anonymity results (text and HTML).
//! JSON is the serde form of the same structs.

use std::fmt::Write;

use crate::classify::ColumnKind;
use crate::data::DatasetReport;
use crate::kanon::KReport;

/// A plain-text scan report.
pub fn scan_text(r: &DatasetReport) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{} ({}, {} rows, {} bytes of text scanned)",
        r.path, r.format, r.rows, r.bytes_scanned
    );
    if !r.has_pii() {
        let _ = writeln!(s, "no personal data or secrets found");
        return s;
    }
    let _ = writeln!(s, "\ncolumns:");
    for c in &r.columns {
        let what = match (c.class.kind, c.class.entity) {
            (ColumnKind::Structured, Some(e)) => {
                format!(
                    "{e} column ({:.1}% of {} values)",
                    c.class.share * 100.0,
                    c.class.sampled
                )
            }
            (ColumnKind::FreeText, _) => "free text".to_string(),
            _ if c.cells_with_pii > 0 => "mixed".to_string(),
            _ => continue,
        };
        let found: Vec<String> = c.findings.iter().map(|(e, n)| format!("{e}×{n}")).collect();
        let _ = writeln!(
            s,
            "  {:<20} {:<45} {} cells with PII{}",
            c.class.column,
            what,
            c.cells_with_pii,
            if found.is_empty() {
                String::new()
            } else {
                format!(": {}", found.join(", "))
            }
        );
    }
    if !r.spans.is_empty() {
        let _ = writeln!(s, "\nfindings in text (row, column, chars):");
        for f in &r.spans {
            let _ = writeln!(
                s,
                "  row {:<7} {:<16} {:>5}..{:<5} {:<16} {:.2} {:<22} {}",
                f.row,
                f.column,
                f.start,
                f.end,
                f.entity.as_str(),
                f.confidence,
                f.validation,
                f.preview
            );
        }
        if r.spans_total > r.spans.len() as u64 {
            let _ = writeln!(
                s,
                "  … {} more (raise --max-spans)",
                r.spans_total - r.spans.len() as u64
            );
        }
    }
    let _ = writeln!(s, "\ntotals:");
    for (e, n) in &r.totals {
        let _ = writeln!(s, "  {:<16} {n}", e.as_str());
    }
    s
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A self-contained HTML scan report.
pub fn scan_html(r: &DatasetReport) -> String {
    let mut s = String::from(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>datagate pii scan</title><style>\
body{font-family:system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin:1em 0}\
td,th{border:1px solid #ccc;padding:4px 8px;text-align:left;font-size:14px}th{background:#f3f3f3}\
.bar{background:#c0392b;height:10px;display:inline-block}.ok{color:#27ae60}</style></head><body>",
    );
    let _ = write!(
        s,
        "<h1>Personal data in {}</h1><p>{} · {} rows · {} bytes of text scanned</p>",
        esc(&r.path),
        esc(&r.format),
        r.rows,
        r.bytes_scanned
    );
    if !r.has_pii() {
        s.push_str("<p class=\"ok\">No personal data or secrets found.</p></body></html>");
        return s;
    }
    s.push_str("<h2>Columns</h2><table><tr><th>column</th><th>kind</th><th>entity</th><th>share</th><th>cells with PII</th><th>findings</th></tr>");
    for c in &r.columns {
        let kind = match c.class.kind {
            ColumnKind::Structured => "structured",
            ColumnKind::FreeText => "free text",
            ColumnKind::Other => "other",
        };
        let found: Vec<String> = c.findings.iter().map(|(e, n)| format!("{e}×{n}")).collect();
        let _ = write!(
            s,
            "<tr><td>{}</td><td>{kind}</td><td>{}</td><td><span class=\"bar\" style=\"width:{}px\"></span> {:.1}%</td><td>{}</td><td>{}</td></tr>",
            esc(&c.class.column),
            c.class.entity.map_or("", |e| e.as_str()),
            (c.class.share * 100.0).round() as u32,
            c.class.share * 100.0,
            c.cells_with_pii,
            esc(&found.join(", "))
        );
    }
    s.push_str("</table>");
    if !r.spans.is_empty() {
        s.push_str("<h2>Findings in text</h2><table><tr><th>row</th><th>column</th><th>chars</th><th>entity</th><th>confidence</th><th>validation</th><th>preview</th></tr>");
        for f in &r.spans {
            let _ = write!(
                s,
                "<tr><td>{}</td><td>{}</td><td>{}..{}</td><td>{}</td><td>{:.2}</td><td>{}</td><td><code>{}</code></td></tr>",
                f.row, esc(&f.column), f.start, f.end, f.entity.as_str(), f.confidence, f.validation, esc(&f.preview)
            );
        }
        s.push_str("</table>");
        if r.spans_total > r.spans.len() as u64 {
            let _ = write!(
                s,
                "<p>… {} more findings not listed.</p>",
                r.spans_total - r.spans.len() as u64
            );
        }
    }
    s.push_str("<h2>Totals</h2><table>");
    for (e, n) in &r.totals {
        let _ = write!(s, "<tr><td>{}</td><td>{n}</td></tr>", e.as_str());
    }
    s.push_str("</table></body></html>\n");
    s
}

/// A plain-text k-anonymity report.
pub fn k_text(r: &KReport) -> String {
    let mut s = String::new();
    let verdict = if r.passed { "PASS" } else { "FAIL" };
    let _ = writeln!(
        s,
        "{verdict}: k = {} (required {}) over [{}]",
        r.k,
        r.k_required,
        r.quasi_identifiers.join(", ")
    );
    let _ = writeln!(
        s,
        "  {} rows in {} equivalence classes; {} classes ({} rows) smaller than {}; {:.2}% of rows unique",
        r.rows,
        r.classes,
        r.violating_classes,
        r.violating_rows,
        r.k_required,
        r.unique_share * 100.0
    );
    if let Some(l) = r.l_diversity {
        let _ = writeln!(s, "  l-diversity (distinct): {l}");
    }
    let _ = writeln!(s, "smallest classes:");
    for c in &r.smallest {
        let vals: Vec<&str> = c
            .values
            .iter()
            .map(|v| v.as_deref().unwrap_or("<null>"))
            .collect();
        let _ = writeln!(
            s,
            "  size {:<5} first row {:<7} ({})",
            c.size,
            c.first_row,
            vals.join(", ")
        );
    }
    let _ = writeln!(s, "columns:");
    for c in &r.columns {
        let warn = if c.identifier_warning {
            "  ⚠ nearly unique: likely an identifier"
        } else {
            ""
        };
        let _ = writeln!(
            s,
            "  {:<20} {} distinct, ratio {:.3}{warn}",
            c.column, c.distinct, c.ratio
        );
    }
    if !r.suggestions.is_empty() {
        let _ = writeln!(s, "suggestions:");
        for x in &r.suggestions {
            let _ = writeln!(s, "  - {x}");
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_escapes() {
        assert_eq!(esc("<a href=\"x\">&"), "&lt;a href=&quot;x&quot;&gt;&amp;");
    }
}
