//! The statistical tests, one file each, and the registry that names them.
//!
//! Names, display names and default thresholds are Evidently's (`stattests/*.py`), so
//! `--stattest psi` means what it means in Evidently. Each test also has an
//! unambiguous [`StatTest::statistic_id`] for machine output (e.g.
//! `js_distance_nat`), because other tools report differently named or scaled
//! quantities under the same short name.
//!
//! **Adding a test:** write `stattests/<name>.rs` (doc comment: what it measures,
//! Evidently's rule, edge cases; one public function; unit tests against scipy or
//! Evidently values), add a variant here with its name/threshold/rule, and one arm in
//! [`crate::column::run_stattest`].
//!
//! Every test Evidently 0.7.23 registers is here. Where one deliberately differs from
//! Evidently, its file says so:
//! * the permutation tests replay numpy's seeded draws ([`mt19937`]) but on rows
//!   grouped by category (`TVD`, [`tvd`]) or sorted (`empirical_mmd`,
//!   [`empirical_mmd`], which Evidently does not even seed), so their p-values equal
//!   Evidently's only for rows in that order;
//! * `g_test` scales the expected counts and `fisher_exact` accepts unequal sample
//!   sizes, where Evidently raises ([`g_test`], [`fisher_exact`]);
//! * the exact `cramer_von_mises` p-value is scipy's, not Evidently's float16 copy
//!   ([`cramer_von_mises`]); `es` drops pseudo-inverse noise that scipy keeps for
//!   data with at most 4 distinct values ([`es`]).

pub mod anderson;
pub mod chisquare;
pub mod cramer_von_mises;
pub mod empirical_mmd;
pub mod energy;
pub mod es;
pub mod fisher_exact;
pub mod g_test;
pub mod hellinger;
pub mod jensenshannon;
pub mod kl_div;
pub mod kolmogorov;
pub mod ks;
pub mod mannw;
pub mod mt19937;
pub mod psi;
pub mod ranks;
pub mod t_test;
pub mod tvd;
pub mod wasserstein;
pub mod z;

use serde::{Deserialize, Serialize};

use crate::column::ColumnType;

/// How a score is turned into a verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DriftRule {
    /// p-value test: drift when `p <= threshold` (Evidently's KS).
    PValueAtMost,
    /// p-value test: drift when `p < threshold`.
    PValueBelow,
    /// distance: drift when `score >= threshold`.
    ScoreAtLeast,
    /// distance: drift when `score > threshold` (Evidently's energy distance).
    ScoreAbove,
}

impl DriftRule {
    /// Applies the rule. A NaN score never signals drift.
    pub fn drifted(self, score: f64, threshold: f64) -> bool {
        match self {
            DriftRule::PValueAtMost => score <= threshold,
            DriftRule::PValueBelow => score < threshold,
            DriftRule::ScoreAtLeast => score >= threshold,
            DriftRule::ScoreAbove => score > threshold,
        }
    }
}

