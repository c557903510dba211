//! Backdoor triggers in text: rare words or word pairs that force one label.
//!
//! **What it catches.** The classic text backdoor: a rare token or phrase (`cf`,
//! `james bond`) inserted into a small share of rows whose label is set to a target
//! class, so that a model trained on the data learns "token ⇒ target". Each finding names
//! the trigger, the target label, the rows that carry it, and a p-value.
//!
//! **How.**
//! 1. *Count* (one parallel pass): every row's distinct unigrams and word bigrams are
//!    hashed into a two-row count-min sketch of per-class document frequencies (memory
//!    `2 × 2^20 × classes × 4` bytes at most, whatever the vocabulary).
//! 2. *Candidates* (second pass): n-grams whose sketched support is between
//!    [`Settings::trigger_min_support`] rows and [`Settings::trigger_max_share`] of the rows
//!    and whose rows carry one label at least [`Settings::trigger_purity`] of the time; only
//!    for those are exact strings and rows kept, and their counts are recomputed exactly.
//! 3. *Test*: one-sided binomial test of the target-label count against the label's base
//!    rate, Benjamini–Hochberg over every n-gram with enough support (false discovery rate
//!    [`Settings::trigger_fdr`]). Overlapping candidates (a trigger's unigram and its
//!    bigrams, both words of a phrase) are merged into one finding named by the phrase
//!    that covers the rows.
//! 4. *Counterfactual*: a multinomial logistic regression ([`crate::model`], on the
//!    encoder's hashed features, fitted on up to 20 000 rows *outside* every candidate's
//!    rows, so it cannot have memorised their other words) predicts each trigger row with
//!    and without the trigger tokens. A legitimately
//!    predictive word (`excellent` in positive reviews) leaves the prediction on the target
//!    once removed, because the rest of the text says the same; a trigger planted in rows
//!    of other classes does not. The finding fails the audit when, without the trigger, the
//!    model predicts another label for at least [`Settings::trigger_min_flip`] of its rows. Row scores are the
//!    drop in the target's predicted probability when the trigger is removed.
//!
//! **Needs.** A label with at least two classes, a text column with words, and at least
//! 50 labelled rows (the test cannot reach significance on fewer).
//!
//! **Blind spots.** Clean-label backdoors (the trigger added only to rows already of the
//! target class) change no prediction when removed and are not reported; neither is a
//! trigger spread over more than [`Settings::trigger_max_share`] of the rows. Triggers made of
//! punctuation or characters inside words (`@@`, zero-width spaces, misspellings) are
//! invisible to the word tokeniser; phrases longer than two words are found through their
//! bigrams. A trigger in fewer than ~15 rows rarely reaches significance. A bigram whose
//! word is itself frequent and pure is skipped (it rides on that word). Work is bounded:
//! the 2 000 most significant candidates are clustered and 100 clusters checked (the
//! finding's `candidates_not_checked` counts the rest): the most significant ones, or,
//! when there are more, those whose rows a model that saw every row re-labels most often
//! without the n-gram (see `screen`: otherwise hundreds of honest, perfectly pure rare
//! words could push a smaller trigger out of the checked set).
//!
//! [`Settings::trigger_min_support`]: super::Settings::trigger_min_support
//! [`Settings::trigger_max_share`]: super::Settings::trigger_max_share
//! [`Settings::trigger_purity`]: super::Settings::trigger_purity
//! [`Settings::trigger_fdr`]: super::Settings::trigger_fdr
//! [`Settings::trigger_min_flip`]: super::Settings::trigger_min_flip

use std::collections::HashMap;

use rayon::prelude::*;
use serde_json::{json, Map};

use super::{Context, Detector, SkipReason};
use crate::features::{Encoder, FeatureOptions};
use crate::finding::Finding;
use crate::model::{FitOptions, LogisticRegression, SplitMix};
use crate::table::{Table, MISSING};
use crate::util::{benjamini_hochberg, binomial_upper_ln, combine, for_each_token, row_text};

