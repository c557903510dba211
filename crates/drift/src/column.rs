//! One column: its type, the test Evidently would choose, and the verdict.

use serde::Serialize;

use crate::binning::{histogram_sorted, numeric_shares, sturges_edges};
use crate::sample::{CategoryCounts, NumericSample};
use crate::stattests::ks::KsMethod;
use crate::stattests::{self, StatTest};
use crate::DriftError;

/// Reference sizes up to this many non-null rows count as "small" (Evidently's cut-off
/// between the p-value tests and the distances).
pub const SMALL_REFERENCE_MAX: usize = 1000;

/// Integer columns with at most this many unique reference values are categorical
/// (Evidently's legacy `NUMBER_UNIQUE_AS_CATEGORICAL`; its new API uses 10).
pub const DEFAULT_INTEGER_CATEGORICAL_MAX: usize = 5;

/// The role a column plays in drift detection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ColumnType {
    /// Ordered numbers: KS, Wasserstein, Sturges bins.
    Numerical,
    /// Labels: chi-square, Z, value bins.
    Categorical,
}

impl ColumnType {
    /// Evidently's short label (`num` / `cat`).
    pub fn short(self) -> &'static str {
        match self {
            ColumnType::Numerical => "num",
            ColumnType::Categorical => "cat",
        }
    }
}

/// The physical kind of a column's values, as read from the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueKind {
    /// Floating point.
    Float,
    /// Integer.
    Integer,
    /// Boolean.
    Boolean,
    /// Text.
    String,
}

/// Evidently's type inference: floats are numerical; integers are categorical when
/// the reference has at most `integer_categorical_max` unique non-null values;
/// booleans and strings are categorical. Explicit roles (`--numerical`,
/// `--categorical`) bypass this.
pub fn infer_column_type(
    kind: ValueKind,
    n_unique_reference: usize,
    integer_categorical_max: usize,
) -> ColumnType {
    match kind {
        ValueKind::Float => ColumnType::Numerical,
        ValueKind::Integer if n_unique_reference <= integer_categorical_max => {
            ColumnType::Categorical
        }
        ValueKind::Integer => ColumnType::Numerical,
        ValueKind::Boolean | ValueKind::String => ColumnType::Categorical,
    }
}

/// Evidently's default test (`registry._get_default_stattest`). `n_reference` is the
/// non-null reference size; `n_unique` the unique values of reference ∪ current.
pub fn default_stattest(column_type: ColumnType, n_reference: usize, n_unique: usize) -> StatTest {
    if n_reference <= SMALL_REFERENCE_MAX {
        match column_type {
            ColumnType::Numerical if n_unique > 5 => StatTest::Ks,
            _ if n_unique > 2 => StatTest::ChiSquare,
            _ => StatTest::Z,
        }
    } else {
        match column_type {
            ColumnType::Numerical if n_unique > 5 => StatTest::Wasserstein,
            _ => StatTest::JensenShannon,
        }
    }
}

/// The cleaned data of one column in both samples.
#[derive(Debug, Clone)]
pub enum ColumnInput {
    /// Numbers (NaN/±inf already dropped by [`NumericSample::new`]).
    Numerical {
        /// Reference values.
        reference: NumericSample,
        /// Current values.
        current: NumericSample,
    },
    /// Category counts aligned on the union of categories.
    Categorical(CategoryCounts),
}

impl ColumnInput {
    /// The column type this input represents.
    pub fn column_type(&self) -> ColumnType {
        match self {
            ColumnInput::Numerical { .. } => ColumnType::Numerical,
            ColumnInput::Categorical(_) => ColumnType::Categorical,
        }
    }

    /// Non-null reference size.
    pub fn n_reference(&self) -> usize {
        match self {
            ColumnInput::Numerical { reference, .. } => reference.len(),
            ColumnInput::Categorical(c) => c.n_reference() as usize,
        }
    }

    /// Non-null current size.
    pub fn n_current(&self) -> usize {
        match self {
            ColumnInput::Numerical { current, .. } => current.len(),
            ColumnInput::Categorical(c) => c.n_current() as usize,
        }
    }

    /// Unique values of reference ∪ current.
    pub fn n_unique(&self) -> usize {
        match self {
            ColumnInput::Numerical { reference, current } => {
                // Distinct values of the union by a merge walk of the two sorted samples.
                let (a, b) = (reference.values(), current.values());
                let (mut i, mut j, mut n) = (0, 0, 0);
                while i < a.len() || j < b.len() {
                    let v = match (a.get(i), b.get(j)) {
                        (Some(&x), Some(&y)) => x.min(y),
                        (Some(&x), None) => x,
                        (None, Some(&y)) => y,
                        (None, None) => break,
                    };
                    n += 1;
                    while i < a.len() && a[i] == v {
                        i += 1;
                    }
                    while j < b.len() && b[j] == v {
                        j += 1;
                    }
                }
                n
            }
            ColumnInput::Categorical(c) => c.n_unique(),
        }
    }

