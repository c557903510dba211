//! Detecting a file's format and compression from its name and first bytes.

use std::io::Read;
use std::path::Path;

/// The tabular formats datagate reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// Delimited text with a header row.
    Csv,
    /// Apache Parquet.
    Parquet,
    /// One JSON object per line.
    JsonLines,
    /// Arrow IPC file (Feather v2) or stream.
    ArrowIpc,
}

impl Format {
    /// Parses a user-given format name (`csv`, `tsv`, `parquet`, `jsonl`, `ndjson`, `arrow`, `ipc`, `feather`).
    pub fn from_name(name: &str) -> Option<Self> {
        match name.to_ascii_lowercase().as_str() {
            "csv" | "tsv" | "txt" => Some(Self::Csv),
            "parquet" | "pq" => Some(Self::Parquet),
            "jsonl" | "ndjson" | "json" => Some(Self::JsonLines),
            "arrow" | "ipc" | "feather" | "arrows" => Some(Self::ArrowIpc),
            _ => None,
        }
    }

    /// The format's name as shown to users.
    pub fn name(self) -> &'static str {
        match self {
            Self::Csv => "csv",
            Self::Parquet => "parquet",
            Self::JsonLines => "jsonl",
            Self::ArrowIpc => "arrow-ipc",
        }
    }
}

/// A whole-file compression wrapper (only for the row-oriented text formats).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Compression {
    /// Not compressed.
    None,
    /// gzip (one or more members).
    Gzip,
    /// Zstandard.
    Zstd,
}

const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];
const ZSTD_MAGIC: [u8; 4] = [0x28, 0xb5, 0x2f, 0xfd];

/// Detects compression from the first bytes; the extension is only a tie-breaker never needed in practice.
pub fn detect_compression(head: &[u8]) -> Compression {
    if head.starts_with(&GZIP_MAGIC) {
        Compression::Gzip
    } else if head.starts_with(&ZSTD_MAGIC) {
        Compression::Zstd
    } else {
        Compression::None
    }
}

/// Detects the format from the (decompressed) first bytes, falling back to the file name.
///
/// Magic bytes win over the extension: `PAR1` is Parquet, `ARROW1` an IPC file,
/// `0xFFFFFFFF` an IPC stream. Otherwise the extension decides (after removing
/// `.gz`/`.zst`), and text starting with `{` is JSON Lines; anything else is CSV.
pub fn detect_format(path: &Path, head: &[u8]) -> Format {
    if head.starts_with(b"PAR1") {
        return Format::Parquet;
    }
    if head.starts_with(b"ARROW1") || head.starts_with(&[0xff, 0xff, 0xff, 0xff]) {
        return Format::ArrowIpc;
    }
    if let Some(ext) = inner_extension(path) {
        if let Some(format) = Format::from_name(&ext) {
            return format;
        }
    }
    let first = head.iter().copied().find(|b| !b.is_ascii_whitespace());
    if first == Some(b'{') {
        Format::JsonLines
    } else {
        Format::Csv
    }
}

/// The extension under any compression suffix: `a.csv.gz` → `csv`.
fn inner_extension(path: &Path) -> Option<String> {
    let name = path.file_name()?.to_str()?.to_ascii_lowercase();
    let trimmed = name
        .strip_suffix(".gz")
        .or_else(|| name.strip_suffix(".gzip"))
        .or_else(|| name.strip_suffix(".zst"))
        .or_else(|| name.strip_suffix(".zstd"))
        .unwrap_or(&name);
    Path::new(trimmed)
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_string)
}

/// Wraps `reader` in the decoder for `compression`.
pub fn decompress<'a, R: Read + Send + 'a>(
    reader: R,
    compression: Compression,
) -> std::io::Result<Box<dyn Read + Send + 'a>> {
    Ok(match compression {
        Compression::None => Box::new(reader),
        Compression::Gzip => Box::new(flate2::read::MultiGzDecoder::new(reader)),
        Compression::Zstd => Box::new(zstd::stream::read::Decoder::new(reader)?),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn magic_bytes_beat_extensions() {
        assert_eq!(
            detect_format(Path::new("x.csv"), b"PAR1...."),
            Format::Parquet
        );
        assert_eq!(
            detect_format(Path::new("x.csv"), b"ARROW1\0\0"),
            Format::ArrowIpc
        );
        assert_eq!(
            detect_format(Path::new("x.data"), b"{\"a\":1}\n"),
            Format::JsonLines
        );
        assert_eq!(detect_format(Path::new("x.tsv.gz"), b"a\tb\n"), Format::Csv);
        assert_eq!(
            detect_format(Path::new("x.jsonl.zst"), b"  {"),
            Format::JsonLines
        );
        assert_eq!(detect_format(Path::new("x"), b"a,b\n1,2\n"), Format::Csv);
    }

    #[test]
    fn compression_by_magic() {
        assert_eq!(detect_compression(&[0x1f, 0x8b, 8]), Compression::Gzip);
        assert_eq!(detect_compression(&ZSTD_MAGIC), Compression::Zstd);
        assert_eq!(detect_compression(b"a,b"), Compression::None);
    }
}
