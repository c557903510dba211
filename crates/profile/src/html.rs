//! Self-contained HTML for profiles (and the small SVG chart helpers the drift report
//! reuses): inline SVG and CSS only — no scripts, nothing fetched from the network.

use crate::column::ColumnProfile;
use crate::Profile;

/// Escapes text for HTML element content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Formats a number compactly for labels.
pub fn fmt_num(x: f64) -> String {
    if !x.is_finite() {
        return format!("{x}");
    }
    let a = x.abs();
    if a != 0.0 && !(1e-3..1e6).contains(&a) {
        format!("{x:.3e}")
    } else if x.fract() == 0.0 {
        format!("{x:.0}")
    } else {
        let s = format!("{x:.4}");
        s.trim_end_matches('0').trim_end_matches('.').to_owned()
    }
}

/// One data series of a chart.
pub struct Series<'a> {
    /// Legend name.
    pub name: &'a str,
    /// CSS colour.
    pub color: &'a str,
    /// One value per bin/category.
    pub values: &'a [f64],
}

const W: f64 = 560.0;
const H: f64 = 180.0;
const PAD_L: f64 = 44.0;
const PAD_B: f64 = 34.0;
const PAD_T: f64 = 18.0;

fn frame(max: f64, title: &str) -> String {
    let mut s = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {H}" width="{W}" height="{H}" role="img" aria-label="{t}"><title>{t}</title>"#,
        t = escape(title)
    );
    let y0 = H - PAD_B;
    s.push_str(&format!(
        r##"<line x1="{PAD_L}" y1="{y0}" x2="{W}" y2="{y0}" stroke="#888"/>"##
    ));
    for i in 0..=2 {
        let v = max * i as f64 / 2.0;
        let y = y0 - (y0 - PAD_T) * i as f64 / 2.0;
        s.push_str(&format!(
            r##"<text x="{}" y="{}" font-size="10" text-anchor="end" fill="#555">{}</text>"##,
            PAD_L - 4.0,
            y + 3.0,
            fmt_num(v)
        ));
    }
    s
}

