//! Payment card numbers.
//!
//! **What it finds:** 13–19 digit card numbers, plain or grouped with spaces or
//! hyphens (`4111 1111 1111 1111`, `3782-822463-10005`).
//!
//! **Validation:** one separator style throughout; the issuer identification
//! number (IIN) must belong to a known scheme with a length that scheme issues
//! (Visa, Mastercard incl. 2221–2720, American Express, Discover, Diners, JCB,
//! UnionPay, Maestro); the Luhn checksum must pass. When digits run on into
//! a following group (`4111 1111 1111 1111 2025`), shorter prefixes ending at a
//! group boundary are tried. Presidio checks Luhn only; the IIN check removes
//! most Luhn-passing order numbers (one random number in ten passes Luhn).

use super::{luhn, Candidate, Detector, Hit};
use crate::Entity;

/// The card-number detector.
pub const DETECTOR: Detector = Detector {
    name: "credit_card",
    entity: Entity::CreditCard,
    patterns: &[r"(?-u:\b)[0-9](?:[ -]?[0-9]){12,18}(?-u:\b)"],
    context: &[
        "card",
        "credit",
        "visa",
        "mastercard",
        "amex",
        "discover",
        "jcb",
        "diners",
        "cc",
        "pan",
        "payment",
        "paid",
    ],
    negative_context: &[
        "order",
        "invoice",
        "tracking",
        "account no",
        "isbn",
        "serial",
        "sku",
    ],
    validate,
};

/// Schemes: (prefix range low, high, prefix length, allowed lengths).
const IIN: &[(u32, u32, usize, &[usize])] = &[
    (4, 4, 1, &[13, 16, 19]),                       // Visa
    (51, 55, 2, &[16]),                             // Mastercard
    (2221, 2720, 4, &[16]),                         // Mastercard 2-series
    (34, 34, 2, &[15]),                             // Amex
    (37, 37, 2, &[15]),                             // Amex
    (6011, 6011, 4, &[16, 17, 18, 19]),             // Discover
    (644, 649, 3, &[16, 17, 18, 19]),               // Discover
    (65, 65, 2, &[16, 17, 18, 19]),                 // Discover
    (300, 305, 3, &[14, 15, 16, 17, 18, 19]),       // Diners Club
    (36, 36, 2, &[14, 15, 16, 17, 18, 19]),         // Diners Club
    (38, 39, 2, &[14, 15, 16, 17, 18, 19]),         // Diners Club
    (3528, 3589, 4, &[16, 17, 18, 19]),             // JCB
    (62, 62, 2, &[16, 17, 18, 19]),                 // UnionPay
    (50, 50, 2, &[12, 13, 14, 15, 16, 17, 18, 19]), // Maestro
    (56, 58, 2, &[12, 13, 14, 15, 16, 17, 18, 19]), // Maestro
    (67, 67, 2, &[12, 13, 14, 15, 16, 17, 18, 19]), // Maestro
];

/// True if the digits fall in a known IIN range with a valid length.
pub fn iin_ok(digits: &[u8]) -> bool {
    IIN.iter().any(|&(lo, hi, plen, lens)| {
        if digits.len() < plen || !lens.contains(&digits.len()) {
            return false;
        }
        let prefix = digits[..plen]
            .iter()
            .fold(0u32, |acc, d| acc * 10 + u32::from(d - b'0'));
        (lo..=hi).contains(&prefix)
    })
}

fn validate(c: &Candidate<'_>) -> Option<Hit> {
    let s = c.as_str();
    let seps: Vec<u8> = s.bytes().filter(|b| !b.is_ascii_digit()).collect();
    if seps.windows(2).any(|w| w[0] != w[1]) {
        return None;
    }
    // Digits glued to a letter-dash or a decimal point belong to something else.
    if matches!(c.byte_before(), Some(b'.' | b'-' | b'/' | b'+'))
        || (c.byte_after() == Some(b'.')
            && c.text
                .as_bytes()
                .get(c.end + 1)
                .is_some_and(u8::is_ascii_digit))
    {
        return None;
    }
    // Try the whole match, then shorter runs that start and end on group
    // boundaries (`27 3588 9153 5389 0406` after "exp 09/" holds a card).
    let mut starts: Vec<usize> = vec![0];
    let mut ends: Vec<usize> = Vec::new();
    for (i, b) in s.bytes().enumerate() {
        if !b.is_ascii_digit() {
            starts.push(i + 1);
            ends.push(i);
        }
    }
    ends.push(s.len());
    ends.reverse();
    for &from in &starts {
        for &to in &ends {
            if to <= from {
                continue;
            }
            let digits: Vec<u8> = s[from..to].bytes().filter(u8::is_ascii_digit).collect();
            if digits.len() < 12 {
                break;
            }
            if iin_ok(&digits) && luhn(&digits) && !digits.iter().all(|&d| d == digits[0]) {
                return Some(Hit {
                    start: c.start + from,
                    end: c.start + to,
                    score: 1.0,
                    validation: "iin+luhn",
                });
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::super::testing::assert_found;
    use crate::Entity::CreditCard as E;

    #[test]
    fn true_positives() {
        assert_found(E, "visa 4111111111111111 exp", &["4111111111111111"]);
        assert_found(E, "card: 4111 1111 1111 1111.", &["4111 1111 1111 1111"]);
        assert_found(E, "amex 3782-822463-10005", &["3782-822463-10005"]);
        assert_found(E, "mc 5555 5555 5555 4444 2027", &["5555 5555 5555 4444"]);
        assert_found(E, "exp 09/27 3588 9153 5389 0406", &["3588 9153 5389 0406"]);
        assert_found(E, "2-series 2223003122003222", &["2223003122003222"]);
    }

    #[test]
    fn near_misses() {
        // Luhn fails.
        assert_found(E, "card 4111111111111112", &[]);
        // Luhn passes but no scheme starts with 9 / 1.
        assert_found(E, "order 9111111111111110", &[]);
        assert_found(E, "ref 1234567812345670", &[]);
        // Mixed separators.
        assert_found(E, "4111 1111-1111 1111", &[]);
        // Decimal numbers.
        assert_found(E, "pi 3.4111111111111111", &[]);
    }
}