    fn counts(&self) -> CategoryCounts {
        match self {
            ColumnInput::Numerical { reference, current } => {
                CategoryCounts::from_numeric(reference, current)
            }
            ColumnInput::Categorical(c) => c.clone(),
        }
    }
}

/// The raw outcome of one test.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct TestOutcome {
    /// The drift score as Evidently reports it (p-value or distance).
    pub score: f64,
    /// The underlying statistic when the score is a p-value (D, chi², z, t).
    pub statistic: Option<f64>,
    /// For KS: which distribution gave the p-value.
    pub ks_method: Option<KsMethod>,
}

impl TestOutcome {
    fn score(score: f64) -> Self {
        TestOutcome {
            score,
            statistic: None,
            ks_method: None,
        }
    }
    fn pair((statistic, score): (f64, f64)) -> Self {
        TestOutcome {
            score,
            statistic: Some(statistic),
            ks_method: None,
        }
    }
}

/// Runs one test on one column.
pub fn run_stattest(test: StatTest, input: &ColumnInput) -> Result<TestOutcome, DriftError> {
    if !test.allows(input.column_type()) {
        return Err(DriftError::NotApplicable {
            test: test.name(),
            column_type: input.column_type().short(),
        });
    }
    if input.n_reference() == 0 {
        return Err(DriftError::EmptySample("reference"));
    }
    if input.n_current() == 0 {
        return Err(DriftError::EmptySample("current"));
    }
    let shares = || match input {
        ColumnInput::Numerical { reference, current } => {
            let (r, c, _) = numeric_shares(reference, current);
            (r, c)
        }
        ColumnInput::Categorical(c) => c.shares(),
    };
    Ok(match (test, input) {
        (StatTest::Ks, ColumnInput::Numerical { reference, current }) => {
            let r = stattests::ks::ks_2samp(reference.values(), current.values())?;
            TestOutcome {
                score: r.pvalue,
                statistic: Some(r.statistic),
                ks_method: Some(r.method),
            }
        }
        (StatTest::Wasserstein, ColumnInput::Numerical { reference, current }) => {
            TestOutcome::score(stattests::wasserstein::wasserstein_norm(
                reference, current,
            )?)
        }
        (StatTest::EnergyDistance, ColumnInput::Numerical { reference, current }) => {
            TestOutcome::score(stattests::energy::energy_distance(reference, current))
        }
        (StatTest::TTest, ColumnInput::Numerical { reference, current }) => {
            TestOutcome::pair(stattests::t_test::t_test(reference, current)?)
        }
        (StatTest::Anderson, ColumnInput::Numerical { reference, current }) => {
            let r = stattests::anderson::anderson_ksamp(reference.values(), current.values())?;
            TestOutcome::pair((r.statistic, r.pvalue))
        }
        (StatTest::CramerVonMises, ColumnInput::Numerical { reference, current }) => {
            let r = stattests::cramer_von_mises::cramervonmises_2samp(
                reference.values(),
                current.values(),
            )?;
            TestOutcome::pair((r.statistic, r.pvalue))
        }
        (StatTest::MannWhitney, ColumnInput::Numerical { reference, current }) => {
            let r = stattests::mannw::mannwhitneyu_less(reference.values(), current.values())?;
            TestOutcome::pair((r.statistic, r.pvalue))
        }
        (StatTest::EppsSingleton, ColumnInput::Numerical { reference, current }) => {
            TestOutcome::pair(stattests::es::epps_singleton_2samp(
                reference.values(),
                current.values(),
            )?)
        }
        (StatTest::EmpiricalMmd, ColumnInput::Numerical { reference, current }) => {
            TestOutcome::pair(stattests::empirical_mmd::empirical_mmd(
                reference.values(),
                current.values(),
            )?)
        }
        (StatTest::Tvd, ColumnInput::Categorical(c)) => {
            TestOutcome::pair(stattests::tvd::tvd_test(c)?)
        }
        (StatTest::FisherExact, ColumnInput::Categorical(c)) => {
            TestOutcome::pair(stattests::fisher_exact::fisher_exact_counts(c)?)
        }
        (StatTest::GTest, ColumnInput::Categorical(c)) => {
            TestOutcome::pair(stattests::g_test::g_test(c)?)
        }
        (StatTest::Hellinger, ColumnInput::Numerical { reference, current }) => TestOutcome::score(
            stattests::hellinger::hellinger_numerical(reference, current),
        ),
        (StatTest::Hellinger, ColumnInput::Categorical(c)) => {
            TestOutcome::score(stattests::hellinger::hellinger_categorical(c))
        }
        (StatTest::ChiSquare, _) => {
            TestOutcome::pair(stattests::chisquare::chisquare(&input.counts())?)
        }
        (StatTest::Z, _) => TestOutcome::pair(stattests::z::z_test(&input.counts())?),
        (StatTest::JensenShannon, _) => {
            let (r, c) = shares();
            TestOutcome::score(stattests::jensenshannon::jensenshannon(&r, &c))
        }
        (StatTest::Psi, _) => {
            let (r, c) = shares();
            TestOutcome::score(stattests::psi::psi(&r, &c))
        }
        (StatTest::KlDiv, _) => {
            let (r, c) = shares();
            TestOutcome::score(stattests::kl_div::kl_div(&r, &c))
        }
        (t, _) => {
            return Err(DriftError::NotApplicable {
                test: t.name(),
                column_type: input.column_type().short(),
            })
        }
    })
}

