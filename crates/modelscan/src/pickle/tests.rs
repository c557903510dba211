//! Hand-built opcode streams, one per technique. Nothing here is ever unpickled.

use crate::{scan_bytes, FileReport, Options, Verdict};

fn scan(b: &[u8]) -> FileReport {
    scan_bytes("t.pkl", b, &Options::default())
}

/// `(rule, module.name)` of every finding.
fn hits(r: &FileReport) -> Vec<(String, String)> {
    r.findings
        .iter()
        .map(|f| {
            (
                f.rule.to_string(),
                format!(
                    "{}.{}",
                    f.module.clone().unwrap_or_default(),
                    f.import.clone().unwrap_or_default()
                ),
            )
        })
        .collect()
}

fn has(r: &FileReport, rule: &str, import: &str) -> bool {
    hits(r)
        .iter()
        .any(|(ru, i)| ru == rule && (import.is_empty() || i == import))
}

fn sbu(s: &str) -> Vec<u8> {
    let mut v = vec![0x8c, s.len() as u8];
    v.extend_from_slice(s.as_bytes());
    v
}

/// Wrap a protocol-4 body in PROTO + one FRAME + STOP.
fn p4(body: &[u8]) -> Vec<u8> {
    let mut v = vec![0x80, 4, 0x95];
    v.extend_from_slice(&((body.len() + 1) as u64).to_le_bytes());
    v.extend_from_slice(body);
    v.push(b'.');
    v
}

#[test]
fn protocol0_global_reduce() {
    let r = scan(b"cos\nsystem\n(S'echo hi'\ntR.");
    assert_eq!(r.verdict, Verdict::Malicious);
    assert!(has(&r, "PKL001", "os.system"), "{:?}", hits(&r));
    let loc = &r.findings[0].location;
    assert_eq!(loc.offset, Some(0));
}

#[test]
fn protocol1_and_2_benign_and_malicious() {
    // protocol 1: ]q\x00(K\x01K\x02e.
    let r = scan(b"]q\x00(K\x01K\x02e.");
    assert_eq!(r.verdict, Verdict::Safe, "{:?}", r.findings);
    let r = scan(b"\x80\x02cposix\nsystem\nq\x00X\x02\x00\x00\x00idq\x01\x85q\x02Rq\x03.");
    assert!(has(&r, "PKL001", "posix.system"));
}

#[test]
fn protocol3_bytes_and_builtins() {
    let r = scan(b"\x80\x03c__builtin__\nset\n]\x85RC\x03abc.");
    assert_eq!(r.verdict, Verdict::Safe, "{:?}", r.findings);
    let r = scan(b"\x80\x03cbuiltins\neval\nX\x04\x00\x00\x001+1q\x00\x85R.");
    assert!(has(&r, "PKL001", "builtins.eval"));
}

#[test]
fn protocol4_stack_global_framed() {
    let mut b = sbu("subprocess");
    b.push(0x94);
    b.extend(sbu("check_output"));
    b.extend([0x94, 0x93, 0x94]);
    b.extend(sbu("id"));
    b.extend([0x85, b'R']);
    let r = scan(&p4(&b));
    assert!(
        has(&r, "PKL001", "subprocess.check_output"),
        "{:?}",
        hits(&r)
    );
    assert!(!has(&r, "PKL006", ""), "{:?}", hits(&r));
}

#[test]
fn protocol5_buffers_benign() {
    let mut b = vec![0x80, 5];
    b.push(0x96);
    b.extend(4u64.to_le_bytes());
    b.extend(b"abcd");
    b.extend([0x97, 0x98, b'0', b'.']);
    let r = scan(&b);
    assert_eq!(r.verdict, Verdict::Safe, "{:?}", r.findings);
}

#[test]
fn memo_mixing_put_and_memoize() {
    // picklescan #14: PUT and MEMOIZE share the memo; MEMOIZE uses len(memo), not a counter.
    let mut b = sbu("os");
    b.push(0x94); // memo[0] = "os"
    b.extend(sbu("torch._utils"));
    b.extend([b'q', 5]); // memo[5] = decoy
    b.extend(sbu("system"));
    b.push(0x94); // memo[2] = "system" (len(memo) == 2)
    b.extend([b'0', b'0', b'0']);
    b.extend([b'h', 0, b'h', 2, 0x93]);
    b.extend(sbu("echo"));
    b.extend([0x85, b'R']);
    let r = scan(&p4(&b));
    assert!(has(&r, "PKL001", "os.system"), "{:?}", hits(&r));
    assert!(!has(&r, "PKL002", "torch._utils.system"));
}

