//! The human label audit: a stratified sample of rows for a person to check, and the import
//! of their verdicts.
//!
//! `datagate sample ID --n 50 -o label-audit.csv` draws rows stratified by the label column
//! (every class gets at least one row when n allows, the rest in proportion to class size;
//! within a class the choice is a seeded shuffle, so the same seed gives the same sheet) and
//! writes a CSV with the file row number, every column, and empty `verdict` and `note`
//! columns. The reviewer writes `ok` or `wrong` in `verdict` (also accepted: correct/agree/
//! yes/1 and incorrect/disagree/no/0/mislabelled). `--import` checks that the sheet holds
//! exactly the sampled rows, counts the `wrong` verdicts and compares the disagreement rate
//! with the tier's `max_disagreement`; the result is recorded as `gate.label_audit`.
//!
//! Blind spots: a sample of 50 detects a 5% error rate only roughly (a one-sided 95% bound
//! on 0/50 is about 6%); the audit measures what the human saw, not what they did not
//! look at. The sheet's cells are formatted from the parsed data, so a CSV's exact original
//! spelling of a number may differ.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use arrow_cast::display::{ArrayFormatter, FormatOptions};
use serde::{Deserialize, Serialize};

use crate::error::{io_err, GateError, Result};
use crate::review::open_data;
use crate::workflow::{self, LabelAuditInfo, State};
use crate::{now, Gate};

/// What was sampled (`sample.json` in the drop folder).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SampleRecord {
    /// 0-based file rows, ascending.
    pub rows: Vec<u64>,
    /// The label column stratified on.
    pub label: Option<String>,
    /// Rows per label value.
    pub strata: BTreeMap<String, usize>,
    /// The seed.
    pub seed: u64,
    /// When.
    pub at: String,
}

/// A small, seedable generator (SplitMix64): enough for reproducible shuffles.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// How many rows each stratum gets: one each while `n` allows, the rest in proportion to
/// size (largest remainders first), never more than a stratum holds.
pub fn allocate(sizes: &[usize], n: usize) -> Vec<usize> {
    let total: usize = sizes.iter().sum();
    let n = n.min(total);
    if n == 0 {
        return vec![0; sizes.len()];
    }
    // Proportional quotas, floored (u128: n * size cannot overflow).
    let quota = |s: usize| (n as u128 * s as u128 / total as u128) as usize;
    let rem = |s: usize| (n as u128 * s as u128 % total as u128) as usize;
    let mut alloc: Vec<usize> = sizes.iter().map(|&s| quota(s)).collect();
    // Every non-empty class gets at least one row...
    for (a, &s) in alloc.iter_mut().zip(sizes) {
        if s > 0 && *a == 0 {
            *a = 1;
        }
    }
    // ...paid for by the largest allocations, then (more classes than n) by the smallest
    // classes.
    let mut sum: usize = alloc.iter().sum();
    while sum > n {
        let big = (0..alloc.len())
            .filter(|&i| alloc[i] > 1)
            .max_by_key(|&i| (alloc[i], std::cmp::Reverse(i)));
        let i = match big {
            Some(i) => i,
            None => match (0..alloc.len())
                .filter(|&i| alloc[i] == 1)
                .min_by_key(|&i| (sizes[i], std::cmp::Reverse(i)))
            {
                Some(i) => i,
                None => break,
            },
        };
        alloc[i] -= 1;
        sum -= 1;
    }
    // Rows left over go to the largest remainders, within each class's size.
    let mut order: Vec<usize> = (0..sizes.len()).collect();
    order.sort_by_key(|&i| (std::cmp::Reverse(rem(sizes[i])), i));
    while sum < n {
        let before = sum;
        for &i in &order {
            if sum == n {
                break;
            }
            if alloc[i] < sizes[i] {
                alloc[i] += 1;
                sum += 1;
            }
        }
        if sum == before {
            break;
        }
    }
    alloc
}

/// Options of [`export`].
#[derive(Debug, Clone, Default)]
pub struct SampleOptions {
    /// Rows to draw (default: the tier's `label_audit.sample`, else 50).
    pub n: Option<usize>,
    /// Label column (default: the tier's `audit.label`).
    pub label: Option<String>,
    /// Seed (default: the tier's `label_audit.seed`).
    pub seed: Option<u64>,
}

