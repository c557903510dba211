//! Byte access without trusting sizes: random-access [`Blob`]s (files, memory, sub-ranges) and
//! sequential [`Src`]s that can skip (seek on blobs, read-and-discard on decompression streams).
//!
//! Parsers never allocate from a length field: [`read_at_most`] checks a declared length
//! against what remains before reading, and [`Src::read_vec`] grows its buffer only as bytes
//! actually arrive.

use std::io::{self, Read, Seek, SeekFrom};

/// Random-access bytes of known length.
pub trait Blob: Send + Sync {
    /// Total length in bytes.
    fn len(&self) -> u64;
    /// Whether the blob holds no bytes.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Read up to `buf.len()` bytes at `off`; returns how many were read (0 at the end).
    fn read_at(&self, off: u64, buf: &mut [u8]) -> io::Result<usize>;
}

impl Blob for std::fs::File {
    fn len(&self) -> u64 {
        self.metadata().map(|m| m.len()).unwrap_or(0)
    }
    fn read_at(&self, off: u64, buf: &mut [u8]) -> io::Result<usize> {
        #[cfg(unix)]
        {
            std::os::unix::fs::FileExt::read_at(self, buf, off)
        }
        #[cfg(windows)]
        {
            std::os::windows::fs::FileExt::seek_read(self, buf, off)
        }
    }
}

fn slice_read_at(s: &[u8], off: u64, buf: &mut [u8]) -> usize {
    let Ok(off) = usize::try_from(off) else {
        return 0;
    };
    if off >= s.len() {
        return 0;
    }
    let n = buf.len().min(s.len() - off);
    buf[..n].copy_from_slice(&s[off..off + n]);
    n
}

impl Blob for &[u8] {
    fn len(&self) -> u64 {
        <[u8]>::len(self) as u64
    }
    fn read_at(&self, off: u64, buf: &mut [u8]) -> io::Result<usize> {
        Ok(slice_read_at(self, off, buf))
    }
}

impl Blob for Vec<u8> {
    fn len(&self) -> u64 {
        self.as_slice().len() as u64
    }
    fn read_at(&self, off: u64, buf: &mut [u8]) -> io::Result<usize> {
        Ok(slice_read_at(self, off, buf))
    }
}

/// A window `[start, start + len)` of another blob (a stored archive member).
pub struct Slice<'a> {
    inner: &'a dyn Blob,
    start: u64,
    len: u64,
}

impl<'a> Slice<'a> {
    /// A window of `inner`, clamped to its end.
    pub fn new(inner: &'a dyn Blob, start: u64, len: u64) -> Self {
        let start = start.min(inner.len());
        let len = len.min(inner.len() - start);
        Slice { inner, start, len }
    }
}

impl Blob for Slice<'_> {
    fn len(&self) -> u64 {
        self.len
    }
    fn read_at(&self, off: u64, buf: &mut [u8]) -> io::Result<usize> {
        if off >= self.len {
            return Ok(0);
        }
        let n = (buf.len() as u64).min(self.len - off) as usize;
        self.inner.read_at(self.start + off, &mut buf[..n])
    }
}

/// Read exactly `n` bytes at `off`, or fail if the blob is shorter (checked before allocating).
pub fn read_at_most(blob: &dyn Blob, off: u64, n: u64) -> io::Result<Vec<u8>> {
    let end = off.checked_add(n).filter(|&e| e <= blob.len());
    if end.is_none() {
        return Err(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            format!(
                "{n} bytes at offset {off} run past the end ({})",
                blob.len()
            ),
        ));
    }
    let mut v = vec![0u8; n as usize];
    let mut done = 0;
    while done < v.len() {
        let k = blob.read_at(off + done as u64, &mut v[done..])?;
        if k == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        done += k;
    }
    Ok(v)
}

/// A read cursor over a blob (implements `Read + Seek`).
pub struct Cursor<'a> {
    blob: &'a dyn Blob,
    pos: u64,
}

impl<'a> Cursor<'a> {
    /// A cursor at offset `pos`.
    pub fn new(blob: &'a dyn Blob, pos: u64) -> Self {
        Cursor { blob, pos }
    }
}

impl Read for Cursor<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.blob.read_at(self.pos, buf)?;
        self.pos += n as u64;
        Ok(n)
    }
}

