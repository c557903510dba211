//! Rendering a [`ValidationResult`] for people (text, HTML) and for CI (JUnit XML).
//! JSON output is the result itself, serialised by the caller.

use std::fmt::Write;

use serde_json::Value;

use crate::result::{ExpectationResult, ValidationResult};

/// One line summarising what an expectation observed.
pub fn describe(r: &ExpectationResult) -> String {
    if let Some(msg) = &r.exception_info.exception_message {
        return format!("error: {msg}");
    }
    let res = &r.result;
    if let Some(u) = res.get("unexpected_count").and_then(Value::as_u64) {
        let n = res.get("element_count").and_then(Value::as_u64);
        let pct = res.get("unexpected_percent").and_then(Value::as_f64);
        let mut s = match (n, pct) {
            (Some(n), Some(p)) => format!("{u} unexpected of {n} rows ({p:.2}%)"),
            (Some(n), None) => format!("{u} unexpected of {n} rows"),
            _ => format!("{u} unexpected distinct values"),
        };
        if let Some(m) = res.get("missing_count").and_then(Value::as_u64) {
            if m > 0 {
                let _ = write!(s, ", {m} missing");
            }
        }
        return s;
    }
    if let Some(m) = res.get("missing_count").and_then(Value::as_u64) {
        return format!("{m} expected values missing");
    }
    match res.get("observed_value") {
        Some(v) => format!("observed {}", compact(v, 60)),
        None => String::new(),
    }
}

fn compact(v: &Value, max: usize) -> String {
    let s = v.to_string();
    if s.chars().count() > max {
        let cut: String = s.chars().take(max).collect();
        format!("{cut}…")
    } else {
        s
    }
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() > max {
        let cut: String = s.chars().take(max - 1).collect();
        format!("{cut}…")
    } else {
        s.to_string()
    }
}

fn short_name(kind: &str) -> &str {
    kind.strip_prefix("expect_").unwrap_or(kind)
}

/// Failing expectations first, then passing ones, each group in suite order.
fn ordered(result: &ValidationResult) -> Vec<&ExpectationResult> {
    let mut v: Vec<&ExpectationResult> = result.results.iter().filter(|r| !r.success).collect();
    v.extend(result.results.iter().filter(|r| r.success));
    v
}