#[test]
fn put_with_decoy_strings() {
    // picklescan #22: decoy strings pushed but the memo holds the real ones.
    let b = b"\x80\x02X\x02\x00\x00\x00osq\x01X\x06\x00\x00\x00systemq\x02X\x05\x00\x00\x00torchX\x0b\x00\x00\x00LongStorage00h\x01h\x02\x93X\x02\x00\x00\x00id\x85R.";
    let r = scan(b);
    assert!(has(&r, "PKL001", "os.system"), "{:?}", hits(&r));
}

#[test]
fn stack_global_from_string_opcodes() {
    // GHSA-9gvj-pp9x-gcfr: STRING / SHORT_BINSTRING operands.
    let r = scan(b"\x80\x04S'os'\nU\x06system\x93U\x02id\x85R.");
    assert!(has(&r, "PKL001", "os.system"), "{:?}", hits(&r));
}

#[test]
fn unresolved_stack_global() {
    let r = scan(b"\x80\x04h\x07h\x08\x93.");
    assert_eq!(r.verdict, Verdict::Suspicious, "{:?}", r.findings);
    assert!(has(&r, "PKL003", ""));
    // ... and calling the hidden import is malicious
    let r = scan(b"\x80\x04h\x07h\x08\x93)R.");
    assert_eq!(r.verdict, Verdict::Malicious, "{:?}", r.findings);
    // operands computed by a call
    let mut b = b"\x80\x04cbuiltins\nstr\n)R".to_vec();
    b.extend(sbu("system"));
    b.extend([0x93, b')', b'R', b'.']);
    let r = scan(&b);
    assert!(has(&r, "PKL003", ""), "{:?}", hits(&r));
}

#[test]
fn inst_and_obj() {
    let r = scan(b"(S'id'\nipty\nspawn\n.");
    assert!(has(&r, "PKL001", "pty.spawn"), "{:?}", hits(&r));
    let r = scan(b"(cos\nsystem\nS'id'\no.");
    assert!(has(&r, "PKL001", "os.system"));
    // GHSA-mxhj-88fx-4pcv: the call result is popped, still reported
    let r = scan(b"(cos\nsystem\nS'id'\no0N.");
    assert!(has(&r, "PKL001", "os.system"));
}

#[test]
fn ext_codes_are_unresolved() {
    for op in [&b"\x82\x01"[..], b"\x83\x01\x02", b"\x84\x01\x02\x03\x04"] {
        let mut b = vec![0x80, 2];
        b.extend_from_slice(op);
        b.extend(b")R.");
        let r = scan(&b);
        assert!(has(&r, "PKL003", ""), "{:?}", hits(&r));
        assert!(r.verdict >= Verdict::Suspicious);
    }
}

#[test]
fn nested_pickle_in_bytes() {
    let inner = b"\x80\x02cos\nsystem\nX\x02\x00\x00\x00id\x85R.";
    let mut b = b"\x80\x03c_pickle\nloads\nC".to_vec();
    b.push(inner.len() as u8);
    b.extend_from_slice(inner);
    b.extend(b"\x85R.");
    let r = scan(&b);
    assert!(has(&r, "PKL001", "_pickle.loads"));
    assert!(has(&r, "PKL001", "os.system"), "{:?}", hits(&r));
    let f = r
        .findings
        .iter()
        .find(|f| f.import.as_deref() == Some("system"))
        .unwrap();
    assert_eq!(f.location.member.len(), 1);
}

#[test]
fn concatenated_pickles_all_scanned() {
    let mut b = b"\x80\x02]q\x00.".to_vec();
    b.extend(b"\x80\x02csubprocess\nPopen\n)R.");
    let r = scan(&b);
    assert!(has(&r, "PKL001", "subprocess.Popen"), "{:?}", hits(&r));
}

