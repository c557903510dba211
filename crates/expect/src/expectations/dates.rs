//! Date expectations: `expect_column_values_to_match_strftime_format` (Python's
//! `strptime`, reimplemented) and `expect_column_values_to_be_dateutil_parseable`
//! (a documented subset of `dateutil.parser.parse`).

use regex::Regex;

use crate::check::CheckError;
use crate::map::{array, push_failing, ValueRule};
use crate::value::ColumnRef;

const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];
const WEEKDAYS: [&str; 7] = [
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 0,
    }
}

/// `expect_column_values_to_match_strftime_format`.
///
/// Follows CPython's `_strptime`: each directive becomes the same regex CPython uses
/// (so `%m` and `%d` accept one or two digits, `%Y` exactly four), whitespace in the
/// format matches any run of whitespace, matching ignores case, the whole value must be
/// consumed, and the date must exist (Feb 29 only in leap years; a format without a
/// year uses 1900, as Python does). Directives: `%a %A %b %B %d %f %H %I %j %m %M %p
/// %S %y %Y %z %Z %%` and `%c %x %X` in the C locale.
pub struct Strftime {
    regex: Regex,
}

impl Strftime {
    /// Translates `format`; an unknown directive is an error naming it.
    pub fn new(format: &str) -> Result<Self, String> {
        let mut pattern = String::from("(?i)^");
        translate(format, &mut pattern)?;
        let regex = Regex::new(&pattern).map_err(|e| format!("strftime format {format:?}: {e}"))?;
        Ok(Self { regex })
    }

    /// Whether `text` parses with the format.
    pub fn parses(&self, text: &str) -> bool {
        let Some(caps) = self.regex.captures(text) else {
            return false;
        };
        if caps.get(0).map(|m| m.end()) != Some(text.len()) {
            return false; // "unconverted data remains"
        }
        let num = |name: &str| {
            caps.name(name)
                .and_then(|m| m.as_str().trim().parse::<i64>().ok())
        };
        let year = match (num("Y"), num("y")) {
            (Some(y), _) => y,
            (None, Some(y)) => {
                if y < 69 {
                    2000 + y
                } else {
                    1900 + y
                }
            }
            _ => 1900,
        };
        let month = num("m").map(|m| m as u32).or_else(|| {
            caps.name("b")
                .or_else(|| caps.name("B"))
                .and_then(|m| month_of(m.as_str()))
        });
        if let (Some(month), Some(day)) = (month, num("d")) {
            if day as u32 > days_in_month(year, month) {
                return false;
            }
        } else if let Some(day) = num("d") {
            // Day without month: January.
            if day > 31 {
                return false;
            }
        }
        if let Some(j) = num("j") {
            let leap = days_in_month(year, 2) == 29;
            if j > if leap { 366 } else { 365 } {
                return false;
            }
        }
        true
    }
}

fn month_of(name: &str) -> Option<u32> {
    let lower = name.to_ascii_lowercase();
    MONTHS
        .iter()
        .position(|m| *m == lower || (lower.len() == 3 && m.starts_with(&lower)))
        .map(|i| i as u32 + 1)
}

fn names_alternation(names: &[&str], abbreviated: bool) -> String {
    let items: Vec<String> = names
        .iter()
        .map(|n| {
            if abbreviated {
                n[..3].to_string()
            } else {
                n.to_string()
            }
        })
        .collect();
    items.join("|")
}

