//! The scanner: one combined multi-pattern pass over a text.

use std::sync::OnceLock;

use regex_automata::meta::Regex;
use regex_automata::{Anchored, Input, MatchKind, PatternID, PatternSet};
use serde::Serialize;

use crate::detectors::{self, Candidate, Detector, Hit, CONTEXT_BOOST};
use crate::entity::Entity;

/// Half the bytes before a match searched for context words (at most).
const CONTEXT_BEFORE: usize = 48;
/// How many bytes after a match are searched for context words (at most).
const CONTEXT_AFTER: usize = 20;

/// One piece of personal data or one secret found in a text.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    /// What was found.
    pub entity: Entity,
    /// The detector that found it.
    pub detector: &'static str,
    /// Start, in characters (Unicode scalar values) from the start of the text.
    pub start: usize,
    /// End (exclusive), in characters.
    pub end: usize,
    /// Start, in bytes of the UTF-8 text.
    pub byte_start: usize,
    /// End (exclusive), in bytes.
    pub byte_end: usize,
    /// Confidence in 0..=1 after context words.
    pub confidence: f32,
    /// Which validation passed (`luhn+iin`, `mod97`, `libphonenumber`, …).
    pub validation: &'static str,
    /// True when a context word raised the confidence.
    pub context: bool,
}

/// Options for a scan.
#[derive(Debug, Clone)]
pub struct ScanOptions {
    /// Findings below this confidence are dropped (default 0.5).
    pub min_confidence: f32,
    /// Only report these entities (all when `None`).
    pub entities: Option<Vec<Entity>>,
}

impl Default for ScanOptions {
    fn default() -> Self {
        ScanOptions {
            min_confidence: 0.5,
            entities: None,
        }
    }
}

/// Errors building a scanner.
#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    /// A detector pattern does not compile (a bug in a detector).
    #[error("detector patterns do not compile: {0}")]
    Pattern(String),
}

/// Which automaton a detector's patterns join. Detectors whose patterns share
/// alphabets and counted repetitions blow up a combined lazy DFA (measured: all
/// 27 patterns in one automaton scanned 2.7 MB/s, these four groups together
/// well over 20x that), so patterns are combined per group:
///
/// 0. tokens with literal prefixes (`-----BEGIN`, `eyJ`, `AKIA`, `ghp_`, `xox`, …):
///    the automaton gets a literal prefilter and runs only near them;
/// 1. secrets in context (`aws_secret… =`, `password:`, `scheme://user:pass@`);
/// 2. e-mail;
/// 3. numbers and addresses (IBAN, MAC, IP, dates, SSN, cards, phones).
fn group_of(detector: &str) -> usize {
    match detector {
        "private_key" | "jwt" | "aws_access_key" | "github_token" | "gitlab_token"
        | "slack_token" | "stripe_key" | "openai_key" => 0,
        "aws_secret_key" | "generic_secret" | "url_credentials" => 1,
        "email" => 2,
        _ => 3,
    }
}

const GROUPS: usize = 4;

/// One group's patterns compiled into one multi-pattern automaton.
#[derive(Debug)]
struct Group {
    first: Regex,
    all: Regex,
    /// Pattern id → index into [`detectors::ALL`].
    owner: Vec<usize>,
}

/// The detectors' patterns compiled into a few multi-pattern automata.
///
/// Within a group the search is leftmost-first over all its patterns at once.
/// When the winning pattern's validator rejects its candidate, the group's
/// other patterns that also match at that position are tried (found with one
/// anchored overlapping search) before moving on, so a failed lookalike never
/// hides a real value starting at the same place. The groups' hits are then
/// merged: earliest start first, ties to the earlier group, no overlaps.
#[derive(Debug)]
pub struct Scanner {
    groups: Vec<Group>,
    options: ScanOptions,
}

impl Scanner {
    /// A scanner with every detector and default options.
    pub fn new() -> Result<Self, ScanError> {
        Self::with_options(ScanOptions::default())
    }

