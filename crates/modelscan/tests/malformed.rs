//! Hostile and broken inputs: each parser must turn them into findings, never panic, hang or
//! allocate from an untrusted length. Explicit cases first, then proptest over random and
//! mutated bytes (the stable-toolchain counterpart of the cargo-fuzz targets in fuzz/).

use datagate_modelscan::{scan_bytes, scan_bytes_with, Options, Parser, Verdict};
use proptest::prelude::*;

fn rules(parser: Parser, b: &[u8]) -> Vec<&'static str> {
    scan_bytes_with(parser, b, &Options::default())
        .iter()
        .map(|f| f.rule)
        .collect()
}

#[test]
fn npy_truncated_and_oversized_headers() {
    assert_eq!(rules(Parser::Npy, b"\x93NUMPY\x01\x00\x76"), ["GEN001"]);
    assert_eq!(
        rules(Parser::Npy, b"\x93NUMPY\x02\x00\xff\xff\xff\xff{"),
        ["GEN001"]
    );
    let t = b"{'descr': '<f8', 'fortran_order': False, 'shape': (1000000, 1000000), }\n";
    let mut h = b"\x93NUMPY\x01\x00".to_vec();
    h.extend((t.len() as u16).to_le_bytes());
    h.extend_from_slice(t);
    assert_eq!(
        rules(Parser::Npy, &h),
        ["GEN001"],
        "data shorter than the header claims"
    );
    assert_eq!(rules(Parser::Npy, b"\x93NUMPY\x07\x00"), ["GEN001"]);
}

#[test]
fn gguf_counts_larger_than_the_file() {
    let mut b = b"GGUF\x03\x00\x00\x00".to_vec();
    b.extend(0u64.to_le_bytes());
    b.extend(u64::MAX.to_le_bytes());
    assert_eq!(rules(Parser::Gguf, &b), ["GEN001"]);
    let mut b = b"GGUF\x03\x00\x00\x00".to_vec();
    b.extend(0u64.to_le_bytes());
    b.extend(1u64.to_le_bytes());
    b.extend(u64::MAX.to_le_bytes()); // key length
    b.extend([0u8; 16]);
    assert_eq!(rules(Parser::Gguf, &b), ["GEN001"]);
    assert_eq!(rules(Parser::Gguf, b"GGUF\x09\x00\x00\x00"), ["GEN001"]);
}

#[test]
fn zip_directory_lies() {
    // an EOCD claiming 65535 entries in a 0-byte directory
    let mut b =
        b"PK\x05\x06\x00\x00\x00\x00\xff\xff\xff\xff\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
            .to_vec();
    assert_eq!(rules(Parser::Zip, &b), ["GEN001"]);
    // a directory beyond the end
    b = b"PK\x05\x06\x00\x00\x00\x00\x01\x00\x01\x00\x2e\x00\x00\x00\xff\xff\x00\x00\x00\x00"
        .to_vec();
    assert_eq!(rules(Parser::Zip, &b), ["GEN001"]);
    assert_eq!(rules(Parser::Zip, b"PK\x03\x04 truncated"), ["GEN001"]);
}

#[test]
fn zip_overlap_and_local_name_mismatch() {
    // two central entries pointing at the same local header
    let data = b"\x80\x02K\x01.";
    let mut z = Vec::new();
    z.extend(b"PK\x03\x04\x14\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00");
    z.extend((data.len() as u32).to_le_bytes());
    z.extend((data.len() as u32).to_le_bytes());
    z.extend(5u16.to_le_bytes());
    z.extend(0u16.to_le_bytes());
    z.extend(b"a.pkl");
    z.extend(data);
    let cd_off = z.len() as u32;
    for name in [&b"a.pkl"[..], b"b.pkl"] {
        z.extend(b"PK\x01\x02\x14\x03\x14\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00");
        z.extend((data.len() as u32).to_le_bytes());
        z.extend((data.len() as u32).to_le_bytes());
        z.extend((name.len() as u16).to_le_bytes());
        z.extend([0u8; 12]);
        z.extend(0u32.to_le_bytes());
        z.extend(name);
    }
    let cd_len = z.len() as u32 - cd_off;
    z.extend(b"PK\x05\x06\x00\x00\x00\x00\x02\x00\x02\x00");
    z.extend(cd_len.to_le_bytes());
    z.extend(cd_off.to_le_bytes());
    z.extend(0u16.to_le_bytes());
    let r = rules(Parser::Zip, &z);
    assert!(r.contains(&"ARC004"), "{r:?}");
    assert!(r.contains(&"ARC003"), "{r:?}");
}

#[test]
fn tar_bad_checksum_and_size() {
    let mut h = vec![0u8; 1024];
    h[..5].copy_from_slice(b"x.pkl");
    h[124..135].copy_from_slice(b"77777777777");
    h[148..156].copy_from_slice(b"0000000\0");
    assert_eq!(rules(Parser::Tar, &h), ["GEN001"]);
}