fn translate(format: &str, out: &mut String) -> Result<(), String> {
    let mut chars = format.chars().peekable();
    let mut seen = std::collections::HashSet::new();
    while let Some(c) = chars.next() {
        if c != '%' {
            if c.is_whitespace() {
                while chars.peek().is_some_and(|n| n.is_whitespace()) {
                    chars.next();
                }
                out.push_str(r"\s+");
            } else {
                out.push_str(&regex::escape(&c.to_string()));
            }
            continue;
        }
        let Some(d) = chars.next() else {
            return Err("stray % at the end of the strftime format".into());
        };
        let mut group = |name: char, body: &str| {
            // A directive used twice must not redefine the group (Python refuses too).
            if seen.insert(name) {
                out.push_str(&format!("(?P<{name}>{body})"));
            } else {
                out.push_str(&format!("(?:{body})"));
            }
        };
        match d {
            'd' => group('d', r"3[0-1]|[1-2]\d|0[1-9]|[1-9]| [1-9]"),
            'f' => group('f', r"[0-9]{1,6}"),
            'H' => group('H', r"2[0-3]|[0-1]\d|\d"),
            'I' => group('I', r"1[0-2]|0[1-9]|[1-9]"),
            'j' => group(
                'j',
                r"36[0-6]|3[0-5]\d|[1-2]\d\d|0[1-9]\d|00[1-9]|[1-9]\d|0[1-9]|[1-9]",
            ),
            'm' => group('m', r"1[0-2]|0[1-9]|[1-9]"),
            'M' => group('M', r"[0-5]\d|\d"),
            'S' => group('S', r"6[0-1]|[0-5]\d|\d"),
            'U' | 'W' => group(d, r"5[0-3]|[0-4]\d|\d"),
            'w' => group('w', r"[0-6]"),
            'u' => group('u', r"[1-7]"),
            'y' => group('y', r"\d\d"),
            'Y' => group('Y', r"\d\d\d\d"),
            'z' => group('z', r"[+-]\d\d:?[0-5]\d(?::?[0-5]\d(?:\.\d{1,6})?)?|Z"),
            'Z' => group('Z', r"utc|gmt"),
            'a' => group('a', &names_alternation(&WEEKDAYS, true)),
            'A' => group('A', &names_alternation(&WEEKDAYS, false)),
            'b' | 'h' => group('b', &names_alternation(&MONTHS, true)),
            'B' => group('B', &names_alternation(&MONTHS, false)),
            'p' => group('p', "am|pm"),
            '%' => out.push('%'),
            'c' => translate("%a %b %d %H:%M:%S %Y", out)?,
            'x' => translate("%m/%d/%y", out)?,
            'X' => translate("%H:%M:%S", out)?,
            other => return Err(format!("'{other}' is a bad directive in format '%{other}'")),
        }
    }
    Ok(())
}

impl ValueRule for Strftime {
    fn failing_rows(&self, col: ColumnRef<'_>, out: &mut Vec<usize>) -> Result<(), CheckError> {
        match col {
            ColumnRef::Str(a) => push_failing(a, out, |i| !self.parses(a.value(i))),
            // strptime on a non-string raises TypeError in Python: every value fails.
            _ => push_failing(array(&col), out, |_| true),
        }
        Ok(())
    }
}

/// `expect_column_values_to_be_dateutil_parseable`, on a documented subset.
///
/// Accepted (case-insensitive, surrounding whitespace ignored): ISO dates and
/// datetimes (`2024-05-05`, `2024-05-05T10:30:00Z`, `2024-05-05 10:30:00.123+02:00`);
/// numeric dates with `-`, `/` or `.` (`10/10`, `01/13/2024` and day-first
/// `13/01/2024`, `15.06.2024`, two-digit years); compact `20240901` and `240901`;
/// a bare year or day number (`2024`, `42`); month and weekday names, full or
/// abbreviated (`Sept`), with ordinals and the filler words dateutil skips (`4th of
/// July`, `June 15th 2024`, `1 Aug`, `sun`); times `12:30[:45[.123]]` with `am`/`pm`;
/// time zones `Z`, `UTC`, `GMT` and `±hh[:mm]`. The date must exist. Rejected: any
/// other word (`tomorrow`, `noon`, `Q3`), trailing junk, impossible dates or times.
/// dateutil accepts a few more exotic forms; the README lists the known differences.
pub struct DateutilParseable;

