//! A streaming CSV record reader (csv-core) for the header and for type inference.
//!
//! The hot path does not use this: it splits the file into record-aligned chunks
//! (see [`super::chunker`]) and decodes them in parallel. This reader walks the start
//! of the file one record at a time and remembers how many bytes it consumed, so the
//! chunker can continue right after the header.

use std::io::Read;

/// Fields of one record, as byte slices into an internal buffer.
pub struct Record<'a> {
    data: &'a [u8],
    ends: &'a [usize],
}

impl<'a> Record<'a> {
    /// Number of fields.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Whether the record has no fields.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Field `i`'s bytes (unquoted, unescaped).
    pub fn field(&self, i: usize) -> &'a [u8] {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.data[start..self.ends[i]]
    }
}

/// Reads CSV records one at a time from any reader.
pub struct RecordReader<R> {
    inner: R,
    csv: csv_core::Reader,
    buf: Vec<u8>,
    pos: usize,
    eof: bool,
    out: Vec<u8>,
    ends: Vec<usize>,
    nends: usize,
    /// Bytes of input consumed so far (through the end of the last record returned).
    consumed: u64,
}

/// The largest single record accepted before giving up (guards against an unclosed quote).
pub const MAX_RECORD_BYTES: usize = 256 << 20;

impl<R: Read> RecordReader<R> {
    /// A reader splitting on `delimiter` with `"` quoting.
    pub fn new(inner: R, delimiter: u8) -> Self {
        Self {
            inner,
            csv: csv_core::ReaderBuilder::new().delimiter(delimiter).build(),
            buf: Vec::with_capacity(1 << 16),
            pos: 0,
            eof: false,
            out: vec![0; 1 << 12],
            ends: vec![0; 64],
            nends: 0,
            consumed: 0,
        }
    }

    /// Bytes consumed through the end of the last record returned.
    pub fn consumed(&self) -> u64 {
        self.consumed
    }

    /// Reads the next record; `Ok(None)` at the end of the input.
    pub fn next_record(&mut self) -> std::io::Result<Option<Record<'_>>> {
        let mut nout = 0;
        self.nends = 0;
        loop {
            if self.pos == self.buf.len() && !self.eof {
                self.buf.clear();
                self.pos = 0;
                self.buf.resize(1 << 16, 0);
                let n = self.inner.read(&mut self.buf)?;
                self.buf.truncate(n);
                if n == 0 {
                    self.eof = true;
                }
            }
            let input = &self.buf[self.pos..];
            let (result, nin, o, e) =
                self.csv
                    .read_record(input, &mut self.out[nout..], &mut self.ends[self.nends..]);
            // csv-core reports field ends relative to the start of the record.
            self.pos += nin;
            self.consumed += nin as u64;
            nout += o;
            self.nends += e;
            use csv_core::ReadRecordResult as R;
            match result {
                R::InputEmpty => continue,
                R::OutputFull => {
                    if self.out.len() >= MAX_RECORD_BYTES {
                        return Err(std::io::Error::new(
                            std::io::ErrorKind::InvalidData,
                            "a record is larger than 256 MiB (an unclosed quote?)",
                        ));
                    }
                    let len = self.out.len() * 2;
                    self.out.resize(len, 0);
                }
                R::OutputEndsFull => {
                    let len = self.ends.len() * 2;
                    self.ends.resize(len, 0);
                }
                R::Record => {
                    return Ok(Some(Record {
                        data: &self.out[..nout],
                        ends: &self.ends[..self.nends],
                    }))
                }
                R::End => return Ok(None),
            }
        }
    }

    /// Gives back the unread buffered bytes and the inner reader, to continue from `consumed()`.
    pub fn into_parts(self) -> (Vec<u8>, R) {
        (self.buf[self.pos..].to_vec(), self.inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_quoted_fields_and_reports_consumption() {
        let data = b"a,b\n\"x,1\",\"say \"\"hi\"\"\"\n\n3,4";
        let mut r = RecordReader::new(&data[..], b',');
        let h = r.next_record().unwrap().unwrap();
        assert_eq!((h.field(0), h.field(1)), (&b"a"[..], &b"b"[..]));
        assert_eq!(r.consumed(), 4);
        let rec = r.next_record().unwrap().unwrap();
        assert_eq!(rec.field(0), b"x,1");
        assert_eq!(rec.field(1), b"say \"hi\"");
        let rec = r.next_record().unwrap().unwrap();
        assert_eq!(rec.len(), 2, "blank lines are skipped");
        assert_eq!(rec.field(1), b"4");
        assert!(r.next_record().unwrap().is_none());
    }
}
