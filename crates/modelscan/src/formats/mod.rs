//! Format detection and dispatch. Content decides (magic bytes), the name only breaks ties for
//! formats without magic (protocol-0 pickles, ONNX, safetensors with a malformed header).

mod compressed;
mod gguf;
mod hdf5;
mod keras;
mod npy;
mod onnx;
mod safetensors;
mod tar;
mod torch;
mod zip;

use std::path::Path;

use crate::blob::{Blob, Src};
use crate::pickle::{self, Mode, Sink};
use crate::report::{Finding, Location};
use crate::rules::{self, Rule};
use crate::Options;

/// Scanning state for one top-level file.
pub(crate) struct Ctx<'o> {
    pub opts: &'o Options,
    pub out: Vec<Finding>,
    /// Archive member chain of what is being scanned now.
    pub members: Vec<String>,
    /// Archive nesting depth.
    pub depth: usize,
}

impl Ctx<'_> {
    pub fn at(&self, offset: Option<u64>) -> Location {
        Location {
            member: self.members.clone(),
            offset,
        }
    }
    pub fn report(&mut self, rule: &Rule, msg: impl Into<String>, offset: Option<u64>) {
        let f = Finding::new(rule, msg, self.at(offset));
        self.out.push(f);
    }
    pub fn malformed(&mut self, what: &str, msg: impl std::fmt::Display, offset: Option<u64>) {
        self.report(&rules::malformed::RULE, format!("{what}: {msg}"), offset);
    }
    /// Scan the pickles of `blob` from `start`.
    pub fn pickles(&mut self, blob: &dyn Blob, start: u64, mode: Mode) -> pickle::Summary {
        let mut sink = Sink::new(&mut self.out, &self.members);
        pickle::scan_blob(blob, start, mode, &mut sink, 0)
    }
    /// Scan the pickles of a forward-only stream.
    pub fn pickle_stream(&mut self, src: &mut Src, mode: Mode) -> pickle::Summary {
        let mut sink = Sink::new(&mut self.out, &self.members);
        pickle::scan_stream(src, mode, &mut sink, 0)
    }
    /// Run `f` with `name` pushed on the member chain.
    pub fn member<T>(&mut self, name: &str, f: impl FnOnce(&mut Self) -> T) -> T {
        self.members.push(name.to_owned());
        let r = f(self);
        self.members.pop();
        r
    }
}

/// What the first bytes say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Zip,
    Tar,
    Npy,
    Hdf5,
    Gguf,
    Safetensors,
    TorchLegacy,
    Pickle,
    Compressed(compressed::Codec),
    Onnx,
    /// 7z: recognised but not unpacked (reported as unscannable).
    SevenZip,
    Unknown,
}

const PICKLE_EXT: &[&str] = &[
    "pkl", "pickle", "joblib", "dat", "data", "dill", "pt", "pth", "ckpt", "bin", "sav", "model",
];
const MODEL_EXT: &[&str] = &[
    "pkl",
    "pickle",
    "joblib",
    "dat",
    "data",
    "dill",
    "pt",
    "pth",
    "ckpt",
    "bin",
    "sav",
    "npy",
    "npz",
    "zip",
    "tar",
    "keras",
    "h5",
    "hdf5",
    "onnx",
    "safetensors",
    "gguf",
    "gz",
    "tgz",
    "bz2",
    "xz",
    "lz4",
    "lzma",
    "z",
    "mar",
    "pb",
];

fn ext(name: &str) -> String {
    Path::new(name)
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default()
}

/// Detect a format from the first 512 bytes (fewer if the data is shorter), the total length and the name.
pub(crate) fn sniff(head: &[u8], len: u64, name: &str) -> Kind {
    let e = ext(name);
    if head.starts_with(b"PK\x03\x04")
        || head.starts_with(b"PK\x05\x06")
        || head.starts_with(b"PK\x07\x08")
    {
        return Kind::Zip;
    }
    if head.starts_with(b"\x93NUMPY") {
        return Kind::Npy;
    }
    if head.starts_with(b"\x89HDF\r\n\x1a\n") {
        return Kind::Hdf5;
    }
    if head.starts_with(b"GGUF") {
        return Kind::Gguf;
    }
    if head.starts_with(b"7z\xbc\xaf\x27\x1c") {
        return Kind::SevenZip;
    }
    if head.starts_with(torch::LEGACY_MAGIC) {
        return Kind::TorchLegacy;
    }
    if head.len() >= 263 && &head[257..262] == b"ustar" {
        return Kind::Tar;
    }
    if let Some(c) = compressed::Codec::sniff(head) {
        return Kind::Compressed(c);
    }
    if head.len() >= 9 && head[8] == b'{' {
        let n = u64::from_le_bytes([
            head[0], head[1], head[2], head[3], head[4], head[5], head[6], head[7],
        ]);
        if n.checked_add(8).is_some_and(|end| end <= len) {
            return Kind::Safetensors;
        }
    }
    if matches!(head, [0x80, 0..=5, ..]) || pickle::looks_like_pickle(head) {
        return Kind::Pickle;
    }
    match e.as_str() {
        "safetensors" => Kind::Safetensors,
        "onnx" | "ort" => Kind::Onnx,
        "tar" if len >= 512 && len.is_multiple_of(512) => Kind::Tar,
        // unambiguous pickle extensions: scan whatever is inside (junk included)
        "pkl" | "pickle" | "joblib" | "dill" | "pt" | "pth" | "ckpt" if !head.is_empty() => {
            Kind::Pickle
        }
        // shared with other formats: only when the first opcode is a plausible pickle start
        x if PICKLE_EXT.contains(&x)
            && head
                .first()
                .is_some_and(|b| b"(]})cKNISVXldJMUT".contains(b)) =>
        {
            Kind::Pickle
        }
        "gguf" => Kind::Gguf,
        _ => Kind::Unknown,
    }
}