impl ValueRule for DateutilParseable {
    fn failing_rows(&self, col: ColumnRef<'_>, out: &mut Vec<usize>) -> Result<(), CheckError> {
        match col {
            ColumnRef::Str(a) => push_failing(a, out, |i| !dateutil_parses(a.value(i))),
            _ => {
                return Err(CheckError(
                    "Values passed to expect_column_values_to_be_dateutil_parseable must be of type string.".into(),
                ))
            }
        }
        Ok(())
    }
}

const SKIP_WORDS: [&str; 8] = ["at", "on", "and", "ad", "of", "the", "t", "m"];

/// Parses `text` with the subset of dateutil's grammar described on [`DateutilParseable`].
pub fn dateutil_parses(text: &str) -> bool {
    let text = text.trim().to_ascii_lowercase();
    if text.is_empty() {
        return false;
    }
    // A plain decimal number ("9.0", "-11") is read by dateutil as a day or year.
    if is_plain_number(&text) {
        return true;
    }
    let mut numbers: Vec<(i64, usize)> = Vec::new(); // (value, digit count)
    let mut month: Option<u32> = None;
    let mut saw_anything = false;
    let mut time_seen = false;
    let tokens = tokenize(&text);
    let mut i = 0;
    while i < tokens.len() {
        let tok = tokens[i].as_str();
        i += 1;
        if tok.chars().all(|c| c.is_ascii_digit()) {
            saw_anything = true;
            // Compact forms.
            match tok.len() {
                8 | 6 if numbers.is_empty() && month.is_none() => {
                    let (y, rest) = tok.split_at(tok.len() - 4);
                    let (m, d) = rest.split_at(2);
                    let year: i64 = y.parse().unwrap_or(0);
                    let year = if y.len() == 2 { 2000 + year } else { year };
                    let (m, d): (u32, u32) = (m.parse().unwrap_or(0), d.parse().unwrap_or(0));
                    if m == 0 || m > 12 || d == 0 || d > days_in_month(year, m) {
                        return false;
                    }
                    month = Some(m);
                    numbers.push((d as i64, 2));
                    numbers.push((year, 4));
                }
                1..=4 => numbers.push((tok.parse().unwrap_or(0), tok.len())),
                _ => return false,
            }
            continue;
        }
        if is_offset(tok) && (time_seen || !numbers.is_empty()) {
            continue;
        }
        if let Some(t) = parse_time(tok) {
            if !t || time_seen {
                return false;
            }
            time_seen = true;
            saw_anything = true;
            continue;
        }
        if let Some(parts) = split_numeric_date(tok) {
            if !numbers.is_empty() || month.is_some() {
                return false;
            }
            saw_anything = true;
            numbers.extend(parts);
            continue;
        }
        let word = tok.trim_end_matches('.');
        if let Some(m) = month_name(word) {
            if month.is_some() {
                return false;
            }
            month = Some(m);
            saw_anything = true;
        } else if weekday_name(word) {
            saw_anything = true;
        } else if matches!(word, "st" | "nd" | "rd" | "th") {
            // An ordinal suffix needs a number before it.
            if numbers.is_empty() {
                return false;
            }
        } else if matches!(word, "am" | "pm" | "a" | "p") {
            // A meridian needs a time or an hour before it.
            if !time_seen && numbers.is_empty() {
                return false;
            }
        } else {
            // Filler words and time zones are accepted; anything else is not a date.
            let ignorable = SKIP_WORDS.contains(&word)
                || word.is_empty()
                || matches!(word, "z" | "utc" | "gmt")
                || is_offset(word);
            if !ignorable {
                return false;
            }
        }
    }
    if !saw_anything {
        return false;
    }
    resolve_date(&numbers, month)
}

fn is_plain_number(text: &str) -> bool {
    let body = text.strip_prefix(['-', '+']).unwrap_or(text);
    let (int, frac) = body.split_once('.').unwrap_or((body, "0"));
    !int.is_empty()
        && int.chars().all(|c| c.is_ascii_digit())
        && !frac.is_empty()
        && frac.chars().all(|c| c.is_ascii_digit())
}

