//! Storage behind the ledger: the [`LogStore`] trait.
//!
//! The tree logic (hashing, proofs, signing heads) lives in [`crate::Ledger`]
//! and only needs a store that can (a) append entries, perfect-subtree nodes
//! and signed heads in one atomic, exclusive transaction, and (b) read them
//! back. SQLite ([`crate::sqlite::SqliteStore`]) is the embedded default; a
//! PostgreSQL store implements the same two traits (use `SELECT … FOR
//! UPDATE` or an advisory lock where SQLite uses `BEGIN IMMEDIATE`).

use crate::merkle::Hash;

/// Errors a store reports (boxed so any backend fits).
pub type StoreError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// One stored entry row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEntry {
    /// The row's sequence number.
    pub seq: u64,
    /// The leaf hash recorded when the entry was appended.
    pub leaf_hash: Hash,
    /// The entry's canonical JSON bytes.
    pub bytes: Vec<u8>,
}

/// One stored signed tree head.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredHead {
    /// The tree size it covers.
    pub size: u64,
    /// The root hash at that size.
    pub root: Hash,
    /// When it was written, RFC 3339 UTC.
    pub time: String,
    /// The signed checkpoint note.
    pub note: String,
}

/// An open, exclusive append transaction. Dropping it without
/// [`AppendTx::commit`] rolls everything back.
pub trait AppendTx {
    /// The number of entries committed before this transaction (read under
    /// the write lock, so it cannot change until commit).
    fn size(&self) -> Result<u64, StoreError>;
    /// A perfect-subtree node (level 0 = leaf hash) already in the store.
    fn node(&self, level: u32, index: u64) -> Result<Hash, StoreError>;
    /// Inserts an entry row. Fails if `seq` exists.
    fn insert_entry(&mut self, entry: &StoredEntry) -> Result<(), StoreError>;
    /// Inserts a perfect-subtree node at `level ≥ 1`.
    fn insert_node(&mut self, level: u32, index: u64, hash: &Hash) -> Result<(), StoreError>;
    /// Inserts a signed tree head.
    fn insert_head(&mut self, head: &StoredHead) -> Result<(), StoreError>;
    /// Makes everything durable and visible at once.
    fn commit(self: Box<Self>) -> Result<(), StoreError>;
}

/// A ledger's storage.
pub trait LogStore {
    /// Starts a read snapshot: until [`LogStore::end_read`], reads see the
    /// log as of this moment even while other processes append. Stores
    /// without snapshots may leave the default no-op.
    fn begin_read(&self) -> Result<(), StoreError> {
        Ok(())
    }
    /// Ends the snapshot started by [`LogStore::begin_read`].
    fn end_read(&self) -> Result<(), StoreError> {
        Ok(())
    }
    /// Starts an exclusive append transaction (waits for other writers).
    fn begin_append(&mut self) -> Result<Box<dyn AppendTx + '_>, StoreError>;
    /// The number of entries (the highest sequence number + 1).
    fn size(&self) -> Result<u64, StoreError>;
    /// The number of entry rows actually stored (differs from
    /// [`LogStore::size`] only if rows were deleted behind the ledger's back).
    fn row_count(&self) -> Result<u64, StoreError>;
    /// One entry by sequence number.
    fn entry(&self, seq: u64) -> Result<Option<StoredEntry>, StoreError>;
    /// Entries with `from <= seq < to`, in sequence order, one at a time.
    fn scan_entries(
        &self,
        from: u64,
        to: u64,
        f: &mut dyn FnMut(StoredEntry) -> Result<(), StoreError>,
    ) -> Result<(), StoreError>;
    /// A perfect-subtree node (level 0 = the stored leaf hash).
    fn node(&self, level: u32, index: u64) -> Result<Hash, StoreError>;
    /// All stored nodes of level ≥ 1, one at a time, as `(level, index, hash)`.
    fn scan_nodes(
        &self,
        f: &mut dyn FnMut(u32, u64, Hash) -> Result<(), StoreError>,
    ) -> Result<(), StoreError>;
    /// All signed heads in increasing size.
    fn heads(&self) -> Result<Vec<StoredHead>, StoreError>;
    /// The head with the largest size.
    fn latest_head(&self) -> Result<Option<StoredHead>, StoreError>;
    /// A stored head of exactly this size.
    fn head_at(&self, size: u64) -> Result<Option<StoredHead>, StoreError>;
}

/// Adapts a [`LogStore`] as a Merkle node source.
pub(crate) struct StoreNodes<'a>(pub &'a dyn LogStore);

impl crate::merkle::NodeSource for StoreNodes<'_> {
    type Error = StoreError;
    fn node(&self, level: u32, index: u64) -> Result<Hash, StoreError> {
        self.0.node(level, index)
    }
}