/// Summary of one side of a column, for reports.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct SideSummary {
    /// Non-null values used.
    pub count: u64,
    /// Unique non-null values (exact, or an estimate for sketched references).
    pub n_unique: u64,
    /// Numerical: minimum.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    /// Numerical: maximum.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
    /// Numerical: mean.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mean: Option<f64>,
    /// Numerical: population standard deviation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub std: Option<f64>,
}

/// Binned distributions of both sides, for plots.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Distribution {
    /// Equal-width bins over the combined range.
    Histogram {
        /// Bin edges (one more than the shares).
        edges: Vec<f64>,
        /// Reference share per bin.
        reference: Vec<f64>,
        /// Current share per bin.
        current: Vec<f64>,
    },
    /// Shares of the most frequent categories (others folded into `"(other)"`).
    Categories {
        /// Category labels.
        labels: Vec<String>,
        /// Reference share per label.
        reference: Vec<f64>,
        /// Current share per label.
        current: Vec<f64>,
    },
}

/// How many categories a plot shows before folding the rest into "(other)".
pub const PLOT_MAX_CATEGORIES: usize = 20;

/// The verdict for one column.
#[derive(Debug, Clone, Serialize)]
pub struct ColumnDrift {
    /// Column name.
    pub column: String,
    /// Numerical or categorical.
    pub column_type: ColumnType,
    /// Evidently's test name.
    pub stattest: StatTest,
    /// Evidently's display name of the test.
    pub stattest_name: &'static str,
    /// Unambiguous id of the reported quantity.
    pub statistic_id: &'static str,
    /// Whether [`Self::score`] is a p-value.
    pub score_is_p_value: bool,
    /// The drift score (p-value or distance) as Evidently reports it.
    pub score: f64,
    /// The test statistic when the score is a p-value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub statistic: Option<f64>,
    /// For KS, exact or asymptotic p-value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ks_method: Option<KsMethod>,
    /// Threshold applied.
    pub threshold: f64,
    /// How score and threshold are compared.
    pub rule: stattests::DriftRule,
    /// The verdict.
    pub drift_detected: bool,
    /// Whether the test was computed from a saved profile's sketches rather than
    /// raw reference values (approximate; see the crate docs).
    pub approximate: bool,
    /// Reference summary.
    pub reference: SideSummary,
    /// Current summary.
    pub current: SideSummary,
    /// Binned distributions for plots.
    pub distribution: Distribution,
}

/// Options for one column.
#[derive(Debug, Clone, Copy, Default)]
pub struct ColumnOptions {
    /// Force a test instead of Evidently's default choice.
    pub stattest: Option<StatTest>,
    /// Override the test's default threshold.
    pub threshold: Option<f64>,
}

fn numeric_summary(s: &NumericSample) -> SideSummary {
    SideSummary {
        count: s.len() as u64,
        n_unique: s.n_unique() as u64,
        min: s.min(),
        max: s.max(),
        mean: Some(s.mean()),
        std: Some(s.std_pop()),
    }
}

/// Category plot data: the top categories by combined share, the rest as "(other)".
pub fn category_distribution(c: &CategoryCounts) -> Distribution {
    let (r, cu) = c.shares();
    let mut idx: Vec<usize> = (0..c.keys.len()).collect();
    idx.sort_by(|&a, &b| (r[b] + cu[b]).total_cmp(&(r[a] + cu[a])).then(a.cmp(&b)));
    let mut labels = Vec::new();
    let mut rs = Vec::new();
    let mut cs = Vec::new();
    for &i in idx.iter().take(PLOT_MAX_CATEGORIES) {
        labels.push(c.keys[i].clone());
        rs.push(r[i]);
        cs.push(cu[i]);
    }
    if idx.len() > PLOT_MAX_CATEGORIES {
        labels.push("(other)".into());
        rs.push(idx[PLOT_MAX_CATEGORIES..].iter().map(|&i| r[i]).sum());
        cs.push(idx[PLOT_MAX_CATEGORIES..].iter().map(|&i| cu[i]).sum());
    }
    Distribution::Categories {
        labels,
        reference: rs,
        current: cs,
    }
}