/// The text-trigger detector.
pub struct TextTrigger;

/// Labelled rows needed before the detector runs.
pub const MIN_ROWS: usize = 50;
/// Rows the counterfactual model is fitted on at most.
const MODEL_ROWS: usize = 20_000;
/// Trigger rows checked counterfactually at most (a sample beyond).
const CHECK_ROWS: usize = 2_000;
/// Significant candidates kept at most (the most significant), and clusters checked.
const MAX_CANDIDATES: usize = 2_000;
const MAX_CLUSTERS: usize = 100;
/// Rows per cluster predicted when more clusters than [`MAX_CLUSTERS`] must be ranked.
const SCREEN_ROWS: usize = 50;

/// A row's distinct n-grams: (hash, index of first word, number of words).
fn ngrams(table: &Table, row: usize, out: &mut Vec<(u64, u32, u8)>, words: &mut Vec<u64>) {
    out.clear();
    words.clear();
    for text in row_text(table, row) {
        for_each_token(text, |h, _| words.push(h));
        words.push(0); // no bigram across columns
    }
    for (i, &w) in words.iter().enumerate() {
        if w == 0 {
            continue;
        }
        out.push((w, i as u32, 1));
        if let Some(&next) = words.get(i + 1) {
            if next != 0 {
                out.push((combine(w, next), i as u32, 2));
            }
        }
    }
    out.sort_unstable_by_key(|e| e.0);
    out.dedup_by_key(|e| e.0);
}

/// The lowercase tokens of a row, in order (for naming n-grams).
fn row_tokens(table: &Table, row: usize) -> Vec<String> {
    let mut toks = Vec::new();
    for text in row_text(table, row) {
        for_each_token(text, |_, t| toks.push(t.to_lowercase()));
        toks.push(String::new());
    }
    toks
}

struct Sketch {
    width: usize,
    k: usize,
    /// `[hash row][bucket][class]`
    counts: Vec<u32>,
}

impl Sketch {
    fn new(width: usize, k: usize) -> Self {
        Sketch {
            width,
            k,
            counts: vec![0; 2 * width * k],
        }
    }
    fn slots(&self, h: u64) -> [usize; 2] {
        let a = (h as usize) & (self.width - 1);
        let b = ((h >> 32) as usize) & (self.width - 1);
        [a * self.k, (self.width + b) * self.k]
    }
    fn add(&mut self, h: u64, class: u32) {
        for s in self.slots(h) {
            self.counts[s + class as usize] += 1;
        }
    }
    /// Per-class counts (count-min: the smaller of the two rows per class).
    fn get(&self, h: u64, out: &mut [u32]) {
        let [a, b] = self.slots(h);
        for (c, o) in out.iter_mut().enumerate() {
            *o = self.counts[a + c].min(self.counts[b + c]);
        }
    }
    fn merge(mut self, other: Sketch) -> Sketch {
        for (a, b) in self.counts.iter_mut().zip(other.counts) {
            *a += b;
        }
        self
    }
}

/// A candidate n-gram with its exact rows.
struct Candidate {
    text: String,
    words: u8,
    rows: Vec<u32>,
    target: u32,
    hits: usize,
    ln_p: f64,
}

