//! The detectors: one file each, ruff style.
//!
//! A detector is a plain [`Detector`] value: its entity, its candidate patterns, the
//! words that make a match more (or less) likely when they appear nearby, and one
//! validation function that turns a regex candidate into a scored [`Hit`] or
//! rejects it. Detectors never run their own regex pass: [`crate::Scanner`]
//! compiles every detector's patterns into one multi-pattern automaton and calls
//! the validator of whichever pattern matched.
//!
//! **Adding a detector** is one new file in this folder holding a
//! `pub const DETECTOR: Detector` with its documentation, and one line in
//! [`ALL`]. The position in [`ALL`] is the priority: when two patterns start at
//! the same place, the earlier detector is tried first.

use crate::entity::Entity;

pub mod aws_access_key;
pub mod aws_secret_key;
pub mod credit_card;
pub mod date_of_birth;
pub mod email;
pub mod generic_secret;
pub mod github_token;
pub mod gitlab_token;
pub mod iban;
pub mod ip_address;
pub mod jwt;
pub mod mac_address;
pub mod openai_key;
pub mod phone;
pub mod private_key;
pub mod slack_token;
pub mod stripe_key;
pub mod url_credentials;
pub mod us_ssn;

/// Every detector, highest priority first.
pub const ALL: &[&Detector] = &[
    &private_key::DETECTOR,
    &jwt::DETECTOR,
    &aws_access_key::DETECTOR,
    &github_token::DETECTOR,
    &gitlab_token::DETECTOR,
    &slack_token::DETECTOR,
    &stripe_key::DETECTOR,
    &openai_key::DETECTOR,
    &aws_secret_key::DETECTOR,
    &generic_secret::DETECTOR,
    &url_credentials::DETECTOR,
    &email::DETECTOR,
    &iban::DETECTOR,
    &mac_address::DETECTOR,
    &ip_address::DETECTOR_V6,
    &ip_address::DETECTOR_V4,
    &date_of_birth::DETECTOR,
    &us_ssn::DETECTOR,
    &credit_card::DETECTOR,
    &phone::DETECTOR,
];

/// One detector: patterns, context words and a validator.
#[derive(Debug)]
pub struct Detector {
    /// A short stable id (`credit_card`), shown in findings.
    pub name: &'static str,
    /// The entity this detector reports.
    pub entity: Entity,
    /// Candidate patterns (regex-automata syntax). Use `(?-u:\b)` for word
    /// boundaries so the lazy DFA can run them.
    pub patterns: &'static [&'static str],
    /// Lower-case words that raise confidence by [`CONTEXT_BOOST`] when they
    /// appear shortly before (or just after) the match.
    pub context: &'static [&'static str],
    /// Lower-case words that lower confidence by [`CONTEXT_BOOST`] (order numbers,
    /// versions, …).
    pub negative_context: &'static [&'static str],
    /// Checks a candidate; `None` rejects it.
    pub validate: fn(&Candidate<'_>) -> Option<Hit>,
}

/// How much a context word moves the confidence (Presidio uses 0.35).
pub const CONTEXT_BOOST: f32 = 0.35;

/// A regex match handed to a validator.
#[derive(Debug, Clone, Copy)]
pub struct Candidate<'a> {
    /// The whole text being scanned.
    pub text: &'a str,
    /// Byte offset of the match start.
    pub start: usize,
    /// Byte offset of the match end (exclusive).
    pub end: usize,
}