fn tokenize(text: &str) -> Vec<String> {
    // Split on whitespace and commas, then split letters from digits ("15th", "4th"),
    // and "T" between an ISO date and time.
    let mut out = Vec::new();
    for raw in text.split(|c: char| c.is_whitespace() || c == ',' || c == ';') {
        if raw.is_empty() {
            continue;
        }
        if let Some((date, time)) = raw.split_once('t') {
            if date.chars().next().is_some_and(|c| c.is_ascii_digit())
                && time.chars().next().is_some_and(|c| c.is_ascii_digit())
            {
                out.push(date.to_string());
                push_time_and_zone(time, &mut out);
                continue;
            }
        }
        if raw.contains(':') {
            push_time_and_zone(raw, &mut out);
            continue;
        }
        let mut cur = String::new();
        let mut last_alpha: Option<bool> = None;
        for c in raw.chars() {
            let alpha = c.is_ascii_alphabetic();
            if let Some(prev) = last_alpha {
                if prev != alpha && !matches!(c, '-' | '/' | '.') && !cur.ends_with(['-', '/', '.'])
                {
                    out.push(std::mem::take(&mut cur));
                }
            }
            cur.push(c);
            last_alpha = Some(alpha);
        }
        if !cur.is_empty() {
            out.push(cur);
        }
    }
    out
}

fn push_time_and_zone(raw: &str, out: &mut Vec<String>) {
    // "10:30:00z", "10:30:00+02:00", "10:30pm"
    let cut = raw
        .char_indices()
        .skip(1)
        .find(|(_, c)| matches!(c, '+' | '-' | 'z' | 'a' | 'p'))
        .map(|(i, _)| i);
    match cut {
        Some(i) => {
            out.push(raw[..i].to_string());
            out.push(raw[i..].to_string());
        }
        None => out.push(raw.to_string()),
    }
}

/// `Some(valid)` when `tok` looks like a time `h:m[:s[.f]]`.
fn parse_time(tok: &str) -> Option<bool> {
    if !tok.contains(':') {
        return None;
    }
    let parts: Vec<&str> = tok.split(':').collect();
    if parts.len() > 3 {
        return Some(false);
    }
    let mut values = Vec::new();
    for (k, p) in parts.iter().enumerate() {
        let p = if k == 2 {
            p.split('.').next().unwrap_or("")
        } else {
            p
        };
        if p.is_empty() || p.len() > 2 || !p.chars().all(|c| c.is_ascii_digit()) {
            return Some(false);
        }
        values.push(p.parse::<u32>().unwrap_or(99));
    }
    let ok = values[0] <= 23
        && values.get(1).is_none_or(|m| *m <= 59)
        && values.get(2).is_none_or(|s| *s <= 59);
    Some(ok)
}

fn is_offset(word: &str) -> bool {
    let Some(rest) = word.strip_prefix('+').or_else(|| word.strip_prefix('-')) else {
        return false;
    };
    let digits: String = rest.chars().filter(|c| *c != ':').collect();
    matches!(digits.len(), 2 | 4) && digits.chars().all(|c| c.is_ascii_digit())
}

fn split_numeric_date(tok: &str) -> Option<Vec<(i64, usize)>> {
    let sep = ['-', '/', '.'].into_iter().find(|s| tok.contains(*s))?;
    let parts: Vec<&str> = tok.split(sep).collect();
    if !(2..=3).contains(&parts.len())
        || parts
            .iter()
            .any(|p| p.is_empty() || p.len() > 4 || !p.chars().all(|c| c.is_ascii_digit()))
    {
        return None;
    }
    Some(
        parts
            .iter()
            .map(|p| (p.parse().unwrap_or(0), p.len()))
            .collect(),
    )
}