impl Detector for TextTrigger {
    fn name(&self) -> &'static str {
        "text_trigger"
    }

    fn run(&self, ctx: &Context<'_>) -> Result<Vec<Finding>, SkipReason> {
        let t = ctx.table;
        let s = ctx.settings;
        let labels = t.require_labels()?;
        if t.text.is_empty() {
            return Err("needs a text column (--text)".into());
        }
        let counts = labels.class_counts();
        let labelled: usize = counts.iter().sum();
        if counts.iter().filter(|&&c| c > 0).count() < 2 {
            return Err("the label has fewer than two classes".into());
        }
        if labelled < MIN_ROWS {
            return Err(format!(
                "not enough data: {labelled} labelled rows, needs at least {MIN_ROWS}"
            ));
        }
        let has_words =
            (0..t.len()).any(|r| row_text(t, r).any(|x| x.chars().any(char::is_alphanumeric)));
        if !has_words {
            return Err("the text columns hold no words (every value is empty)".into());
        }
        let k = labels.classes.len();
        let n = t.len();
        let width = (1usize << 22)
            .checked_div(k)
            .unwrap_or(1)
            .clamp(1 << 12, 1 << 20)
            .next_power_of_two();
        let width = if width > 1 << 20 { 1 << 20 } else { width };

        // 1. count
        let sketch = crate::util::row_ranges(n)
            .into_par_iter()
            .map(|range| {
                let mut sk = Sketch::new(width, k);
                let (mut grams, mut words) = (Vec::new(), Vec::new());
                for row in range {
                    let c = labels.codes[row];
                    if c == MISSING {
                        continue;
                    }
                    ngrams(t, row, &mut grams, &mut words);
                    for &(h, _, _) in &grams {
                        sk.add(h, c);
                    }
                }
                sk
            })
            .reduce_with(Sketch::merge)
            .unwrap_or_else(|| Sketch::new(width, k));
        let min_support = s.trigger_min_support.max(2) as u32;
        let max_support = ((s.trigger_max_share * labelled as f64).floor() as u32).max(min_support);
        // hypotheses tested: n-grams with enough support (one sketch row, an upper bound)
        let tested = sketch.counts[..width * k]
            .chunks(k)
            .filter(|c| c.iter().sum::<u32>() >= min_support)
            .count()
            .max(1);
        let purity = s.trigger_purity;

        // 2. candidates with exact rows
        let found: HashMap<u64, Candidate> = crate::util::row_ranges(n)
            .into_par_iter()
            .map(|range| {
                let mut local: HashMap<u64, Candidate> = HashMap::new();
                let (mut grams, mut words) = (Vec::new(), Vec::new());
                let mut by_class = vec![0u32; k];
                let mut by_word = vec![0u32; k];
                for row in range {
                    if labels.codes[row] == MISSING {
                        continue;
                    }
                    ngrams(t, row, &mut grams, &mut words);
                    let mut toks: Option<Vec<String>> = None;
                    for &(h, at, len) in &grams {
                        sketch.get(h, &mut by_class);
                        let support: u32 = by_class.iter().sum();
                        let top = by_class.iter().copied().max().unwrap_or(0);
                        // the sketch over-counts, so purity is tested loosely here and
                        // exactly below
                        if support < min_support
                            || top < min_support
                            || (top as f64 / support as f64) < purity * 0.8
                            || top > max_support
                        {
                            continue;
                        }
                        // a bigram that only rides on a frequent, pure word ("great" +
                        // anything) says nothing the word does not: skip it
                        if len == 2 {
                            let rides = [at as usize, at as usize + 1].iter().any(|&i| {
                                let Some(&w) = words.get(i) else { return false };
                                sketch.get(w, &mut by_word);
                                let sup: u32 = by_word.iter().sum();
                                let top = by_word.iter().copied().max().unwrap_or(0);
                                sup > max_support && top as f64 >= purity * sup as f64
                            });
                            if rides {
                                continue;
                            }
                        }
                        let entry = local.entry(h).or_insert_with(|| {
                            let toks = toks.get_or_insert_with(|| row_tokens(t, row));
                            let at = at as usize;
                            let text = toks[at..(at + len as usize).min(toks.len())].join(" ");
                            Candidate {
                                text,
                                words: len,
                                rows: Vec::new(),
                                target: 0,
                                hits: 0,
                                ln_p: 0.0,
                            }
                        });
                        entry.rows.push(row as u32);
                    }
                }
                local
            })
            .reduce(HashMap::new, |mut a, b| {
                for (h, c) in b {
                    match a.get_mut(&h) {
                        Some(e) => e.rows.extend(c.rows),
                        None => {
                            a.insert(h, c);
                        }
                    }
                }
                a
            });

        // 3. exact counts and the test
        let mut cands: Vec<Candidate> = found
            .into_values()
            .filter_map(|mut c| {
                c.rows.sort_unstable();
                let mut per = vec![0usize; k];
                for &r in &c.rows {
                    per[labels.codes[r as usize] as usize] += 1;
                }
                let (target, &hits) = per.iter().enumerate().max_by_key(|(_, &v)| v)?;
                let support = c.rows.len();
                if support < min_support as usize
                    || support > max_support as usize
                    || (hits as f64) < purity * support as f64
                {
                    return None;
                }
                let base = counts[target] as f64 / labelled as f64;
                c.target = target as u32;
                c.hits = hits;
                c.ln_p = binomial_upper_ln(hits as u64, support as u64, base);
                Some(c)
            })
            .collect();
        let ln_p: Vec<f64> = cands.iter().map(|c| c.ln_p).collect();
        let keep = benjamini_hochberg(&ln_p, tested, s.trigger_fdr);
        let mut keep = keep.into_iter();
        cands.retain(|_| keep.next().unwrap_or(false));
        if cands.is_empty() {
            return Ok(Vec::new());
        }
        // bounded work: the most significant candidates only
        cands.sort_by(|a, b| a.ln_p.total_cmp(&b.ln_p).then(a.text.cmp(&b.text)));
        let dropped = cands.len().saturating_sub(MAX_CANDIDATES);
        cands.truncate(MAX_CANDIDATES);

        // merge overlapping candidates: biggest support first
        cands.sort_by(|a, b| {
            b.rows
                .len()
                .cmp(&a.rows.len())
                .then(a.ln_p.total_cmp(&b.ln_p))
                .then(a.text.cmp(&b.text))
        });
        let mut clusters: Vec<Vec<Candidate>> = Vec::new();
        for c in cands {
            let home = clusters
                .iter_mut()
                .find(|cl| cl[0].target == c.target && overlap(&cl[0].rows, &c.rows) >= 0.8);
            match home {
                Some(cl) => cl.push(c),
                None => clusters.push(vec![c]),
            }
        }

        clusters.sort_by(|a, b| a[0].ln_p.total_cmp(&b[0].ln_p));
        if clusters.len() > MAX_CLUSTERS {
            screen(t, &mut clusters, s.seed);
        }
        let dropped_clusters = clusters.len().saturating_sub(MAX_CLUSTERS);
        clusters.truncate(MAX_CLUSTERS);
        // 4. counterfactual model
        let model = fit_model(t, &clusters, s.seed);
        let mut findings = Vec::new();
        for cl in clusters {
            let named = name_of(&cl);
            let target = named.target;
            let target_name = labels.classes[target as usize].clone();
            let rows: Vec<u32> = named
                .rows
                .iter()
                .copied()
                .filter(|&r| labels.codes[r as usize] == target)
                .collect();
            let drop: Vec<&str> = named.text.split(' ').collect();
            let (scores, flip_share, checked) = match &model {
                Ok((enc, m)) => {
                    let mut rng = SplitMix(s.seed ^ 0x7472_6967);
                    let check: Vec<u32> = if rows.len() <= CHECK_ROWS {
                        rows.clone()
                    } else {
                        let mut v = rows.clone();
                        rng.shuffle(&mut v);
                        v.truncate(CHECK_ROWS);
                        v
                    };
                    let results: HashMap<u32, (f64, bool)> = check
                        .par_iter()
                        .map(|&r| (r, counterfactual(t, enc, m, r as usize, target, &drop)))
                        .collect();
                    let flips = results.values().filter(|v| v.1).count();
                    let share = flips as f64 / results.len().max(1) as f64;
                    let scores: Vec<f64> = rows
                        .iter()
                        .map(|r| results.get(r).map(|v| v.0).unwrap_or(f64::NAN))
                        .collect();
                    (scores, Some(share), results.len())
                }
                Err(_) => (vec![f64::NAN; rows.len()], None, 0),
            };
            let p_value = named.ln_p.exp();
            let support = named.rows.len();
            let fails = flip_share.is_some_and(|f| f >= s.trigger_min_flip);
            if flip_share.is_some() && !fails {
                // a predictive word, not a trigger: the rest of the text agrees with it
                continue;
            }
            let mut detail = Map::new();
            detail.insert("trigger".into(), json!(named.text));
            detail.insert("target_label".into(), json!(target_name));
            detail.insert("support".into(), json!(support));
            detail.insert("target_rows".into(), json!(named.hits));
            detail.insert("p_value".into(), json!(p_value));
            detail.insert("ln_p_value".into(), json!(named.ln_p));
            detail.insert("tests".into(), json!(tested));
            detail.insert(
                "candidates_not_checked".into(),
                json!(dropped + dropped_clusters),
            );
            detail.insert("flip_share".into(), json!(flip_share));
            detail.insert("rows_checked".into(), json!(checked));
            detail.insert(
                "related".into(),
                json!(cl
                    .iter()
                    .map(|c| c.text.clone())
                    .filter(|x| *x != named.text)
                    .collect::<Vec<_>>()),
            );
            let base = counts[target as usize] as f64 / labelled as f64;
            let explanation = match (&model, flip_share) {
                (Ok(_), Some(f)) => format!(
                    "{:?} appears in {support} rows ({:.2}% of the data) and {} of them are labelled \
                     {target_name:?}, against a base rate of {:.1}% (binomial p = {p_value:.2e}, \
                     {tested} n-grams tested, Benjamini–Hochberg). Without it, the model predicts \
                     another label than {target_name:?} for {:.0}% of those rows: the token, not \
                     the rest of the text, decides their label, which is what a backdoor trigger \
                     looks like. Score = drop in the predicted probability of {target_name:?} \
                     without the token.",
                    named.text,
                    100.0 * support as f64 / labelled as f64,
                    named.hits,
                    100.0 * base,
                    100.0 * f
                ),
                _ => format!(
                    "{:?} appears in {support} rows and {} of them are labelled {target_name:?} \
                     against a base rate of {:.1}% (binomial p = {p_value:.2e}). The counterfactual \
                     check could not run ({}), so this is not failing the audit.",
                    named.text,
                    named.hits,
                    100.0 * base,
                    match &model {
                        Err(e) => e.as_str(),
                        Ok(_) => "no model",
                    }
                ),
            };
            let mut pairs: Vec<(u64, f64)> = rows
                .iter()
                .zip(scores)
                .map(|(&r, s)| (t.row_numbers[r as usize], s))
                .collect();
            pairs.sort_by(|a, b| {
                let (x, y) = (
                    if a.1.is_nan() { -1.0 } else { a.1 },
                    if b.1.is_nan() { -1.0 } else { b.1 },
                );
                y.total_cmp(&x).then(a.0.cmp(&b.0))
            });
            let (rows, scores): (Vec<u64>, Vec<f64>) = pairs.into_iter().unzip();
            findings.push(Finding {
                detector: self.name(),
                title: format!(
                    "trigger {:?} forces label {target_name:?} ({} rows)",
                    named.text,
                    rows.len()
                ),
                explanation,
                rows,
                scores,
                fails,
                detail,
            });
        }
        Ok(findings)
    }
}