/// Evaluates one column: chooses the test (unless forced), runs it, applies the rule.
pub fn column_drift(
    name: &str,
    input: &ColumnInput,
    options: ColumnOptions,
) -> Result<ColumnDrift, DriftError> {
    let column_type = input.column_type();
    let test = options
        .stattest
        .unwrap_or_else(|| default_stattest(column_type, input.n_reference(), input.n_unique()));
    let outcome = run_stattest(test, input)?;
    let threshold = options.threshold.unwrap_or(test.default_threshold());
    let (reference, current, distribution) = match input {
        ColumnInput::Numerical { reference, current } => {
            let min = reference
                .min()
                .unwrap_or(0.0)
                .min(current.min().unwrap_or(0.0));
            let max = reference
                .max()
                .unwrap_or(0.0)
                .max(current.max().unwrap_or(0.0));
            let edges = sturges_edges(min, max, reference.len() + current.len(), false);
            let share = |s: &NumericSample| {
                let n = s.len() as f64;
                histogram_sorted(s.values(), &edges)
                    .iter()
                    .map(|&c| c as f64 / n)
                    .collect::<Vec<_>>()
            };
            let d = Distribution::Histogram {
                reference: share(reference),
                current: share(current),
                edges,
            };
            (numeric_summary(reference), numeric_summary(current), d)
        }
        ColumnInput::Categorical(c) => {
            let side = |v: &[u64]| SideSummary {
                count: v.iter().sum(),
                n_unique: v.iter().filter(|&&x| x > 0).count() as u64,
                ..Default::default()
            };
            (
                side(&c.reference),
                side(&c.current),
                category_distribution(c),
            )
        }
    };
    Ok(ColumnDrift {
        column: name.to_owned(),
        column_type,
        stattest: test,
        stattest_name: test.display_name(),
        statistic_id: test.statistic_id(),
        score_is_p_value: test.is_p_value(),
        score: outcome.score,
        statistic: outcome.statistic,
        ks_method: outcome.ks_method,
        threshold,
        rule: test.rule(),
        drift_detected: test.rule().drifted(outcome.score, threshold),
        approximate: false,
        reference,
        current,
        distribution,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_choice_table() {
        use ColumnType::*;
        assert_eq!(default_stattest(Numerical, 1000, 6), StatTest::Ks);
        assert_eq!(default_stattest(Numerical, 1000, 5), StatTest::ChiSquare);
        assert_eq!(default_stattest(Numerical, 1000, 3), StatTest::ChiSquare);
        assert_eq!(default_stattest(Numerical, 1000, 2), StatTest::Z);
        assert_eq!(default_stattest(Categorical, 10, 3), StatTest::ChiSquare);
        assert_eq!(default_stattest(Categorical, 10, 2), StatTest::Z);
        assert_eq!(default_stattest(Categorical, 10, 1), StatTest::Z);
        assert_eq!(default_stattest(Numerical, 1001, 6), StatTest::Wasserstein);
        assert_eq!(
            default_stattest(Numerical, 1001, 5),
            StatTest::JensenShannon
        );
        assert_eq!(
            default_stattest(Categorical, 1001, 100),
            StatTest::JensenShannon
        );
    }

    #[test]
    fn inference() {
        assert_eq!(
            infer_column_type(ValueKind::Integer, 5, 5),
            ColumnType::Categorical
        );
        assert_eq!(
            infer_column_type(ValueKind::Integer, 6, 5),
            ColumnType::Numerical
        );
        assert_eq!(
            infer_column_type(ValueKind::Integer, 6, 10),
            ColumnType::Categorical
        );
        assert_eq!(
            infer_column_type(ValueKind::Float, 2, 5),
            ColumnType::Numerical
        );
        assert_eq!(
            infer_column_type(ValueKind::Boolean, 2, 5),
            ColumnType::Categorical
        );
    }

    #[test]
    fn ks_rule_is_at_most_and_chi_is_below() {
        assert!(StatTest::Ks.rule().drifted(0.05, 0.05));
        assert!(!StatTest::ChiSquare.rule().drifted(0.05, 0.05));
        assert!(!StatTest::Z.rule().drifted(0.05, 0.05));
        assert!(StatTest::Wasserstein.rule().drifted(0.1, 0.1));
        assert!(!StatTest::EnergyDistance.rule().drifted(0.1, 0.1));
    }
}
