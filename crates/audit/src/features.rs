//! Turns a [`Table`] into a design matrix for the built-in models.
//!
//! Every row becomes a **dense part** and a **sparse part**:
//!
//! - *dense*: each usable numeric column standardised (`(x - mean) / std`, NaN replaced by
//!   the column's standardised median, values clipped to ±[`CLIP`]) plus, for columns
//!   that have nulls, a 0/1 missing indicator;
//! - *sparse*: one entry per categorical column (one-hot: the column's most frequent
//!   [`FeatureOptions::max_levels`] levels get their own slot, rarer levels share
//!   [`FeatureOptions::hashed_levels`] hashed slots, a null has no slot), and the hashed
//!   unigram and bigram counts of the text columns in `2^text_bits` buckets, weighted
//!   like scikit-learn's `TfidfVectorizer(sublinear_tf=True)`: `(1 + ln count) · idf`
//!   with `idf = ln((1 + n) / (1 + df)) + 1` (`df`: rows holding the bucket), then
//!   L2-normalised per row. The idf weight lets a rare, telling phrase outweigh common
//!   words (on the Rotten Tomatoes benchmark it lifted cross-validated accuracy).
//!
//! The bias (intercept) is not a column: the models keep it apart so it is not
//! regularised.
//!
//! **Why this layout.** Memory is `rows × (dense width + non-zeros) × 4 bytes` (`f32`),
//! so neither a wide one-hot nor a large text vocabulary can blow it up: a categorical
//! column costs one sparse entry per row, a text column one entry per distinct n-gram
//! in the row. Statistics (mean, std, median, level counts, document frequencies) are
//! computed from all rows
//! without looking at the label, so using them inside cross-validation leaks nothing
//! about the labels.
//!
//! **Blind spots.** Standardisation is linear: a feature that matters only through a
//! threshold or an interaction is left for the model to miss. Hash collisions merge rare
//! levels and n-grams (a few per million with 2^16 buckets for typical corpora). Numeric
//! columns that are really identifiers look like features.
//!
//! The text-trigger detector uses [`Encoder::encode_row`] with `drop_tokens` to see how a
//! row would look without a suspected trigger, and [`tokens`] to count tokens the same
//! way the encoder does.

use std::collections::HashMap;

use crate::table::{Table, MISSING};

/// Standardised values are clipped to ±`CLIP` so one absurd value cannot dominate a
/// model or overflow `f32` arithmetic.
pub const CLIP: f32 = 50.0;

/// How the table is encoded.
#[derive(Debug, Clone)]
pub struct FeatureOptions {
    /// Text n-grams are hashed into `2^text_bits` buckets (12..=20).
    pub text_bits: u32,
    /// Categorical levels that get their own one-hot slot (the most frequent ones).
    pub max_levels: usize,
    /// Hashed slots shared by the remaining levels of each categorical column.
    pub hashed_levels: usize,
    /// Whether to encode the text columns at all.
    pub include_text: bool,
}

impl Default for FeatureOptions {
    fn default() -> Self {
        FeatureOptions {
            text_bits: 16,
            max_levels: 64,
            hashed_levels: 16,
            include_text: true,
        }
    }
}

#[derive(Debug, Clone)]
struct NumericEnc {
    col: usize,
    mean: f64,
    std: f64,
    /// The standardised median, used for nulls.
    impute: f32,
    /// Index of the dense slot holding the value (`None` when the column is constant
    /// and only its missing indicator is informative).
    slot: Option<usize>,
    missing_slot: Option<usize>,
}

#[derive(Debug, Clone)]
struct CategoricalEnc {
    col: usize,
    /// Sparse index per level code.
    slot_of_code: Vec<u32>,
}

/// The fitted encoding: which columns are used and how. Build it once with
/// [`Encoder::fit`], then [`Encoder::transform`] rows or [`Encoder::encode_row`] one row.
#[derive(Debug, Clone)]
pub struct Encoder {
    numeric: Vec<NumericEnc>,
    categorical: Vec<CategoricalEnc>,
    text: Vec<usize>,
    text_base: u32,
    text_mask: u64,
    /// Per text bucket, its inverse document frequency (empty without text).
    idf: Vec<f32>,
    dense_dim: usize,
    sparse_dim: usize,
    dense_names: Vec<String>,
}