    /// A scanner with the given options.
    pub fn with_options(options: ScanOptions) -> Result<Self, ScanError> {
        let mut patterns: Vec<Vec<&str>> = vec![Vec::new(); GROUPS];
        let mut owners: Vec<Vec<usize>> = vec![Vec::new(); GROUPS];
        for (i, d) in detectors::ALL.iter().enumerate() {
            if let Some(only) = &options.entities {
                if !only.contains(&d.entity) {
                    continue;
                }
            }
            let g = group_of(d.name);
            for p in d.patterns {
                patterns[g].push(*p);
                owners[g].push(i);
            }
        }
        let build = |kind, pats: &[&str]| {
            Regex::builder()
                .configure(
                    Regex::config()
                        .match_kind(kind)
                        // Give the lazy DFA room so it does not fall back to the PikeVM.
                        .hybrid_cache_capacity(16 << 20),
                )
                .build_many(pats)
                .map_err(|e| ScanError::Pattern(e.to_string()))
        };
        let mut groups = Vec::new();
        for (pats, owner) in patterns.iter().zip(owners) {
            if pats.is_empty() {
                continue;
            }
            groups.push(Group {
                first: build(MatchKind::LeftmostFirst, pats)?,
                all: build(MatchKind::All, pats)?,
                owner,
            });
        }
        Ok(Scanner { groups, options })
    }

    /// A process-wide scanner with default options (built once).
    ///
    /// # Panics
    /// Never in practice: the built-in patterns are tested to compile.
    pub fn shared() -> &'static Scanner {
        static SHARED: OnceLock<Scanner> = OnceLock::new();
        #[allow(clippy::expect_used)]
        SHARED.get_or_init(|| Scanner::new().expect("built-in PII patterns compile"))
    }

    /// The options this scanner was built with.
    pub fn options(&self) -> &ScanOptions {
        &self.options
    }

    /// Scans `text` and returns findings in order of position, non-overlapping.
    pub fn scan(&self, text: &str) -> Vec<Finding> {
        let mut out = Vec::new();
        self.scan_into(text, &mut out);
        out
    }

    /// Like [`Scanner::scan`], appending to `out`.
    pub fn scan_into(&self, text: &str, out: &mut Vec<Finding>) {
        // (start, group, detector, hit, confidence, context)
        let mut hits: Vec<(usize, usize, &'static Detector, Hit, f32, bool)> = Vec::new();
        for (gi, group) in self.groups.iter().enumerate() {
            self.scan_group(group, text, |det, hit, conf, ctx| {
                hits.push((hit.start, gi, det, hit, conf, ctx));
            });
        }
        if self.groups.len() > 1 {
            hits.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)));
        }
        let mut chars = CharCounter::default();
        let mut last_end = 0;
        for (_, _, det, hit, confidence, context) in hits {
            if hit.start < last_end {
                continue;
            }
            last_end = hit.end;
            let start = chars.chars_at(text, hit.start);
            let end = start + text[hit.start..hit.end].chars().count();
            out.push(Finding {
                entity: det.entity,
                detector: det.name,
                start,
                end,
                byte_start: hit.start,
                byte_end: hit.end,
                confidence: (confidence * 100.0).round() / 100.0,
                validation: hit.validation,
                context,
            });
        }
    }

    /// One group's leftmost-first pass; calls `emit` for every accepted hit at or
    /// above the confidence threshold.
    fn scan_group(
        &self,
        group: &Group,
        text: &str,
        mut emit: impl FnMut(&'static Detector, Hit, f32, bool),
    ) {
        let hay = text.as_bytes();
        let mut pos = 0usize;
        let mut set = PatternSet::new(group.first.pattern_len());
        while pos < hay.len() {
            let Some(m) = group.first.search(&Input::new(hay).range(pos..)) else {
                break;
            };
            let s = m.start();
            let mut accepted = Self::try_pattern(group, text, m.pattern(), s, m.end());
            if accepted.is_none() {
                set.clear();
                let anchored = Input::new(hay).range(s..).anchored(Anchored::Yes);
                group.all.which_overlapping_matches(&anchored, &mut set);
                for pid in set.iter() {
                    if pid == m.pattern() {
                        continue;
                    }
                    let input = Input::new(hay).range(s..).anchored(Anchored::Pattern(pid));
                    if let Some(m2) = group.first.search(&input) {
                        accepted = Self::try_pattern(group, text, pid, m2.start(), m2.end());
                        if accepted.is_some() {
                            break;
                        }
                    }
                }
            }
            match accepted {
                Some((det, hit)) => {
                    let (confidence, context) = score_with_context(det, text, &hit);
                    if confidence >= self.options.min_confidence {
                        emit(det, hit, confidence, context);
                    }
                    pos = hit.end.max(s + 1);
                }
                None => pos = s + 1,
            }
            while pos < hay.len() && !text.is_char_boundary(pos) {
                pos += 1;
            }
        }
    }

    fn try_pattern(
        group: &Group,
        text: &str,
        pid: PatternID,
        start: usize,
        end: usize,
    ) -> Option<(&'static Detector, Hit)> {
        let det = detectors::ALL[*group.owner.get(pid.as_usize())?];
        if start >= end || !text.is_char_boundary(start) || !text.is_char_boundary(end) {
            return None;
        }
        let hit = (det.validate)(&Candidate { text, start, end })?;
        // A validator may narrow the span but never widen it or break UTF-8.
        let sane = hit.start >= start
            && hit.end <= end
            && hit.start < hit.end
            && text.is_char_boundary(hit.start)
            && text.is_char_boundary(hit.end);
        sane.then_some((det, hit))
    }
}