impl<'a> Candidate<'a> {
    /// The matched text.
    pub fn as_str(&self) -> &'a str {
        &self.text[self.start..self.end]
    }

    /// A hit covering the whole candidate.
    pub fn hit(&self, score: f32, validation: &'static str) -> Option<Hit> {
        Some(Hit {
            start: self.start,
            end: self.end,
            score,
            validation,
        })
    }

    /// The byte before the match, if any.
    pub fn byte_before(&self) -> Option<u8> {
        self.start
            .checked_sub(1)
            .and_then(|i| self.text.as_bytes().get(i).copied())
    }

    /// True if the match continues a run of digit groups on its left
    /// (`4541 0409 4163 4664`: the tail `0409 4163 4664` is not a phone number).
    pub fn continues_digit_run(&self) -> bool {
        let b = self.text.as_bytes();
        if self.start < 2
            || b[self.start] == b'+'
            || !matches!(b[self.start - 1], b' ' | b'-' | b'.')
        {
            return false;
        }
        let sep = self.start - 1;
        let mut k = sep;
        while k > 0 && b[k - 1].is_ascii_digit() {
            k -= 1;
        }
        k < sep && (k == 0 || !b[k - 1].is_ascii_alphabetic())
    }

    /// The byte after the match, if any.
    pub fn byte_after(&self) -> Option<u8> {
        self.text.as_bytes().get(self.end).copied()
    }
}

/// A validated match in byte offsets of the scanned text (within the candidate).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Hit {
    /// Byte offset of the start.
    pub start: usize,
    /// Byte offset of the end (exclusive).
    pub end: usize,
    /// Confidence before context words, 0..=1.
    pub score: f32,
    /// The validation that passed (`"luhn+iin"`, `"mod97"`, `"pattern"`, …).
    pub validation: &'static str,
}

/// The Luhn (mod-10) checksum over ASCII digits.
pub fn luhn(digits: &[u8]) -> bool {
    let mut sum = 0u32;
    for (i, d) in digits.iter().rev().enumerate() {
        let mut v = u32::from(d.wrapping_sub(b'0'));
        if v > 9 {
            return false;
        }
        if i % 2 == 1 {
            v *= 2;
            if v > 9 {
                v -= 9;
            }
        }
        sum += v;
    }
    !digits.is_empty() && sum.is_multiple_of(10)
}

/// Shannon entropy in bits per character.
pub fn shannon_entropy(s: &str) -> f64 {
    let mut counts = [0u32; 256];
    let mut n = 0u32;
    for b in s.bytes() {
        counts[b as usize] += 1;
        n += 1;
    }
    if n == 0 {
        return 0.0;
    }
    let n = f64::from(n);
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = f64::from(c) / n;
            -p * p.log2()
        })
        .sum()
}

/// True if `b` continues a word (ASCII letter, digit or underscore).
pub fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

#[cfg(test)]
pub(crate) mod testing {
    //! Helpers for detector unit tests: run the full scanner and look at one entity.
    use crate::{Entity, Scanner};

    /// The matched texts of `entity` in `text` at the default threshold.
    pub fn found(entity: Entity, text: &str) -> Vec<String> {
        let scanner = Scanner::shared();
        scanner
            .scan(text)
            .into_iter()
            .filter(|f| f.entity == entity)
            .map(|f| text[f.byte_start..f.byte_end].to_string())
            .collect()
    }

    /// Asserts that `text` yields exactly `want` for `entity`.
    pub fn assert_found(entity: Entity, text: &str, want: &[&str]) {
        let got = found(entity, text);
        assert_eq!(got, want, "{entity} in {text:?}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn luhn_vectors() {
        assert!(luhn(b"4111111111111111"));
        assert!(luhn(b"79927398713"));
        assert!(!luhn(b"4111111111111112"));
        assert!(!luhn(b""));
        assert!(!luhn(b"41a1"));
    }

    #[test]
    fn entropy() {
        assert_eq!(shannon_entropy("aaaa"), 0.0);
        assert!((shannon_entropy("abcd") - 2.0).abs() < 1e-9);
    }

    #[test]
    fn every_pattern_compiles_alone() {
        for d in ALL {
            for p in d.patterns {
                assert!(
                    regex_automata::meta::Regex::new(p).is_ok(),
                    "{}: {p}",
                    d.name
                );
            }
        }
    }
}
