//! datagate's tamper-evident ledger: an append-only log of events (ingest,
//! check, approval, promotion, deletion, access, integrity change) that can
//! prove, later and to someone else, that nothing in it was changed.
//!
//! The log is a Merkle tree in the style of Certificate Transparency
//! (RFC 9162, [`merkle`]): entry `i` is the canonical (RFC 8785) JSON of an
//! [`Entry`], its leaf hash is `SHA-256(0x00 ‖ bytes)`, and after every append
//! batch the ledger signs a tree head in the C2SP tlog-checkpoint format
//! ([`note`]) with the project's Ed25519 log key (`.datagate/keys/ledger.key`).
//! Anyone holding a checkpoint can then check an inclusion proof for one
//! entry, or a consistency proof that a later log extends the one they saw,
//! without the database ([`proof`]).
//!
//! The key design decision is that **the tree logic never trusts storage**:
//! storage sits behind [`store::LogStore`] (SQLite by default, [`sqlite`]),
//! keeps every perfect-subtree hash so that proofs cost O(log² n) look-ups,
//! and [`Ledger::verify`] recomputes every leaf, every stored node and every
//! signed head from the entry bytes, so an edited byte, a deleted, inserted
//! or swapped row, or a truncation is found and the first bad entry named.
//! Someone who can rewrite the whole database *and* holds the log key can
//! forge a consistent new history; a checkpoint copied elsewhere
//! (`log verify --against`) is what catches that.
//!
//! ```no_run
//! # fn main() -> Result<(), datagate_ledger::LedgerError> {
//! use datagate_ledger::{Event, Ledger, Subject};
//! let project = datagate_project::Project::discover_from_cwd()?;
//! let mut ledger = Ledger::open(&project)?;
//! let receipt = ledger.append(Event::new(
//!     "alice",
//!     "ingest",
//!     Subject::named("data/train.csv").with_digest("sha256", "ab12…"),
//! ))?;
//! println!("recorded as entry {}", receipt.seq);
//! # Ok(()) }
//! ```
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod activity;
pub mod entry;
pub mod keys;
pub mod merkle;
pub mod note;
pub mod proof;
pub mod sqlite;
pub mod store;
pub mod verify;
pub mod watch;

use std::collections::HashMap;
use std::path::PathBuf;

pub use entry::{default_actor, Entry, Event, Subject};
pub use note::{Checkpoint, NoteError, NoteSigner, NoteVerifier};
pub use proof::{ConsistencyProofBundle, InclusionProofBundle};
pub use verify::{Problem, VerifyReport};

use datagate_project::Project;
use merkle::{Hash, NodeSource};
use store::{AppendTx, LogStore, StoreError, StoredEntry, StoredHead};

