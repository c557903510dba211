//! Re-identification risk: k-anonymity, l-diversity and uniqueness.
//!
//! Rows are grouped into equivalence classes by their quasi-identifier values
//! (`age, zip, sex`). The dataset is k-anonymous when every class has at least
//! k rows; l-diverse (distinct l-diversity) when every class holds at least l
//! distinct values of the sensitive column. We also report the share of rows
//! that are unique on the quasi-identifiers, the smallest classes, and
//! per-column uniqueness (a column whose distinct ratio is above 0.9 is probably
//! an identifier on its own), with generalisation suggestions.
//!
//! Memory grows with the number of distinct quasi-identifier combinations, not
//! with rows; values are stored once per class.

use std::collections::{HashMap, HashSet};

use serde::Serialize;

/// Accumulates rows.
#[derive(Debug, Clone)]
pub struct KAnonymity {
    quasi: Vec<String>,
    classes: HashMap<Vec<Option<String>>, ClassStats>,
    columns: Vec<HashSet<Option<String>>>,
    rows: u64,
    track_sensitive: bool,
}

#[derive(Debug, Clone, Default)]
struct ClassStats {
    count: u64,
    first_row: u64,
    sensitive: HashSet<Option<String>>,
}

/// One small equivalence class.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SmallClass {
    /// The quasi-identifier values (null as `None`).
    pub values: Vec<Option<String>>,
    /// Rows in the class.
    pub size: u64,
    /// First row (0-based) in the class.
    pub first_row: u64,
}

/// Per-column uniqueness.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ColumnUniqueness {
    /// Column name.
    pub column: String,
    /// Distinct values.
    pub distinct: u64,
    /// Distinct / rows.
    pub ratio: f64,
    /// True when the ratio is above 0.9: probably an identifier by itself.
    pub identifier_warning: bool,
}

/// The report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KReport {
    /// Quasi-identifier columns.
    pub quasi_identifiers: Vec<String>,
    /// The k asked for.
    pub k_required: u64,
    /// Rows seen.
    pub rows: u64,
    /// Equivalence classes.
    pub classes: u64,
    /// The size of the smallest class (the dataset's k).
    pub k: u64,
    /// True when `k >= k_required`.
    pub passed: bool,
    /// Classes smaller than `k_required`.
    pub violating_classes: u64,
    /// Rows in those classes.
    pub violating_rows: u64,
    /// Share of rows unique on the quasi-identifiers.
    pub unique_share: f64,
    /// The smallest classes (up to 10).
    pub smallest: Vec<SmallClass>,
    /// Distinct l-diversity (fewest distinct sensitive values in a class), if a
    /// sensitive column was given.
    pub l_diversity: Option<u64>,
    /// Uniqueness of each quasi-identifier column.
    pub columns: Vec<ColumnUniqueness>,
    /// What to generalise.
    pub suggestions: Vec<String>,
}

impl KAnonymity {
    /// Starts counting over `quasi` columns; `sensitive` turns on l-diversity.
    pub fn new(quasi: Vec<String>, sensitive: bool) -> Self {
        let n = quasi.len();
        KAnonymity {
            quasi,
            classes: HashMap::new(),
            columns: vec![HashSet::new(); n],
            rows: 0,
            track_sensitive: sensitive,
        }
    }

    /// Adds one row: its quasi-identifier values (in the order given to
    /// [`KAnonymity::new`]) and its sensitive value.
    pub fn add(&mut self, row: u64, values: Vec<Option<String>>, sensitive: Option<String>) {
        for (set, v) in self.columns.iter_mut().zip(&values) {
            if !set.contains(v) {
                set.insert(v.clone());
            }
        }
        let c = self.classes.entry(values).or_insert_with(|| ClassStats {
            first_row: row,
            ..ClassStats::default()
        });
        c.count += 1;
        if self.track_sensitive {
            c.sensitive.insert(sensitive);
        }
        self.rows += 1;
    }