impl Seek for Cursor<'_> {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        let new = match to {
            SeekFrom::Start(p) => Some(p),
            SeekFrom::Current(d) => self.pos.checked_add_signed(d),
            SeekFrom::End(d) => self.blob.len().checked_add_signed(d),
        };
        self.pos =
            new.ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "seek out of range"))?;
        Ok(self.pos)
    }
}

/// A forward-only stream that "seeks" forward by reading and discarding (decompressors).
pub struct Forward<R>(pub R);

impl<R: Read> Read for Forward<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.read(buf)
    }
}

impl<R: Read> Seek for Forward<R> {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        match to {
            SeekFrom::Current(d) if d >= 0 => {
                let n = io::copy(&mut (&mut self.0).take(d as u64), &mut io::sink())?;
                if n < d as u64 {
                    return Err(io::ErrorKind::UnexpectedEof.into());
                }
                Ok(0)
            }
            _ => Err(io::Error::new(
                io::ErrorKind::Unsupported,
                "stream cannot seek backwards",
            )),
        }
    }
}

/// Anything a [`Src`] can sit on.
pub trait ReadSeek: Read + Seek {}
impl<T: Read + Seek> ReadSeek for T {}

/// A buffered sequential source with a position, a known end (for blobs) and cheap skipping.
/// `peek(n)` always returns `n` bytes unless the data ends first (decompressors may return
/// short reads), so format sniffing and nested-pickle detection never depend on read sizes.
pub struct Src<'a> {
    inner: Box<dyn ReadSeek + 'a>,
    buf: Vec<u8>,
    start: usize,
    end: usize,
    pos: u64,
    limit: Option<u64>,
}

const BUF: usize = 64 * 1024;

impl<'a> Src<'a> {
    /// A source over a blob, starting at `start`.
    pub fn from_blob(blob: &'a dyn Blob, start: u64) -> Self {
        // small blobs get a small buffer (resynchronisation creates many sources)
        let size = (blob.len().saturating_sub(start).min(BUF as u64) as usize).max(16);
        Src {
            inner: Box::new(Cursor::new(blob, start)),
            buf: vec![0; size],
            start: 0,
            end: 0,
            pos: start,
            limit: Some(blob.len()),
        }
    }

    /// A source over a forward-only stream of unknown length.
    pub fn from_stream(r: impl Read + 'a) -> Self {
        Src {
            inner: Box::new(Forward(r)),
            buf: vec![0; BUF],
            start: 0,
            end: 0,
            pos: 0,
            limit: None,
        }
    }

    /// Current offset.
    pub fn pos(&self) -> u64 {
        self.pos
    }

    /// Bytes left, when known.
    pub fn remaining(&self) -> Option<u64> {
        self.limit.map(|e| e.saturating_sub(self.pos))
    }

