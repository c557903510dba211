//! Telephone numbers.
//!
//! **What it finds:** international numbers (`+44 20 7946 0958`, `0044 …`) and
//! national formats of the US, UK, Germany, France and India (`(415) 555-2671`,
//! `020 7946 0958`, `030 1234567`, `01 23 45 67 89`, `98765 43210`).
//!
//! **How:** our own candidate finder (a digit run of 7–15 digits with the usual
//! separators, optional `+`, and one parenthesised area code) hands each
//! candidate to the `phonenumber` crate (a port of Google's libphonenumber
//! metadata), which must say the number is valid: as an international number
//! when it starts with `+` or `00`, otherwise for one of US, GB, DE, FR, IN in
//! that order.
//!
//! **Scores:** international and valid 0.85; national, grouped with separators
//! and valid 0.6; bare digit runs 0.3 (they need a context word such as
//! "phone" or "call"). Shapes that are really something else are rejected:
//! ISO and European dates, dotted quads, the SSN shape `ddd-dd-dddd`.
//! Words like "order" or "invoice" nearby lower the score.

use phonenumber::country::Id;

use super::{Candidate, Detector, Hit};
use crate::Entity;

/// The phone number detector.
pub const DETECTOR: Detector = Detector {
    name: "phone",
    entity: Entity::PhoneNumber,
    patterns: &[
        r"(?:\+|(?-u:\b))[0-9]{1,6}(?:[ .-]?\([0-9]{1,5}\))?(?:[ .-]?[0-9]{1,6}){0,6}(?-u:\b)",
        r"\([0-9]{1,5}\)(?:[ .-]?[0-9]{1,6}){1,5}(?-u:\b)",
    ],
    context: &[
        "phone",
        "tel",
        "telephone",
        "mobile",
        "cell",
        "call",
        "fax",
        "contact",
        "whatsapp",
        "sms",
        "text me",
        "reach me",
        "ring",
        "telefon",
        "handy",
        "portable",
        "my number",
        "phone number",
    ],
    negative_context: &[
        "timestamp",
        "epoch",
        "card",
        "visa",
        "credit",
        "iban",
        "order",
        "invoice",
        "tracking",
        "sku",
        "serial",
        "ref",
        "reference",
        "account",
        "product",
        "part",
        "model",
        "isbn",
        "batch",
        "lot",
        "ticket",
    ],
    validate,
};

const TRUNK_REGIONS: [Id; 4] = [Id::GB, Id::DE, Id::FR, Id::IN];
const NO_TRUNK_REGIONS: [Id; 2] = [Id::US, Id::IN];

fn validate(c: &Candidate<'_>) -> Option<Hit> {
    let s = c.as_str().trim_end_matches(['.', '-', ' ']);
    let end = c.start + s.len();
    let bytes = s.as_bytes();
    let digits = bytes.iter().filter(|b| b.is_ascii_digit()).count();
    if !(7..=15).contains(&digits) {
        return None;
    }
    if matches!(
        c.byte_before(),
        Some(b'.' | b'-' | b'/' | b'_' | b':' | b'#')
    ) || c
        .text
        .as_bytes()
        .get(end)
        .is_some_and(|&b| b == b'/' || b == b'_')
        || (c.text.as_bytes().get(end) == Some(&b'.')
            && c.text
                .as_bytes()
                .get(end + 1)
                .is_some_and(u8::is_ascii_digit))
    {
        return None;
    }
    if c.continues_digit_run() || looks_like_something_else(s) {
        return None;
    }
    let international = s.starts_with('+') || s.starts_with("00");
    let grouped = bytes.iter().any(|b| matches!(b, b' ' | b'-' | b'.' | b'('));
    let valid = if international {
        let normalised;
        let text = if let Some(rest) = s.strip_prefix("00") {
            normalised = format!("+{rest}");
            normalised.as_str()
        } else {
            s
        };
        // Passing the region that owns the calling code skips phonenumber's
        // slow no-region path (measured ~150 µs → ~10 µs); a wrong region
        // mis-parses some numbers, so only known codes get one.
        let digits_only: String = text.chars().filter(char::is_ascii_digit).take(2).collect();
        let region = match (digits_only.as_str(), digits_only.as_bytes().first()) {
            (_, Some(b'1')) => Some(Id::US),
            ("44", _) => Some(Id::GB),
            ("49", _) => Some(Id::DE),
            ("33", _) => Some(Id::FR),
            ("91", _) => Some(Id::IN),
            _ => None,
        };
        phonenumber::parse(region, text)
            .map(|n| phonenumber::is_valid(&n))
            .unwrap_or(false)
    } else {
        // A leading 0 is a trunk prefix (UK, DE, FR, IN); without one, US or
        // an Indian mobile. Trying only those keeps parses to two or four.
        let regions: &[Id] = if s.trim_start_matches('(').starts_with('0') {
            &TRUNK_REGIONS
        } else {
            &NO_TRUNK_REGIONS
        };
        regions.iter().any(|&r| {
            phonenumber::parse(Some(r), s)
                .map(|n| phonenumber::is_valid(&n))
                .unwrap_or(false)
        })
    };
    if !valid {
        return None;
    }
    let score = match (international, grouped) {
        (true, _) => 0.85,
        (false, true) => 0.6,
        (false, false) => 0.3,
    };
    Some(Hit {
        start: c.start,
        end,
        score,
        validation: "libphonenumber",
    })
}

