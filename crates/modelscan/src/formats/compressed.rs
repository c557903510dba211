//! Compressed single streams: joblib's `compress=` files (zlib, gzip, bz2, xz, lzma, lz4) and
//! `.gz`/`.bz2`/`.xz` wrappers. The stream is decompressed on the fly: a pickle or npy is scanned
//! as it streams (array bytes are decompressed and discarded, never held); other content is
//! inflated into memory up to `max_inflate` and scanned like an archive member.

use std::io::{Read, Write};

use crate::blob::{Blob, Cursor, Src};
use crate::rules;

use super::Ctx;

/// A compression format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Codec {
    Zlib,
    Gzip,
    Bz2,
    Xz,
    Lzma,
    Lz4,
}

impl Codec {
    /// Recognise a codec from its magic bytes.
    pub fn sniff(h: &[u8]) -> Option<Codec> {
        match h {
            [0x78, b, ..] if (0x7800u16 | u16::from(*b)).is_multiple_of(31) && *b & 0x20 == 0 => {
                Some(Codec::Zlib)
            }
            [0x1f, 0x8b, ..] => Some(Codec::Gzip),
            [b'B', b'Z', b'h', ..] => Some(Codec::Bz2),
            [0xfd, b'7', b'z', b'X', b'Z', 0, ..] => Some(Codec::Xz),
            [0x5d, 0, 0, ..] => Some(Codec::Lzma),
            [0x04, 0x22, 0x4d, 0x18, ..] => Some(Codec::Lz4),
            _ => None,
        }
    }
    fn name(self) -> &'static str {
        match self {
            Codec::Zlib => "zlib",
            Codec::Gzip => "gzip",
            Codec::Bz2 => "bz2",
            Codec::Xz => "xz",
            Codec::Lzma => "lzma",
            Codec::Lz4 => "lz4",
        }
    }
}

/// A writer that refuses to grow past a limit (lzma-rs decompresses into a `Write`).
struct Capped {
    buf: Vec<u8>,
    cap: u64,
}

impl Write for Capped {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        if self.buf.len() as u64 + b.len() as u64 > self.cap {
            return Err(std::io::Error::other("decompressed size exceeds the limit"));
        }
        self.buf.extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Scan a compressed stream; returns the format name (`joblib-zlib`, `gzip+tar`, ...).
pub(crate) fn scan(ctx: &mut Ctx, blob: &dyn Blob, codec: Codec, name: &str) -> String {
    let inner_name = name
        .rsplit_once('.')
        .map_or(name, |(stem, _)| stem)
        .to_string();
    let label = format!("({} stream)", codec.name());
    let raw = Cursor::new(blob, 0);
    let reader: Box<dyn Read + '_> = match codec {
        Codec::Zlib => Box::new(flate2::read::ZlibDecoder::new(raw)),
        Codec::Gzip => Box::new(flate2::read::MultiGzDecoder::new(raw)),
        Codec::Bz2 => Box::new(bzip2::read::MultiBzDecoder::new(raw)),
        Codec::Lz4 => Box::new(lz4_flex::frame::FrameDecoder::new(raw)),
        Codec::Xz | Codec::Lzma => {
            // lzma-rs has no pull reader: decompress into a capped buffer.
            let mut out = Capped {
                buf: Vec::new(),
                cap: ctx.opts.max_inflate,
            };
            let mut input = std::io::BufReader::new(raw);
            let r = if codec == Codec::Xz {
                lzma_rs::xz_decompress(&mut input, &mut out)
            } else {
                lzma_rs::lzma_decompress(&mut input, &mut out)
            };
            if let Err(e) = r {
                if out.buf.len() as u64 >= ctx.opts.max_inflate {
                    ctx.report(
                        &rules::archive_unscannable_member::RULE,
                        format!(
                            "{} stream inflates beyond {} bytes; not scanned",
                            codec.name(),
                            ctx.opts.max_inflate
                        ),
                        None,
                    );
                } else {
                    ctx.malformed(codec.name(), e, None);
                }
                return format!("{}-compressed", codec.name());
            }
            let data = out.buf;
            let fmt = ctx.member(&label, |ctx| super::scan_blob(ctx, &data, &inner_name));
            return format!("{}+{}", codec.name(), fmt);
        }
    };
    let mut src = Src::from_stream(reader);
    let h = match src.peek(512) {
        Ok(h) => h.to_vec(),
        Err(e) => {
            ctx.malformed(codec.name(), e, None);
            return format!("{}-compressed", codec.name());
        }
    };
    let fmt = match super::sniff(&h, u64::MAX, &inner_name) {
        super::Kind::Pickle | super::Kind::Npy | super::Kind::TorchLegacy => {
            ctx.member(&label, |ctx| super::scan_stream(ctx, &mut src, &inner_name))
        }
        _ => {
            // needs random access: inflate, bounded
            let mut data = Vec::new();
            let cap = ctx.opts.max_inflate;
            match (&mut src).take_all(cap + 1, &mut data) {
                Err(e) => {
                    ctx.malformed(codec.name(), e, None);
                    return format!("{}-compressed", codec.name());
                }
                Ok(()) if data.len() as u64 > cap => {
                    ctx.report(
                        &rules::archive_unscannable_member::RULE,
                        format!(
                            "{} stream inflates beyond {cap} bytes; not scanned",
                            codec.name()
                        ),
                        None,
                    );
                    return format!("{}-compressed", codec.name());
                }
                Ok(()) => ctx.member(&label, |ctx| super::scan_blob(ctx, &data, &inner_name)),
            }
        }
    };
    let prefix = if fmt == "pickle" { "joblib-" } else { "" };
    if prefix.is_empty() {
        format!("{}+{}", codec.name(), fmt)
    } else {
        format!("joblib-{}", codec.name())
    }
}

trait TakeAll {
    fn take_all(self, n: u64, out: &mut Vec<u8>) -> std::io::Result<()>;
}

impl TakeAll for &mut Src<'_> {
    fn take_all(self, n: u64, out: &mut Vec<u8>) -> std::io::Result<()> {
        let mut buf = vec![0u8; 64 * 1024];
        while (out.len() as u64) < n {
            let want = buf.len().min((n - out.len() as u64) as usize);
            match self.read_vec_upto(&mut buf[..want])? {
                0 => break,
                k => out.extend_from_slice(&buf[..k]),
            }
        }
        Ok(())
    }
}