/// Rows encoded by an [`Encoder`]: a row-major `f32` dense block and a CSR sparse block.
#[derive(Debug, Clone)]
pub struct Design {
    /// Rows.
    pub n: usize,
    /// Width of the dense part.
    pub dense_dim: usize,
    /// Width of the sparse part (categorical slots, then text buckets).
    pub sparse_dim: usize,
    dense: Vec<f32>,
    indptr: Vec<usize>,
    indices: Vec<u32>,
    values: Vec<f32>,
}

/// One row of a [`Design`], borrowed.
#[derive(Debug, Clone, Copy)]
pub struct RowView<'a> {
    /// The dense values (`dense_dim` of them).
    pub dense: &'a [f32],
    /// Sparse indices (into `0..sparse_dim`).
    pub indices: &'a [u32],
    /// Sparse values, aligned with `indices`.
    pub values: &'a [f32],
}

/// One row encoded on its own (see [`Encoder::encode_row`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RowVector {
    /// The dense values.
    pub dense: Vec<f32>,
    /// Sparse indices.
    pub indices: Vec<u32>,
    /// Sparse values.
    pub values: Vec<f32>,
}

impl RowVector {
    /// Borrows it as a [`RowView`] for the models.
    pub fn view(&self) -> RowView<'_> {
        RowView {
            dense: &self.dense,
            indices: &self.indices,
            values: &self.values,
        }
    }
}

/// Splits text into lowercase alphanumeric tokens, the way the encoder does.
pub fn tokens(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|t| !t.is_empty())
        .map(|t| t.to_lowercase())
}

