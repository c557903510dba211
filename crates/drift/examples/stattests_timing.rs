//! Times the rank, count and permutation tests on generated data:
//! `cargo run --release -p datagate-drift --example stattests_timing [N]`
//! `[TEST]` (N values per side, default 100000; `empirical_mmd` uses 2500 per side, its
//! cap; TEST runs only that test).

use std::time::Instant;

use datagate_drift::stattests::{
    anderson, cramer_von_mises, empirical_mmd, es, fisher_exact, g_test, mannw, tvd,
};
use datagate_drift::{CategoryCounts, NumericSample};

fn lcg(n: usize, seed: u64, shift: f64) -> Vec<f64> {
    let mut s = seed;
    (0..n)
        .map(|_| {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (s >> 11) as f64 / (1u64 << 53) as f64 + shift
        })
        .collect()
}

fn time(name: &str, f: &dyn Fn() -> String) {
    let t = Instant::now();
    let r = f();
    println!("{name:<18} {:>9.3} s  {r}", t.elapsed().as_secs_f64());
}

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(100_000);
    let only = std::env::args().nth(2);
    let time = |name: &str, f: &dyn Fn() -> String| {
        if only.as_deref().is_none_or(|o| o == name) {
            time(name, f)
        }
    };
    let a = NumericSample::new(lcg(n, 1, 0.0), false);
    let b = NumericSample::new(lcg(n, 2, 0.01), false);
    let (a, b) = (a.values(), b.values());
    time("anderson", &|| {
        format!("{:?}", anderson::anderson_ksamp(a, b).map(|r| r.pvalue))
    });
    time("cramer_von_mises", &|| {
        format!(
            "{:?}",
            cramer_von_mises::cramervonmises_2samp(a, b).map(|r| r.pvalue)
        )
    });
    time("mannw", &|| {
        format!("{:?}", mannw::mannwhitneyu_less(a, b).map(|r| r.pvalue))
    });
    time("es", &|| format!("{:?}", es::epps_singleton_2samp(a, b)));
    let m = 2500.min(n);
    let ma = NumericSample::new(lcg(m, 3, 0.0), false);
    let mb = NumericSample::new(lcg(m, 4, 0.01), false);
    time("empirical_mmd", &|| {
        format!(
            "{:?}",
            empirical_mmd::empirical_mmd(ma.values(), mb.values())
        )
    });
    let third = (n / 3) as u64;
    let counts = CategoryCounts {
        keys: vec!["a".into(), "b".into(), "c".into()],
        reference: vec![third, third, n as u64 - 2 * third],
        current: vec![third + 500, third - 500, n as u64 - 2 * third],
    };
    time("TVD", &|| format!("{:?}", tvd::tvd_test(&counts)));
    time("g_test", &|| format!("{:?}", g_test::g_test(&counts)));
    let bin = CategoryCounts {
        keys: vec!["no".into(), "yes".into()],
        reference: vec![n as u64 / 2, n as u64 - n as u64 / 2],
        current: vec![n as u64 / 2 + 300, n as u64 - n as u64 / 2 - 300],
    };
    time("fisher_exact", &|| {
        format!("{:?}", fisher_exact::fisher_exact_counts(&bin))
    });
}