/// Writes the label-audit sheet of drop `id` to `out`.
pub fn export(gate: &Gate, id: &str, out: &Path, opts: &SampleOptions) -> Result<SampleRecord> {
    let record = workflow::load(gate, id)?;
    record.can_label_audit()?;
    let tier = gate.policy.tier(&record.tier)?;
    let defaults = tier.label_audit.clone().unwrap_or_default();
    let n = opts.n.unwrap_or(defaults.sample);
    if n == 0 {
        return Err(GateError::Refused("--n must be at least 1".into()));
    }
    let seed = opts.seed.unwrap_or(defaults.seed);
    let label = opts
        .label
        .clone()
        .or_else(|| tier.audit.as_ref().and_then(|a| a.label.clone()));
    let path = record.quarantine_path(&gate.drops_dir());
    let ds = open_data(&path, &record.quarantine).map_err(|e| GateError::Check {
        check: "sample".into(),
        message: e,
    })?;
    let schema = ds.schema().clone();
    let label_idx = match &label {
        None => None,
        Some(l) => Some(schema.index_of(l).map_err(|_| GateError::Check {
            check: "sample".into(),
            message: format!(
                "{}: no label column {l:?} (the file has: {})",
                record.file,
                schema
                    .fields()
                    .iter()
                    .map(|f| f.name().as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        })?),
    };
    // Pass 1: the label of every row.
    let mut strata: BTreeMap<String, Vec<u64>> = BTreeMap::new();
    let opts_fmt = FormatOptions::default();
    let cols = label_idx.map(|i| vec![i]);
    ds.scan_columns(cols.as_deref(), |batch| -> Result<()> {
        let n_rows = batch.num_rows();
        match label_idx {
            None => {
                let e = strata.entry(String::new()).or_default();
                e.extend((0..n_rows as u64).map(|i| batch.first_row + i));
            }
            Some(_) => {
                let arr = batch.data.column(0);
                let f = ArrayFormatter::try_new(arr.as_ref(), &opts_fmt).map_err(|e| {
                    GateError::Check {
                        check: "sample".into(),
                        message: e.to_string(),
                    }
                })?;
                for i in 0..n_rows {
                    strata
                        .entry(f.value(i).to_string())
                        .or_default()
                        .push(batch.first_row + i as u64);
                }
            }
        }
        Ok(())
    })
    .map_err(|e| match e {
        GateError::Check { .. } => e,
        other => GateError::Check {
            check: "sample".into(),
            message: other.to_string(),
        },
    })?;
    let keys: Vec<String> = strata.keys().cloned().collect();
    let sizes: Vec<usize> = keys.iter().map(|k| strata[k].len()).collect();
    let alloc = allocate(&sizes, n);
    let mut rng = SplitMix(seed);
    let mut chosen = BTreeSet::new();
    let mut per = BTreeMap::new();
    for (k, take) in keys.iter().zip(alloc) {
        let Some(rows) = strata.get_mut(k) else {
            continue;
        };
        for i in 0..take {
            let j = i + rng.below(rows.len() - i);
            rows.swap(i, j);
            if let Some(r) = rows.get(i) {
                chosen.insert(*r);
            }
        }
        per.insert(k.clone(), take);
    }
    // What the automated checks said about each row (shown, never used to choose rows, so
    // the disagreement rate stays an unbiased estimate).
    let flags = automated_flags(gate, &record);
    // Pass 2: format the chosen rows.
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header = vec!["row".to_string()];
    header.extend(schema.fields().iter().map(|f| f.name().clone()));
    header.push("automated_flags".into());
    header.push("verdict".into());
    header.push("note".into());
    let sheet_err = |e: csv::Error| GateError::Sheet {
        path: out.to_path_buf(),
        message: e.to_string(),
    };
    w.write_record(&header).map_err(sheet_err)?;
    ds.scan(|batch| -> Result<()> {
        let first = batch.first_row;
        let last = first + batch.num_rows() as u64;
        let wanted: Vec<u64> = chosen.range(first..last).copied().collect();
        if wanted.is_empty() {
            return Ok(());
        }
        let formatters = batch
            .data
            .columns()
            .iter()
            .map(|a| ArrayFormatter::try_new(a.as_ref(), &opts_fmt))
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(|e| GateError::Check {
                check: "sample".into(),
                message: e.to_string(),
            })?;
        for r in wanted {
            let i = (r - first) as usize;
            let mut rec = vec![r.to_string()];
            rec.extend(formatters.iter().map(|f| f.value(i).to_string()));
            rec.push(flags.get(&r).map(|v| v.join("; ")).unwrap_or_default());
            rec.push(String::new());
            rec.push(String::new());
            w.write_record(&rec).map_err(sheet_err)?;
        }
        Ok(())
    })
    .map_err(|e| match e {
        GateError::Sheet { .. } | GateError::Check { .. } => e,
        other => GateError::Check {
            check: "sample".into(),
            message: other.to_string(),
        },
    })?;
    let bytes = w.into_inner().map_err(|e| GateError::Sheet {
        path: out.to_path_buf(),
        message: e.to_string(),
    })?;
    datagate_project::write_atomic(out, &bytes)?;
    let sample = SampleRecord {
        rows: chosen.into_iter().collect(),
        label,
        strata: per,
        seed,
        at: now(),
    };
    let sp = workflow::drop_dir(gate, &record.id).join("sample.json");
    datagate_project::write_atomic(&sp, &serde_json::to_vec_pretty(&sample)?)?;
    Ok(sample)
}

/// Row → the review findings (audit, PII) that name it, from the drop's latest report.
fn automated_flags(gate: &Gate, record: &workflow::DropRecord) -> BTreeMap<u64, Vec<String>> {
    let mut out: BTreeMap<u64, Vec<String>> = BTreeMap::new();
    let Some(review) = &record.review else {
        return out;
    };
    let Ok(bytes) = std::fs::read(gate.project.root().join(&review.report_json)) else {
        return out;
    };
    let Ok(report) = serde_json::from_slice::<crate::report::Report>(&bytes) else {
        return out;
    };
    for c in &report.checks {
        for f in &c.findings {
            for r in &f.rows {
                out.entry(*r).or_default().push(f.message.clone());
            }
        }
    }
    out
}

/// A reviewer's verdict on one row.
fn parse_verdict(v: &str) -> Option<bool> {
    match v.trim().to_ascii_lowercase().as_str() {
        "ok" | "correct" | "agree" | "yes" | "y" | "1" | "true" | "right" => Some(true),
        "wrong" | "incorrect" | "disagree" | "no" | "n" | "0" | "false" | "mislabelled"
        | "mislabeled" | "bad" => Some(false),
        _ => None,
    }
}

/// Imports a filled-in sheet for drop `id` and records the label audit.
pub fn import(gate: &mut Gate, id: &str, sheet: &Path) -> Result<LabelAuditInfo> {
    let _lock = gate.lock_drop(id)?;
    let mut record = workflow::load(gate, id)?;
    record.can_label_audit()?;
    let sp = workflow::drop_dir(gate, &record.id).join("sample.json");
    let sample: SampleRecord = match std::fs::read(&sp) {
        Ok(b) => serde_json::from_slice(&b).map_err(|e| GateError::Corrupt {
            path: sp.clone(),
            message: e.to_string(),
        })?,
        Err(_) => {
            return Err(GateError::Refused(format!(
                "no sample was drawn for {}: run `datagate sample {} -o label-audit.csv` first",
                record.id, record.id
            )))
        }
    };
    let bytes = std::fs::read(sheet).map_err(io_err(sheet))?;
    let bad = |message: String| GateError::Sheet {
        path: sheet.to_path_buf(),
        message,
    };
    let text = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    let mut rdr = csv::ReaderBuilder::new().flexible(true).from_reader(text);
    let headers = rdr
        .headers()
        .map_err(|e| bad(format!("cannot read the header: {e}")))?
        .clone();
    let col = |name: &str| {
        headers
            .iter()
            .position(|h| h.trim().eq_ignore_ascii_case(name))
            .ok_or_else(|| {
                bad(format!(
                    "no {name:?} column in the header (expected the sheet `datagate sample` wrote)"
                ))
            })
    };
    let row_col = col("row")?;
    let verdict_col = col("verdict")?;
    let wanted: BTreeSet<u64> = sample.rows.iter().copied().collect();
    let mut seen = BTreeSet::new();
    let mut wrong = 0usize;
    for (i, rec) in rdr.records().enumerate() {
        let line = i + 2;
        let rec = rec.map_err(|e| bad(format!("line {line}: {e}")))?;
        let row_text = rec.get(row_col).unwrap_or("").trim();
        let row: u64 = row_text.parse().map_err(|_| {
            bad(format!(
                "line {line}, column row: expected a row number, got {row_text:?}"
            ))
        })?;
        if !wanted.contains(&row) {
            return Err(bad(format!(
                "line {line}: row {row} was not in the sample drawn for {}",
                record.id
            )));
        }
        if !seen.insert(row) {
            return Err(bad(format!("line {line}: row {row} appears twice")));
        }
        let v = rec.get(verdict_col).unwrap_or("");
        match parse_verdict(v) {
            Some(true) => {}
            Some(false) => wrong += 1,
            None if v.trim().is_empty() => {
                return Err(bad(format!(
                    "line {line} (row {row}), column verdict: empty; write ok or wrong"
                )))
            }
            None => {
                return Err(bad(format!(
                    "line {line} (row {row}), column verdict: {v:?} is neither ok nor wrong"
                )))
            }
        }
    }
    if seen.len() != wanted.len() {
        let missing: Vec<String> = wanted
            .difference(&seen)
            .take(10)
            .map(|r| r.to_string())
            .collect();
        return Err(bad(format!(
            "{} of the {} sampled rows have no verdict (missing rows: {}{})",
            wanted.len() - seen.len(),
            wanted.len(),
            missing.join(", "),
            if wanted.len() - seen.len() > 10 {
                ", …"
            } else {
                ""
            }
        )));
    }
    let tier = gate.policy.tier(&record.tier)?;
    let threshold = tier
        .label_audit
        .as_ref()
        .map(|l| l.max_disagreement)
        .unwrap_or(0.05);
    let sampled = seen.len();
    let rate = if sampled == 0 {
        0.0
    } else {
        wrong as f64 / sampled as f64
    };
    let verdict = if rate <= threshold { "pass" } else { "fail" };
    let info = LabelAuditInfo {
        sampled,
        disagreements: wrong,
        rate,
        threshold,
        verdict: verdict.into(),
        sheet_sha256: datagate_integrity::hash::sha256_hex(&bytes),
        at: now(),
        by: gate.actor.clone(),
    };
    record.label_audit = Some(info.clone());
    let report_sha256 = record.review.as_ref().map(|r| r.report_sha256.clone());
    let subject = record.subject();
    workflow::transition(
        gate,
        &mut record,
        State::LabelAudited,
        "gate.label_audit",
        subject,
        serde_json::json!({
            "sampled": sampled,
            "disagreements": wrong,
            "rate": rate,
            "threshold": threshold,
            "verdict": verdict,
            "label": sample.label,
            "seed": sample.seed,
            "sheet_sha256": info.sheet_sha256,
            "report_sha256": report_sha256,
        }),
    )?;
    Ok(info)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allocation_covers_every_class_and_sums_to_n() {
        assert_eq!(allocate(&[90, 10], 10), vec![9, 1]);
        let a = allocate(&[1000, 5, 1], 50);
        assert_eq!(a.iter().sum::<usize>(), 50);
        assert!(a[1] >= 1 && a[2] == 1);
        assert_eq!(allocate(&[3, 2], 50), vec![3, 2]);
        assert_eq!(allocate(&[5, 5, 5], 2).iter().sum::<usize>(), 2);
        assert_eq!(allocate(&[], 5), Vec::<usize>::new());
    }

    #[test]
    fn verdict_words() {
        assert_eq!(parse_verdict(" OK "), Some(true));
        assert_eq!(parse_verdict("mislabelled"), Some(false));
        assert_eq!(parse_verdict("maybe"), None);
    }
}