#[test]
fn junk_prefix_and_trailer() {
    let mut b = b"\xff\xfeJUNK not a pickle \x00\x01".to_vec();
    b.extend(b"\x80\x02cos\nsystem\nX\x02\x00\x00\x00id\x85R.");
    let r = scan(&b);
    assert_eq!(r.verdict, Verdict::Malicious);
    assert!(has(&r, "PKL001", "os.system"), "{:?}", hits(&r));
    assert!(has(&r, "PKL006", ""));
    // protocol 0 after junk
    let mut b = b"garbage\x00\x01".to_vec();
    b.extend(b"cos\nsystem\n(S'id'\ntR.");
    assert!(has(&scan(&b), "PKL001", "os.system"));
    // a benign pickle followed by junk: the trailer is an anomaly
    let r = scan(b"\x80\x02K\x01.\xff\xff\xff");
    assert_eq!(r.verdict, Verdict::Suspicious, "{:?}", r.findings);
}

#[test]
fn benign_state_dict() {
    let b = b"\x80\x02ccollections\nOrderedDict\nq\x00)Rq\x01X\x01\x00\x00\x00wq\x02ctorch._utils\n_rebuild_tensor_v2\nq\x03((X\x07\x00\x00\x00storageq\x04ctorch\nFloatStorage\nq\x05X\x01\x00\x00\x000q\x06X\x03\x00\x00\x00cpuq\x07K\x04tq\x08QK\x00K\x04\x85K\x01\x85\x89h\x00)Rq\ttq\nRq\x0bs.";
    let r = scan(b);
    assert_eq!(r.verdict, Verdict::Safe, "{:?}", r.findings);
}

#[test]
fn frame_violation() {
    // FRAME says 2 bytes, but the BINBYTES that follows is longer.
    let mut b = vec![0x80, 4, 0x95];
    b.extend(2u64.to_le_bytes());
    b.extend([b'C', 4]);
    b.extend(b"abcd");
    b.push(b'.');
    let r = scan(&b);
    assert!(has(&r, "PKL006", ""), "{:?}", hits(&r));
}

#[test]
fn build_on_global_and_dunder() {
    let r = scan(b"cnumpy\nprod\n}(Va\nVos\nub0cnumpy\nprod.a\n.");
    assert!(has(&r, "PKL005", "numpy.prod"), "{:?}", hits(&r));
    assert!(has(&r, "PKL002", "numpy.prod.a"));
    let r = scan(b"cnumpy\n__builtins__\n.");
    assert!(has(&r, "PKL004", "numpy.__builtins__"));
    assert_eq!(r.verdict, Verdict::Malicious);
    let r = scan(b"cpathlib\nos.system\n.");
    assert!(has(&r, "PKL001", "pathlib.os.system"));
}

#[test]
fn misplaced_proto() {
    let r = scan(b"K\x01\x80\x02.");
    assert!(has(&r, "PKL006", ""), "{:?}", hits(&r));
}

#[test]
fn malformed_streams_are_errors_not_panics() {
    for b in [
        &b"\x80\x02cos\nsys"[..],                          // truncated line
        b"\x80\x04\x8d\xff\xff\xff\xff\xff\xff\xff\x7f",   // BINUNICODE8 of 2^63 bytes
        b"\x80\x02\x8b\xff\xff\xff\xff.",                  // LONG4 with negative length
        b"\x80\x02t.",                                     // TUPLE without MARK
        b"\x80\x02R.",                                     // REDUCE on empty stack
        b"\x80\x09.",                                      // unknown protocol
        b"\x80\x02\x99.",                                  // invalid opcode
        b"\x80\x04\x95\xff\xff\xff\xff\xff\xff\xff\xffN.", // FRAME past the end
        b"",
    ] {
        let r = scan(b);
        assert!(r.verdict >= Verdict::Suspicious, "{b:?}: {:?}", r.findings);
    }
}

#[test]
fn resource_limits() {
    let b = vec![b'('; super::MAX_MARKS + 10];
    let r = scan(&b);
    assert!(has(&r, "PKL007", ""), "{:?}", hits(&r));
}

#[test]
fn dedupes_repeated_imports_but_reports_each_distinct_one() {
    let r = scan(b"cos\nsystem\n0cos\nsystem\n0cos\npopen\n0N.");
    let n = r.findings.iter().filter(|f| f.rule == "PKL001").count();
    assert_eq!(n, 2, "{:?}", hits(&r));
}
