//! Bad input: random and mutated text, huge cells, binary junk. The scanner must
//! never panic, and its findings must stay in bounds, ordered and consistent.

use datagate_pii::transform::{Action, Transformer};
use datagate_pii::Scanner;
use proptest::prelude::*;

fn check(text: &str) {
    let findings = Scanner::shared().scan(text);
    let mut last = 0;
    for f in &findings {
        assert!(f.byte_start >= last && f.byte_start < f.byte_end && f.byte_end <= text.len());
        assert_eq!(f.start, text[..f.byte_start].chars().count());
        assert_eq!(
            f.end - f.start,
            text[f.byte_start..f.byte_end].chars().count()
        );
        last = f.byte_end;
    }
    let scrubbed = Transformer::without_key()
        .scrub_text(text, &findings, |_| Action::Redact)
        .unwrap();
    for f in &findings {
        let span = &text[f.byte_start..f.byte_end];
        if span.len() > 30 {
            assert!(!scrubbed.contains(span));
        }
    }
}

const SEEDS: &[&str] = &[
    "card 4111 1111 1111 1111 exp 09/27, mail jane@example.com, +44 20 7946 0958",
    "IBAN GB82 WEST 1234 5698 7654 32 ip 2001:db8::1 mac 00:1A:2B:3C:4D:5E",
    "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKY ghp_aB3dE5fG7hI9jK1lM3nO5pQ7rS9tU1aaaaaa",
    "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA7bq3jZ0m4Q2mYkq0sKx8V4Jk1Vd0p8s4lJm1f9p2fJk3QbW\n-----END RSA PRIVATE KEY-----",
    "DOB: 1984-07-23 SSN 536-22-1947 postgres://app:s3cr3t@db:5432/x",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_text(s in "\\PC{0,300}") {
        check(&s);
    }

    #[test]
    fn arbitrary_bytes_lossy(b in proptest::collection::vec(any::<u8>(), 0..400)) {
        check(&String::from_utf8_lossy(&b));
    }

    #[test]
    fn mutated_seeds(seed in 0usize..5, edits in proptest::collection::vec((any::<usize>(), any::<char>()), 0..8)) {
        let mut chars: Vec<char> = SEEDS[seed].chars().collect();
        for (at, c) in edits {
            if chars.is_empty() { break; }
            let i = at % chars.len();
            chars[i] = c;
        }
        check(&chars.into_iter().collect::<String>());
    }
}

#[test]
fn huge_cells_and_long_runs() {
    // Megabytes in one cell: a digit run, a base64-like run, repeated PII.
    check(&"9".repeat(1 << 20));
    check(&"aB3+/".repeat(200_000));
    check(&"-----BEGIN PRIVATE KEY-----".repeat(20_000));
    let many = "mail a@b.co or call +44 20 7946 0958. ".repeat(20_000);
    let f = Scanner::shared().scan(&many);
    assert_eq!(f.len(), 40_000);
    check(&"::".repeat(300_000));
    check(&"1.".repeat(300_000));
}
