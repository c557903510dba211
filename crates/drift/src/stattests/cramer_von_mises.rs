//! Two-sample Cramér-von Mises test (`cramer_von_mises`), as
//! `scipy.stats.cramervonmises_2samp(ref, cur)` (`method="auto"`).
//!
//! **What it measures.** `T = U/(nm·N) − (4nm − 1)/(6N)` with
//! `U = n·Σ(r_i − i)² + m·Σ(s_j − j)²`, where `r_i`, `s_j` are the midranks of the
//! sorted reference and current values in the pool (Anderson 1962, eq. 9–10): the
//! integrated squared gap between the two empirical CDFs, weighted by the pool.
//!
//! **How the p-value is computed** (scipy's `method="auto"`):
//! * `max(n, m) <= 20`: the exact null distribution of `U` over all `C(n+m, n)`
//!   arrangements, by Xiao, Gordon and Yakovlev's (2006) lattice recursion on
//!   frequency tables of `Σ(a·v − b·u)²`; `p = P(U' >= U)` with scipy's threshold
//!   `zeta = lcm²(n+m)(6U − nm(4nm−1)) // (6(nm)²)` (Python float floor division,
//!   reproduced exactly). Ties are midranked as scipy does, although the exact
//!   distribution assumes none.
//! * otherwise the asymptotic one: `T` is normalised with its exact mean and variance
//!   and `p = 1 − F∞(tn)` with Csörgő and Faraway's series for the limiting CDF, summed
//!   until a term is below 1e-7 (scipy's stopping rule, kept so the truncation error
//!   is the same); `p = 1` when `tn < 0.003`. The series needs the modified Bessel
//!   function `K_{1/4}`, computed here from its integral
//!   `K_ν(q) = ∫₀^∞ exp(−q·cosh t)·cosh(νt) dt` by the trapezoid rule, which for this
//!   integrand converges to machine precision (step 1/16).
//!
//! **Evidently's rule.** Numerical columns only; name `cramer_von_mises`, display
//! name `Cramer-von Mises`; drift when `p <= threshold` (default 0.1). Evidently 0.7.23
//! ships its own copy of scipy's code (`cramer_von_mises_stattest.py`) with the same
//! choice of method and formulas, and one difference that datagate does **not**
//! reproduce: its exact path computes `combinations` as a float, so
//! `np.min_scalar_type` picks float16 (or float32) for the frequency tables and the
//! exact p-value is rounded (0.346435546875 where scipy and datagate give
//! 0.34654234654234656 on the recorded 8-vs-8 fixture: 3e-4 relative; float16 keeps
//! 11 significant bits, so expect up to ~1e-3). The
//! asymptotic path (more than 20 values in a sample) is identical.
//!
//! **Edge cases.** scipy needs at least two values in each sample; fewer is an error.
//! `p = 1 − F∞` loses relative precision when `p` is tiny (below ~1e-9), in scipy as
//! here: both compute the difference of two numbers near 1.
//!
//! Ported from scipy 1.17 (`scipy/stats/_hypotests.py`, BSD-3-Clause).

use std::collections::BTreeMap;

use serde::Serialize;

use super::ranks::tie_groups;
use crate::DriftError;

/// Largest sample size for which `method="auto"` uses the exact distribution.
pub const MAX_EXACT_N: usize = 20;

/// Which distribution produced the p-value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CvmMethod {
    /// Exact null distribution of `U`.
    Exact,
    /// Limiting distribution of the normalised statistic.
    Asymptotic,
}

/// Result of [`cramervonmises_2samp`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CvmResult {
    /// The statistic `T`.
    pub statistic: f64,
    /// The p-value.
    pub pvalue: f64,
    /// Exact or asymptotic.
    pub method: CvmMethod,
}