/// Errors from the ledger.
#[derive(Debug, thiserror::Error)]
pub enum LedgerError {
    /// Finding or reading the project failed.
    #[error(transparent)]
    Project(#[from] datagate_project::ProjectError),
    /// The project has no ledger key yet.
    #[error("the ledger is not initialised ({path} is missing): run `datagate init`")]
    NotInitialised {
        /// The missing key file.
        path: PathBuf,
    },
    /// The project has a log key but its database is gone.
    #[error("{path} is missing: the ledger was deleted or moved (restore it, or run `datagate init` to start a new, empty log)")]
    Missing {
        /// The missing database.
        path: PathBuf,
    },
    /// A key file could not be read, parsed or written.
    #[error("{path}: {message}")]
    Key {
        /// The key file.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
    /// The storage backend failed.
    #[error("ledger storage: {0}")]
    Storage(StoreError),
    /// An event could not be serialised.
    #[error("cannot serialise entry: {0}")]
    Json(#[from] serde_json::Error),
    /// A note or checkpoint is malformed or its signature is wrong.
    #[error(transparent)]
    Note(#[from] NoteError),
    /// A proof was asked for sizes or entries the log does not have.
    #[error("{0}")]
    OutOfRange(String),
}

impl From<StoreError> for LedgerError {
    fn from(e: StoreError) -> Self {
        LedgerError::Storage(e)
    }
}

impl From<rusqlite::Error> for LedgerError {
    fn from(e: rusqlite::Error) -> Self {
        LedgerError::Storage(Box::new(e))
    }
}

impl From<merkle::ProofError<StoreError>> for LedgerError {
    fn from(e: merkle::ProofError<StoreError>) -> Self {
        match e {
            merkle::ProofError::OutOfRange(m) => LedgerError::OutOfRange(m),
            merkle::ProofError::Source(s) => LedgerError::Storage(s),
        }
    }
}

/// Short alias for results in this crate.
pub type Result<T, E = LedgerError> = std::result::Result<T, E>;

/// What an append returns: where the entry went and the head that covers it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Receipt {
    /// The entry's sequence number.
    pub seq: u64,
    /// Its leaf hash (hex in JSON).
    #[serde(serialize_with = "proof::ser_hex")]
    pub leaf_hash: Hash,
    /// The tree size after the batch that contained it.
    pub tree_size: u64,
    /// The root at that size (hex in JSON).
    #[serde(serialize_with = "proof::ser_hex")]
    pub root: Hash,
}

/// The project's ledger: a [`LogStore`] plus the log's signing key.
pub struct Ledger {
    store: Box<dyn LogStore>,
    signer: NoteSigner,
    verifier: NoteVerifier,
    origin: String,
}

impl std::fmt::Debug for Ledger {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ledger")
            .field("origin", &self.origin)
            .finish()
    }
}

impl Ledger {
    /// Creates the log key (if missing) and the database (if missing) of an
    /// initialised project, and opens the ledger. Idempotent.
    pub fn init(project: &Project) -> Result<Ledger> {
        project.ensure_layout()?;
        keys::ensure_log_key(project)?;
        Ledger::open_inner(project, true)
    }

    /// Opens the ledger of an initialised project. A missing `ledger.db`
    /// is an error, never silently a new empty log: a deleted log must be
    /// noticed (`datagate init` starts a new one deliberately).
    pub fn open(project: &Project) -> Result<Ledger> {
        Ledger::open_inner(project, false)
    }

    fn open_inner(project: &Project, create: bool) -> Result<Ledger> {
        let (signing, origin) = keys::load_log_key(project)?;
        let db = project.ledger_db();
        if !create && !db.exists() {
            return Err(LedgerError::Missing { path: db });
        }
        let store = sqlite::SqliteStore::open(&db)?;
        store.meta_init("origin", &origin)?;
        Ledger::with_store(Box::new(store), signing, &origin)
    }

    /// Opens a ledger over any store with a given key and origin.
    pub fn with_store(
        store: Box<dyn LogStore>,
        key: ed25519_dalek::SigningKey,
        origin: &str,
    ) -> Result<Ledger> {
        let signer = NoteSigner::new(origin, key)?;
        let verifier = signer.verifier();
        Ok(Ledger {
            store,
            signer,
            verifier,
            origin: origin.to_string(),
        })
    }

    /// The log's origin line (also its key name).
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// The verifier for this log's checkpoints.
    pub fn verifier(&self) -> &NoteVerifier {
        &self.verifier
    }

    /// The storage (read access, e.g. for tests and exports).
    pub fn store(&self) -> &dyn LogStore {
        self.store.as_ref()
    }

    /// The number of entries.
    pub fn size(&self) -> Result<u64> {
        Ok(self.store.size()?)
    }

    /// Appends one event; see [`Ledger::append_batch`].
    pub fn append(&mut self, event: Event) -> Result<Receipt> {
        let mut r = self.append_batch(vec![event])?;
        r.pop()
            .ok_or_else(|| LedgerError::OutOfRange("empty append".into()))
    }

    /// Appends events atomically under the store's write lock, updates the
    /// stored subtree hashes and writes one signed tree head covering them.
    /// Either all events are recorded (and the head) or none.
    pub fn append_batch(&mut self, events: Vec<Event>) -> Result<Vec<Receipt>> {
        if events.is_empty() {
            return Ok(Vec::new());
        }
        let time = entry::now_rfc3339();
        let mut tx = self.store.begin_append()?;
        let start = tx.size()?;
        let mut batch_nodes: HashMap<(u32, u64), Hash> = HashMap::with_capacity(events.len() * 2);
        let mut receipts = Vec::with_capacity(events.len());
        for (i, ev) in events.into_iter().enumerate() {
            let seq = start + i as u64;
            let entry = Entry {
                seq,
                time: time.clone(),
                actor: ev.actor,
                action: ev.action,
                subject: ev.subject,
                details: ev.details,
            };
            let bytes = entry.canonical_bytes()?;
            let leaf = merkle::leaf_hash(&bytes);
            tx.insert_entry(&StoredEntry {
                seq,
                leaf_hash: leaf,
                bytes,
            })?;
            batch_nodes.insert((0, seq), leaf);
            // Complete every perfect subtree this leaf closes.
            let (mut level, mut idx, mut h) = (0u32, seq, leaf);
            while idx & 1 == 1 {
                let left = lookup(&batch_nodes, tx.as_ref(), level, idx - 1)?;
                h = merkle::node_hash(&left, &h);
                level += 1;
                idx >>= 1;
                tx.insert_node(level, idx, &h)?;
                batch_nodes.insert((level, idx), h);
            }
            receipts.push(Receipt {
                seq,
                leaf_hash: leaf,
                tree_size: 0,
                root: [0; 32],
            });
        }
        let size = start + receipts.len() as u64;
        let root = merkle::root(
            &BatchNodes {
                batch: &batch_nodes,
                tx: tx.as_ref(),
            },
            size,
        )?;
        let note = self.signer.sign(
            &Checkpoint {
                origin: self.origin.clone(),
                size,
                root,
            }
            .to_text(),
        )?;
        tx.insert_head(&StoredHead {
            size,
            root,
            time,
            note,
        })?;
        tx.commit()?;
        for r in &mut receipts {
            r.tree_size = size;
            r.root = root;
        }
        Ok(receipts)
    }

    /// One entry, parsed.
    pub fn entry(&self, seq: u64) -> Result<Entry> {
        let stored = self
            .store
            .entry(seq)?
            .ok_or_else(|| LedgerError::OutOfRange(format!("the log has no entry {seq}")))?;
        Entry::from_canonical_bytes(&stored.bytes)
            .map_err(|m| LedgerError::Storage(format!("entry {seq}: {m}").into()))
    }

    /// Calls `f` for each entry with `from <= seq < to`, in order.
    pub fn for_each_entry(
        &self,
        from: u64,
        to: u64,
        f: &mut dyn FnMut(u64, std::result::Result<Entry, String>) -> Result<()>,
    ) -> Result<()> {
        let mut inner_err: Option<LedgerError> = None;
        let res = self.store.scan_entries(from, to, &mut |e| match f(
            e.seq,
            Entry::from_canonical_bytes(&e.bytes),
        ) {
            Ok(()) => Ok(()),
            Err(err) => {
                inner_err = Some(err);
                Err("stopped".into())
            }
        });
        if let Some(e) = inner_err {
            return Err(e);
        }
        res?;
        Ok(())
    }

    /// The latest signed tree head, if any entry was ever appended.
    pub fn latest_head(&self) -> Result<Option<StoredHead>> {
        Ok(self.store.latest_head()?)
    }

    /// The root of the first `size` entries, from the stored nodes.
    pub fn root_at(&self, size: u64) -> Result<Hash> {
        if size > self.size()? {
            return Err(LedgerError::OutOfRange(format!(
                "the log has fewer than {size} entries"
            )));
        }
        Ok(merkle::root(&store::StoreNodes(self.store.as_ref()), size)?)
    }

    /// An inclusion proof for entry `seq` against the latest signed head,
    /// bundled with the entry and the head so it can be checked offline.
    pub fn prove(&self, seq: u64) -> Result<InclusionProofBundle> {
        let head = self
            .latest_head()?
            .ok_or_else(|| LedgerError::OutOfRange("the log is empty".into()))?;
        let stored = self
            .store
            .entry(seq)?
            .ok_or_else(|| LedgerError::OutOfRange(format!("the log has no entry {seq}")))?;
        let src = store::StoreNodes(self.store.as_ref());
        let hashes = merkle::inclusion_proof(&src, seq, head.size)?;
        Ok(InclusionProofBundle::new(
            seq,
            head.size,
            &stored.bytes,
            hashes,
            &head.note,
            &self.verifier,
        ))
    }

    /// A consistency proof from `old_size` to the latest signed head.
    pub fn consistency(&self, old_size: u64) -> Result<ConsistencyProofBundle> {
        let head = self
            .latest_head()?
            .ok_or_else(|| LedgerError::OutOfRange("the log is empty".into()))?;
        if old_size > head.size {
            return Err(LedgerError::OutOfRange(format!(
                "old size {old_size} is larger than the log ({})",
                head.size
            )));
        }
        let src = store::StoreNodes(self.store.as_ref());
        let hashes = merkle::consistency_proof(&src, old_size, head.size)?;
        let old_root = merkle::root(&src, old_size)?;
        let old_note = self.store.head_at(old_size)?.map(|h| h.note);
        Ok(ConsistencyProofBundle::new(
            old_size,
            old_root,
            old_note,
            head.size,
            hashes,
            &head.note,
            &self.verifier,
        ))
    }

    /// Recomputes and checks everything; see [`verify`].
    pub fn verify(&self, against: Option<&str>) -> Result<VerifyReport> {
        verify::verify(self.store.as_ref(), &self.verifier, against)
    }
}

fn lookup(
    batch: &HashMap<(u32, u64), Hash>,
    tx: &dyn AppendTx,
    level: u32,
    index: u64,
) -> std::result::Result<Hash, StoreError> {
    match batch.get(&(level, index)) {
        Some(h) => Ok(*h),
        None => tx.node(level, index),
    }
}

struct BatchNodes<'a> {
    batch: &'a HashMap<(u32, u64), Hash>,
    tx: &'a dyn AppendTx,
}

impl NodeSource for BatchNodes<'_> {
    type Error = StoreError;
    fn node(&self, level: u32, index: u64) -> std::result::Result<Hash, StoreError> {
        lookup(self.batch, self.tx, level, index)
    }
}
