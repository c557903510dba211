//! MAC (hardware) addresses.
//!
//! **What it finds:** six hexadecimal octets separated by `:` or `-`
//! (`00:1A:2B:3C:4D:5E`) and Cisco's dotted form (`001a.2b3c.4d5e`).
//!
//! **Validation:** one separator throughout; not all zeros and not the broadcast
//! address; not part of a longer colon run (an IPv6 address or a time).

use super::{Candidate, Detector, Hit};
use crate::Entity;

/// The MAC address detector.
pub const DETECTOR: Detector = Detector {
    name: "mac_address",
    entity: Entity::MacAddress,
    patterns: &[
        r"(?-u:\b)[0-9A-Fa-f]{2}[:-][0-9A-Fa-f]{2}[:-][0-9A-Fa-f]{2}[:-][0-9A-Fa-f]{2}[:-][0-9A-Fa-f]{2}[:-][0-9A-Fa-f]{2}(?-u:\b)",
        r"(?-u:\b)[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}(?-u:\b)",
    ],
    context: &["mac", "hardware", "ethernet", "wifi", "device", "nic"],
    negative_context: &[],
    validate,
};

fn validate(c: &Candidate<'_>) -> Option<Hit> {
    let s = c.as_str();
    if matches!(c.byte_before(), Some(b':' | b'-' | b'.'))
        || matches!(c.byte_after(), Some(b':' | b'-'))
        || (c.byte_after() == Some(b'.')
            && c.text
                .as_bytes()
                .get(c.end + 1)
                .is_some_and(u8::is_ascii_hexdigit))
    {
        return None;
    }
    let seps: Vec<u8> = s.bytes().filter(|b| !b.is_ascii_hexdigit()).collect();
    if seps.windows(2).any(|w| w[0] != w[1]) {
        return None;
    }
    let hex: Vec<u8> = s.bytes().filter(u8::is_ascii_hexdigit).collect();
    if hex.iter().all(|&b| b == b'0') || hex.iter().all(|&b| b == b'f' || b == b'F') {
        return None;
    }
    // Cisco form: require at least one letter or the shape is just digits.
    if seps.first() == Some(&b'.') && hex.iter().all(u8::is_ascii_digit) {
        return None;
    }
    c.hit(0.85, "octets+separator")
}

#[cfg(test)]
mod tests {
    use super::super::testing::assert_found;
    use crate::Entity::MacAddress as E;

    #[test]
    fn true_positives() {
        assert_found(E, "device 00:1A:2B:3C:4D:5E online", &["00:1A:2B:3C:4D:5E"]);
        assert_found(E, "nic a4-5e-60-c2-19-7b.", &["a4-5e-60-c2-19-7b"]);
        assert_found(E, "cisco 001a.2b3c.4d5e", &["001a.2b3c.4d5e"]);
    }

    #[test]
    fn near_misses() {
        assert_found(E, "00:1A:2B-3C:4D:5E", &[]);
        assert_found(E, "00:00:00:00:00:00 ff:ff:ff:ff:ff:ff", &[]);
        assert_found(E, "2001:db8:1:2:3:4:5:6", &[]);
        assert_found(E, "1234.5678.9012", &[]);
        assert_found(E, "00:1A:2B:3C:4D:5E:6F", &[]);
    }
}