/// A drift test, by Evidently's name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum StatTest {
    /// Two-sample Kolmogorov-Smirnov, p-value.
    #[serde(rename = "ks")]
    Ks,
    /// Pearson chi-squared, p-value.
    #[serde(rename = "chisquare")]
    ChiSquare,
    /// Two-proportion Z-test, p-value.
    #[serde(rename = "z")]
    Z,
    /// Normed Wasserstein distance.
    #[serde(rename = "wasserstein")]
    Wasserstein,
    /// Jensen-Shannon distance (natural log).
    #[serde(rename = "jensenshannon")]
    JensenShannon,
    /// Population stability index.
    #[serde(rename = "psi")]
    Psi,
    /// Kullback-Leibler divergence.
    #[serde(rename = "kl_div")]
    KlDiv,
    /// Hellinger distance.
    #[serde(rename = "hellinger")]
    Hellinger,
    /// Energy distance.
    #[serde(rename = "ed")]
    EnergyDistance,
    /// Student's t-test, p-value.
    #[serde(rename = "t_test")]
    TTest,
    /// k-sample Anderson-Darling (midrank), p-value capped to [0.001, 0.25].
    #[serde(rename = "anderson")]
    Anderson,
    /// Two-sample Cramér-von Mises, p-value.
    #[serde(rename = "cramer_von_mises")]
    CramerVonMises,
    /// Mann-Whitney U, one-sided (`alternative="less"`) p-value.
    #[serde(rename = "mannw")]
    MannWhitney,
    /// Total variation distance, permutation p-value.
    #[serde(rename = "TVD")]
    Tvd,
    /// Fisher's exact test on the 2x2 table of a binary column, p-value.
    #[serde(rename = "fisher_exact")]
    FisherExact,
    /// G-test (log-likelihood ratio), p-value.
    #[serde(rename = "g_test")]
    GTest,
    /// Epps-Singleton (empirical characteristic functions), p-value.
    #[serde(rename = "es")]
    EppsSingleton,
    /// Gaussian-kernel MMD², permutation p-value.
    #[serde(rename = "empirical_mmd")]
    EmpiricalMmd,
}

impl StatTest {
    /// Every implemented test.
    pub const ALL: [StatTest; 18] = [
        StatTest::Ks,
        StatTest::ChiSquare,
        StatTest::Z,
        StatTest::Wasserstein,
        StatTest::JensenShannon,
        StatTest::Psi,
        StatTest::KlDiv,
        StatTest::Hellinger,
        StatTest::EnergyDistance,
        StatTest::TTest,
        StatTest::Anderson,
        StatTest::CramerVonMises,
        StatTest::MannWhitney,
        StatTest::Tvd,
        StatTest::FisherExact,
        StatTest::GTest,
        StatTest::EppsSingleton,
        StatTest::EmpiricalMmd,
    ];

