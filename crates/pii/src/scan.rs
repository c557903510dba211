//! The scanner: one combined multi-pattern pass over a text.

use std::sync::OnceLock;

use regex_automata::meta::Regex;
use regex_automata::{Anchored, Input, MatchKind, PatternID, PatternSet};
use serde::Serialize;

use crate::detectors::{self, Candidate, Detector, Hit, CONTEXT_BOOST};
use crate::entity::Entity;

/// How many bytes before a match are searched for context words (about five words).
const CONTEXT_BEFORE: usize = 48;
/// How many bytes after a match are searched for context words.
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

/// Every detector's patterns compiled into one automaton.
///
/// The search is leftmost-first over all patterns at once (one pass over the
/// text). When the winning pattern's validator rejects its candidate, the other
/// patterns that also match at that position are tried (found with one anchored
/// overlapping search) before moving on, so a failed lookalike never hides a real
/// value starting at the same place.
#[derive(Debug)]
pub struct Scanner {
    first: Regex,
    all: Regex,
    /// Pattern id → index into [`detectors::ALL`].
    owner: Vec<usize>,
    options: ScanOptions,
}

impl Scanner {
    /// A scanner with every detector and default options.
    pub fn new() -> Result<Self, ScanError> {
        Self::with_options(ScanOptions::default())
    }

    /// A scanner with the given options.
    pub fn with_options(options: ScanOptions) -> Result<Self, ScanError> {
        let mut patterns = Vec::new();
        let mut owner = Vec::new();
        for (i, d) in detectors::ALL.iter().enumerate() {
            if let Some(only) = &options.entities {
                if !only.contains(&d.entity) {
                    continue;
                }
            }
            for p in d.patterns {
                patterns.push(*p);
                owner.push(i);
            }
        }
        let build = |kind| {
            Regex::builder()
                .configure(Regex::config().match_kind(kind))
                .build_many(&patterns)
                .map_err(|e| ScanError::Pattern(e.to_string()))
        };
        Ok(Scanner {
            first: build(MatchKind::LeftmostFirst)?,
            all: build(MatchKind::All)?,
            owner,
            options,
        })
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
        let hay = text.as_bytes();
        let mut pos = 0usize;
        let mut chars = CharCounter::default();
        let mut set = PatternSet::new(self.first.pattern_len());
        while pos < hay.len() {
            let Some(m) = self.first.search(&Input::new(hay).range(pos..)) else {
                break;
            };
            let s = m.start();
            let mut accepted = self.try_pattern(text, m.pattern(), s, m.end());
            if accepted.is_none() {
                set.clear();
                let anchored = Input::new(hay).range(s..).anchored(Anchored::Yes);
                self.all.which_overlapping_matches(&anchored, &mut set);
                for pid in set.iter() {
                    if pid == m.pattern() {
                        continue;
                    }
                    let input = Input::new(hay).range(s..).anchored(Anchored::Pattern(pid));
                    if let Some(m2) = self.first.search(&input) {
                        accepted = self.try_pattern(text, pid, m2.start(), m2.end());
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
        &self,
        text: &str,
        pid: PatternID,
        start: usize,
        end: usize,
    ) -> Option<(&'static Detector, Hit)> {
        let det = detectors::ALL[*self.owner.get(pid.as_usize())?];
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
fn score_with_context(det: &Detector, text: &str, hit: &Hit) -> (f32, bool) {
    if det.context.is_empty() && det.negative_context.is_empty() {
        return (hit.score, false);
    }
    let mut from = hit.start.saturating_sub(CONTEXT_BEFORE);
    while !text.is_char_boundary(from) {
        from += 1;
    }
    let mut to = (hit.end + CONTEXT_AFTER).min(text.len());
    while !text.is_char_boundary(to) {
        to -= 1;
    }
    let before = text[from..hit.start].to_ascii_lowercase();
    let after = text[hit.end..to].to_ascii_lowercase();
    let near = |w: &str| has_word(&before, w) || has_word(&after, w);
    let positive = det.context.iter().any(|w| near(w));
    let negative = det.negative_context.iter().any(|w| near(w));
    let mut score = hit.score;
    if positive {
        score += CONTEXT_BOOST;
    }
    if negative {
        score -= CONTEXT_BOOST;
    }
    (score.clamp(0.0, 1.0), positive)
}

/// True if `word` occurs in `hay` starting at a word start.
fn has_word(hay: &str, word: &str) -> bool {
    let bytes = hay.as_bytes();
    let mut from = 0;
    while let Some(i) = hay[from..].find(word) {
        let at = from + i;
        if at == 0 || !bytes[at - 1].is_ascii_alphanumeric() {
            return true;
        }
        from = at + 1;
        while from < hay.len() && !hay.is_char_boundary(from) {
            from += 1;
        }
        if from >= hay.len() {
            break;
        }
    }
    false
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