    /// The report for a required `k`.
    pub fn report(&self, k_required: u64) -> KReport {
        let k = self.classes.values().map(|c| c.count).min().unwrap_or(0);
        let violating: Vec<_> = self
            .classes
            .values()
            .filter(|c| c.count < k_required)
            .collect();
        let unique_rows = self.classes.values().filter(|c| c.count == 1).count() as u64;
        let mut smallest: Vec<SmallClass> = self
            .classes
            .iter()
            .map(|(v, c)| SmallClass {
                values: v.clone(),
                size: c.count,
                first_row: c.first_row,
            })
            .collect();
        smallest.sort_by(|a, b| a.size.cmp(&b.size).then(a.first_row.cmp(&b.first_row)));
        smallest.truncate(10);
        let rows = self.rows.max(1) as f64;
        let columns: Vec<ColumnUniqueness> = self
            .quasi
            .iter()
            .zip(&self.columns)
            .map(|(name, set)| {
                let ratio = set.len() as f64 / rows;
                ColumnUniqueness {
                    column: name.clone(),
                    distinct: set.len() as u64,
                    ratio: (ratio * 10_000.0).round() / 10_000.0,
                    identifier_warning: ratio > 0.9 && self.rows >= 10,
                }
            })
            .collect();
        let l_diversity = self.track_sensitive.then(|| {
            self.classes
                .values()
                .map(|c| c.sensitive.len() as u64)
                .min()
                .unwrap_or(0)
        });
        let passed = self.rows > 0 && k >= k_required;
        let suggestions = if passed {
            Vec::new()
        } else {
            suggest(&self.quasi, &columns, &self.columns)
        };
        KReport {
            quasi_identifiers: self.quasi.clone(),
            k_required,
            rows: self.rows,
            classes: self.classes.len() as u64,
            k,
            passed,
            violating_classes: violating.len() as u64,
            violating_rows: violating.iter().map(|c| c.count).sum(),
            unique_share: (unique_rows as f64 / rows * 10_000.0).round() / 10_000.0,
            smallest,
            l_diversity,
            columns,
            suggestions,
        }
    }
}

fn suggest(
    names: &[String],
    stats: &[ColumnUniqueness],
    values: &[HashSet<Option<String>>],
) -> Vec<String> {
    let mut out = Vec::new();
    for ((name, st), vals) in names.iter().zip(stats).zip(values) {
        let lower = name.to_ascii_lowercase();
        let all_digits = |n: usize| {
            vals.iter()
                .flatten()
                .all(|v| v.len() == n && v.bytes().all(|b| b.is_ascii_digit()))
        };
        let numeric = vals
            .iter()
            .flatten()
            .all(|v| v.trim().parse::<f64>().is_ok());
        if lower.contains("zip")
            || lower.contains("postcode")
            || lower.contains("postal")
            || all_digits(5)
        {
            out.push(format!(
                "generalise `{name}` to its first 3 digits (e.g. 02139 → 021**)"
            ));
        } else if lower.contains("age") && numeric {
            out.push(format!(
                "generalise `{name}` to 10-year bands (e.g. 37 → 30-39)"
            ));
        } else if lower.contains("birth") || lower.contains("dob") || lower.contains("date") {
            out.push(format!(
                "generalise `{name}` to the year (or year and month)"
            ));
        } else if st.identifier_warning {
            out.push(format!(
                "drop `{name}` or replace it with a pseudonym: it is nearly unique per row"
            ));
        } else if numeric && st.distinct > 10 {
            out.push(format!("bin `{name}` into ranges"));
        }
    }
    if out.is_empty() {
        out.push(
            "drop one quasi-identifier or suppress the rows in the smallest classes".to_string(),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &str) -> Option<String> {
        Some(v.to_string())
    }

    #[test]
    fn k_unique_share_and_l() {
        let mut k = KAnonymity::new(vec!["age".into(), "zip".into()], true);
        let rows = [
            ("30", "02139", "flu"),
            ("30", "02139", "cold"),
            ("30", "02139", "flu"),
            ("41", "02140", "hiv"),
            ("41", "02140", "hiv"),
            ("52", "02141", "flu"),
        ];
        for (i, (a, z, d)) in rows.iter().enumerate() {
            k.add(i as u64, vec![s(a), s(z)], s(d));
        }
        let r = k.report(2);
        assert_eq!(r.rows, 6);
        assert_eq!(r.classes, 3);
        assert_eq!(r.k, 1);
        assert!(!r.passed);
        assert_eq!(r.violating_classes, 1);
        assert_eq!(r.violating_rows, 1);
        assert_eq!(r.unique_share, 0.1667);
        assert_eq!(r.smallest[0].values, vec![s("52"), s("02141")]);
        assert_eq!(r.smallest[0].first_row, 5);
        assert_eq!(r.l_diversity, Some(1));
        assert!(r
            .suggestions
            .iter()
            .any(|x| x.contains("`zip` to its first 3 digits")));
        assert!(r
            .suggestions
            .iter()
            .any(|x| x.contains("`age` to 10-year bands")));
        assert!(k.report(1).passed);
    }

    #[test]
    fn identifier_warning() {
        let mut k = KAnonymity::new(vec!["id".into()], false);
        for i in 0..20u64 {
            k.add(i, vec![Some(format!("u{i}"))], None);
        }
        let r = k.report(5);
        assert!(r.columns[0].identifier_warning);
        assert_eq!(r.unique_share, 1.0);
        assert_eq!(r.l_diversity, None);
    }
}
