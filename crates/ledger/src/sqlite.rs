//! The embedded SQLite store (`.datagate/ledger.db`).
//!
//! * WAL journal, `synchronous = FULL`: a commit that returned is on disk.
//! * Appends run in `BEGIN IMMEDIATE` transactions, which take SQLite's write
//!   lock up front, so two processes appending at once are serialised and
//!   each reads the size it appends at under the lock (no forks, no
//!   duplicate sequence numbers; `seq` is also the table's primary key).
//! * Triggers refuse `UPDATE` and `DELETE` on every table: the database
//!   itself is append-only for anything that goes through SQLite. (Someone
//!   with the file can drop the triggers; that is what `log verify` and
//!   signed heads kept elsewhere are for.)
//! * Level-0 nodes are the entries' `leaf_hash` column; levels ≥ 1 are the
//!   `nodes` table (`WITHOUT ROWID`, keyed by level and index), so a proof is
//!   a few hundred primary-key look-ups.

use std::path::Path;
use std::time::Duration;

use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};

use crate::merkle::Hash;
use crate::store::{AppendTx, LogStore, StoreError, StoredEntry, StoredHead};

const SCHEMA: &str = r#"
CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS entries (
    seq       INTEGER PRIMARY KEY CHECK (seq >= 0),
    leaf_hash BLOB NOT NULL CHECK (length(leaf_hash) = 32),
    entry     BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS nodes (
    level INTEGER NOT NULL CHECK (level >= 1),
    idx   INTEGER NOT NULL CHECK (idx >= 0),
    hash  BLOB NOT NULL CHECK (length(hash) = 32),
    PRIMARY KEY (level, idx)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS heads (
    size INTEGER PRIMARY KEY CHECK (size >= 0),
    root BLOB NOT NULL CHECK (length(root) = 32),
    time TEXT NOT NULL,
    note TEXT NOT NULL
);
CREATE TRIGGER IF NOT EXISTS entries_no_update BEFORE UPDATE ON entries
    BEGIN SELECT RAISE(ABORT, 'datagate ledger is append-only: entries cannot be updated'); END;
CREATE TRIGGER IF NOT EXISTS entries_no_delete BEFORE DELETE ON entries
    BEGIN SELECT RAISE(ABORT, 'datagate ledger is append-only: entries cannot be deleted'); END;
CREATE TRIGGER IF NOT EXISTS nodes_no_update BEFORE UPDATE ON nodes
    BEGIN SELECT RAISE(ABORT, 'datagate ledger is append-only: nodes cannot be updated'); END;
CREATE TRIGGER IF NOT EXISTS nodes_no_delete BEFORE DELETE ON nodes
    BEGIN SELECT RAISE(ABORT, 'datagate ledger is append-only: nodes cannot be deleted'); END;
CREATE TRIGGER IF NOT EXISTS heads_no_update BEFORE UPDATE ON heads
    BEGIN SELECT RAISE(ABORT, 'datagate ledger is append-only: heads cannot be updated'); END;
CREATE TRIGGER IF NOT EXISTS heads_no_delete BEFORE DELETE ON heads
    BEGIN SELECT RAISE(ABORT, 'datagate ledger is append-only: heads cannot be deleted'); END;
CREATE TRIGGER IF NOT EXISTS meta_no_update BEFORE UPDATE ON meta
    BEGIN SELECT RAISE(ABORT, 'datagate ledger is append-only: meta cannot be updated'); END;
CREATE TRIGGER IF NOT EXISTS meta_no_delete BEFORE DELETE ON meta
    BEGIN SELECT RAISE(ABORT, 'datagate ledger is append-only: meta cannot be deleted'); END;
"#;

/// How long a writer waits for another process's write lock.
const BUSY_TIMEOUT: Duration = Duration::from_secs(60);

/// A ledger stored in one SQLite file.
pub struct SqliteStore {
    conn: Connection,
}

fn hash_from(v: Vec<u8>) -> Result<Hash, StoreError> {
    v.try_into()
        .map_err(|_| StoreError::from("stored hash is not 32 bytes"))
}

fn to_i64(v: u64) -> Result<i64, StoreError> {
    i64::try_from(v).map_err(|_| StoreError::from("sequence number out of range"))
}

impl SqliteStore {
    /// Opens (creating if needed) the database at `path`.
    pub fn open(path: &Path) -> Result<SqliteStore, StoreError> {
        let conn = Connection::open(path)?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        // journal_mode returns a row; WAL persists in the file.
        let _mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
        conn.execute_batch("PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;")?;
        // Schema creation takes the write lock too, so two processes opening a
        // fresh database at once do not race; an existing log is only read.
        let triggers: i64 = conn.query_row(
            "SELECT COUNT(*) FROM sqlite_master WHERE type = 'trigger' AND name LIKE '%\\_no\\_%' ESCAPE '\\'",
            [],
            |r| r.get(0),
        )?;
        if triggers < 8 {
            conn.execute_batch(&format!("BEGIN IMMEDIATE; {SCHEMA} COMMIT;"))?;
        }
        Ok(SqliteStore { conn })
    }

    /// Reads a `meta` value.
    pub fn meta(&self, key: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .optional()?)
    }

    /// Sets a `meta` value once (the table is append-only; an existing key
    /// is left alone and its value returned).
    pub fn meta_init(&self, key: &str, value: &str) -> Result<String, StoreError> {
        if let Some(v) = self.meta(key)? {
            return Ok(v);
        }
        self.conn.execute(
            "INSERT OR IGNORE INTO meta (key, value) VALUES (?1, ?2)",
            [key, value],
        )?;
        Ok(self.meta(key)?.unwrap_or_else(|| value.to_string()))
    }

    /// The underlying connection (tests use it to tamper with the file).
    pub fn connection(&self) -> &Connection {
        &self.conn
    }
}

struct SqliteTx<'c> {
    tx: rusqlite::Transaction<'c>,
}