    /// Buffer at least `n` bytes (fewer only at the end of the data); returns how many are buffered.
    fn fill(&mut self, n: usize) -> io::Result<usize> {
        let n = n.min(self.buf.len());
        if self.end - self.start >= n {
            return Ok(self.end - self.start);
        }
        self.buf.copy_within(self.start..self.end, 0);
        self.end -= self.start;
        self.start = 0;
        while self.end < n {
            let k = match self.inner.read(&mut self.buf[self.end..]) {
                Ok(k) => k,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if k == 0 {
                break;
            }
            self.end += k;
        }
        Ok(self.end)
    }

    fn consume(&mut self, k: usize) {
        self.start += k;
        self.pos += k as u64;
    }

    /// Whether the source is exhausted.
    pub fn at_eof(&mut self) -> io::Result<bool> {
        Ok(self.fill(1)? == 0)
    }

    /// Peek at up to `n` bytes (at most the buffer size, 64 KiB for large inputs) without consuming them.
    pub fn peek(&mut self, n: usize) -> io::Result<&[u8]> {
        let have = self.fill(n)?;
        Ok(&self.buf[self.start..self.start + have.min(n)])
    }

    /// One byte, or `UnexpectedEof`.
    pub fn u8(&mut self) -> io::Result<u8> {
        if self.fill(1)? == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        let b = self.buf[self.start];
        self.consume(1);
        Ok(b)
    }

    /// Fill `out` exactly.
    pub fn exact(&mut self, out: &mut [u8]) -> io::Result<()> {
        let mut done = 0;
        while done < out.len() {
            let have = self.fill(out.len() - done)?;
            if have == 0 {
                return Err(io::ErrorKind::UnexpectedEof.into());
            }
            let k = have.min(out.len() - done);
            out[done..done + k].copy_from_slice(&self.buf[self.start..self.start + k]);
            self.consume(k);
            done += k;
        }
        Ok(())
    }

    /// Read whatever is available into `out` (0 at the end).
    pub fn read_vec_upto(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let have = self.fill(1)?;
        let k = have.min(out.len());
        out[..k].copy_from_slice(&self.buf[self.start..self.start + k]);
        self.consume(k);
        Ok(k)
    }

    /// Read `n` bytes into a new vector, failing (before allocating much) if fewer remain.
    pub fn read_vec(&mut self, n: u64) -> io::Result<Vec<u8>> {
        if self.remaining().is_some_and(|r| r < n) {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                format!("length {n} runs past the end"),
            ));
        }
        let mut v = Vec::with_capacity(n.min(BUF as u64) as usize);
        let mut chunk = [0u8; 8192];
        while (v.len() as u64) < n {
            let want = chunk.len().min((n - v.len() as u64) as usize);
            let k = self.read_vec_upto(&mut chunk[..want])?;
            if k == 0 {
                return Err(io::ErrorKind::UnexpectedEof.into());
            }
            v.extend_from_slice(&chunk[..k]);
        }
        Ok(v)
    }

    /// Read a line ending in `\n` (without it), at most `max` bytes.
    pub fn line(&mut self, max: usize) -> io::Result<Vec<u8>> {
        let mut v = Vec::new();
        loop {
            let have = self.fill(1)?;
            if have == 0 {
                return Err(io::ErrorKind::UnexpectedEof.into());
            }
            let window = &self.buf[self.start..self.start + have];
            if let Some(i) = memchr::memchr(b'\n', window) {
                v.extend_from_slice(&window[..i]);
                self.consume(i + 1);
                if v.len() > max {
                    break;
                }
                return Ok(v);
            }
            v.extend_from_slice(window);
            self.consume(have);
            if v.len() > max {
                break;
            }
        }
        Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "line too long or missing newline",
        ))
    }

    /// Skip `n` bytes (a seek on blobs; read-and-discard on streams); fails past the end.
    pub fn skip(&mut self, n: u64) -> io::Result<()> {
        if self.remaining().is_some_and(|r| r < n) {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                format!("skip of {n} bytes runs past the end"),
            ));
        }
        let buffered = (self.end - self.start) as u64;
        if n <= buffered {
            self.consume(n as usize);
            return Ok(());
        }
        let rest = n - buffered;
        self.start = 0;
        self.end = 0;
        let d = i64::try_from(rest)
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "skip too large"))?;
        self.inner.seek(SeekFrom::Current(d))?;
        self.pos += n;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reader that returns one byte per call, like a slow decompressor.
    struct Trickle<'a>(&'a [u8]);
    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            if self.0.is_empty() || buf.is_empty() {
                return Ok(0);
            }
            buf[0] = self.0[0];
            self.0 = &self.0[1..];
            Ok(1)
        }
    }

    #[test]
    fn short_reads_do_not_change_results() {
        let data = b"\x80\x04line one\nrest-of-data-0123456789";
        let mut s = Src::from_stream(Trickle(data));
        assert_eq!(s.peek(4).unwrap(), b"\x80\x04li");
        s.skip(2).unwrap();
        assert_eq!(s.line(64).unwrap(), b"line one");
        s.skip(5).unwrap();
        let mut b = [0u8; 7];
        s.exact(&mut b).unwrap();
        assert_eq!(&b, b"of-data");
        assert_eq!(s.pos(), 2 + 9 + 5 + 7);
        assert!(s.skip(100).is_err());
        let blob: &[u8] = data;
        let mut s = Src::from_blob(&blob, 0);
        assert!(
            s.read_vec(1000).is_err(),
            "declared length past the end is refused before reading"
        );
        s.skip(data.len() as u64).unwrap();
        assert!(s.at_eof().unwrap());
    }
}