fn month_name(word: &str) -> Option<u32> {
    if word.len() < 3 {
        return None;
    }
    if word == "sept" {
        return Some(9);
    }
    MONTHS
        .iter()
        .position(|m| *m == word || (word.len() == 3 && m.starts_with(word)))
        .map(|i| i as u32 + 1)
}

fn weekday_name(word: &str) -> bool {
    word.len() >= 3
        && WEEKDAYS.iter().any(|d| {
            *d == word
                || (word.len() == 3 && d.starts_with(word))
                || (word == "tues" || word == "thurs")
        })
}

/// Assigns year, month and day the way dateutil does for the common cases, then checks
/// the date exists (missing parts come from a leap-year default so `Feb 29` passes).
fn resolve_date(numbers: &[(i64, usize)], month_name: Option<u32>) -> bool {
    let valid = |y: i64, m: i64, d: i64| {
        (1..=12).contains(&m) && d >= 1 && d <= days_in_month(y, m as u32) as i64
    };
    let year_of = |(v, len): (i64, usize)| if len <= 2 { 2000 + v } else { v };
    match (month_name, numbers) {
        (_, []) => true,
        (Some(m), [(v, len)]) => {
            if *len <= 2 && *v >= 1 && *v <= 31 {
                valid(2024, m as i64, *v)
            } else {
                *len == 4 || *v > 31
            }
        }
        (Some(m), [a, b]) => {
            if a.1 == 4 || a.0 > 31 {
                valid(year_of(*a), m as i64, b.0)
            } else {
                valid(year_of(*b), m as i64, a.0)
            }
        }
        (None, [(v, len)]) => *len == 4 || (*v >= 1) || *len <= 2,
        (None, [a, b]) => {
            if a.1 == 4 {
                valid(a.0, b.0, 1)
            } else {
                valid(2024, a.0, b.0) || valid(2024, b.0, a.0) || (b.1 == 4 && valid(b.0, a.0, 1))
            }
        }
        (None, [a, b, c]) => {
            if a.1 >= 3 {
                valid(a.0, b.0, c.0)
            } else {
                let y = year_of(*c);
                valid(y, a.0, b.0) || valid(y, b.0, a.0)
            }
        }
        _ => false,
    }
}

impl DateutilParseable {
    /// Exposed for tests and the README's table.
    pub fn parses(text: &str) -> bool {
        dateutil_parses(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strptime_like_python() {
        let f = Strftime::new("%Y-%m-%d").unwrap();
        for ok in ["2024-01-31", "2024-2-9", "2024-02-29"] {
            assert!(f.parses(ok), "{ok}");
        }
        for bad in [
            "2023-02-29",
            "2024-13-01",
            "20240901",
            "24-06-15",
            "2024/08/01",
            "2024-01-01x",
        ] {
            assert!(!f.parses(bad), "{bad}");
        }
        let f = Strftime::new("%d %B %Y").unwrap();
        assert!(f.parses("4   july 2024"));
        assert!(Strftime::new("%Q").is_err());
    }

    #[test]
    fn dateutil_subset() {
        for ok in [
            "sun",
            "March",
            "2024",
            "42",
            "12:30",
            "10/10",
            "4th of July",
            "1 Aug",
            "Sept 1",
            "June 15th 2024",
            "13/01/2024",
            "  2024-05-05  ",
            "20240901",
            "2024-05-05T10:30:00Z",
            "2024-07-04 09:30",
            "15.06.2024",
            "10:30 pm",
            "2024-06-15T23:59:59+02:00",
            "9.0",
            "-11",
        ] {
            assert!(dateutil_parses(ok), "{ok}");
        }
        for bad in [
            "tomorrow",
            "noon",
            "not a date",
            "Q3 2024",
            "2024-06-06 junk",
            "2023-02-29",
            "2024-03-01 25:00:00",
            "",
            "2024-13-01",
            "1e2",
            "0x14",
            "true",
        ] {
            assert!(!dateutil_parses(bad), "{bad}");
        }
    }
}