fn legend(series: &[Series<'_>]) -> String {
    let mut s = String::new();
    for (i, se) in series.iter().enumerate() {
        let x = PAD_L + 8.0 + i as f64 * 110.0;
        s.push_str(&format!(
            r#"<rect x="{x}" y="2" width="10" height="10" fill="{c}" fill-opacity="0.6"/><text x="{}" y="11" font-size="11">{}</text>"#,
            x + 14.0,
            escape(se.name),
            c = se.color
        ));
    }
    s
}

/// Overlaid histogram over bin `edges` (`values.len() == edges.len() - 1`).
pub fn histogram_svg(edges: &[f64], series: &[Series<'_>], title: &str) -> String {
    let k = edges.len().saturating_sub(1).max(1);
    let max = series
        .iter()
        .flat_map(|s| s.values.iter().copied())
        .fold(0.0f64, f64::max)
        .max(1e-12);
    let mut s = frame(max, title);
    let bw = (W - PAD_L) / k as f64;
    let y0 = H - PAD_B;
    for se in series {
        for (i, v) in se.values.iter().enumerate().take(k) {
            let h = (y0 - PAD_T) * v / max;
            s.push_str(&format!(
                r#"<rect x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}" fill="{}" fill-opacity="0.45"><title>{}: {}</title></rect>"#,
                PAD_L + i as f64 * bw,
                y0 - h,
                bw.max(1.0),
                h,
                se.color,
                escape(se.name),
                fmt_num(*v)
            ));
        }
    }
    if let (Some(a), Some(b)) = (edges.first(), edges.last()) {
        s.push_str(&format!(
            r##"<text x="{PAD_L}" y="{}" font-size="10" fill="#555">{}</text>"##,
            H - PAD_B + 14.0,
            fmt_num(*a)
        ));
        s.push_str(&format!(
            r##"<text x="{W}" y="{}" font-size="10" text-anchor="end" fill="#555">{}</text>"##,
            H - PAD_B + 14.0,
            fmt_num(*b)
        ));
    }
    s.push_str(&legend(series));
    s.push_str("</svg>");
    s
}

/// Grouped bar chart, one group per label.
pub fn bars_svg(labels: &[String], series: &[Series<'_>], title: &str) -> String {
    let k = labels.len().max(1);
    let max = series
        .iter()
        .flat_map(|s| s.values.iter().copied())
        .fold(0.0f64, f64::max)
        .max(1e-12);
    let mut s = frame(max, title);
    let gw = (W - PAD_L) / k as f64;
    let bw = (gw * 0.8 / series.len().max(1) as f64).max(1.0);
    let y0 = H - PAD_B;
    for (j, se) in series.iter().enumerate() {
        for (i, v) in se.values.iter().enumerate().take(k) {
            let h = (y0 - PAD_T) * v / max;
            s.push_str(&format!(
                r#"<rect x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}" fill="{}" fill-opacity="0.75"><title>{} {}: {}</title></rect>"#,
                PAD_L + i as f64 * gw + gw * 0.1 + j as f64 * bw,
                y0 - h,
                bw,
                h,
                se.color,
                escape(se.name),
                escape(&labels[i]),
                fmt_num(*v)
            ));
        }
    }
    for (i, l) in labels.iter().enumerate() {
        let short: String = l.chars().take(12).collect();
        s.push_str(&format!(
            r##"<text x="{:.1}" y="{}" font-size="9" text-anchor="middle" fill="#333">{}</text>"##,
            PAD_L + (i as f64 + 0.5) * gw,
            H - PAD_B + 12.0 + (i % 2) as f64 * 10.0,
            escape(&short)
        ));
    }
    s.push_str(&legend(series));
    s.push_str("</svg>");
    s
}

/// Shared page CSS.
pub const CSS: &str = "body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;margin:24px;color:#222;background:#fafafa}\
h1{font-size:22px}h2{font-size:17px;margin:0 0 6px}.card{background:#fff;border:1px solid #ddd;border-radius:8px;padding:14px;margin:12px 0}\
.drift{border-left:6px solid #d33}.ok{border-left:6px solid #3a3}.summary{font-size:15px}\
table{border-collapse:collapse;font-size:13px}td,th{padding:3px 10px;border-bottom:1px solid #eee;text-align:left}\
.badge{display:inline-block;padding:2px 8px;border-radius:10px;color:#fff;font-size:12px}.bad{background:#d33}.good{background:#3a3}\
.muted{color:#777;font-size:12px}.grid{display:flex;flex-wrap:wrap;gap:16px;align-items:flex-start}";

fn column_card(c: &ColumnProfile) -> String {
    let mut s = format!(
        "<div class=\"card\"><h2>{}</h2><div class=\"grid\"><table>",
        escape(&c.name)
    );
    let mut row =
        |k: &str, v: String| s.push_str(&format!("<tr><th>{}</th><td>{}</td></tr>", k, escape(&v)));
    row("kind", format!("{:?}", c.kind).to_lowercase());
    row("rows", c.count.to_string());
    let null_pct = if c.count > 0 {
        100.0 * c.null_count as f64 / c.count as f64
    } else {
        0.0
    };
    row("nulls", format!("{} ({:.2} %)", c.null_count, null_pct));
    if c.nan_count + c.inf_count > 0 {
        row("NaN / ±inf", format!("{} / {}", c.nan_count, c.inf_count));
    }
    let (lo, hi) = c.distinct.bounds();
    row(
        "distinct (HLL)",
        format!("≈ {:.0} (95 %: {:.0}–{:.0})", c.distinct.estimate(), lo, hi),
    );
    let m = &c.moments;
    if m.count > 0 {
        row(
            "min / max",
            format!("{} / {}", fmt_num(m.min), fmt_num(m.max)),
        );
        row("mean", fmt_num(m.mean));
        row(
            "std (pop.)",
            fmt_num(m.variance_pop().unwrap_or(0.0).sqrt()),
        );
        let q = c.quantiles.quantiles(&[0.05, 0.25, 0.5, 0.75, 0.95]);
        if q.len() == 5 {
            row(
                "p5 / p25 / median / p75 / p95",
                q.iter()
                    .map(|x| fmt_num(*x))
                    .collect::<Vec<_>>()
                    .join(" / "),
            );
        }
    }
    if c.lengths.count > 0 {
        row(
            "length min / mean / max",
            format!(
                "{} / {} / {}",
                c.lengths.min,
                fmt_num(c.lengths.mean().unwrap_or(0.0)),
                c.lengths.max
            ),
        );
    }
    let t = &c.types;
    row(
        "types",
        format!(
            "int {} · frac {} · bool {} · str {} · other {}",
            t.integer, t.fractional, t.boolean, t.string, t.other
        ),
    );
    s.push_str("</table>");
    let top = c.top_values(10);
    if let Some(h) = c
        .histogram()
        .filter(|_| m.count > 0 && !(c.frequent_max_error() == 0 && top.len() <= 10))
    {
        let vals: Vec<f64> = h.counts.iter().map(|&x| x as f64).collect();
        s.push_str(&histogram_svg(
            &h.edges,
            &[Series {
                name: "count",
                color: "#3b6fd8",
                values: &vals,
            }],
            &c.name,
        ));
    } else if !top.is_empty() {
        let labels: Vec<String> = top.iter().map(|t| t.0.clone()).collect();
        let vals: Vec<f64> = top.iter().map(|t| t.1 as f64).collect();
        s.push_str(&bars_svg(
            &labels,
            &[Series {
                name: "count",
                color: "#3b6fd8",
                values: &vals,
            }],
            &c.name,
        ));
    }
    s.push_str("</div>");
    if !top.is_empty() {
        s.push_str("<p class=\"muted\">Top values: ");
        let exact = c.frequent_max_error() == 0;
        let items: Vec<String> = top
            .iter()
            .map(|(k, n)| format!("{} ({}{})", escape(k), if exact { "" } else { "≥" }, n))
            .collect();
        s.push_str(&items.join(", "));
        s.push_str("</p>");
    }
    s.push_str("</div>");
    s
}

/// Renders the profile as one self-contained HTML page.
pub fn render(profile: &Profile) -> String {
    let mut s = String::from("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>datagate profile</title><style>");
    s.push_str(CSS);
    s.push_str("</style></head><body><h1>Profile</h1>");
    s.push_str(&format!(
        "<p class=\"summary\">{} rows · {} columns{}</p>",
        profile.row_count,
        profile.columns.len(),
        if profile.sources.is_empty() {
            String::new()
        } else {
            format!(" · {}", escape(&profile.sources.join(", ")))
        }
    ));
    for c in &profile.columns {
        s.push_str(&column_card(c));
    }
    s.push_str("<p class=\"muted\">Quantiles: KLL sketch; distinct: HyperLogLog; histogram derived from the KLL sketch. Generated by datagate.</p></body></html>");
    s
}
