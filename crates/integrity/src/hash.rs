//! Streaming SHA-256 and BLAKE3 of files, in constant memory, parallel across files.
//!
//! Files are read in blocks (never memory-mapped: a file that shrinks while mapped raises SIGBUS,
//! and watched data directories change under us). BLAKE3 hashes each large block with
//! `update_rayon`, so one big file still uses every core; SHA-256 is inherently sequential per
//! file, so many files are spread over the rayon pool instead. Files of two blocks or more are
//! read by a second thread while the first hashes (double buffering); when both digests are
//! asked for, that reading thread also computes BLAKE3 while the other computes SHA-256.

use std::fs::File;
use std::io::{ErrorKind, Read};
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use sha2::{Digest as _, Sha256};

use crate::error::{Error, Result};

/// Block size for reads when BLAKE3 is involved: large enough for `update_rayon` to split
/// across cores (it needs well over 128 KiB per call to pay off).
pub const BLOCK_SIZE: usize = 16 * 1024 * 1024;

/// Block size for SHA-256 alone: SHA-256 is sequential, and a block that stays in L2 cache
/// between the read copy and the hashing is measurably faster than 16 MiB (see bench/hash.sh).
pub const SHA256_BLOCK_SIZE: usize = 256 * 1024;

/// BLAKE3 blocks smaller than this are hashed on the calling thread: below it the rayon
/// overhead outweighs the gain.
const RAYON_THRESHOLD: usize = 1024 * 1024;

/// Which digests to compute.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Algorithms {
    /// SHA-256 only.
    Sha256,
    /// BLAKE3 only.
    Blake3,
    /// Both SHA-256 and BLAKE3, in one read of the data.
    Both,
}

impl Algorithms {
    /// Whether SHA-256 is computed.
    pub fn sha256(self) -> bool {
        matches!(self, Algorithms::Sha256 | Algorithms::Both)
    }

    /// Whether BLAKE3 is computed.
    pub fn blake3(self) -> bool {
        matches!(self, Algorithms::Blake3 | Algorithms::Both)
    }
}

/// The fingerprint of one byte stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Digests {
    /// Number of bytes hashed.
    pub size: u64,
    /// SHA-256, when asked for.
    pub sha256: Option<[u8; 32]>,
    /// BLAKE3 (256-bit output), when asked for.
    pub blake3: Option<[u8; 32]>,
}

impl Digests {
    /// SHA-256 as lowercase hex, when computed.
    pub fn sha256_hex(&self) -> Option<String> {
        self.sha256.map(hex::encode)
    }

    /// BLAKE3 as lowercase hex, when computed.
    pub fn blake3_hex(&self) -> Option<String> {
        self.blake3.map(hex::encode)
    }
}

/// SHA-256 of a byte slice (small inputs: statements, payloads).
pub fn sha256(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

/// SHA-256 of a byte slice as lowercase hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(sha256(bytes))
}

/// Hash everything `reader` yields, calling `progress` with the number of bytes of each block.
pub fn hash_reader<R: Read>(
    mut reader: R,
    algorithms: Algorithms,
    progress: &(dyn Fn(u64) + Sync),
) -> std::io::Result<Digests> {
    let block = if algorithms.blake3() {
        BLOCK_SIZE
    } else {
        SHA256_BLOCK_SIZE
    };
    let mut buf = vec![0u8; block];
    hash_reader_with(&mut reader, algorithms, &mut buf, progress)
}

/// The running digests of one stream.
struct State {
    sha: Option<Sha256>,
    b3: Option<blake3::Hasher>,
    size: u64,
}

impl State {
    fn new(algorithms: Algorithms) -> Self {
        State {
            sha: algorithms.sha256().then(Sha256::new),
            b3: algorithms.blake3().then(blake3::Hasher::new),
            size: 0,
        }
    }

    fn update(&mut self, data: &[u8]) {
        let n = data.len();
        if let Some(s) = &mut self.sha {
            s.update(data);
        }
        if let Some(b) = &mut self.b3 {
            // With SHA-256 beside it, BLAKE3 stays on this thread: files are already spread over
            // the pool, and rayon's idle workers spinning in `join` only steal CPU from the far
            // slower SHA-256 (large files split the two over two threads instead, see
            // `hash_pipelined`).
            if n >= RAYON_THRESHOLD && self.sha.is_none() {
                b.update_rayon(data);
            } else {
                b.update(data);
            }
        }
        self.size += n as u64;
    }

    fn finish(self) -> Digests {
        Digests {
            size: self.size,
            sha256: self.sha.map(|s| s.finalize().into()),
            blake3: self.b3.map(|b| *b.finalize().as_bytes()),
        }
    }
}