    /// Evidently's short name (`ks`, `chisquare`, ...).
    pub fn name(self) -> &'static str {
        match self {
            StatTest::Ks => "ks",
            StatTest::ChiSquare => "chisquare",
            StatTest::Z => "z",
            StatTest::Wasserstein => "wasserstein",
            StatTest::JensenShannon => "jensenshannon",
            StatTest::Psi => "psi",
            StatTest::KlDiv => "kl_div",
            StatTest::Hellinger => "hellinger",
            StatTest::EnergyDistance => "ed",
            StatTest::TTest => "t_test",
            StatTest::Anderson => "anderson",
            StatTest::CramerVonMises => "cramer_von_mises",
            StatTest::MannWhitney => "mannw",
            StatTest::Tvd => "TVD",
            StatTest::FisherExact => "fisher_exact",
            StatTest::GTest => "g_test",
            StatTest::EppsSingleton => "es",
            StatTest::EmpiricalMmd => "empirical_mmd",
        }
    }

    /// Evidently's display name (`stattest_name` in its reports).
    pub fn display_name(self) -> &'static str {
        match self {
            StatTest::Ks => "K-S p_value",
            StatTest::ChiSquare => "chi-square p_value",
            StatTest::Z => "Z-test p_value",
            StatTest::Wasserstein => "Wasserstein distance (normed)",
            StatTest::JensenShannon => "Jensen-Shannon distance",
            StatTest::Psi => "PSI",
            StatTest::KlDiv => "Kullback-Leibler divergence",
            StatTest::Hellinger => "Hellinger distance",
            StatTest::EnergyDistance => "Energy-distance",
            StatTest::TTest => "t_test",
            StatTest::Anderson => "Anderson-Darling",
            StatTest::CramerVonMises => "Cramer-von Mises",
            StatTest::MannWhitney => "Mann-Whitney U-rank test",
            StatTest::Tvd => "Total-Variation-Distance",
            StatTest::FisherExact => "Fisher's Exact test",
            StatTest::GTest => "g_test",
            StatTest::EppsSingleton => "Epps-Singleton",
            StatTest::EmpiricalMmd => "empirical_mmd",
        }
    }

    /// An unambiguous identifier of the reported quantity.
    pub fn statistic_id(self) -> &'static str {
        match self {
            StatTest::Ks => "ks_2samp_pvalue_two_sided",
            StatTest::ChiSquare => "chisquare_pvalue",
            StatTest::Z => "z_two_proportion_pvalue",
            StatTest::Wasserstein => "wasserstein_norm_refstd",
            StatTest::JensenShannon => "js_distance_nat",
            StatTest::Psi => "psi_evidently_bins",
            StatTest::KlDiv => "kl_divergence_nat_ref_cur",
            StatTest::Hellinger => "hellinger_distance",
            StatTest::EnergyDistance => "energy_distance",
            StatTest::TTest => "t_test_pooled_pvalue",
            StatTest::Anderson => "anderson_ksamp_midrank_pvalue_capped",
            StatTest::CramerVonMises => "cvm_2samp_pvalue",
            StatTest::MannWhitney => "mannwhitneyu_pvalue_less",
            StatTest::Tvd => "tvd_permutation_pvalue_1000",
            StatTest::FisherExact => "fisher_exact_pvalue_two_sided",
            StatTest::GTest => "g_test_pvalue_scaled",
            StatTest::EppsSingleton => "epps_singleton_pvalue",
            StatTest::EmpiricalMmd => "mmd2_rbf_permutation_pvalue_100",
        }
    }

    /// Evidently's default threshold.
    pub fn default_threshold(self) -> f64 {
        match self {
            StatTest::Ks
            | StatTest::ChiSquare
            | StatTest::Z
            | StatTest::TTest
            | StatTest::MannWhitney
            | StatTest::EppsSingleton => 0.05,
            _ => 0.1,
        }
    }

    /// How the score is compared with the threshold.
    pub fn rule(self) -> DriftRule {
        match self {
            StatTest::Ks | StatTest::CramerVonMises => DriftRule::PValueAtMost,
            StatTest::ChiSquare
            | StatTest::Z
            | StatTest::TTest
            | StatTest::Anderson
            | StatTest::MannWhitney
            | StatTest::Tvd
            | StatTest::FisherExact
            | StatTest::GTest
            | StatTest::EppsSingleton
            | StatTest::EmpiricalMmd => DriftRule::PValueBelow,
            StatTest::EnergyDistance => DriftRule::ScoreAbove,
            _ => DriftRule::ScoreAtLeast,
        }
    }

    /// True when the score is a p-value (small means drift).
    pub fn is_p_value(self) -> bool {
        matches!(
            self.rule(),
            DriftRule::PValueAtMost | DriftRule::PValueBelow
        )
    }

    /// Whether the test applies to a column of this type.
    pub fn allows(self, t: ColumnType) -> bool {
        match self {
            StatTest::Ks
            | StatTest::Wasserstein
            | StatTest::EnergyDistance
            | StatTest::TTest
            | StatTest::Anderson
            | StatTest::CramerVonMises
            | StatTest::MannWhitney
            | StatTest::EppsSingleton
            | StatTest::EmpiricalMmd => t == ColumnType::Numerical,
            StatTest::Tvd | StatTest::FisherExact | StatTest::GTest => t == ColumnType::Categorical,
            _ => true,
        }
    }

    /// Looks a test up by Evidently's name (case-sensitive, as Evidently).
    pub fn from_name(name: &str) -> Option<StatTest> {
        StatTest::ALL.into_iter().find(|t| t.name() == name)
    }
}

impl std::fmt::Display for StatTest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for StatTest {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        StatTest::from_name(s).ok_or_else(|| {
            let names: Vec<&str> = StatTest::ALL.iter().map(|t| t.name()).collect();
            format!("unknown stattest `{s}`; known: {}", names.join(", "))
        })
    }
}
