//! E-mail addresses.
//!
//! **What it finds:** `local@domain.tld` addresses in free text and columns.
//!
//! **Validation:** the local part is at most 64 characters with no leading,
//! trailing or doubled dot; every domain label is 1–63 characters and does not
//! start or end with a hyphen; the top-level domain is alphabetic. A top-level
//! domain that is really a file extension (`icon@2x.png`) is rejected. A known
//! top-level domain scores 1.0, any other alphabetic one 0.75.

use super::{Candidate, Detector, Hit};
use crate::Entity;

/// The e-mail detector.
pub const DETECTOR: Detector = Detector {
    name: "email",
    entity: Entity::EmailAddress,
    // Every repetition is bounded, so the automaton never looks further than
    // one maximal address ahead (an unbounded local part made scanning
    // `1.1.1.1…` quadratic).
    patterns: &[
        r"[A-Za-z0-9!#$%&'*+^_~.-]{1,64}@(?:[A-Za-z0-9-]{1,63}\.){1,8}[A-Za-z]{2,24}(?-u:\b)",
    ],
    context: &["email", "e-mail", "mail", "contact"],
    negative_context: &[],
    validate,
};

const COMMON_TLDS: &[&str] = &[
    "com", "org", "net", "edu", "gov", "mil", "int", "io", "co", "uk", "de", "fr", "in", "us",
    "info", "biz", "me", "ai", "app", "dev", "eu", "nl", "es", "it", "ca", "au", "ch", "at", "be",
    "se", "no", "dk", "fi", "pl", "cz", "pt", "ie", "jp", "cn", "br", "mx", "ru", "za", "nz", "sg",
    "hk", "kr", "tw", "il", "ae", "tr", "gr", "hu", "ro", "ar", "cl", "tv", "xyz", "online",
    "site", "tech", "cloud", "email", "name", "pro", "mobi", "local", "test", "example", "invalid",
];

const FILE_EXTENSIONS: &[&str] = &[
    "png", "jpg", "jpeg", "gif", "svg", "webp", "bmp", "ico", "css", "js", "ts", "json", "txt",
    "pdf", "zip", "gz", "html", "htm", "php", "py", "rs", "exe", "dll", "mp3", "mp4", "mov",
];

fn validate(c: &Candidate<'_>) -> Option<Hit> {
    let s = c.as_str();
    // The local part must not continue a longer word on the left.
    if c.byte_before().is_some_and(|b| b == b'.' || b == b'@') {
        return None;
    }
    // `scheme://user@host` is a URL's user part (often a token), not an address.
    if c.text[..c.start].ends_with("://") {
        return None;
    }
    let (local, domain) = s.rsplit_once('@')?;
    if local.is_empty() || local.len() > 64 || domain.len() > 253 {
        return None;
    }
    if local.starts_with('.') || local.ends_with('.') || local.contains("..") {
        return None;
    }
    let labels: Vec<&str> = domain.split('.').collect();
    if labels.len() < 2 {
        return None;
    }
    for l in &labels {
        if l.is_empty() || l.len() > 63 || l.starts_with('-') || l.ends_with('-') {
            return None;
        }
    }
    let tld = labels.last()?.to_ascii_lowercase();
    // `.invalid` and `.localhost` are reserved (RFC 2606): never a mailbox, and
    // `.invalid` is what datagate's own pseudonyms use.
    if !tld.bytes().all(|b| b.is_ascii_alphabetic())
        || FILE_EXTENSIONS.contains(&tld.as_str())
        || tld == "invalid"
        || tld == "localhost"
    {
        return None;
    }
    let score = if COMMON_TLDS.contains(&tld.as_str()) {
        1.0
    } else {
        0.75
    };
    c.hit(score, "rfc5322-shape+tld")
}

#[cfg(test)]
mod tests {
    use super::super::testing::assert_found;
    use crate::Entity::EmailAddress as E;

    #[test]
    fn true_positives() {
        assert_found(
            E,
            "write to jane.doe@example.com today",
            &["jane.doe@example.com"],
        );
        assert_found(E, "<a.b+tag@mail.co.uk>", &["a.b+tag@mail.co.uk"]);
        assert_found(E, "x: o'neil@firma-x.de.", &["o'neil@firma-x.de"]);
    }

    #[test]
    fn near_misses() {
        assert_found(E, "see icon@2x.png and logo@3x.jpg", &[]);
        assert_found(E, "user@localhost is not routable", &[]);
        assert_found(E, "a..b@example.com", &[]);
        assert_found(E, "bad@-example.com", &[]);
        assert_found(E, "version 1.2@3.4", &[]);
        assert_found(E, "u1f2e3d4c5b6a7988@pseudonym.invalid", &[]);
    }
}