fn node_in(conn: &Connection, level: u32, index: u64) -> Result<Hash, StoreError> {
    let idx = to_i64(index)?;
    let v: Option<Vec<u8>> = if level == 0 {
        conn.prepare_cached("SELECT leaf_hash FROM entries WHERE seq = ?1")?
            .query_row([idx], |r| r.get(0))
            .optional()?
    } else {
        conn.prepare_cached("SELECT hash FROM nodes WHERE level = ?1 AND idx = ?2")?
            .query_row(params![level, idx], |r| r.get(0))
            .optional()?
    };
    match v {
        Some(v) => hash_from(v),
        None => Err(
            format!("tree node (level {level}, index {index}) is missing from the store").into(),
        ),
    }
}

fn size_in(conn: &Connection) -> Result<u64, StoreError> {
    let max: Option<i64> = conn.query_row("SELECT MAX(seq) FROM entries", [], |r| r.get(0))?;
    Ok(max.map_or(0, |m| m as u64 + 1))
}

impl AppendTx for SqliteTx<'_> {
    fn size(&self) -> Result<u64, StoreError> {
        size_in(&self.tx)
    }
    fn node(&self, level: u32, index: u64) -> Result<Hash, StoreError> {
        node_in(&self.tx, level, index)
    }
    fn insert_entry(&mut self, e: &StoredEntry) -> Result<(), StoreError> {
        self.tx
            .prepare_cached("INSERT INTO entries (seq, leaf_hash, entry) VALUES (?1, ?2, ?3)")?
            .execute(params![to_i64(e.seq)?, &e.leaf_hash[..], &e.bytes])?;
        Ok(())
    }
    fn insert_node(&mut self, level: u32, index: u64, hash: &Hash) -> Result<(), StoreError> {
        self.tx
            .prepare_cached("INSERT INTO nodes (level, idx, hash) VALUES (?1, ?2, ?3)")?
            .execute(params![level, to_i64(index)?, &hash[..]])?;
        Ok(())
    }
    fn insert_head(&mut self, h: &StoredHead) -> Result<(), StoreError> {
        self.tx
            .prepare_cached("INSERT INTO heads (size, root, time, note) VALUES (?1, ?2, ?3, ?4)")?
            .execute(params![to_i64(h.size)?, &h.root[..], &h.time, &h.note])?;
        Ok(())
    }
    fn commit(self: Box<Self>) -> Result<(), StoreError> {
        self.tx.commit()?;
        Ok(())
    }
}

fn head_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<(i64, Vec<u8>, String, String)> {
    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
}

fn head_from(t: (i64, Vec<u8>, String, String)) -> Result<StoredHead, StoreError> {
    Ok(StoredHead {
        size: t.0 as u64,
        root: hash_from(t.1)?,
        time: t.2,
        note: t.3,
    })
}