/// Dates, dotted quads, SSN-shaped and version-shaped runs.
fn looks_like_something_else(s: &str) -> bool {
    let groups: Vec<&str> = s
        .split([' ', '-', '.', '(', ')'])
        .filter(|g| !g.is_empty())
        .collect();
    let lens: Vec<usize> = groups.iter().map(|g| g.len()).collect();
    let seps: Vec<u8> = s
        .bytes()
        .filter(|b| matches!(b, b' ' | b'-' | b'.'))
        .collect();
    let one_sep = seps.windows(2).all(|w| w[0] == w[1]);
    // A dot mixed with other separators is a decimal number next to something.
    if !one_sep && seps.contains(&b'.') {
        return true;
    }
    let num = |g: &str| g.parse::<u32>().unwrap_or(u32::MAX);
    // 2024-01-31, 31.01.2024, 31-01-2024
    if lens.len() == 3 && one_sep && !s.starts_with('+') {
        if lens == [4, 2, 2] && (1..=12).contains(&num(groups[1])) {
            return true;
        }
        if lens[2] == 4 && lens[0] <= 2 && lens[1] <= 2 {
            return true;
        }
        // SSN shape
        if lens == [3, 2, 4] && seps.first() != Some(&b'.') {
            return true;
        }
    }
    // Dotted quads and version strings: dots with short groups.
    if seps.first() == Some(&b'.') && one_sep && (lens.iter().all(|&l| l <= 3) || lens.contains(&1))
    {
        return true;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::super::testing::assert_found;
    use crate::Entity::PhoneNumber as E;

    #[test]
    fn true_positives() {
        assert_found(E, "call +44 20 7946 0958 today", &["+44 20 7946 0958"]);
        assert_found(E, "phone: (415) 555-2671", &["(415) 555-2671"]);
        assert_found(E, "us 415-555-2671.", &["415-555-2671"]);
        assert_found(E, "uk 020 7946 0958", &["020 7946 0958"]);
        assert_found(E, "de +49 30 901820", &["+49 30 901820"]);
        assert_found(E, "fr 01 42 68 53 00", &["01 42 68 53 00"]);
        assert_found(E, "in +91 98765 43210", &["+91 98765 43210"]);
        assert_found(E, "mobile 4155552671", &["4155552671"]);
        assert_found(E, "intl 0044 20 7946 0958", &["0044 20 7946 0958"]);
    }

    #[test]
    fn near_misses() {
        assert_found(E, "order 4155552671 shipped", &[]);
        assert_found(E, "on 2024-01-31 and 31.01.2024", &[]);
        assert_found(E, "ip 192.168.100.200", &[]);
        assert_found(E, "product code 12-3456-789", &[]);
        assert_found(E, "total 1234567", &[]);
        assert_found(E, "version 10.2.3.4567", &[]);
    }
}
