//! Debug aid: time the scanner on pathological inputs.
fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(10_000);
    let cases: Vec<(&str, String)> = vec![
        ("digits", "9".repeat(n)),
        ("b64", "aB3+/".repeat(n / 5)),
        ("begin", "-----BEGIN PRIVATE KEY-----".repeat(n / 27)),
        (
            "pii",
            "mail a@b.co or call +44 20 7946 0958. ".repeat(n / 38),
        ),
        ("colons", "::".repeat(n / 2)),
        ("dots", "1.".repeat(n / 2)),
    ];
    for (name, text) in cases {
        let t = std::time::Instant::now();
        let f = datagate_pii::Scanner::shared().scan(&text);
        println!(
            "{name:8} {:>8} bytes {:>6} findings {:?}",
            text.len(),
            f.len(),
            t.elapsed()
        );
    }
}
