//! International bank account numbers (IBAN).
//!
//! **What it finds:** IBANs written compactly (`DE89370400440532013000`) or in
//! groups of four (`GB82 WEST 1234 5698 7654 32`).
//!
//! **Validation:** the country code must be an IBAN country and the length must
//! be that country's IBAN length (ISO 13616 registry); the ISO 7064 mod-97 check
//! must equal 1. A match that runs into a following upper-case word is cut to the
//! country's length.

use super::{Candidate, Detector, Hit};
use crate::Entity;

/// The IBAN detector.
pub const DETECTOR: Detector = Detector {
    name: "iban",
    entity: Entity::IbanCode,
    patterns: &[r"(?-u:\b)[A-Z]{2}[0-9]{2}(?:[ ]?[A-Z0-9]{4}){2,7}(?:[ ]?[A-Z0-9]{1,3})?(?-u:\b)"],
    context: &["iban", "bank", "account", "transfer", "sepa", "konto"],
    negative_context: &[],
    validate,
};

/// IBAN lengths by country (SWIFT IBAN registry).
const LENGTHS: &[(&str, usize)] = &[
    ("AD", 24),
    ("AE", 23),
    ("AL", 28),
    ("AT", 20),
    ("AZ", 28),
    ("BA", 20),
    ("BE", 16),
    ("BG", 22),
    ("BH", 22),
    ("BI", 27),
    ("BR", 29),
    ("BY", 28),
    ("CH", 21),
    ("CR", 22),
    ("CY", 28),
    ("CZ", 24),
    ("DE", 22),
    ("DJ", 27),
    ("DK", 18),
    ("DO", 28),
    ("EE", 20),
    ("EG", 29),
    ("ES", 24),
    ("FI", 18),
    ("FK", 18),
    ("FO", 18),
    ("FR", 27),
    ("GB", 22),
    ("GE", 22),
    ("GI", 23),
    ("GL", 18),
    ("GR", 27),
    ("GT", 28),
    ("HR", 21),
    ("HU", 28),
    ("IE", 22),
    ("IL", 23),
    ("IQ", 23),
    ("IS", 26),
    ("IT", 27),
    ("JO", 30),
    ("KW", 30),
    ("KZ", 20),
    ("LB", 28),
    ("LC", 32),
    ("LI", 21),
    ("LT", 20),
    ("LU", 20),
    ("LV", 21),
    ("LY", 25),
    ("MC", 27),
    ("MD", 24),
    ("ME", 22),
    ("MK", 19),
    ("MN", 20),
    ("MR", 27),
    ("MT", 31),
    ("MU", 30),
    ("NI", 28),
    ("NL", 18),
    ("NO", 15),
    ("OM", 23),
    ("PK", 24),
    ("PL", 28),
    ("PS", 29),
    ("PT", 25),
    ("QA", 29),
    ("RO", 24),
    ("RS", 22),
    ("RU", 33),
    ("SA", 24),
    ("SC", 31),
    ("SD", 18),
    ("SE", 24),
    ("SI", 19),
    ("SK", 24),
    ("SM", 27),
    ("SO", 23),
    ("ST", 25),
    ("SV", 28),
    ("TL", 23),
    ("TN", 24),
    ("TR", 26),
    ("UA", 29),
    ("VA", 22),
    ("VG", 24),
    ("XK", 20),
    ("YE", 30),
];

/// The IBAN length for a country code, if it has IBANs.
pub fn country_length(cc: &str) -> Option<usize> {
    LENGTHS.iter().find(|(c, _)| *c == cc).map(|&(_, n)| n)
}

/// ISO 7064 mod-97-10 over an IBAN without spaces (country code first).
pub fn mod97_ok(iban: &[u8]) -> bool {
    if iban.len() < 5 {
        return false;
    }
    let rearranged = iban[4..].iter().chain(iban[..4].iter());
    let mut rem: u32 = 0;
    for &b in rearranged {
        let v = match b {
            b'0'..=b'9' => u32::from(b - b'0'),
            b'A'..=b'Z' => u32::from(b - b'A') + 10,
            _ => return false,
        };
        rem = if v >= 10 {
            (rem * 100 + v) % 97
        } else {
            (rem * 10 + v) % 97
        };
    }
    rem == 1
}

fn validate(c: &Candidate<'_>) -> Option<Hit> {
    let s = c.as_str();
    let want = country_length(&s[..2])?;
    // Walk the match, keeping the byte offset where the compact form reaches `want`.
    let mut compact = Vec::with_capacity(want);
    let mut end = None;
    for (i, b) in s.bytes().enumerate() {
        if b == b' ' {
            continue;
        }
        compact.push(b);
        if compact.len() == want {
            end = Some(i + 1);
            break;
        }
    }
    let end = end?;
    // If we cut, the cut must fall on a group boundary (space) or the match end.
    if end < s.len() && s.as_bytes()[end] != b' ' {
        return None;
    }
    if !mod97_ok(&compact) {
        return None;
    }
    Some(Hit {
        start: c.start,
        end: c.start + end,
        score: 1.0,
        validation: "country-length+mod97",
    })
}

#[cfg(test)]
mod tests {
    use super::super::testing::assert_found;
    use super::*;
    use crate::Entity::IbanCode as E;

    #[test]
    fn true_positives() {
        assert_found(
            E,
            "IBAN GB82 WEST 1234 5698 7654 32 thanks",
            &["GB82 WEST 1234 5698 7654 32"],
        );
        assert_found(
            E,
            "pay DE89370400440532013000.",
            &["DE89370400440532013000"],
        );
        assert_found(
            E,
            "FR14 2004 1010 0505 0001 3M02 606",
            &["FR14 2004 1010 0505 0001 3M02 606"],
        );
        assert_found(E, "NL91ABNA0417164300 ABC", &["NL91ABNA0417164300"]);
    }

    #[test]
    fn near_misses() {
        // One digit changed: mod-97 fails.
        assert_found(E, "GB82 WEST 1234 5698 7654 33", &[]);
        // Wrong length for DE.
        assert_found(E, "DE8937040044053201300", &[]);
        // Not an IBAN country.
        assert_found(E, "ZZ12 3456 7890 1234 56", &[]);
        assert!(!mod97_ok(b"DE"));
    }
}
