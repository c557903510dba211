//! The gate: nothing enters the trusted store that was not fingerprinted, quarantined,
//! reviewed, (when the policy says so) label-audited, and approved by k of n signers.
//!
//! A third-party file goes through the stages of the seed's quarantine table:
//!
//! | stage | module | evidence |
//! |---|---|---|
//! | acquisition | [`workflow::ingest`] | SHA-256, the source's DSSE signature |
//! | quarantine | [`workflow`] | a read-only copy under `.datagate/drops/<id>/`, stored by digest |
//! | statistical review | [`review`] | every check the tier requires; JSON + HTML report |
//! | label audit | [`sample`] | a stratified sample a human marks; disagreement rate |
//! | approval | [`approve`] | DSSE envelopes over the drop and report digests, k-of-n |
//! | promotion | [`workflow::promote`] | re-hash, verify every signature, [`store`] a version |
//!
//! The policy ([`policy`]) says which sources exist, their tier, what each tier requires and
//! who approves; [`risk`] scores sources so the riskiest get attention first.
//!
//! Key design decisions:
//! - **Digests, not paths, are what is approved.** Approvals sign the drop's SHA-256 and the
//!   review report's SHA-256; promotion re-hashes both and verifies every signature again, so
//!   a file changed after approval (even by someone who can chmod it back) is refused.
//! - **Every transition is a ledger entry** (`gate.*` actions, see [`workflow`]), so the
//!   history of a dataset can be replayed and verified by `datagate log verify` and read by
//!   the lineage crate.
//! - **State is plain JSON files written atomically**, one folder per drop; the ledger, not
//!   these files, is the record that is hard to forge.
//!
//! Transitions on one drop are serialised by an advisory lock file ([`lock`]), and so are
//! moves of the store's names (promote, rollback, gc).
//!
//! Blind spots: the quarantine is a read-only folder, not a sandbox: isolation from the
//! training job is by path and permission, not by a separate machine. The lock coordinates
//! datagate processes only.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod approve;
pub mod error;
pub mod lock;
pub mod policy;
pub mod report;
pub mod review;
pub mod risk;
pub mod sample;
pub mod store;
pub mod workflow;

pub use error::{GateError, Result};
pub use policy::Policy;
pub use workflow::{DropRecord, State};

use datagate_ledger::{Event, Ledger, Receipt};
use datagate_project::Project;

/// An open project with its policy and ledger: what every gate operation needs.
pub struct Gate {
    /// The project.
    pub project: Project,
    /// Its validated policy.
    pub policy: Policy,
    /// Its ledger.
    pub ledger: Ledger,
    /// Who is acting (recorded in every entry).
    pub actor: String,
}

impl std::fmt::Debug for Gate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Gate")
            .field("root", &self.project.root())
            .field("actor", &self.actor)
            .finish()
    }
}

impl Gate {
    /// Opens the gate of `project`: loads and validates the policy, opens the ledger.
    pub fn open(project: Project) -> Result<Gate> {
        let policy = Policy::load(&project)?;
        let ledger = Ledger::open(&project)?;
        Ok(Gate {
            project,
            policy,
            ledger,
            actor: datagate_ledger::default_actor(),
        })
    }

    /// Appends one event by this gate's actor.
    pub(crate) fn record(
        &mut self,
        action: &str,
        subject: datagate_ledger::Subject,
        details: serde_json::Value,
    ) -> Result<Receipt> {
        Ok(self
            .ledger
            .append(Event::new(self.actor.clone(), action, subject).with_details(details))?)
    }

    /// `.datagate/drops/`.
    pub fn drops_dir(&self) -> std::path::PathBuf {
        self.project.state_dir().join("drops")
    }

    /// Locks drop `id` against concurrent transitions (released when dropped).
    pub fn lock_drop(&self, id: &str) -> Result<lock::Lock> {
        lock::Lock::acquire(&self.drops_dir().join(id).join(".lock"))
    }

    /// Locks the trusted store's names (promote, rollback, gc).
    pub fn lock_store(&self) -> Result<lock::Lock> {
        let dir = self.refs_dir();
        std::fs::create_dir_all(&dir).map_err(error::io_err(&dir))?;
        lock::Lock::acquire(&dir.join(".lock"))
    }

    /// `.datagate/refs/`.
    pub fn refs_dir(&self) -> std::path::PathBuf {
        self.project.state_dir().join("refs")
    }
}

/// The first `n` bytes of `s` when that is a character boundary, else all of `s` (for
/// showing digests and key ids read from files a user could edit).
pub(crate) fn short(s: &str, n: usize) -> &str {
    s.get(..n).unwrap_or(s)
}

/// The current time, RFC 3339 UTC (seconds).
pub(crate) fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}