/// Whether a file found while walking a directory should be scanned.
pub(crate) fn worth_scanning(p: &Path) -> bool {
    let name = p
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    if MODEL_EXT.contains(&ext(&name).as_str()) {
        return true;
    }
    let Ok(f) = std::fs::File::open(p) else {
        return true;
    };
    let mut head = vec![0u8; 512];
    let n = Blob::read_at(&f, 0, &mut head).unwrap_or(0);
    head.truncate(n);
    !matches!(
        sniff(&head, Blob::len(&f), &name),
        Kind::Unknown | Kind::Pickle | Kind::Compressed(_) | Kind::Safetensors
    ) || matches!(head.as_slice(), [0x80, 2..=5, ..])
}

fn head(blob: &dyn Blob) -> Vec<u8> {
    let mut h = vec![0u8; 512];
    let mut n = 0;
    while n < h.len() {
        match blob.read_at(n as u64, &mut h[n..]) {
            Ok(0) | Err(_) => break,
            Ok(k) => n += k,
        }
    }
    h.truncate(n);
    h
}

/// Scan a whole file; returns its format name and the findings.
pub(crate) fn scan_root(blob: &dyn Blob, name: &str, opts: &Options) -> (String, Vec<Finding>) {
    let mut ctx = Ctx {
        opts,
        out: Vec::new(),
        members: Vec::new(),
        depth: 0,
    };
    let format = scan_blob(&mut ctx, blob, name);
    if format == "unknown" {
        ctx.report(
            &rules::unknown_format::RULE,
            "not a model format datagate scans; not scanned",
            None,
        );
    }
    (format, ctx.out)
}

/// Scan any blob (a file or an archive member); returns the detected format name.
pub(crate) fn scan_blob(ctx: &mut Ctx, blob: &dyn Blob, name: &str) -> String {
    let h = head(blob);
    if h.is_empty() {
        if PICKLE_EXT.contains(&ext(name).as_str()) {
            ctx.malformed("pickle", "empty file", Some(0));
            return "pickle".into();
        }
        return "empty".into();
    }
    match sniff(&h, blob.len(), name) {
        Kind::Zip => zip::scan(ctx, blob, name),
        Kind::Tar => tar::scan(ctx, blob, name),
        Kind::Npy => {
            npy::scan_blob(ctx, blob);
            "numpy".into()
        }
        Kind::Hdf5 => {
            hdf5::scan(ctx, blob);
            "hdf5".into()
        }
        Kind::Gguf => {
            gguf::scan(ctx, blob);
            "gguf".into()
        }
        Kind::Safetensors => {
            safetensors::scan(ctx, blob);
            "safetensors".into()
        }
        Kind::Onnx => {
            onnx::scan(ctx, blob);
            "onnx".into()
        }
        Kind::TorchLegacy => {
            torch::scan_legacy(ctx, blob);
            "pytorch-legacy".into()
        }
        Kind::Compressed(c) => compressed::scan(ctx, blob, c, name),
        Kind::Pickle => {
            let sum = ctx.pickles(blob, 0, Mode::All);
            torch::check_pickle_named_like_torch(ctx, name, &sum);
            "pickle".into()
        }
        Kind::SevenZip => {
            ctx.report(
                &rules::archive_unscannable_member::RULE,
                "7z archives are not unpacked; their content was not scanned",
                Some(0),
            );
            "7z".into()
        }
        Kind::Unknown => "unknown".into(),
    }
}

/// Run one parser directly on `blob` (fuzzing and tests).
pub(crate) fn scan_with(parser: crate::Parser, blob: &dyn Blob, opts: &Options) -> Vec<Finding> {
    let mut ctx = Ctx {
        opts,
        out: Vec::new(),
        members: Vec::new(),
        depth: 0,
    };
    match parser {
        crate::Parser::Pickle => {
            ctx.pickles(blob, 0, Mode::All);
        }
        crate::Parser::Safetensors => safetensors::scan(&mut ctx, blob),
        crate::Parser::Npy => npy::scan_blob(&mut ctx, blob),
        crate::Parser::Gguf => gguf::scan(&mut ctx, blob),
        crate::Parser::Zip => {
            zip::scan(&mut ctx, blob, "");
        }
        crate::Parser::Tar => {
            tar::scan(&mut ctx, blob, "");
        }
        crate::Parser::Onnx => onnx::scan(&mut ctx, blob),
        crate::Parser::Hdf5 => hdf5::scan(&mut ctx, blob),
        crate::Parser::KerasConfig => keras::scan_config_blob(&mut ctx, blob),
    }
    ctx.out
}

/// Scan a member available only as a forward stream (too large to inflate). Pickles and npy
/// can be scanned this way; other formats need random access and are reported unscannable.
pub(crate) fn scan_stream(ctx: &mut Ctx, src: &mut Src, name: &str) -> String {
    let h = match src.peek(512) {
        Ok(h) => h.to_vec(),
        Err(e) => {
            ctx.malformed("stream", e, None);
            return "unreadable".into();
        }
    };
    match sniff(&h, u64::MAX, name) {
        Kind::Npy => {
            npy::scan_stream(ctx, src);
            "numpy".into()
        }
        Kind::Pickle | Kind::TorchLegacy => {
            ctx.pickle_stream(src, Mode::All);
            "pickle".into()
        }
        Kind::Unknown => "unknown".into(),
        other => {
            ctx.report(
                &rules::archive_unscannable_member::RULE,
                format!("{other:?} content larger than the inflate limit cannot be scanned"),
                None,
            );
            "unknown".into()
        }
    }
}
