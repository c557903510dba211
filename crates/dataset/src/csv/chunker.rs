//! Splitting a CSV byte stream into record-aligned chunks that can be decoded in parallel.
//!
//! A newline ends a record unless it is inside quotes. Quotes toggle a parity bit (an
//! escaped quote `""` toggles it twice), so a newline seen at even parity is a record
//! boundary. The chunker cuts each chunk at the last boundary after `target` bytes; quotes are counted with a vectorised loop rather
//! than visited one by one, which matters for files where every field is quoted.

use std::io::Read;

/// Raw bytes of whole records, with their offset in the (decompressed) stream.
pub struct Chunk {
    /// Offset of the first byte in the stream.
    pub offset: u64,
    /// The bytes: whole records only.
    pub bytes: Vec<u8>,
}

/// Number of `"` bytes (written so that the compiler vectorises it).
fn count_quotes(bytes: &[u8]) -> usize {
    bytes.iter().map(|&b| usize::from(b == b'"')).sum()
}

/// Iterator of chunks over a reader.
pub struct Chunker<R> {
    reader: R,
    buf: Vec<u8>,
    /// How far `buf` has been scanned for quotes and newlines.
    scanned: usize,
    in_quotes: bool,
    /// Position just past the last record-ending newline found in `buf[..scanned]`.
    cut: Option<usize>,
    offset: u64,
    target: usize,
    eof: bool,
    quoting: bool,
    recycle: Option<std::sync::mpsc::Receiver<Vec<u8>>>,
}

impl<R: Read> Chunker<R> {
    /// Chunks of about `target` bytes; `leftover` holds bytes already read from the stream at `offset`.
    pub fn new(reader: R, leftover: Vec<u8>, offset: u64, target: usize) -> Self {
        Self {
            reader,
            buf: leftover,
            scanned: 0,
            in_quotes: false,
            cut: None,
            offset,
            target: target.max(1),
            eof: false,
            quoting: true,
            recycle: None,
        }
    }

    /// Reuses buffers sent back on `recycle` (chunks whose bytes were decoded) instead of
    /// allocating a fresh one per chunk.
    pub fn with_recycling(mut self, recycle: std::sync::mpsc::Receiver<Vec<u8>>) -> Self {
        self.recycle = Some(recycle);
        self
    }

    /// Chunks cut at any newline, for formats where a raw newline always ends a record
    /// (JSON Lines: newlines inside JSON strings are escaped).
    pub fn lines(reader: R, target: usize) -> Self {
        Self {
            quoting: false,
            ..Self::new(reader, Vec::new(), 0, target)
        }
    }

    fn scan(&mut self) {
        let start = self.scanned;
        let data = &self.buf[start..];
        if !self.quoting {
            if let Some(i) = memchr::memrchr(b'\n', data) {
                self.cut = Some(start + i + 1);
            }
            self.scanned = self.buf.len();
            return;
        }
        // Count quotes with a vectorisable loop instead of visiting each one, then look
        // for the last newline at even parity from the end: usually the very last one.
        let total = count_quotes(data);
        let mut after = 0usize; // quotes between the candidate newline and the end
        let mut end = data.len();
        while let Some(nl) = memchr::memrchr(b'\n', &data[..end]) {
            after += count_quotes(&data[nl + 1..end]);
            let odd_before = (total - after) % 2 == 1;
            if self.in_quotes == odd_before {
                // The quotes before this newline close every quote opened so far.
                self.cut = Some(start + nl + 1);
                break;
            }
            end = nl;
        }
        if total % 2 == 1 {
            self.in_quotes = !self.in_quotes;
        }
        self.scanned = self.buf.len();
    }

    fn take(&mut self, end: usize) -> Chunk {
        // Move the remainder into a recycled buffer (no fresh allocation, no page faults).
        let mut rest = self
            .recycle
            .as_ref()
            .and_then(|r| r.try_recv().ok())
            .unwrap_or_default();
        rest.clear();
        rest.extend_from_slice(&self.buf[end..]);
        self.buf.truncate(end);
        let bytes = std::mem::replace(&mut self.buf, rest);
        let chunk = Chunk {
            offset: self.offset,
            bytes,
        };
        self.offset += end as u64;
        self.scanned -= end;
        self.cut = None;
        chunk
    }

