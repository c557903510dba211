//! Thin wrappers over Apache DataSketches (`datasketches` =0.6.0): a KLL quantile
//! sketch and an HLL distinct-count sketch, with the hashing rules that keep them
//! byte-compatible with the Java/C++/Python libraries, base64 serialisation for the
//! JSON profile, and merging.
//!
//! * **Quantiles: KLL, k = 400.** Normalised single-sided rank error ≈ 0.9 % with 99 %
//!   confidence ([`Quantiles::rank_error`] reports the library's exact figure): a
//!   returned q-quantile has true rank within q ± that error.
//! * **Distinct values: HLL (8-bit registers), lg_k = 12** (4096 registers), relative
//!   standard error ≈ 1.04/√4096 ≈ 1.6 %. Hashing: integers as 64-bit, floats through
//!   `canonical_float` (so 0.0 and -0.0 agree), strings as raw UTF-8 bytes with empty
//!   strings skipped — the DataSketches convention (Rust's own `Hash` for `str` would add
//!   a 0xff byte and break compatibility).

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use datasketches::common::{NumStdDev, SearchCriteria};
use datasketches::hash::value::{canonical_float, raw_bytes};
use datasketches::hll::{HllSketch, HllType, HllUnion};
use datasketches::kll::{KllFloat, KllSketch};

use crate::ProfileError;

/// KLL parameter k.
pub const KLL_K: u16 = 400;
/// HLL log2 of the register count.
pub const HLL_LG_K: u8 = 12;
/// Largest base64 sketch accepted from a file (guards against absurd inputs).
pub const MAX_SKETCH_BASE64: usize = 64 << 20;

/// A KLL quantile sketch over finite `f64`.
#[derive(Debug, Clone)]
pub struct Quantiles(KllSketch<KllFloat<f64>>);

impl Default for Quantiles {
    fn default() -> Self {
        // KLL_K is within the library's accepted range.
        Quantiles(KllSketch::new(KLL_K).unwrap_or_default())
    }
}

impl Quantiles {
    /// Adds a value; NaN is ignored (callers drop it before).
    #[inline]
    pub fn update(&mut self, x: f64) {
        if let Ok(v) = KllFloat::<f64>::new(x) {
            self.0.update(v);
        }
    }

    /// Merges another sketch.
    pub fn merge(&mut self, other: &Quantiles) -> Result<(), ProfileError> {
        self.0
            .merge(&other.0)
            .map_err(|e| ProfileError::Sketch(e.to_string()))
    }

    /// Values summarised.
    pub fn n(&self) -> u64 {
        self.0.n()
    }

    /// Normalised single-sided rank error of this sketch.
    pub fn rank_error(&self) -> f64 {
        self.0.normalized_rank_error()
    }

    /// Approximate quantiles at the given ranks in [0, 1]; empty when no data.
    pub fn quantiles(&self, ranks: &[f64]) -> Vec<f64> {
        match self.0.quantiles(ranks, SearchCriteria::Inclusive) {
            Ok(Some(v)) => v.into_iter().map(|x| x.into_inner()).collect(),
            _ => Vec::new(),
        }
    }

    /// Approximate CDF (share of values `<= p`) at sorted split points.
    pub fn cdf(&self, split_points: &[f64]) -> Vec<f64> {
        let pts: Vec<KllFloat<f64>> = split_points
            .iter()
            .filter_map(|&x| KllFloat::<f64>::new(x).ok())
            .collect();
        match self.0.cdf(&pts, SearchCriteria::Inclusive) {
            Ok(Some(v)) => v,
            _ => Vec::new(),
        }
    }

    /// Base64 of the standard DataSketches serialisation.
    pub fn to_base64(&self) -> String {
        STANDARD.encode(self.0.serialize())
    }

    /// Parses [`Self::to_base64`] output.
    pub fn from_base64(s: &str) -> Result<Self, ProfileError> {
        if s.len() > MAX_SKETCH_BASE64 {
            return Err(ProfileError::Sketch("KLL sketch too large".into()));
        }
        let bytes = STANDARD
            .decode(s)
            .map_err(|e| ProfileError::Sketch(format!("KLL base64: {e}")))?;
        KllSketch::deserialize(&bytes)
            .map(Quantiles)
            .map_err(|e| ProfileError::Sketch(format!("KLL: {e}")))
    }
}

/// An HLL distinct-count sketch.
#[derive(Debug, Clone)]
pub struct Distinct(HllSketch);

impl Default for Distinct {
    fn default() -> Self {
        // A constant within the library's accepted range [4, 21]; no input reaches this.
        #[allow(clippy::expect_used)]
        Distinct(HllSketch::new(HLL_LG_K, HllType::Hll8).expect("lg_k 12 is a valid HLL size"))
    }
}

impl Distinct {
    /// Adds a 64-bit integer.
    #[inline]
    pub fn update_i64(&mut self, v: i64) {
        self.0.update(v);
    }

    /// Adds a float (canonical bit pattern).
    #[inline]
    pub fn update_f64(&mut self, v: f64) {
        self.0.update(canonical_float::from_f64(v));
    }

    /// Adds a string (raw UTF-8 bytes; empty strings are skipped as in DataSketches).
    #[inline]
    pub fn update_str(&mut self, v: &str) {
        if !v.is_empty() {
            self.0.update(raw_bytes::from_str(v));
        }
    }

    /// Merges another sketch.
    pub fn merge(&mut self, other: &Distinct) {
        let mut u = match HllUnion::new(HLL_LG_K) {
            Ok(u) => u,
            Err(_) => return,
        };
        u.update(&self.0);
        u.update(&other.0);
        self.0 = u.to_sketch(HllType::Hll8);
    }

    /// Estimated number of distinct values.
    pub fn estimate(&self) -> f64 {
        self.0.estimate()
    }

    /// Bounds at about 95 % confidence.
    pub fn bounds(&self) -> (f64, f64) {
        (
            self.0.lower_bound(NumStdDev::Two),
            self.0.upper_bound(NumStdDev::Two),
        )
    }

    /// Base64 of the standard DataSketches serialisation.
    pub fn to_base64(&self) -> String {
        STANDARD.encode(self.0.serialize())
    }

    /// Parses [`Self::to_base64`] output.
    pub fn from_base64(s: &str) -> Result<Self, ProfileError> {
        if s.len() > MAX_SKETCH_BASE64 {
            return Err(ProfileError::Sketch("HLL sketch too large".into()));
        }
        let bytes = STANDARD
            .decode(s)
            .map_err(|e| ProfileError::Sketch(format!("HLL base64: {e}")))?;
        HllSketch::deserialize(&bytes)
            .map(Distinct)
            .map_err(|e| ProfileError::Sketch(format!("HLL: {e}")))
    }
}
