//! KS against scipy: `ks_2samp` on LCG-generated samples (regenerated here bit for
//! bit), `kstwo.sf` and `special.smirnov` on a grid. Fixture: `fixtures/scipy_ks.json`
//! from `tests/peers/scipy/run.sh`.

use datagate_drift::stattests::kolmogorov::{kolmogn_sf, smirnov_sf};
use datagate_drift::stattests::ks::ks_2samp;
use serde_json::Value;

fn fixture() -> Value {
    serde_json::from_str(include_str!("fixtures/scipy_ks.json")).unwrap()
}

fn sample(n: usize, seed: u64, scale: f64, shift: f64, quant: f64) -> Vec<f64> {
    const M: u64 = (1 << 31) - 1;
    const A: u64 = 48271;
    let mut state = seed % M;
    if state == 0 {
        state = 1;
    }
    (0..n)
        .map(|_| {
            state = (A * state) % M;
            let u = state as f64 / M as f64;
            let x = u * scale + shift;
            if quant > 0.0 {
                (x * quant).floor() / quant
            } else {
                x
            }
        })
        .collect()
}

/// Relative closeness, with an absolute floor for values near 0.
fn close(a: f64, b: f64, rel: f64) -> bool {
    (a - b).abs() <= rel * b.abs().max(1e-300) || (a - b).abs() < 1e-15
}

#[test]
fn ks_2samp_matches_scipy() {
    let f = fixture();
    for c in f["ks_2samp"].as_array().unwrap() {
        let g = |k: &str| c[k].as_f64().unwrap();
        let mut a = sample(g("n1") as usize, g("seed1") as u64, 1.0, 0.0, g("quant"));
        let mut b = sample(
            g("n2") as usize,
            g("seed2") as u64,
            g("scale2"),
            g("shift2"),
            g("quant"),
        );
        a.sort_by(f64::total_cmp);
        b.sort_by(f64::total_cmp);
        let r = ks_2samp(&a, &b).unwrap();
        assert!(close(r.statistic, g("statistic"), 1e-12), "D {c}: {r:?}");
        assert!(close(r.pvalue, g("pvalue"), 1e-6), "p {c}: {r:?}");
    }
}

#[test]
fn kstwo_sf_matches_scipy() {
    let f = fixture();
    let mut worst = 0.0f64;
    for c in f["kstwo_sf"].as_array().unwrap() {
        let n = c["n"].as_u64().unwrap();
        let d = c["d"].as_f64().unwrap();
        let want = c["sf"].as_f64().unwrap();
        let got = kolmogn_sf(n, d);
        if want > 1e-300 {
            worst = worst.max((got - want).abs() / want);
        }
        assert!(
            close(got, want, 1e-6),
            "kstwo.sf({d}, {n}): got {got}, scipy {want}"
        );
    }
    eprintln!("kstwo worst relative error {worst:e}");
}

#[test]
fn smirnov_matches_scipy() {
    let f = fixture();
    for c in f["smirnov_sf"].as_array().unwrap() {
        let n = c["n"].as_u64().unwrap();
        let d = c["d"].as_f64().unwrap();
        let want = c["sf"].as_f64().unwrap();
        let got = smirnov_sf(n, d);
        assert!(
            close(got, want, 1e-9),
            "smirnov({n}, {d}): got {got}, scipy {want}"
        );
    }
}