/// Applies a detector's context words to a hit's score.
///
/// The window is the [`CONTEXT_WORDS_BEFORE`] words before the match (and
/// [`CONTEXT_WORDS_AFTER`] after it), as in Presidio. Only the context word
/// *nearest* the match counts, so in "tel. 0165 575 2235, part no. 5809 1000 13"
/// the second number is governed by "part", not by "tel".
fn score_with_context(det: &Detector, text: &str, hit: &Hit) -> (f32, bool) {
    if det.context.is_empty() && det.negative_context.is_empty() {
        return (hit.score, false);
    }
    let before = window_before(text, hit.start).to_ascii_lowercase();
    let after = window_after(text, hit.end).to_ascii_lowercase();
    // Nearest before the match: the largest end position of a context word.
    let last = |words: &[&str]| words.iter().filter_map(|w| last_word_end(&before, w)).max();
    let first = |words: &[&str]| {
        words
            .iter()
            .filter_map(|w| first_word_start(&after, w))
            .min()
    };
    let verdict = match (last(det.context), last(det.negative_context)) {
        (Some(p), Some(n)) => Some(p > n),
        (Some(_), None) => Some(true),
        (None, Some(_)) => Some(false),
        (None, None) => match (first(det.context), first(det.negative_context)) {
            (Some(p), Some(n)) => Some(p < n),
            (Some(_), None) => Some(true),
            (None, Some(_)) => Some(false),
            (None, None) => None,
        },
    };
    let score = match verdict {
        Some(true) => hit.score + CONTEXT_BOOST,
        Some(false) => hit.score - CONTEXT_BOOST,
        None => hit.score,
    };
    (score.clamp(0.0, 1.0), verdict == Some(true))
}

/// Words before a match that count as its context.
const CONTEXT_WORDS_BEFORE: usize = 5;
/// Words after a match that count as its context.
const CONTEXT_WORDS_AFTER: usize = 3;

fn window_before(text: &str, end: usize) -> &str {
    let bytes = text.as_bytes();
    let floor = end.saturating_sub(CONTEXT_BEFORE * 2);
    let mut i = end;
    let mut words = 0;
    let mut in_word = false;
    while i > floor {
        let b = bytes[i - 1];
        // A sentence end closes the window: ". " / "; " / "! " / "? ", where a
        // dot after a short word is an abbreviation ("tel.", "no.", "ref.").
        if b.is_ascii_whitespace() && i >= 2 && sentence_end(&bytes[..i - 1]) {
            break;
        }
        if b.is_ascii_whitespace() {
            if in_word {
                words += 1;
                in_word = false;
                if words == CONTEXT_WORDS_BEFORE {
                    break;
                }
            }
        } else {
            in_word = true;
        }
        i -= 1;
    }
    while !text.is_char_boundary(i) {
        i += 1;
    }
    &text[i..end]
}