    /// The next chunk, or `None` at the end of the stream.
    pub fn next_chunk(&mut self) -> std::io::Result<Option<Chunk>> {
        loop {
            if self.scanned < self.buf.len() {
                self.scan();
            }
            if self.buf.len() >= self.target {
                if let Some(cut) = self.cut {
                    return Ok(Some(self.take(cut)));
                }
                if self.buf.len() > super::records::MAX_RECORD_BYTES {
                    return Err(std::io::Error::new(
                        std::io::ErrorKind::InvalidData,
                        format!(
                            "no record boundary within 256 MiB after byte {} (an unclosed quote?)",
                            self.offset
                        ),
                    ));
                }
            }
            if self.eof {
                if self.buf.is_empty() {
                    return Ok(None);
                }
                let len = self.buf.len();
                return Ok(Some(self.take(len)));
            }
            let old = self.buf.len();
            let want = self.target.max(1 << 16);
            self.buf.reserve(want);
            let n = (&mut self.reader)
                .take(want as u64)
                .read_to_end(&mut self.buf)?;
            debug_assert_eq!(self.buf.len(), old + n);
            if n == 0 {
                self.eof = true;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chunks(data: &[u8], target: usize) -> Vec<(u64, Vec<u8>)> {
        let mut c = Chunker::new(data, Vec::new(), 0, target);
        let mut out = Vec::new();
        while let Some(ch) = c.next_chunk().unwrap() {
            out.push((ch.offset, ch.bytes));
        }
        out
    }

    #[test]
    fn never_cuts_inside_quotes() {
        let data = b"1,\"a\nb\"\n2,\"c\"\"\nd\"\n3,x\n";
        for target in 1..data.len() + 2 {
            let parts = chunks(data, target);
            let joined: Vec<u8> = parts.iter().flat_map(|(_, b)| b.clone()).collect();
            assert_eq!(joined, data.to_vec());
            for (offset, bytes) in &parts {
                let end = *offset as usize + bytes.len();
                assert!(
                    [8, 19, 23].contains(&end) || end == data.len(),
                    "cut at {end} for target {target}"
                );
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn cuts_only_at_record_boundaries(
            fields in proptest::collection::vec("[a\\\"\n,]{0,6}", 1..60),
            target in 1usize..40,
        ) {
            // Quote every field that needs it, as a CSV writer would.
            let mut data = Vec::new();
            for (i, f) in fields.iter().enumerate() {
                let quoted = format!("\"{}\"", f.replace('"', "\"\""));
                data.extend_from_slice(quoted.as_bytes());
                data.push(if i % 3 == 2 { b'\n' } else { b',' });
            }
            // Sequential reference: positions just after an unquoted newline.
            let mut boundaries = std::collections::HashSet::new();
            let mut inq = false;
            for (i, b) in data.iter().enumerate() {
                if *b == b'"' { inq = !inq; }
                if *b == b'\n' && !inq { boundaries.insert(i + 1); }
            }
            let parts = chunks(&data, target);
            let joined: Vec<u8> = parts.iter().flat_map(|(_, b)| b.clone()).collect();
            proptest::prop_assert_eq!(&joined, &data);
            for (offset, bytes) in &parts {
                let end = *offset as usize + bytes.len();
                proptest::prop_assert!(end == data.len() || boundaries.contains(&end), "cut at {}", end);
            }
        }
    }

    #[test]
    fn keeps_leftover_offset() {
        let mut c = Chunker::new(&b"2\n3\n"[..], b"1\n".to_vec(), 10, 1);
        let first = c.next_chunk().unwrap().unwrap();
        assert_eq!((first.offset, first.bytes.as_slice()), (10, &b"1\n"[..]));
    }
}