#[test]
fn onnx_truncated_and_overlong() {
    assert_eq!(rules(Parser::Onnx, b"\x3a\xff\xff\xff\xff\x0f"), ["GEN001"]); // field 7, length past end
    assert_eq!(
        rules(
            Parser::Onnx,
            b"\x08\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff"
        ),
        ["GEN001"]
    ); // varint too long
       // deeply nested graphs (attribute -> graph -> node -> attribute ...) are bounded
    let mut msg: Vec<u8> = Vec::new();
    for _ in 0..200 {
        let mut node = vec![0x2a]; // Node.attribute (5)
        let mut attr = vec![0x32]; // Attribute.g (6)
        attr.extend(varint(msg.len()));
        attr.extend(&msg);
        node.extend(varint(attr.len()));
        node.extend(attr);
        let mut graph = vec![0x0a]; // Graph.node (1)
        graph.extend(varint(node.len()));
        graph.extend(node);
        msg = graph;
    }
    let mut model = vec![0x3a];
    model.extend(varint(msg.len()));
    model.extend(msg);
    assert_eq!(rules(Parser::Onnx, &model), ["GEN001"]);
}

fn varint(mut n: usize) -> Vec<u8> {
    let mut v = Vec::new();
    loop {
        let b = (n & 0x7f) as u8;
        n >>= 7;
        if n == 0 {
            v.push(b);
            return v;
        }
        v.push(b | 0x80);
    }
}

#[test]
fn safetensors_header_length_past_end() {
    let mut b = 1000u64.to_le_bytes().to_vec();
    b.extend(b"{}");
    assert_eq!(rules(Parser::Safetensors, &b), ["SFT001"]);
}

#[test]
fn nested_zip_depth_is_bounded() {
    // a zip that contains itself 20 levels deep (stored), built in memory
    fn zip1(name: &str, data: &[u8]) -> Vec<u8> {
        let mut z = Vec::new();
        z.extend(b"PK\x03\x04\x14\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00");
        z.extend((data.len() as u32).to_le_bytes());
        z.extend((data.len() as u32).to_le_bytes());
        z.extend((name.len() as u16).to_le_bytes());
        z.extend(0u16.to_le_bytes());
        z.extend(name.as_bytes());
        z.extend(data);
        let cd_off = z.len() as u32;
        z.extend(b"PK\x01\x02\x14\x03\x14\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00");
        z.extend((data.len() as u32).to_le_bytes());
        z.extend((data.len() as u32).to_le_bytes());
        z.extend((name.len() as u16).to_le_bytes());
        z.extend([0u8; 12]);
        z.extend(0u32.to_le_bytes());
        z.extend(name.as_bytes());
        let cd_len = z.len() as u32 - cd_off;
        z.extend(b"PK\x05\x06\x00\x00\x00\x00\x01\x00\x01\x00");
        z.extend(cd_len.to_le_bytes());
        z.extend(cd_off.to_le_bytes());
        z.extend(0u16.to_le_bytes());
        z
    }
    let mut z = zip1("p.pkl", b"cos\nsystem\n.");
    for i in 0..20 {
        z = zip1(&format!("l{i}.zip"), &z);
    }
    let r = scan_bytes("deep.zip", &z, &Options::default());
    assert!(
        r.findings.iter().any(|f| f.rule == "ARC006"),
        "{:?}",
        r.findings
    );
    assert!(r.verdict >= Verdict::Suspicious);
}

const PARSERS: [Parser; 9] = [
    Parser::Pickle,
    Parser::Safetensors,
    Parser::Npy,
    Parser::Gguf,
    Parser::Zip,
    Parser::Tar,
    Parser::Onnx,
    Parser::Hdf5,
    Parser::KerasConfig,
];

fn corpus() -> Vec<(String, Vec<u8>)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/corpus");
    let mut v: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e != "json"))
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read(&p).unwrap(),
            )
        })
        .filter(|(_, b)| b.len() < 64 * 1024)
        .collect();
    v.sort();
    v
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(data in proptest::collection::vec(any::<u8>(), 0..2048), p in 0usize..9) {
        let _ = scan_bytes_with(PARSERS[p], &data, &Options::default());
    }

    #[test]
    fn mutated_corpus_never_panics(i in any::<prop::sample::Index>(), flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8), cut in any::<prop::sample::Index>()) {
        let files = corpus();
        let (name, bytes) = &files[i.index(files.len())];
        let mut b = bytes.clone();
        for (at, v) in flips {
            let k = at.index(b.len().max(1));
            if k < b.len() {
                b[k] ^= v;
            }
        }
        let keep = cut.index(b.len() + 1);
        let _ = scan_bytes(name, &b, &Options::default());
        let _ = scan_bytes(name, &b[..keep], &Options::default());
    }
}

#[test]
fn seven_zip_is_reported_unscannable() {
    let r = scan_bytes(
        "m.7z",
        b"7z\xbc\xaf\x27\x1c\x00\x04rest",
        &Options::default(),
    );
    assert_eq!(r.format, "7z");
    assert_eq!(r.verdict, Verdict::Suspicious);
    assert_eq!(r.findings[0].rule, "ARC007");
}
