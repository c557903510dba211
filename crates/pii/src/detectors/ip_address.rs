//! IPv4 and IPv6 addresses.
//!
//! **What it finds:** dotted-quad IPv4 (`192.168.10.4`) and IPv6 in full,
//! compressed or IPv4-embedded form (`2001:db8::8a2e:370:7334`).
//!
//! **Validation:** candidates are parsed with `std::net` (so `256.1.1.1` and
//! leading-zero octets like `01.2.3.4` fail). IPv4 inside a longer dotted run
//! (`1.2.3.4.5`, a version string) is rejected; "version" / "v" nearby lowers
//! the score. IPv6 needs at least two non-empty groups, which keeps `::`, `::1`
//! and C++ `a::b` out.

use std::net::{Ipv4Addr, Ipv6Addr};

use super::{Candidate, Detector, Hit};
use crate::Entity;

/// The IPv4 detector.
pub const DETECTOR_V4: Detector = Detector {
    name: "ipv4",
    entity: Entity::IpAddress,
    patterns: &[r"(?-u:\b)[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}(?-u:\b)"],
    context: &[
        "ip", "address", "host", "server", "client", "from", "login", "ipv4",
    ],
    negative_context: &["version", "release", "build", "firmware", "ver"],
    validate: validate_v4,
};

/// The IPv6 detector.
pub const DETECTOR_V6: Detector = Detector {
    name: "ipv6",
    entity: Entity::IpAddress,
    patterns: &[
        r"(?-u:\b)(?:[0-9A-Fa-f]{1,4}:){1,7}(?:(?::?[0-9A-Fa-f]{1,4}){1,7}|:)(?::[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3})?",
        r"::(?:[0-9A-Fa-f]{1,4}:){0,6}(?:[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}|[0-9A-Fa-f]{1,4})(?-u:\b)",
    ],
    context: &["ip", "ipv6", "address", "host"],
    negative_context: &[],
    validate: validate_v6,
};

fn validate_v4(c: &Candidate<'_>) -> Option<Hit> {
    let s = c.as_str();
    let dotted_before = c.byte_before() == Some(b'.')
        && c.start >= 2
        && c.text.as_bytes()[c.start - 2].is_ascii_digit();
    let dotted_after = c.byte_after() == Some(b'.')
        && c.text
            .as_bytes()
            .get(c.end + 1)
            .is_some_and(u8::is_ascii_digit);
    if dotted_before || dotted_after || matches!(c.byte_before(), Some(b'v' | b'V')) {
        return None;
    }
    let ip: Ipv4Addr = s.parse().ok()?;
    if ip.is_unspecified() || ip.is_broadcast() {
        return None;
    }
    c.hit(0.85, "std::net::Ipv4Addr")
}

fn validate_v6(c: &Candidate<'_>) -> Option<Hit> {
    let mut s = c.as_str();
    let mut end = c.end;
    // A trailing single colon is punctuation ("host 2001:db8::1: down").
    while s.ends_with(':') && !s.ends_with("::") {
        s = &s[..s.len() - 1];
        end -= 1;
    }
    if c.byte_after()
        .is_some_and(|b| b.is_ascii_alphanumeric() || b == b':')
        && end == c.end
    {
        return None;
    }
    if c.byte_before()
        .is_some_and(|b| b.is_ascii_alphanumeric() || b == b':' || b == b'.')
        || (c.byte_after() == Some(b'.')
            && c.text
                .as_bytes()
                .get(c.end + 1)
                .is_some_and(u8::is_ascii_digit))
    {
        return None;
    }
    let ip: Ipv6Addr = s.parse().ok()?;
    let groups = s.split(':').filter(|g| !g.is_empty()).count();
    if groups < 2 || ip.is_unspecified() {
        return None;
    }
    Some(Hit {
        start: c.start,
        end,
        score: 0.85,
        validation: "std::net::Ipv6Addr",
    })
}

#[cfg(test)]
mod tests {
    use super::super::testing::assert_found;
    use crate::Entity::IpAddress as E;

    #[test]
    fn true_positives() {
        assert_found(E, "login from 192.168.10.4 failed", &["192.168.10.4"]);
        assert_found(E, "client 8.8.8.8.", &["8.8.8.8"]);
        assert_found(
            E,
            "v6 2001:db8::8a2e:370:7334 ok",
            &["2001:db8::8a2e:370:7334"],
        );
        assert_found(
            E,
            "full 2001:0db8:85a3:0000:0000:8a2e:0370:7334",
            &["2001:0db8:85a3:0000:0000:8a2e:0370:7334"],
        );
        assert_found(
            E,
            "peer fe80::1ff:fe23:4567:890a%eth0",
            &["fe80::1ff:fe23:4567:890a"],
        );
        assert_found(E, "mapped ::ffff:192.0.2.128 here", &["::ffff:192.0.2.128"]);
    }

    #[test]
    fn near_misses() {
        assert_found(E, "bad 256.1.1.1 and 01.2.3.4", &[]);
        assert_found(E, "version 1.2.3.4.5 released", &[]);
        assert_found(E, "release v1.2.3.4", &[]);
        assert_found(E, "time 12:30:45 and std::vector and ::1", &[]);
        assert_found(E, "mac 00:1A:2B:3C:4D:5E", &[]);
        assert_found(E, "1:2:3:4:5:6:7:8:9", &[]);
    }
}