/// FNV-1a, 64 bits: deterministic across runs and platforms (unlike `std`'s hasher).
fn fnv(parts: &[&[u8]]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for (i, p) in parts.iter().enumerate() {
        if i > 0 {
            h ^= 0xff;
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        for &b in *p {
            h ^= b as u64;
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    // final avalanche (splitmix64's) so the low bits used as bucket are well mixed
    h ^= h >> 30;
    h = h.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h ^= h >> 27;
    h = h.wrapping_mul(0x94d0_49bb_1331_11eb);
    h ^ (h >> 31)
}

/// Median of finite values (NaN-free input assumed).
pub(crate) fn median(mut v: Vec<f64>) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    let mid = v.len() / 2;
    let (_, m, _) = v.select_nth_unstable_by(mid, f64::total_cmp);
    let m = *m;
    if v.len() % 2 == 1 {
        Some(m)
    } else {
        let lower = v[..mid].iter().copied().fold(f64::NEG_INFINITY, f64::max);
        Some((lower + m) / 2.0)
    }
}

impl Encoder {
    /// Learns the encoding from `table` (all rows; labels are not looked at).
    ///
    /// Errors with a plain reason when no column carries any information: every numeric
    /// column constant or null, no categorical column with two levels, no text.
    pub fn fit(table: &Table, opts: &FeatureOptions) -> Result<Self, String> {
        let mut numeric = Vec::new();
        let mut dense_names = Vec::new();
        for (col, c) in table.numeric.iter().enumerate() {
            let finite: Vec<f64> = c.values.iter().copied().filter(|v| v.is_finite()).collect();
            let n_missing = c.values.len() - finite.len();
            if finite.is_empty() {
                continue;
            }
            let n = finite.len() as f64;
            let mean = finite.iter().sum::<f64>() / n;
            let var = finite.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / n;
            let std = var.sqrt();
            let usable = std > 1e-12 * mean.abs().max(1.0) && std.is_finite();
            if !usable && n_missing == 0 {
                continue;
            }
            let med = median(finite).unwrap_or(mean);
            let mut enc = NumericEnc {
                col,
                mean,
                std: if usable { std } else { 1.0 },
                impute: 0.0,
                slot: None,
                missing_slot: None,
            };
            enc.impute = ((med - mean) / enc.std).clamp(-CLIP as f64, CLIP as f64) as f32;
            if usable {
                enc.slot = Some(dense_names.len());
                dense_names.push(c.name.clone());
            }
            if n_missing > 0 {
                enc.missing_slot = Some(dense_names.len());
                dense_names.push(format!("{} (missing)", c.name));
            }
            numeric.push(enc);
        }
        let mut categorical = Vec::new();
        let mut sparse_dim: u32 = 0;
        for (col, c) in table.categorical.iter().enumerate() {
            let mut counts = vec![0usize; c.levels.len()];
            for &code in &c.codes {
                if let Some(n) = counts.get_mut(code as usize) {
                    *n += 1;
                }
            }
            let present = counts.iter().filter(|&&n| n > 0).count();
            if present < 2 {
                continue;
            }
            let mut order: Vec<usize> = (0..counts.len()).collect();
            order.sort_by(|&a, &b| counts[b].cmp(&counts[a]).then(a.cmp(&b)));
            let own = order.len().min(opts.max_levels);
            let hashed = if order.len() > own {
                opts.hashed_levels.max(1) as u32
            } else {
                0
            };
            let mut slot_of_code = vec![0u32; counts.len()];
            for (rank, &code) in order.iter().enumerate() {
                slot_of_code[code] = if rank < own {
                    sparse_dim + rank as u32
                } else {
                    let h = fnv(&[c.levels[code].as_bytes()]) % hashed as u64;
                    sparse_dim + own as u32 + h as u32
                };
            }
            sparse_dim += own as u32 + hashed;
            categorical.push(CategoricalEnc { col, slot_of_code });
        }
        let mut text = Vec::new();
        if opts.include_text {
            for (col, t) in table.text.iter().enumerate() {
                if t.values.iter().any(|s| tokens(s).next().is_some()) {
                    text.push(col);
                }
            }
        }
        let bits = opts.text_bits.clamp(12, 20);
        let text_base = sparse_dim;
        if !text.is_empty() {
            sparse_dim += 1u32 << bits;
        }
        if dense_names.is_empty() && categorical.is_empty() && text.is_empty() {
            return Err(
                "no usable feature: every numeric column is constant or null, no \
                 categorical column has two values, and there is no non-empty text"
                    .to_string(),
            );
        }
        let mut enc = Encoder {
            numeric,
            categorical,
            text,
            text_base,
            text_mask: (1u64 << bits) - 1,
            idf: Vec::new(),
            dense_dim: dense_names.len(),
            sparse_dim: sparse_dim as usize,
            dense_names,
        };
        if !enc.text.is_empty() {
            enc.idf = enc.inverse_document_frequencies(table, 1usize << bits);
        }
        Ok(enc)
    }

    /// `ln((1 + n) / (1 + df)) + 1` per text bucket, `df` counted over every table row.
    fn inverse_document_frequencies(&self, table: &Table, buckets: usize) -> Vec<f32> {
        use rayon::prelude::*;
        let df = (0..table.len())
            .into_par_iter()
            .with_min_len(4096)
            .fold(
                || (vec![0u32; buckets], HashMap::new()),
                |(mut df, mut scratch), r| {
                    self.count_ngrams(table, r, &[], &mut scratch);
                    for &i in scratch.keys() {
                        df[(i - self.text_base) as usize] += 1;
                    }
                    (df, scratch)
                },
            )
            .map(|(df, _)| df)
            .reduce(
                || vec![0u32; buckets],
                |mut a, b| {
                    a.iter_mut().zip(b).for_each(|(x, y)| *x += y);
                    a
                },
            );
        let n = table.len() as f64;
        df.iter()
            .map(|&d| (((1.0 + n) / (1.0 + d as f64)).ln() + 1.0) as f32)
            .collect()
    }

    /// Width of the dense part.
    pub fn dense_dim(&self) -> usize {
        self.dense_dim
    }

    /// Width of the sparse part.
    pub fn sparse_dim(&self) -> usize {
        self.sparse_dim
    }

    /// Names of the dense columns (`x`, `x (missing)`), in order.
    pub fn dense_names(&self) -> &[String] {
        &self.dense_names
    }

    /// Sparse indices below this are categorical slots; from it on, text buckets.
    pub fn categorical_dim(&self) -> usize {
        self.text_base as usize
    }

    /// Whether any text column is encoded.
    pub fn has_text(&self) -> bool {
        !self.text.is_empty()
    }

    fn write_dense(&self, table: &Table, row: usize, out: &mut [f32]) {
        for e in &self.numeric {
            let v = table.numeric[e.col]
                .values
                .get(row)
                .copied()
                .unwrap_or(f64::NAN);
            let missing = !v.is_finite();
            if let Some(s) = e.slot {
                out[s] = if missing {
                    e.impute
                } else {
                    ((v - e.mean) / e.std).clamp(-CLIP as f64, CLIP as f64) as f32
                };
            }
            if let Some(s) = e.missing_slot {
                out[s] = if missing { 1.0 } else { 0.0 };
            }
        }
    }

    fn push_sparse(
        &self,
        table: &Table,
        row: usize,
        drop_tokens: &[&str],
        scratch: &mut HashMap<u32, f32>,
        indices: &mut Vec<u32>,
        values: &mut Vec<f32>,
    ) {
        for e in &self.categorical {
            let code = table.categorical[e.col]
                .codes
                .get(row)
                .copied()
                .unwrap_or(MISSING);
            if let Some(&slot) = e.slot_of_code.get(code as usize) {
                indices.push(slot);
                values.push(1.0);
            }
        }
        if self.text.is_empty() {
            return;
        }
        self.count_ngrams(table, row, drop_tokens, scratch);
        let mut entries: Vec<(u32, f32)> = scratch
            .iter()
            .map(|(&i, &c)| {
                let idf = self
                    .idf
                    .get((i - self.text_base) as usize)
                    .copied()
                    .unwrap_or(1.0);
                (i, (1.0 + c.ln()) * idf)
            })
            .collect();
        entries.sort_unstable_by_key(|e| e.0);
        let norm = entries.iter().map(|e| e.1 * e.1).sum::<f32>().sqrt();
        if norm > 0.0 {
            for (i, v) in entries {
                indices.push(i);
                values.push(v / norm);
            }
        }
    }

    /// Counts the row's hashed unigrams and bigrams (sparse index → count) into `scratch`,
    /// leaving out `drop_tokens` and the bigrams that hold one.
    fn count_ngrams(
        &self,
        table: &Table,
        row: usize,
        drop_tokens: &[&str],
        scratch: &mut HashMap<u32, f32>,
    ) {
        scratch.clear();
        for &col in &self.text {
            let Some(text) = table.text[col].values.get(row) else {
                continue;
            };
            let salt = (col as u32).to_le_bytes();
            let mut prev: Option<String> = None;
            for tok in tokens(text) {
                if drop_tokens.iter().any(|d| d.eq_ignore_ascii_case(&tok)) {
                    continue;
                }
                let h = fnv(&[&salt, tok.as_bytes()]);
                *scratch
                    .entry(self.text_base + (h & self.text_mask) as u32)
                    .or_insert(0.0) += 1.0;
                if let Some(p) = &prev {
                    let h = fnv(&[&salt, p.as_bytes(), tok.as_bytes()]);
                    *scratch
                        .entry(self.text_base + (h & self.text_mask) as u32)
                        .or_insert(0.0) += 1.0;
                }
                prev = Some(tok);
            }
        }
    }

    /// Encodes the given table rows (indices into the table, in order) as a [`Design`].
    pub fn transform(&self, table: &Table, rows: &[usize]) -> Design {
        use rayon::prelude::*;
        let dd = self.dense_dim;
        let mut dense = vec![0f32; rows.len() * dd];
        if dd > 0 {
            dense
                .par_chunks_mut(dd)
                .zip(rows.par_iter())
                .for_each(|(out, &r)| self.write_dense(table, r, out));
        }
        // Sparse parts per block of rows in parallel, then stitched in order.
        let blocks: Vec<(Vec<usize>, Vec<u32>, Vec<f32>)> = rows
            .par_chunks(4096)
            .map(|chunk| {
                let mut scratch = HashMap::new();
                let mut lens = Vec::with_capacity(chunk.len());
                let mut idx = Vec::new();
                let mut val = Vec::new();
                for &r in chunk {
                    let before = idx.len();
                    self.push_sparse(table, r, &[], &mut scratch, &mut idx, &mut val);
                    lens.push(idx.len() - before);
                }
                (lens, idx, val)
            })
            .collect();
        let nnz: usize = blocks.iter().map(|b| b.1.len()).sum();
        let mut indptr = Vec::with_capacity(rows.len() + 1);
        indptr.push(0);
        let mut indices = Vec::with_capacity(nnz);
        let mut values = Vec::with_capacity(nnz);
        for (lens, idx, val) in blocks {
            for l in lens {
                let last = indptr.last().copied().unwrap_or(0);
                indptr.push(last + l);
            }
            indices.extend(idx);
            values.extend(val);
        }
        Design {
            n: rows.len(),
            dense_dim: dd,
            sparse_dim: self.sparse_dim,
            dense,
            indptr,
            indices,
            values,
        }
    }

    /// Encodes one table row on its own, leaving out every occurrence of the tokens in
    /// `drop_tokens` (compared case-insensitively with the output of [`tokens`]) from its
    /// text, and every bigram that contains one of them. With an empty `drop_tokens` the
    /// result equals the row's line in [`Encoder::transform`].
    pub fn encode_row(&self, table: &Table, row: usize, drop_tokens: &[&str]) -> RowVector {
        let mut out = RowVector {
            dense: vec![0.0; self.dense_dim],
            ..Default::default()
        };
        if row < table.len() {
            self.write_dense(table, row, &mut out.dense);
            let mut scratch = HashMap::new();
            self.push_sparse(
                table,
                row,
                drop_tokens,
                &mut scratch,
                &mut out.indices,
                &mut out.values,
            );
        }
        out
    }
}

impl Design {
    /// A design of dense rows only (`values` row-major, `dim` per row), e.g. for tests
    /// or for features computed elsewhere.
    pub fn from_dense(values: Vec<f32>, dim: usize) -> Self {
        let n = values.len().checked_div(dim).unwrap_or(0);
        let mut dense = values;
        dense.truncate(n * dim);
        Design {
            n,
            dense_dim: dim,
            sparse_dim: 0,
            dense,
            indptr: vec![0; n + 1],
            indices: Vec::new(),
            values: Vec::new(),
        }
    }

    /// A design of sparse rows only (`rows[i]`: (column, value) pairs, columns below
    /// `dim`), e.g. for tests or for features computed elsewhere.
    pub fn from_sparse(rows: &[Vec<(u32, f32)>], dim: usize) -> Self {
        let mut indptr = vec![0];
        let (mut indices, mut values) = (Vec::new(), Vec::new());
        for row in rows {
            for &(i, v) in row.iter().filter(|(i, _)| (*i as usize) < dim) {
                indices.push(i);
                values.push(v);
            }
            indptr.push(indices.len());
        }
        Design {
            n: rows.len(),
            dense_dim: 0,
            sparse_dim: dim,
            dense: Vec::new(),
            indptr,
            indices,
            values,
        }
    }

    /// Row `i` (0-based in this design).
    ///
    /// # Panics
    /// When `i >= self.n` (rows are indexed by the caller's own row lists).
    pub fn row(&self, i: usize) -> RowView<'_> {
        let (a, b) = (self.indptr[i], self.indptr[i + 1]);
        RowView {
            dense: &self.dense[i * self.dense_dim..(i + 1) * self.dense_dim],
            indices: &self.indices[a..b],
            values: &self.values[a..b],
        }
    }

    /// Bytes held by the design (for memory reports).
    pub fn heap_bytes(&self) -> usize {
        self.dense.len() * 4
            + self.indptr.len() * 8
            + self.indices.len() * 4
            + self.values.len() * 4
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::table::{CategoricalColumn, Labels, NumericColumn, TextColumn};
    use std::path::PathBuf;

    /// A table from columns, for tests across the crate.
    pub(crate) fn table(
        numeric: Vec<(&str, Vec<f64>)>,
        categorical: Vec<(&str, Vec<u32>, Vec<&str>)>,
        text: Vec<(&str, Vec<&str>)>,
        labels: Option<(Vec<u32>, Vec<&str>)>,
    ) -> Table {
        let n = numeric
            .first()
            .map(|c| c.1.len())
            .or(categorical.first().map(|c| c.1.len()))
            .or(text.first().map(|c| c.1.len()))
            .or(labels.as_ref().map(|l| l.0.len()))
            .unwrap_or(0);
        Table {
            path: PathBuf::from("test.csv"),
            row_numbers: (0..n as u64).collect(),
            labels: labels.map(|(codes, classes)| Labels {
                name: "label".into(),
                codes,
                classes: classes.into_iter().map(String::from).collect(),
            }),
            numeric: numeric
                .into_iter()
                .map(|(name, values)| NumericColumn {
                    name: name.into(),
                    values,
                })
                .collect(),
            categorical: categorical
                .into_iter()
                .map(|(name, codes, levels)| CategoricalColumn {
                    name: name.into(),
                    codes,
                    levels: levels.into_iter().map(String::from).collect(),
                })
                .collect(),
            text: text
                .into_iter()
                .map(|(name, values)| TextColumn {
                    name: name.into(),
                    values: values.into_iter().map(String::from).collect(),
                })
                .collect(),
        }
    }

    #[test]
    fn numeric_is_standardised_with_missing_indicator() {
        let t = table(
            vec![
                ("x", vec![1.0, 2.0, 3.0, f64::NAN]),
                ("const", vec![5.0; 4]),
                ("null", vec![f64::NAN; 4]),
            ],
            vec![],
            vec![],
            None,
        );
        let e = Encoder::fit(&t, &FeatureOptions::default()).unwrap();
        assert_eq!(
            e.dense_names(),
            &["x".to_string(), "x (missing)".to_string()]
        );
        let d = e.transform(&t, &[0, 1, 2, 3]);
        let sd = (2.0f64 / 3.0).sqrt();
        assert!((d.row(0).dense[0] as f64 - (-1.0 / sd)).abs() < 1e-6);
        assert_eq!(d.row(1).dense, &[0.0, 0.0]); // the mean
        assert_eq!(d.row(3).dense, &[0.0, 1.0]); // median 2 = mean, missing flag
    }

    #[test]
    fn nothing_usable_is_an_error() {
        let t = table(
            vec![("const", vec![5.0; 4]), ("null", vec![f64::NAN; 4])],
            vec![("c", vec![0, 0, 0, 0], vec!["a"])],
            vec![("t", vec!["", " ", "", "!"])],
            None,
        );
        let err = Encoder::fit(&t, &FeatureOptions::default()).unwrap_err();
        assert!(err.contains("no usable feature"), "{err}");
    }

    #[test]
    fn categorical_one_hot_with_hashed_tail() {
        let codes: Vec<u32> = vec![0, 0, 0, 1, 1, 2, 3, MISSING];
        let t = table(
            vec![],
            vec![("c", codes, vec!["a", "b", "c", "d"])],
            vec![],
            None,
        );
        let opts = FeatureOptions {
            max_levels: 2,
            hashed_levels: 3,
            ..Default::default()
        };
        let e = Encoder::fit(&t, &opts).unwrap();
        assert_eq!(e.sparse_dim(), 5);
        let d = e.transform(&t, &(0..8).collect::<Vec<_>>());
        assert_eq!(d.row(0).indices, &[0]);
        assert_eq!(d.row(3).indices, &[1]);
        assert!(d.row(5).indices[0] >= 2 && d.row(6).indices[0] >= 2);
        assert!(d.row(7).indices.is_empty());
    }

    #[test]
    fn text_is_hashed_normalised_and_tokens_can_be_dropped() {
        let t = table(
            vec![],
            vec![],
            vec![("t", vec!["Good film good", "bad film cf", ""])],
            None,
        );
        let e = Encoder::fit(&t, &FeatureOptions::default()).unwrap();
        let d = e.transform(&t, &[0, 1, 2]);
        let r = d.row(0);
        // unigrams good, film + bigrams "good film", "film good"
        assert_eq!(r.indices.len(), 4);
        let norm: f32 = r.values.iter().map(|v| v * v).sum();
        assert!((norm - 1.0).abs() < 1e-5);
        // weighted like TfidfVectorizer(sublinear_tf): "good" twice in 1 of 3 rows is the
        // heaviest, "film" once in 2 of 3 rows the lightest
        let idf = |df: f32| (4.0 / (1.0 + df)).ln() + 1.0;
        let max = r.values.iter().copied().fold(0.0, f32::max);
        let min = r.values.iter().copied().fold(f32::INFINITY, f32::min);
        let expected = (1.0 + 2f32.ln()) * idf(1.0) / idf(2.0);
        assert!(
            (max / min - expected).abs() < 1e-4,
            "{max} / {min} vs {expected}"
        );
        assert!(d.row(2).indices.is_empty());
        let full = e.encode_row(&t, 1, &[]);
        assert_eq!(full.indices, d.row(1).indices);
        let dropped = e.encode_row(&t, 1, &["CF"]);
        // bad, film, "bad film" remain; cf and "film cf" are gone
        assert_eq!(dropped.indices.len(), 3);
        assert_eq!(full.indices.len(), 5);
    }
}
