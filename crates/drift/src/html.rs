//! The drift report as one self-contained HTML page (inline SVG and CSS; no scripts,
//! nothing fetched): the verdict, then one card per column — drifted first — with the
//! reference and current distributions overlaid, the method, score and threshold.

use datagate_profile::html::{bars_svg, escape, fmt_num, histogram_svg, Series, CSS};

use crate::column::{ColumnDrift, Distribution};
use crate::dataset::DatasetDrift;

const REF_COLOR: &str = "#3b6fd8";
const CUR_COLOR: &str = "#e8812c";

fn chart(c: &ColumnDrift) -> String {
    match &c.distribution {
        Distribution::Histogram {
            edges,
            reference,
            current,
        } => histogram_svg(
            edges,
            &[
                Series {
                    name: "reference",
                    color: REF_COLOR,
                    values: reference,
                },
                Series {
                    name: "current",
                    color: CUR_COLOR,
                    values: current,
                },
            ],
            &c.column,
        ),
        Distribution::Categories {
            labels,
            reference,
            current,
        } => bars_svg(
            labels,
            &[
                Series {
                    name: "reference",
                    color: REF_COLOR,
                    values: reference,
                },
                Series {
                    name: "current",
                    color: CUR_COLOR,
                    values: current,
                },
            ],
            &c.column,
        ),
    }
}

fn side(s: &crate::column::SideSummary) -> String {
    let mut parts = vec![
        format!("n = {}", s.count),
        format!("unique = {}", s.n_unique),
    ];
    if let (Some(mean), Some(std)) = (s.mean, s.std) {
        parts.push(format!("mean = {}", fmt_num(mean)));
        parts.push(format!("std = {}", fmt_num(std)));
    }
    if let (Some(a), Some(b)) = (s.min, s.max) {
        parts.push(format!("range = [{}, {}]", fmt_num(a), fmt_num(b)));
    }
    parts.join(" · ")
}

/// Renders the report.
pub fn render(report: &DatasetDrift, reference_name: &str, current_name: &str) -> String {
    let mut s = String::from(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>datagate drift report</title><style>",
    );
    s.push_str(CSS);
    s.push_str("</style></head><body><h1>Drift report</h1>");
    let verdict = if report.dataset_drift {
        "<span class=\"badge bad\">dataset drift detected</span>"
    } else {
        "<span class=\"badge good\">no dataset drift</span>"
    };
    s.push_str(&format!(
        "<div class=\"card {}\"><p class=\"summary\">{verdict} &nbsp; <b>{}</b> of <b>{}</b> columns drifted ({:.1} %); dataset drift when the share is ≥ {:.0} %.</p><p class=\"muted\">reference: {} · current: {}</p></div>",
        if report.dataset_drift { "drift" } else { "ok" },
        report.number_of_drifted_columns,
        report.number_of_columns,
        100.0 * report.share_of_drifted_columns,
        100.0 * report.drift_share,
        escape(reference_name),
        escape(current_name),
    ));
    if !report.findings.is_empty() {
        s.push_str("<div class=\"card\"><h2>Findings</h2><ul>");
        for f in &report.findings {
            s.push_str(&format!(
                "<li><b>{}</b>: {}</li>",
                escape(&f.column),
                escape(&f.message)
            ));
        }
        s.push_str("</ul></div>");
    }
    for c in &report.columns {
        let cmp = match c.rule {
            crate::stattests::DriftRule::PValueAtMost => "≤",
            crate::stattests::DriftRule::PValueBelow => "<",
            crate::stattests::DriftRule::ScoreAtLeast => "≥",
            crate::stattests::DriftRule::ScoreAbove => ">",
        };
        s.push_str(&format!(
            "<div class=\"card {cls}\"><h2>{name} <span class=\"badge {b}\">{v}</span></h2><div class=\"grid\"><div>{chart}</div><table>\
<tr><th>type</th><td>{ty}</td></tr><tr><th>method</th><td>{m} (<code>{id}</code>){approx}</td></tr>\
<tr><th>score</th><td>{score}</td></tr><tr><th>drift when</th><td>score {cmp} {thr}</td></tr>\
<tr><th>reference</th><td>{r}</td></tr><tr><th>current</th><td>{cu}</td></tr></table></div></div>",
            cls = if c.drift_detected { "drift" } else { "ok" },
            name = escape(&c.column),
            b = if c.drift_detected { "bad" } else { "good" },
            v = if c.drift_detected { "drift" } else { "no drift" },
            chart = chart(c),
            ty = if c.column_type == crate::ColumnType::Numerical { "numerical" } else { "categorical" },
            m = escape(c.stattest_name),
            id = c.statistic_id,
            approx = if c.approximate { " — approximate, from a profile's sketches" } else { "" },
            score = fmt_num(c.score),
            thr = fmt_num(c.threshold),
            r = escape(&side(&c.reference)),
            cu = escape(&side(&c.current)),
        ));
    }
    s.push_str("<p class=\"muted\">Tests, thresholds and the dataset rule follow Evidently 0.7's defaults. Generated by datagate.</p></body></html>");
    s
}

/// Plain-text rendering for terminals.
pub fn render_text(report: &DatasetDrift) -> String {
    let mut s = String::new();
    for c in &report.columns {
        s.push_str(&format!(
            "{:<5} {:<24} {:<4} {:<32} score={:<12} threshold={}{}\n",
            if c.drift_detected { "DRIFT" } else { "ok" },
            c.column,
            c.column_type.short(),
            c.stattest_name,
            fmt_num(c.score),
            fmt_num(c.threshold),
            if c.approximate { " (approx.)" } else { "" }
        ));
    }
    for f in &report.findings {
        s.push_str(&format!("note  {}: {}\n", f.column, f.message));
    }
    s.push_str(&format!(
        "dataset drift: {} ({} of {} columns drifted, share {:.3}, threshold {})\n",
        if report.dataset_drift { "YES" } else { "no" },
        report.number_of_drifted_columns,
        report.number_of_columns,
        report.share_of_drifted_columns,
        report.drift_share
    ));
    s
}