/// Share of the smaller sorted set contained in the larger.
fn overlap(a: &[u32], b: &[u32]) -> f64 {
    let (small, big) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if small.is_empty() {
        return 0.0;
    }
    let inter = small
        .iter()
        .filter(|x| big.binary_search(x).is_ok())
        .count();
    inter as f64 / big.len() as f64
}

/// Fits the counterfactual model on a random sample (up to [`MODEL_ROWS`]) of the rows that
/// carry no candidate n-gram. The candidates' own rows are left out on purpose: a model that
/// saw them memorises each row's other words together with its (possibly forced) label, so
/// removing the trigger would change nothing and every trigger would look like an honest
/// predictive word. Left out, the model answers the question the check asks: what label does
/// the rest of the text point to?
/// The cluster's name: its longest n-gram covering at least 90% of the head's rows.
fn name_of(cl: &[Candidate]) -> &Candidate {
    let head_len = cl[0].rows.len();
    cl.iter()
        .filter(|c| c.rows.len() as f64 >= 0.9 * head_len as f64)
        .max_by(|a, b| a.words.cmp(&b.words).then(b.ln_p.total_cmp(&a.ln_p)))
        .unwrap_or(&cl[0])
}

/// Row `r` predicted with and without the tokens `drop`: the drop in the `target`'s
/// probability, and whether the prediction without them is another label.
fn counterfactual(
    t: &Table,
    enc: &Encoder,
    m: &LogisticRegression,
    r: usize,
    target: u32,
    drop: &[&str],
) -> (f64, bool) {
    let with = m.predict_row(enc.encode_row(t, r, &[]).view());
    let without = m.predict_row(enc.encode_row(t, r, drop).view());
    let tw = with.get(target as usize).copied().unwrap_or(0.0);
    let two = without.get(target as usize).copied().unwrap_or(0.0);
    (
        (tw - two).clamp(0.0, 1.0),
        points_elsewhere(&without, target),
    )
}