fn window_after(text: &str, start: usize) -> &str {
    let bytes = text.as_bytes();
    let ceil = (start + CONTEXT_AFTER * 2).min(bytes.len());
    let mut i = start;
    let mut words = 0;
    let mut in_word = false;
    while i < ceil {
        let b = bytes[i];
        if b.is_ascii_whitespace() {
            if in_word {
                words += 1;
                in_word = false;
                if words == CONTEXT_WORDS_AFTER {
                    break;
                }
            }
        } else {
            in_word = true;
        }
        i += 1;
    }
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    &text[start..i]
}

/// True if `before` (text up to a space) ends a sentence.
fn sentence_end(before: &[u8]) -> bool {
    match before.last() {
        Some(b';' | b'!' | b'?') => true,
        Some(b'.') => {
            let word = before[..before.len() - 1]
                .iter()
                .rev()
                .take_while(|b| b.is_ascii_alphanumeric())
                .count();
            word >= 4
        }
        _ => false,
    }
}

/// Byte offsets where `word` occurs in `hay` at a word start.
fn word_positions<'a>(hay: &'a str, word: &'a str) -> impl Iterator<Item = usize> + 'a {
    hay.match_indices(word)
        .map(|(at, _)| at)
        .filter(move |&at| at == 0 || !hay.as_bytes()[at - 1].is_ascii_alphanumeric())
}

fn last_word_end(hay: &str, word: &str) -> Option<usize> {
    word_positions(hay, word).last().map(|at| at + word.len())
}

fn first_word_start(hay: &str, word: &str) -> Option<usize> {
    word_positions(hay, word).next()
}

/// True if `word` occurs in `hay` starting at a word start.
#[cfg(test)]
fn has_word(hay: &str, word: &str) -> bool {
    word_positions(hay, word).next().is_some()
}

/// Converts increasing byte offsets to character offsets in one pass.
#[derive(Default)]
struct CharCounter {
    byte: usize,
    chars: usize,
}

impl CharCounter {
    fn chars_at(&mut self, text: &str, byte: usize) -> usize {
        if byte < self.byte {
            self.byte = 0;
            self.chars = 0;
        }
        self.chars += text[self.byte..byte].chars().count();
        self.byte = byte;
        self.chars
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn char_offsets_count_unicode() {
        let text = "Grüße an jörg: joerg@example.com bitte";
        let f = Scanner::shared().scan(text);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].entity, Entity::EmailAddress);
        let chars: Vec<char> = text.chars().collect();
        let s: String = chars[f[0].start..f[0].end].iter().collect();
        assert_eq!(s, "joerg@example.com");
    }

    #[test]
    fn context_word_detection() {
        assert!(has_word("my phone: ", "phone"));
        assert!(!has_word("smartphone: ", "phone"));
    }

    #[test]
    fn several_types_in_one_text() {
        let text = "Mail bob@corp.io, card 4111 1111 1111 1111, IBAN GB82 WEST 1234 5698 7654 32, ip 10.1.2.3.";
        let got: Vec<Entity> = Scanner::shared()
            .scan(text)
            .iter()
            .map(|f| f.entity)
            .collect();
        assert_eq!(
            got,
            vec![
                Entity::EmailAddress,
                Entity::CreditCard,
                Entity::IbanCode,
                Entity::IpAddress
            ]
        );
    }

    #[test]
    fn empty_and_junk_do_not_panic() {
        let s = Scanner::shared();
        assert!(s.scan("").is_empty());
        let junk: String = (0u32..3000).filter_map(char::from_u32).collect();
        let _ = s.scan(&junk);
    }
}