/// A compact table for terminals.
pub fn text(result: &ValidationResult, color: bool) -> String {
    let paint = |code: &str, s: &str| {
        if color {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    };
    let mut out = String::new();
    let data = &result.meta["data"];
    let _ = writeln!(
        out,
        "{} · {} · {} rows · suite {}",
        data["path"].as_str().unwrap_or(""),
        data["format"].as_str().unwrap_or(""),
        data["rows"],
        result.suite_name
    );
    let width = result
        .results
        .iter()
        .map(|r| short_name(r.kind()).len())
        .max()
        .unwrap_or(10)
        .min(48);
    for r in ordered(result) {
        let mark = if r.success {
            paint("32", "PASS")
        } else {
            paint("31", "FAIL")
        };
        let subject = truncate(&r.subject(), 22);
        let mut line = format!(
            "{mark}  {:<width$}  {subject:<22}  {}",
            short_name(r.kind()),
            describe(r)
        );
        if !r.success {
            if let Some(rows) = r
                .result
                .get("partial_unexpected_index_list")
                .and_then(Value::as_array)
            {
                if !rows.is_empty() {
                    let rows: Vec<String> = rows.iter().take(5).map(|v| v.to_string()).collect();
                    let _ = write!(line, "; rows {}", rows.join(", "));
                }
            }
        }
        let _ = writeln!(out, "{line}");
    }
    let s = &result.statistics;
    let verdict = if result.success {
        paint("32", "PASSED")
    } else {
        paint("31", "FAILED")
    };
    let _ = writeln!(
        out,
        "{verdict}: {} of {} expectations met ({:.1}%) in {:.2}s",
        s.successful_expectations,
        s.evaluated_expectations,
        s.success_percent.unwrap_or(100.0),
        result.meta["elapsed_seconds"].as_f64().unwrap_or(0.0)
    );
    if let Some(q) = result.meta.get("quality").filter(|q| !q.is_null()) {
        let _ = writeln!(
            out,
            "quality: completeness {:.2}%, validity {:.2}%, consistency {:.2}% ({} duplicate rows){}",
            100.0 * q["completeness"].as_f64().unwrap_or(0.0),
            100.0 * q["validity"].as_f64().unwrap_or(0.0),
            100.0 * q["consistency"].as_f64().unwrap_or(0.0),
            q["duplicate_rows"],
            match q["mixed_type_columns"].as_array() {
                Some(cols) if !cols.is_empty() => format!(", mixed types in {}", compact(&Value::Array(cols.clone()), 60)),
                _ => String::new(),
            }
        );
    }
    out
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// JUnit XML: one test case per expectation.
pub fn junit(result: &ValidationResult) -> String {
    let s = &result.statistics;
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" time=\"{:.3}\">",
        esc(&result.suite_name),
        s.evaluated_expectations,
        s.unsuccessful_expectations,
        result.meta["elapsed_seconds"].as_f64().unwrap_or(0.0)
    );
    for (i, r) in result.results.iter().enumerate() {
        let name = format!("{i:03} {} ({})", r.kind(), r.subject());
        let _ = write!(
            out,
            "  <testcase classname=\"{}\" name=\"{}\"",
            esc(&result.suite_name),
            esc(&name)
        );
        if r.success {
            out.push_str("/>\n");
        } else {
            let _ = writeln!(
                out,
                ">\n    <failure message=\"{}\">{}</failure>\n  </testcase>",
                esc(&describe(r)),
                esc(&serde_json::to_string_pretty(&r.result).unwrap_or_default())
            );
        }
    }
    out.push_str("</testsuite>\n");
    out
}

const CSS: &str = "body{font:15px/1.45 system-ui,sans-serif;max-width:70rem;margin:2rem auto;padding:0 1rem;color:#1d232a}\
h1{font-size:1.5rem;margin:.2rem 0}.sub{color:#5b6570}.cards{display:flex;flex-wrap:wrap;gap:.8rem;margin:1.2rem 0}\
.card{border:1px solid #d8dde3;border-radius:8px;padding:.6rem 1rem;min-width:9rem}.card b{display:block;font-size:1.4rem}\
.ok{color:#1a7f37}.bad{color:#cf222e}table{border-collapse:collapse;width:100%;table-layout:fixed}\
td,th{border-bottom:1px solid #e4e8ec;padding:.45rem .5rem;text-align:left;vertical-align:top;overflow-wrap:anywhere}\
th{background:#f6f8fa}tr.fail>td:first-child{border-left:4px solid #cf222e}tr.pass>td:first-child{border-left:4px solid #1a7f37}\
details{margin-top:.3rem}code,pre{font:13px ui-monospace,monospace;white-space:pre-wrap;overflow-wrap:anywhere}\
.samples td{border:none;padding:.1rem .4rem}";

/// A self-contained HTML report: failing expectations first, with sample failing rows.
pub fn html(result: &ValidationResult) -> String {
    let mut out = String::new();
    let data = &result.meta["data"];
    let s = &result.statistics;
    let _ = write!(
        out,
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
<title>datagate · {}</title><style>{CSS}</style></head><body>",
        esc(&result.suite_name)
    );
    let verdict = if result.success {
        "<span class=ok>PASSED</span>"
    } else {
        "<span class=bad>FAILED</span>"
    };
    let _ = write!(
        out,
        "<h1>Validation {verdict}: {}</h1><div class=sub>{} · {} · {} rows × {} columns · datagate {}</div>",
        esc(&result.suite_name),
        esc(data["path"].as_str().unwrap_or("")),
        esc(data["format"].as_str().unwrap_or("")),
        data["rows"],
        data["columns"],
        esc(result.meta["datagate_version"].as_str().unwrap_or(""))
    );
    out.push_str("<div class=cards>");
    let _ = write!(
        out,
        "<div class=card>expectations met<b>{} / {}</b></div>",
        s.successful_expectations, s.evaluated_expectations
    );
    let _ = write!(
        out,
        "<div class=card>failed<b class={}>{}</b></div>",
        if s.unsuccessful_expectations > 0 {
            "bad"
        } else {
            "ok"
        },
        s.unsuccessful_expectations
    );
    if let Some(q) = result.meta.get("quality").filter(|q| !q.is_null()) {
        for key in ["completeness", "validity", "consistency"] {
            let _ = write!(
                out,
                "<div class=card>{key}<b>{:.2}%</b></div>",
                100.0 * q[key].as_f64().unwrap_or(0.0)
            );
        }
        let _ = write!(
            out,
            "<div class=card>duplicate rows<b>{}</b></div>",
            q["duplicate_rows"]
        );
    }
    out.push_str("</div><table><thead><tr><th style=width:5rem>status</th><th style=width:34%>expectation</th><th style=width:14%>column</th><th>result</th></tr></thead><tbody>");
    for r in ordered(result) {
        let class = if r.success { "pass" } else { "fail" };
        let status = if r.success {
            "<span class=ok>pass</span>"
        } else {
            "<span class=bad>fail</span>"
        };
        let _ = write!(
            out,
            "<tr class={class}><td>{status}</td><td><code>{}</code></td><td>{}</td><td>{}",
            esc(short_name(r.kind())),
            esc(&r.subject()),
            esc(&describe(r))
        );
        let rows = r
            .result
            .get("partial_unexpected_index_list")
            .and_then(Value::as_array);
        let values = r
            .result
            .get("partial_unexpected_list")
            .and_then(Value::as_array);
        if let (false, Some(rows), Some(values)) = (r.success, rows, values) {
            if !values.is_empty() {
                out.push_str(
                    "<details open><summary>sample failing rows</summary><table class=samples>",
                );
                for (row, value) in rows.iter().zip(values).take(10) {
                    let _ = write!(
                        out,
                        "<tr><td>row {row}</td><td><code>{}</code></td></tr>",
                        esc(&compact(value, 120))
                    );
                }
                out.push_str("</table></details>");
            }
        } else if let (false, Some(values)) = (r.success, values) {
            if !values.is_empty() {
                let _ = write!(
                    out,
                    "<details><summary>values</summary><code>{}</code></details>",
                    esc(&compact(&Value::Array(values.clone()), 400))
                );
            }
        }
        let _ = write!(
            out,
            "<details><summary>kwargs</summary><code>{}</code></details></td></tr>",
            esc(&r.expectation_config["kwargs"].to_string())
        );
    }
    out.push_str("</tbody></table></body></html>\n");
    out
}