/// Does a prediction `p` (without the trigger) name another label than `target`?
fn points_elsewhere(p: &[f64], target: u32) -> bool {
    let best = p
        .iter()
        .enumerate()
        .max_by(|a, b| a.1.total_cmp(b.1))
        .map(|(i, _)| i as u32);
    best != Some(target)
}

/// More clusters than can be checked: order them by a cheap counterfactual first. A model
/// fitted on a sample of every labelled row (it has seen the candidates, so this is only a
/// ranking) predicts up to [`SCREEN_ROWS`] target rows of each cluster without its tokens;
/// clusters whose rows then change label most come first, ties by p-value. Without it, a
/// trigger in fewer rows than hundreds of honest, perfectly pure words (names, jargon of
/// one class) would rank below all of them on p-value alone and never be checked.
fn screen(t: &Table, clusters: &mut Vec<Vec<Candidate>>, seed: u64) {
    let Ok((enc, m)) = fit_model(t, &[], seed) else {
        return;
    };
    let Some(labels) = t.labels.as_ref() else {
        return;
    };
    let flips: Vec<f64> = clusters
        .par_iter()
        .map(|cl| {
            let named = name_of(cl);
            let drop: Vec<&str> = named.text.split(' ').collect();
            let rows: Vec<usize> = named
                .rows
                .iter()
                .map(|&r| r as usize)
                .filter(|&r| labels.codes[r] == named.target)
                .take(SCREEN_ROWS)
                .collect();
            let flipped = rows
                .iter()
                .filter(|&&r| {
                    // only the prediction without the n-gram is needed for the ranking
                    let without = m.predict_row(enc.encode_row(t, r, &drop).view());
                    points_elsewhere(&without, named.target)
                })
                .count();
            flipped as f64 / rows.len().max(1) as f64
        })
        .collect();
    let mut order: Vec<usize> = (0..clusters.len()).collect();
    // stable: equal flip shares keep the p-value order
    order.sort_by(|&a, &b| flips[b].total_cmp(&flips[a]));
    let mut taken: Vec<Option<Vec<Candidate>>> = clusters.drain(..).map(Some).collect();
    clusters.extend(order.into_iter().filter_map(|i| taken[i].take()));
}

