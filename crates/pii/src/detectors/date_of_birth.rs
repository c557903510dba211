//! Dates of birth.
//!
//! **What it finds:** a calendar date (`1984-07-23`, `23/07/1984`, `07/23/1984`,
//! `23.07.1984`, `23 July 1984`, `July 23, 1984`) **only** when a word saying it
//! is a birth date is close before it ("born", "DOB", "date of birth",
//! "birthday", "geboren", "né").
//!
//! **Validation:** the date must exist (month 1–12, day within the month, leap
//! years) and the year must be 1900–2030. A date alone scores 0.2, below the
//! default threshold: most dates in data are not birth dates.

use super::{Candidate, Detector, Hit};
use crate::Entity;

/// The date-of-birth detector.
pub const DETECTOR: Detector = Detector {
    name: "date_of_birth",
    entity: Entity::DateOfBirth,
    patterns: &[
        r"(?-u:\b)[0-9]{4}-[0-9]{2}-[0-9]{2}(?-u:\b)",
        r"(?-u:\b)[0-9]{1,2}[/.-][0-9]{1,2}[/.-][0-9]{4}(?-u:\b)",
        r"(?i)(?-u:\b)[0-9]{1,2}(?:st|nd|rd|th)? (?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?,? [0-9]{4}(?-u:\b)",
        r"(?i)(?-u:\b)(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.? [0-9]{1,2}(?:st|nd|rd|th)?,? [0-9]{4}(?-u:\b)",
    ],
    context: &[
        "born",
        "dob",
        "d.o.b",
        "date of birth",
        "birth date",
        "birthdate",
        "birthday",
        "birth",
        "geboren",
        "geb.",
        "né",
        "née",
        "date de naissance",
    ],
    negative_context: &[
        "shipped",
        "delivered",
        "ordered",
        "meeting",
        "due",
        "expires",
        "expiry",
        "created",
        "updated",
        "issued",
        "paid",
        "invoice",
        "deadline",
        "scheduled",
    ],
    validate,
};

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

fn days_in(month: u32, year: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400) => {
            29
        }
        2 => 28,
        _ => 0,
    }
}

fn real_date(y: u32, m: u32, d: u32) -> bool {
    (1900..=2030).contains(&y) && (1..=12).contains(&m) && d >= 1 && d <= days_in(m, y)
}

fn validate(c: &Candidate<'_>) -> Option<Hit> {
    let s = c.as_str().to_ascii_lowercase();
    let nums: Vec<u32> = s
        .split(|ch: char| !ch.is_ascii_digit())
        .filter(|p| !p.is_empty())
        .filter_map(|p| p.parse().ok())
        .collect();
    let month_word = MONTHS
        .iter()
        .position(|m| {
            s.split(|ch: char| !ch.is_ascii_alphabetic())
                .any(|w| w.starts_with(m))
        })
        .map(|i| i as u32 + 1);
    let ok = match (month_word, nums.as_slice()) {
        (Some(m), [a, y]) => real_date(*y, m, *a),
        (None, [y, m, d]) if s.len() == 10 && s.as_bytes()[4] == b'-' => real_date(*y, *m, *d),
        // Day-first or month-first: accept if either reading is a real date.
        (None, [a, b, y]) => real_date(*y, *b, *a) || real_date(*y, *a, *b),
        _ => false,
    };
    if !ok {
        return None;
    }
    c.hit(0.2, "calendar-date+context")
}

#[cfg(test)]
mod tests {
    use super::super::testing::assert_found;
    use crate::Entity::DateOfBirth as E;

    #[test]
    fn true_positives() {
        assert_found(E, "DOB: 1984-07-23", &["1984-07-23"]);
        assert_found(E, "born on 23/07/1984 in Leeds", &["23/07/1984"]);
        assert_found(E, "date of birth 07/23/1984", &["07/23/1984"]);
        assert_found(E, "geboren am 23.07.1984", &["23.07.1984"]);
        assert_found(E, "she was born 23 July 1984", &["23 July 1984"]);
        assert_found(E, "birthday: March 5, 1990", &["March 5, 1990"]);
    }

    #[test]
    fn near_misses() {
        assert_found(E, "shipped 1984-07-23", &[]);
        assert_found(E, "DOB: 1984-02-30", &[]);
        assert_found(E, "DOB: 31/31/1984", &[]);
        assert_found(E, "born 1850-01-01", &[]);
    }
}
