//! The inputs every test works on: a cleaned numeric sample and aligned category counts.

use std::collections::HashMap;

/// A numeric sample ready for testing: finite values only (NaN and ±inf dropped, as
/// Evidently does), sorted ascending.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NumericSample {
    values: Vec<f64>,
    integer: bool,
}

impl NumericSample {
    /// Builds a sample from raw values, dropping NaN and ±inf and sorting the rest.
    /// `integer` records that the column had an integer type (numpy treats integer
    /// arrays differently when choosing histogram bin widths).
    pub fn new(mut values: Vec<f64>, integer: bool) -> Self {
        values.retain(|v| v.is_finite());
        for v in values.iter_mut() {
            if *v == 0.0 {
                *v = 0.0; // fold -0.0 into 0.0 so equal values compare and hash equal
            }
        }
        if values.len() > 100_000 {
            use rayon::slice::ParallelSliceMut;
            values.par_sort_unstable_by(f64::total_cmp);
        } else {
            values.sort_unstable_by(f64::total_cmp);
        }
        NumericSample { values, integer }
    }

    /// The sorted finite values.
    pub fn values(&self) -> &[f64] {
        &self.values
    }

    /// Number of finite values.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// True when no finite value is left.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// Whether the column had an integer type.
    pub fn is_integer(&self) -> bool {
        self.integer
    }

    /// Smallest value.
    pub fn min(&self) -> Option<f64> {
        self.values.first().copied()
    }

    /// Largest value.
    pub fn max(&self) -> Option<f64> {
        self.values.last().copied()
    }

    /// Distinct values with their counts, ascending.
    pub fn distinct_counts(&self) -> Vec<(f64, u64)> {
        let mut out: Vec<(f64, u64)> = Vec::new();
        for &v in &self.values {
            match out.last_mut() {
                Some((last, c)) if *last == v => *c += 1,
                _ => out.push((v, 1)),
            }
        }
        out
    }

    /// Number of distinct values.
    pub fn n_unique(&self) -> usize {
        let mut n = 0;
        let mut prev = None;
        for &v in &self.values {
            if prev != Some(v) {
                n += 1;
                prev = Some(v);
            }
        }
        n
    }

    /// Population mean (ddof = 0).
    pub fn mean(&self) -> f64 {
        self.values.iter().sum::<f64>() / self.values.len() as f64
    }

    /// Population standard deviation (ddof = 0), as `numpy.std`.
    pub fn std_pop(&self) -> f64 {
        let m = self.mean();
        (self.values.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / self.values.len() as f64)
            .sqrt()
    }
}

/// Counts per category for the reference and the current sample, aligned on the
/// union of the categories seen in either (Evidently's `keys`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CategoryCounts {
    /// The categories (labels), in a stable order (sorted).
    pub keys: Vec<String>,
    /// Reference count per key.
    pub reference: Vec<u64>,
    /// Current count per key.
    pub current: Vec<u64>,
}

impl CategoryCounts {
    /// Aligns two maps of counts on the union of their keys (sorted).
    pub fn from_maps(reference: &HashMap<String, u64>, current: &HashMap<String, u64>) -> Self {
        let mut keys: Vec<String> = reference.keys().chain(current.keys()).cloned().collect();
        keys.sort();
        keys.dedup();
        let r = keys
            .iter()
            .map(|k| reference.get(k).copied().unwrap_or(0))
            .collect();
        let c = keys
            .iter()
            .map(|k| current.get(k).copied().unwrap_or(0))
            .collect();
        CategoryCounts {
            keys,
            reference: r,
            current: c,
        }
    }

    /// Counts the values of two string samples (nulls must already be removed).
    pub fn from_values<S: AsRef<str>>(reference: &[S], current: &[S]) -> Self {
        let count = |xs: &[S]| {
            let mut m: HashMap<String, u64> = HashMap::new();
            for x in xs {
                *m.entry(x.as_ref().to_owned()).or_insert(0) += 1;
            }
            m
        };
        Self::from_maps(&count(reference), &count(current))
    }

    /// One category per distinct numeric value (labels are the shortest round-trip form).
    pub fn from_numeric(reference: &NumericSample, current: &NumericSample) -> Self {
        let r = reference.distinct_counts();
        let c = current.distinct_counts();
        let mut keys = Vec::new();
        let mut rc = Vec::new();
        let mut cc = Vec::new();
        let (mut i, mut j) = (0, 0);
        while i < r.len() || j < c.len() {
            let take_r = j >= c.len() || (i < r.len() && r[i].0 <= c[j].0);
            let take_c = i >= r.len() || (j < c.len() && c[j].0 <= r[i].0);
            let v = if take_r { r[i].0 } else { c[j].0 };
            keys.push(format_number(v));
            rc.push(if take_r { r[i].1 } else { 0 });
            cc.push(if take_c { c[j].1 } else { 0 });
            if take_r {
                i += 1;
            }
            if take_c {
                j += 1;
            }
        }
        CategoryCounts {
            keys,
            reference: rc,
            current: cc,
        }
    }

    /// Total reference count.
    pub fn n_reference(&self) -> u64 {
        self.reference.iter().sum()
    }

    /// Total current count.
    pub fn n_current(&self) -> u64 {
        self.current.iter().sum()
    }

    /// Number of categories in the union.
    pub fn n_unique(&self) -> usize {
        self.keys.len()
    }

    /// Reference and current shares per key (`count / total`), Evidently's value bins.
    pub fn shares(&self) -> (Vec<f64>, Vec<f64>) {
        let (nr, nc) = (self.n_reference() as f64, self.n_current() as f64);
        (
            self.reference.iter().map(|&c| c as f64 / nr).collect(),
            self.current.iter().map(|&c| c as f64 / nc).collect(),
        )
    }
}

/// Formats a number the way a person expects to read a category label: integers
/// without a fractional part, others in shortest round-trip form.
pub fn format_number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}