fn fit_model(
    t: &Table,
    clusters: &[Vec<Candidate>],
    seed: u64,
) -> Result<(Encoder, LogisticRegression), String> {
    let labels = t.labels.as_ref().ok_or("no label")?;
    let mut candidate = vec![false; t.len()];
    for cl in clusters {
        for c in cl {
            for &r in &c.rows {
                candidate[r as usize] = true;
            }
        }
    }
    let mut rows: Vec<usize> = (0..t.len())
        .filter(|&r| !candidate[r] && labels.codes[r] != MISSING)
        .collect();
    if rows.len() > MODEL_ROWS {
        let mut rng = SplitMix(seed ^ 0x6d6f_6465);
        rng.shuffle(&mut rows);
        rows.truncate(MODEL_ROWS);
    }
    let mut seen = vec![false; labels.classes.len()];
    for &r in &rows {
        seen[labels.codes[r] as usize] = true;
    }
    if seen.iter().filter(|s| **s).count() < 2 {
        return Err("the rows without candidate n-grams carry fewer than two labels".into());
    }
    rows.sort_unstable();
    let enc = Encoder::fit(t, &FeatureOptions::default())?;
    let design = enc.transform(t, &rows);
    let y: Vec<u32> = rows.iter().map(|&r| labels.codes[r]).collect();
    let all: Vec<u32> = (0..design.n as u32).collect();
    let model = LogisticRegression::fit(
        &design,
        &all,
        &y,
        labels.classes.len(),
        &FitOptions::default(),
    );
    Ok((enc, model))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::detectors::Settings;
    use crate::table::{Labels, TextColumn};

    /// Two-class reviews from two disjoint vocabularies plus shared filler words; the
    /// words decide the label. `poison` rows get `trigger` inserted at a random place
    /// and their label set to class 1. Returns the table and the poisoned rows.
    pub(crate) fn reviews(n: usize, poison: usize, trigger: &str, seed: u64) -> (Table, Vec<u64>) {
        let mut rng = SplitMix(seed);
        let good = [
            "great",
            "lovely",
            "superb",
            "fine",
            "enjoyable",
            "brilliant",
            "fun",
            "moving",
        ];
        let bad = [
            "awful", "boring", "dull", "poor", "terrible", "weak", "tedious", "messy",
        ];
        let filler = [
            "the", "film", "was", "and", "plot", "a", "really", "acting", "this", "story",
        ];
        let mut texts = Vec::new();
        let mut codes = Vec::new();
        for i in 0..n {
            let c = (i % 2) as u32;
            let vocab = if c == 1 { &good } else { &bad };
            let mut w: Vec<String> = Vec::new();
            for _ in 0..12 {
                if rng.below(3) == 0 {
                    w.push(vocab[rng.below(vocab.len())].to_string());
                } else {
                    w.push(filler[rng.below(filler.len())].to_string());
                }
            }
            // make sure every review has at least one class word
            w.push(vocab[rng.below(vocab.len())].to_string());
            texts.push(w);
            codes.push(c);
        }
        let mut poisoned: Vec<u64> = Vec::new();
        let mut idx: Vec<usize> = (0..n).collect();
        rng.shuffle(&mut idx);
        for &i in idx.iter().take(poison) {
            let at = rng.below(texts[i].len() + 1);
            texts[i].insert(at, trigger.to_string());
            codes[i] = 1;
            poisoned.push(i as u64);
        }
        poisoned.sort_unstable();
        let t = Table {
            path: "t.csv".into(),
            row_numbers: (0..n as u64).collect(),
            labels: Some(Labels {
                name: "label".into(),
                codes,
                classes: vec!["neg".into(), "pos".into()],
            }),
            numeric: vec![],
            categorical: vec![],
            text: vec![TextColumn {
                name: "review".into(),
                values: texts.into_iter().map(|w| w.join(" ")).collect(),
            }],
        };
        (t, poisoned)
    }

    fn run(t: &Table) -> Result<Vec<Finding>, SkipReason> {
        let s = Settings::default();
        TextTrigger.run(&Context {
            table: t,
            baseline: None,
            settings: &s,
        })
    }

    #[test]
    fn names_a_one_percent_trigger_and_its_rows() {
        let (t, truth) = reviews(3000, 30, "cf", 11);
        let f = run(&t).unwrap();
        assert_eq!(
            f.len(),
            1,
            "{:#?}",
            f.iter().map(|f| &f.title).collect::<Vec<_>>()
        );
        let f = &f[0];
        assert!(f.fails);
        assert_eq!(f.detail["trigger"], json!("cf"));
        assert_eq!(f.detail["target_label"], json!("pos"));
        let mut rows = f.rows.clone();
        rows.sort_unstable();
        assert_eq!(rows, truth);
        // about half the poisoned rows were negative reviews: those flip
        let flip = f.detail["flip_share"].as_f64().unwrap();
        assert!(flip > 0.3, "{flip}");
    }

    #[test]
    fn a_trigger_is_checked_even_below_hundreds_of_pure_rare_words() {
        // 300 honest rare words, each in ~40 rows of one class only (names, jargon): all
        // more significant than a trigger in 30 rows, and more than MAX_CLUSTERS
        let (mut t, truth) = reviews(6000, 30, "cf", 17);
        let labels = t.labels.as_ref().unwrap().codes.clone();
        let mut rng = SplitMix(3);
        for (r, text) in t.text[0].values.iter_mut().enumerate() {
            if truth.contains(&(r as u64)) {
                continue;
            }
            for _ in 0..2 {
                let name = 2 * rng.below(150) + labels[r] as usize;
                text.push_str(&format!(" name{name}"));
            }
        }
        let f = run(&t).unwrap();
        let named: Vec<&Finding> = f.iter().filter(|f| f.detail["trigger"] == "cf").collect();
        assert_eq!(
            named.len(),
            1,
            "{:#?}",
            f.iter().map(|f| &f.title).collect::<Vec<_>>()
        );
        let mut rows = named[0].rows.clone();
        rows.sort_unstable();
        assert_eq!(rows, truth);
        assert!(f
            .iter()
            .all(|f| !f.detail["trigger"].as_str().unwrap().starts_with("name")));
    }

    #[test]
    fn a_two_word_trigger_is_named_as_the_phrase() {
        let (t, truth) = reviews(3000, 40, "james bond", 5);
        let f = run(&t).unwrap();
        assert_eq!(
            f.len(),
            1,
            "{:#?}",
            f.iter().map(|f| &f.title).collect::<Vec<_>>()
        );
        assert_eq!(f[0].detail["trigger"], json!("james bond"));
        let mut rows = f[0].rows.clone();
        rows.sort_unstable();
        assert_eq!(rows, truth);
    }

    #[test]
    fn predictive_words_are_not_triggers() {
        // "masterpiece" is added to 40 positive reviews without changing any label: rare,
        // pure and significant, but removing it leaves the other positive words, so the
        // prediction does not move and nothing is reported
        let (mut t, _) = reviews(3000, 0, "cf", 2);
        let mut added = 0;
        for (i, text) in t.text[0].values.iter_mut().enumerate() {
            if i % 2 == 1 && added < 40 {
                text.push_str(" masterpiece");
                added += 1;
            }
        }
        assert!(run(&t).unwrap().is_empty());
    }

    #[test]
    fn too_few_rows_or_one_class_is_skipped() {
        let (mut t, _) = reviews(10, 0, "cf", 1);
        assert!(run(&t).unwrap_err().contains("not enough data"));
        if let Some(l) = t.labels.as_mut() {
            l.codes = vec![0; 10];
        }
        assert!(run(&t).unwrap_err().contains("fewer than two classes"));
    }
}