fn hash_reader_with<R: Read>(
    reader: &mut R,
    algorithms: Algorithms,
    buf: &mut [u8],
    progress: &(dyn Fn(u64) + Sync),
) -> std::io::Result<Digests> {
    let mut state = State::new(algorithms);
    loop {
        let n = fill(reader, buf)?;
        if n == 0 {
            break;
        }
        state.update(&buf[..n]);
        progress(n as u64);
        if n < buf.len() {
            // A short fill means end of file (fill loops until the buffer is full or EOF).
            break;
        }
    }
    Ok(state.finish())
}

/// Like [`hash_reader_with`], but a second thread reads the next block while this one hashes
/// the current one (two buffers passed back and forth), so the copy out of the page cache
/// overlaps the hashing. When both digests are asked for, the reading thread also computes
/// BLAKE3 (much faster than SHA-256) and this one SHA-256, so the two run on two cores without
/// any busy-waiting. Used for files of two blocks or more.
fn hash_pipelined<R: Read + Send>(
    mut reader: R,
    algorithms: Algorithms,
    block: usize,
    progress: &(dyn Fn(u64) + Sync),
) -> std::io::Result<Digests> {
    use std::sync::mpsc::sync_channel;
    let (full_tx, full_rx) = sync_channel::<(Vec<u8>, usize)>(2);
    let (empty_tx, empty_rx) = sync_channel::<Vec<u8>>(2);
    for _ in 0..2 {
        // Cannot fail: the receiver is alive and the channel has room for both.
        let _ = empty_tx.send(vec![0u8; block]);
    }
    let split = algorithms == Algorithms::Both;
    std::thread::scope(|scope| {
        let reader_thread = scope.spawn(move || -> std::io::Result<Option<[u8; 32]>> {
            let mut b3 = split.then(blake3::Hasher::new);
            while let Ok(mut buf) = empty_rx.recv() {
                let n = fill(&mut reader, &mut buf)?;
                if let Some(b) = &mut b3 {
                    b.update(&buf[..n]);
                }
                let last = n < buf.len();
                if full_tx.send((buf, n)).is_err() || last {
                    break;
                }
            }
            Ok(b3.map(|b| *b.finalize().as_bytes()))
        });
        let mut state = State::new(if split {
            Algorithms::Sha256
        } else {
            algorithms
        });
        for (buf, n) in full_rx.iter() {
            state.update(&buf[..n]);
            progress(n as u64);
            if n < buf.len() {
                break;
            }
            // The reader may already have finished (and dropped its end) after sending the
            // last block: keep draining what it sent.
            let _ = empty_tx.send(buf);
        }
        drop(empty_tx); // unblocks the reader if it waits for a buffer
        match reader_thread.join() {
            Ok(Ok(b3)) => {
                let mut d = state.finish();
                if split {
                    d.blake3 = b3;
                }
                Ok(d)
            }
            Ok(Err(e)) => Err(e),
            Err(_) => Err(std::io::Error::other("reader thread panicked")),
        }
    })
}