impl LogStore for SqliteStore {
    fn begin_read(&self) -> Result<(), StoreError> {
        // In WAL mode the first read inside a transaction fixes the snapshot.
        self.conn
            .execute_batch("BEGIN DEFERRED; SELECT COUNT(*) FROM heads;")?;
        Ok(())
    }

    fn end_read(&self) -> Result<(), StoreError> {
        if !self.conn.is_autocommit() {
            self.conn.execute_batch("COMMIT")?;
        }
        Ok(())
    }

    fn begin_append(&mut self) -> Result<Box<dyn AppendTx + '_>, StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        Ok(Box::new(SqliteTx { tx }))
    }

    fn size(&self) -> Result<u64, StoreError> {
        size_in(&self.conn)
    }

    fn row_count(&self) -> Result<u64, StoreError> {
        let n: i64 = self
            .conn
            .query_row("SELECT COUNT(*) FROM entries", [], |r| r.get(0))?;
        Ok(n as u64)
    }

    fn entry(&self, seq: u64) -> Result<Option<StoredEntry>, StoreError> {
        let row: Option<(Vec<u8>, Vec<u8>)> = self
            .conn
            .prepare_cached("SELECT leaf_hash, entry FROM entries WHERE seq = ?1")?
            .query_row([to_i64(seq)?], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        match row {
            None => Ok(None),
            Some((h, bytes)) => Ok(Some(StoredEntry {
                seq,
                leaf_hash: hash_from(h)?,
                bytes,
            })),
        }
    }

    fn scan_entries(
        &self,
        from: u64,
        to: u64,
        f: &mut dyn FnMut(StoredEntry) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT seq, leaf_hash, entry FROM entries WHERE seq >= ?1 AND seq < ?2 ORDER BY seq",
        )?;
        let to = i64::try_from(to).unwrap_or(i64::MAX);
        let mut rows = stmt.query(params![to_i64(from)?, to])?;
        while let Some(r) = rows.next()? {
            let seq: i64 = r.get(0)?;
            // A tampered row may hold a leaf hash of the wrong length or
            // type: report it as a zero hash so verify names the entry.
            let leaf: Vec<u8> = r.get(1).unwrap_or_default();
            let leaf_hash = leaf.try_into().unwrap_or([0u8; 32]);
            let bytes: Vec<u8> = match r.get_ref(2)? {
                rusqlite::types::ValueRef::Blob(b) | rusqlite::types::ValueRef::Text(b) => {
                    b.to_vec()
                }
                other => format!("{other:?}").into_bytes(),
            };
            f(StoredEntry {
                seq: seq as u64,
                leaf_hash,
                bytes,
            })?;
        }
        Ok(())
    }

    fn node(&self, level: u32, index: u64) -> Result<Hash, StoreError> {
        node_in(&self.conn, level, index)
    }

    fn scan_nodes(
        &self,
        f: &mut dyn FnMut(u32, u64, Hash) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT level, idx, hash FROM nodes ORDER BY level, idx")?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let level: i64 = r.get(0)?;
            let idx: i64 = r.get(1)?;
            let h: Vec<u8> = r.get(2).unwrap_or_default();
            f(level as u32, idx as u64, h.try_into().unwrap_or([0u8; 32]))?;
        }
        Ok(())
    }

    fn heads(&self) -> Result<Vec<StoredHead>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT size, root, time, note FROM heads ORDER BY size")?;
        let rows = stmt.query_map([], head_from_row)?;
        let mut out = Vec::new();
        for r in rows {
            out.push(head_from(r?)?);
        }
        Ok(out)
    }

    fn latest_head(&self) -> Result<Option<StoredHead>, StoreError> {
        let t = self
            .conn
            .query_row(
                "SELECT size, root, time, note FROM heads ORDER BY size DESC LIMIT 1",
                [],
                head_from_row,
            )
            .optional()?;
        t.map(head_from).transpose()
    }

    fn head_at(&self, size: u64) -> Result<Option<StoredHead>, StoreError> {
        let t = self
            .conn
            .query_row(
                "SELECT size, root, time, note FROM heads WHERE size = ?1",
                [to_i64(size)?],
                head_from_row,
            )
            .optional()?;
        t.map(head_from).transpose()
    }
}