/// Two-sample Cramér-von Mises test on two sorted, finite samples.
pub fn cramervonmises_2samp(a: &[f64], b: &[f64]) -> Result<CvmResult, DriftError> {
    let (nx, ny) = (a.len(), b.len());
    if nx <= 1 || ny <= 1 {
        return Err(DriftError::Numeric(
            "cramer_von_mises: each sample needs at least two values".into(),
        ));
    }
    // 4·U exactly: 2·(midrank − position) is an integer.
    let (mut sa, mut sb) = (0u128, 0u128);
    let (mut before, mut ia, mut ib) = (0u64, 0u64, 0u64);
    for g in tie_groups(a, b) {
        // midrank = before + (total + 1)/2, doubled: 2·before + total + 1
        let twice_rank = (2 * before + g.total() + 1) as i128;
        for k in 1..=g.in_a {
            let d = twice_rank - 2 * (ia + k) as i128;
            sa += (d * d) as u128;
        }
        for k in 1..=g.in_b {
            let d = twice_rank - 2 * (ib + k) as i128;
            sb += (d * d) as u128;
        }
        ia += g.in_a;
        ib += g.in_b;
        before += g.total();
    }
    let u4 = nx as u128 * sa + ny as u128 * sb;
    let u = u4 as f64 / 4.0;
    let k = (nx * ny) as f64;
    let n = (nx + ny) as f64;
    let t = u / (k * n) - (4.0 * k - 1.0) / (6.0 * n);
    if nx.max(ny) <= MAX_EXACT_N {
        Ok(CvmResult {
            statistic: t,
            pvalue: pval_exact(u, nx as u64, ny as u64),
            method: CvmMethod::Exact,
        })
    } else {
        Ok(CvmResult {
            statistic: t,
            pvalue: pval_asymptotic(t, nx as u64, ny as u64),
            method: CvmMethod::Asymptotic,
        })
    }
}

fn gcd(mut a: u64, mut b: u64) -> u64 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// Python's float floor division `a // b`.
fn py_floordiv(a: f64, b: f64) -> f64 {
    let mut m = a % b;
    let mut div = (a - m) / b;
    if m != 0.0 && ((b < 0.0) != (m < 0.0)) {
        m += b;
        div -= 1.0;
    }
    let _ = m;
    if div != 0.0 {
        let mut f = div.floor();
        if div - f > 0.5 {
            f += 1.0;
        }
        f
    } else {
        0.0f64.copysign(a / b)
    }
}

/// scipy's `_pval_cvm_2samp_exact(U, m, n)`.
fn pval_exact(s: f64, m: u64, n: u64) -> f64 {
    let lcm = m / gcd(m, n) * n;
    let a = lcm / m;
    let b = lcm / n;
    let mn = m * n;
    let lhs = (lcm * lcm * (m + n)) as f64 * (6.0 * s - (mn * (4 * mn - 1)) as f64);
    let zeta = py_floordiv(lhs, (6 * mn * mn) as f64);
    // gs[v]: frequency table (value -> count) of partial sums along lattice paths.
    let mut gs: Vec<BTreeMap<u64, u64>> = vec![BTreeMap::new(); (m + 1) as usize];
    gs[0].insert(0, 1);
    for u in 0..=n {
        let mut next: Vec<BTreeMap<u64, u64>> = Vec::with_capacity(gs.len());
        let mut tmp: BTreeMap<u64, u64> = BTreeMap::new();
        for (v, g) in gs.iter().enumerate() {
            for (&val, &freq) in g {
                *tmp.entry(val).or_insert(0) += freq;
            }
            let d = (a * v as u64) as i128 - (b * u) as i128;
            let add = (d * d) as u64;
            tmp = tmp.into_iter().map(|(k, f)| (k + add, f)).collect();
            next.push(tmp.clone());
        }
        gs = next;
    }
    let combinations = binom_f64(m + n, m);
    let hits: u64 = gs[m as usize]
        .iter()
        .filter(|(&val, _)| val as f64 >= zeta)
        .map(|(_, &f)| f)
        .sum();
    hits as f64 / combinations
}

/// `C(n, k)` as the nearest f64 (exact below 2^53).
fn binom_f64(n: u64, k: u64) -> f64 {
    let k = k.min(n - k);
    let mut c: u128 = 1;
    for i in 0..k {
        c = c * (n - i) as u128 / (i + 1) as u128;
    }
    c as f64
}