/// Read until `buf` is full or the reader is exhausted; returns the bytes read.
fn fill<R: Read>(reader: &mut R, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match reader.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

/// Hash one file (following a symlink only if `path` itself is one: the caller named it).
pub fn hash_file(path: &Path, algorithms: Algorithms) -> Result<Digests> {
    hash_file_progress(path, algorithms, &|_| {})
}

/// [`hash_file`] with a progress callback receiving byte counts.
pub fn hash_file_progress(
    path: &Path,
    algorithms: Algorithms,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<Digests> {
    // Refuse FIFOs, sockets and devices before opening: opening a FIFO blocks until a writer
    // appears, and a device may never end.
    let meta = std::fs::metadata(path).map_err(|e| Error::read(path, e))?;
    if !meta.is_file() {
        return Err(Error::read(
            path,
            std::io::Error::other(if meta.is_dir() {
                "is a folder, not a file"
            } else {
                "not a regular file (FIFO, socket or device)"
            }),
        ));
    }
    let file = File::open(path).map_err(|e| Error::read(path, e))?;
    let len = file.metadata().map(|m| m.len()).unwrap_or(0);
    let block = if algorithms.blake3() {
        BLOCK_SIZE
    } else {
        SHA256_BLOCK_SIZE
    };
    if len >= 2 * block as u64 {
        return hash_pipelined(file, algorithms, block, progress).map_err(|e| Error::read(path, e));
    }
    // One byte more than the length lets a single read observe end of file; small files use a
    // small slice of the buffer.
    let cap = usize::try_from(len.saturating_add(1))
        .unwrap_or(block)
        .clamp(1, block);
    let mut reader = file;
    with_buffer(cap, |buf| {
        hash_reader_with(&mut reader, algorithms, buf, progress)
    })
    .map_err(|e| Error::read(path, e))
}

thread_local! {
    /// One read buffer per thread, reused across files: allocating (and page-faulting) a fresh
    /// 16 MiB buffer for every file costs more than hashing a 16 MiB file with BLAKE3.
    static BUFFER: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

fn with_buffer<T>(len: usize, f: impl FnOnce(&mut [u8]) -> T) -> T {
    let mut buf = BUFFER.with(|b| std::mem::take(&mut *b.borrow_mut()));
    if buf.len() < len {
        buf.resize(len, 0);
    }
    let out = f(&mut buf[..len]);
    BUFFER.with(|b| *b.borrow_mut() = buf);
    out
}

/// Hash many files in parallel (rayon), returning one result per input, in input order.
///
/// A file that cannot be read yields its own `Err`; the others are still hashed.
pub fn hash_files(
    paths: &[PathBuf],
    algorithms: Algorithms,
    progress: &(dyn Fn(u64) + Sync),
) -> Vec<Result<Digests>> {
    paths
        .par_iter()
        .with_max_len(1)
        .map(|p| hash_file_progress(p, algorithms, progress))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex_of(d: Option<[u8; 32]>) -> String {
        hex::encode(d.unwrap_or_default())
    }

    #[test]
    fn known_vectors_empty_and_abc() {
        let d = hash_reader(&b""[..], Algorithms::Both, &|_| {}).unwrap();
        assert_eq!(d.size, 0);
        assert_eq!(
            hex_of(d.sha256),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(
            hex_of(d.blake3),
            "af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262"
        );
        let d = hash_reader(&b"abc"[..], Algorithms::Sha256, &|_| {}).unwrap();
        assert_eq!(
            hex_of(d.sha256),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert!(d.blake3.is_none());
    }

    #[test]
    fn block_boundaries_do_not_change_digests() {
        // Data larger than one SHA-256 block and crossing the rayon threshold.
        let data: Vec<u8> = (0..(3 * 1024 * 1024 + 17))
            .map(|i| (i * 7 % 251) as u8)
            .collect();
        let whole = Digests {
            size: data.len() as u64,
            sha256: Some(sha256(&data)),
            blake3: Some(*blake3::hash(&data).as_bytes()),
        };
        assert_eq!(
            hash_reader(&data[..], Algorithms::Both, &|_| {}).unwrap(),
            whole
        );
        // A reader that returns tiny chunks.
        struct Dribble<'a>(&'a [u8]);
        impl Read for Dribble<'_> {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                let n = buf.len().min(self.0.len()).min(4093);
                buf[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        assert_eq!(
            hash_reader(Dribble(&data), Algorithms::Both, &|_| {}).unwrap(),
            whole
        );
    }

    #[test]
    fn pipelined_reads_give_the_same_digests() {
        let data: Vec<u8> = (0..(5 * 1024 * 1024 + 3))
            .map(|i| (i * 13 % 253) as u8)
            .collect();
        for algorithms in [Algorithms::Sha256, Algorithms::Blake3, Algorithms::Both] {
            let plain = hash_reader(&data[..], algorithms, &|_| {}).unwrap();
            for block in [1024 * 1024, 64 * 1024, 5 * 1024 * 1024 + 3, 4093] {
                let piped = hash_pipelined(&data[..], algorithms, block, &|_| {}).unwrap();
                assert_eq!(piped, plain, "{algorithms:?} block {block}");
            }
        }
        // A read error in the reader thread reaches the caller.
        struct Failing(usize);
        impl Read for Failing {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                if self.0 == 0 {
                    return Err(std::io::Error::other("disk on fire"));
                }
                let n = buf.len().min(self.0);
                self.0 -= n;
                Ok(n)
            }
        }
        let err = hash_pipelined(Failing(3 * 4096), Algorithms::Sha256, 4096, &|_| {}).unwrap_err();
        assert!(err.to_string().contains("disk on fire"));
    }

    #[test]
    fn files_in_parallel_keep_order_and_report_errors() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a");
        std::fs::write(&a, b"abc").unwrap();
        let missing = dir.path().join("missing");
        let res = hash_files(
            &[a.clone(), missing.clone(), a],
            Algorithms::Sha256,
            &|_| {},
        );
        assert_eq!(res.len(), 3);
        assert!(res[0].is_ok() && res[2].is_ok());
        let err = res[1].as_ref().unwrap_err().to_string();
        assert!(err.contains("missing"), "{err}");
        // A folder or a FIFO is refused, not opened (a FIFO would block forever).
        let err = hash_file(dir.path(), Algorithms::Sha256)
            .unwrap_err()
            .to_string();
        assert!(err.contains("folder"), "{err}");
        #[cfg(unix)]
        {
            let fifo = dir.path().join("fifo");
            let made = std::process::Command::new("mkfifo").arg(&fifo).status();
            assert!(
                made.map(|s| s.success()).unwrap_or(false),
                "mkfifo is needed for this test"
            );
            let err = hash_file(&fifo, Algorithms::Sha256)
                .unwrap_err()
                .to_string();
            assert!(err.contains("not a regular file"), "{err}");
        }
    }
}