/// scipy's `_pval_cvm_2samp_asymptotic`.
fn pval_asymptotic(t: f64, nx: u64, ny: u64) -> f64 {
    let n = (nx + ny) as f64;
    let k = (nx * ny) as f64;
    let et = (1.0 + 1.0 / n) / 6.0;
    // Python integers until the final true division.
    let (nxi, nyi) = (nx as i128, ny as i128);
    let (ki, ni) = (nxi * nyi, nxi + nyi);
    let vt_num = (ni + 1) * (4 * ki * ni - 3 * (nxi * nxi + nyi * nyi) - 2 * ki);
    let vt_den = 45 * ni * ni * 4 * ki;
    let vt = vt_num as f64 / vt_den as f64;
    let _ = k;
    let tn = 1.0 / 6.0 + (t - et) / (45.0 * vt).sqrt();
    if tn.is_nan() {
        return f64::NAN;
    }
    if tn < 0.003 {
        return 1.0;
    }
    (1.0 - cdf_cvm_inf(tn)).max(0.0)
}

/// CDF of the limiting one-sample Cramér-von Mises statistic (Csörgő and Faraway
/// 1996, eq. 1.2), summed with scipy's stopping rule.
pub fn cdf_cvm_inf(x: f64) -> f64 {
    let mut tot = 0.0;
    // Γ(k + 1/2) / Γ(k + 1), by recurrence from Γ(1/2) = √π.
    let mut gratio = std::f64::consts::PI.sqrt();
    let mut k = 0u32;
    loop {
        let kf = k as f64;
        let u = gratio / (std::f64::consts::PI.powf(1.5) * x.sqrt());
        let y = 4.0 * kf + 1.0;
        let q = y * y / (16.0 * x);
        let z = u * y.sqrt() * exp_neg_q_times_kv_quarter(q);
        tot += z;
        if z.abs() < 1e-7 || !z.is_finite() || k > 10_000 {
            break;
        }
        gratio *= (kf + 0.5) / (kf + 1.0);
        k += 1;
    }
    tot
}

/// `exp(−q)·K_{1/4}(q)` for `q > 0`, from
/// `K_ν(q) = e^{−q} ∫₀^∞ exp(−q(cosh t − 1))·cosh(νt) dt`.
fn exp_neg_q_times_kv_quarter(q: f64) -> f64 {
    if q.is_infinite() {
        return 0.0;
    }
    // The integrand is analytic and decays double-exponentially: the trapezoid rule
    // with step h has error ~exp(−π²/h); stop once the terms no longer matter.
    let h = 1.0 / 16.0;
    let mut sum = 0.5; // t = 0: exp(0)·cosh(0) / 2
    let mut i = 1u32;
    loop {
        let t = i as f64 * h;
        let term = (-q * (t.cosh() - 1.0)).exp() * (0.25 * t).cosh();
        sum += term;
        if term < 1e-18 * sum || i > 100_000 {
            break;
        }
        i += 1;
    }
    (-2.0 * q).exp() * sum * h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_floor_division() {
        assert_eq!(py_floordiv(7.0, 2.0), 3.0);
        assert_eq!(py_floordiv(-7.0, 2.0), -4.0);
        assert_eq!(py_floordiv(6.0, 3.0), 2.0);
    }

    #[test]
    fn bessel_k_quarter() {
        // scipy.special.kv(0.25, q) for q = 0.5, 2, 20
        for (q, want) in [
            (0.5, 0.960_316_324_931_882_6),
            (2.0, 0.115_378_276_840_849_18),
            (20.0, 5.750_002_072_403_683e-10),
        ] {
            let got = exp_neg_q_times_kv_quarter(q) * q.exp();
            assert!((got - want).abs() <= 1e-13 * want, "K(1/4, {q}) = {got}");
        }
    }

    #[test]
    fn scipy_docstring_example_exact() {
        // Identical samples: T small, p = 1 exactly for the exact method.
        let a = [1.0, 2.0, 3.0, 4.0];
        let r = cramervonmises_2samp(&a, &a).unwrap();
        assert_eq!(r.method, CvmMethod::Exact);
        assert_eq!(r.pvalue, 1.0);
    }
}
