//! The lineage graph, rebuilt from ledger entries, and walks over it.
//!
//! Nodes are the things the gate handles; edges are ledger entries that connect them, oriented
//! the way data and evidence flow:
//!
//! | edge | from → to | ledger action |
//! |---|---|---|
//! | `ingest` | source → drop | `gate.ingest` (subject = drop id, sha256 of the file) |
//! | `review` | drop → review report | `gate.review` (details `verdict`, `report_sha256`, `checks`) |
//! | `label-audit` | drop → label-audit report | `gate.label_audit` |
//! | `approve` / `reject` | approval → drop | `gate.approve` / `gate.reject` |
//! | `promote` | drop → `DATASET/VERSION` | `gate.promote` (details `drop`, `approvers`) |
//! | `trained-on` | version → model | `lineage.link` (details `trained_on`) |
//! | `erasure` | old content → erased copy (or `from` → `to` version) | `erasure`, `pii.erase` |
//! | `same-content` | erased copy → drop/version with the same sha256 | (inferred from digests) |
//!
//! `gate.source_add`, `gate.rollback` and `gate.expire` change node attributes (a source's tier,
//! which version of a dataset is current, expiry) rather than adding edges.
//!
//! Walking **upstream** follows edges backwards (a model → its versions → their drops → sources,
//! plus the approvals of each drop) and also collects each drop's review and label-audit reports,
//! which are evidence about the drop rather than inputs to it. Walking **downstream** follows edges
//! forwards (a source → its drops → reports, versions → models).
//!
//! Blind spots: an entry whose details lack a field (say a promote without `drop`) adds what it
//! can and leaves the edge out; unknown actions are ignored; a drop id or version named before
//! it was ingested or promoted gets a placeholder node (no digest, status `unknown`).

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};

use datagate_ledger::{Entry, Ledger};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::{Error, Result};

/// What a node is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum NodeKind {
    /// A data source registered with the gate (`vendor-x`).
    Source,
    /// One ingested file in quarantine, named by its drop id.
    Drop,
    /// A review or label-audit report about a drop.
    Report,
    /// A signed approval (or a rejection) of a drop.
    Approval,
    /// A promoted dataset version, `DATASET/VERSION`.
    Version,
    /// A registered model (`lineage link`).
    Model,
    /// A file produced by a PII erasure from content the graph knows.
    File,
}

impl NodeKind {
    /// Lower-case name, as printed.
    pub fn as_str(self) -> &'static str {
        match self {
            NodeKind::Source => "source",
            NodeKind::Drop => "drop",
            NodeKind::Report => "report",
            NodeKind::Approval => "approval",
            NodeKind::Version => "version",
            NodeKind::Model => "model",
            NodeKind::File => "file",
        }
    }
}

/// What an edge records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum EdgeKind {
    /// A source's file entered quarantine as a drop.
    Ingest,
    /// A drop was reviewed; the report is the result.
    Review,
    /// A drop's sampled rows were audited by a person.
    LabelAudit,
    /// A signed approval of a drop.
    Approve,
    /// A rejection of a drop.
    Reject,
    /// A drop became a dataset version in the trusted store.
    Promote,
    /// A model was trained on a dataset version.
    TrainedOn,
    /// Personal data was erased, producing new content from old.
    Erasure,
    /// Content produced by an erasure came back in as a drop or version (same sha256).
    SameContent,
}

impl EdgeKind {
    /// Lower-case name, as printed.
    pub fn as_str(self) -> &'static str {
        match self {
            EdgeKind::Ingest => "ingest",
            EdgeKind::Review => "review",
            EdgeKind::LabelAudit => "label-audit",
            EdgeKind::Approve => "approve",
            EdgeKind::Reject => "reject",
            EdgeKind::Promote => "promote",
            EdgeKind::TrainedOn => "trained-on",
            EdgeKind::Erasure => "erasure",
            EdgeKind::SameContent => "same-content",
        }
    }

    /// Edges that are evidence about their `from` node rather than a flow of data.
    fn is_evidence(self) -> bool {
        matches!(self, EdgeKind::Review | EdgeKind::LabelAudit)
    }
}

/// One node of the graph.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Node {
    /// What it is.
    pub kind: NodeKind,
    /// Unique within its kind: a source name, a drop id, `DATASET/VERSION`, `model@sha256`, ...
    pub id: String,
    /// The name a person uses (a model's name without its digest, an approver's key id, ...).
    pub name: String,
    /// Digests (algorithm → lowercase hex), when known.
    pub digest: BTreeMap<String, String>,
    /// Facts gathered from the ledger: `status`, `tier`, `verdict`, `checks`, `approvers`, ...
    pub attrs: Map<String, Value>,
    /// The ledger entry that first named this node.
    pub seq: u64,
}

impl Node {
    /// `kind:id`, unique in the graph (used to refer to nodes in JSON).
    pub fn key(&self) -> String {
        format!("{}:{}", self.kind.as_str(), self.id)
    }

    /// The node's sha256, if known.
    pub fn sha256(&self) -> Option<&str> {
        self.digest.get("sha256").map(String::as_str)
    }

    /// A string attribute.
    pub fn attr_str(&self, key: &str) -> Option<&str> {
        self.attrs.get(key).and_then(Value::as_str)
    }
}

/// One edge: a ledger entry connecting two nodes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Edge {
    /// Index of the upstream node in [`Graph::nodes`].
    #[serde(skip)]
    pub from: usize,
    /// Index of the downstream node.
    #[serde(skip)]
    pub to: usize,
    /// What happened.
    pub kind: EdgeKind,
    /// The ledger entry that recorded it.
    pub seq: u64,
    /// When (RFC 3339 UTC, from the ledger).
    pub time: String,
    /// Who did it.
    pub actor: String,
    /// The ledger action (`gate.promote`, ...).
    pub action: String,
    /// Digests the entry carried (the subject's, a report's, an envelope's).
    pub digests: BTreeMap<String, String>,
}

/// A dataset's name pointer: which version is current, after promotions and rollbacks.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct DatasetState {
    /// The current version (`v7`), if any.
    pub current: Option<String>,
    /// Every pointer move in order: (seq, action, version).
    pub history: Vec<(u64, String, String)>,
}

/// The lineage graph of one ledger.
#[derive(Debug, Clone, Default)]
pub struct Graph {
    nodes: Vec<Node>,
    edges: Vec<Edge>,
    index: HashMap<(NodeKind, String), usize>,
    out: Vec<Vec<usize>>,
    inc: Vec<Vec<usize>>,
    by_sha256: HashMap<String, Vec<usize>>,
    entries: BTreeMap<u64, Entry>,
    datasets: BTreeMap<String, DatasetState>,
    origin: String,
    size: u64,
    root: Option<String>,
}

/// Which way to walk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// What fed the roots.
    Upstream,
    /// What used the roots.
    Downstream,
    /// Both.
    Both,
}

/// The result of a walk: the roots and every node and edge reached.
#[derive(Debug, Clone, PartialEq)]
pub struct Lineage {
    /// The nodes the query named.
    pub roots: Vec<usize>,
    /// Nodes reached upstream (roots excluded).
    pub upstream: BTreeSet<usize>,
    /// Nodes reached downstream (roots excluded).
    pub downstream: BTreeSet<usize>,
    /// Edges crossed, by index into [`Graph::edges`].
    pub edges: BTreeSet<usize>,
    /// The direction asked for.
    pub direction: Direction,
}

impl Lineage {
    /// Every node in the result (roots first, then by index).
    pub fn nodes(&self) -> Vec<usize> {
        let mut v = self.roots.clone();
        for n in self.upstream.iter().chain(self.downstream.iter()) {
            if !v.contains(n) {
                v.push(*n);
            }
        }
        v
    }

    /// The ledger entries behind the result's edges, in ledger order.
    pub fn seqs(&self, graph: &Graph) -> BTreeSet<u64> {
        self.edges.iter().map(|e| graph.edges()[*e].seq).collect()
    }
}

fn details_str<'a>(d: &'a Value, key: &str) -> Option<&'a str> {
    d.get(key).and_then(Value::as_str).filter(|s| !s.is_empty())
}

fn digest_map(pairs: &[(&str, Option<&str>)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .filter_map(|(k, v)| v.map(|v| (k.to_string(), v.to_string())))
        .collect()
}

impl Graph {
    /// Reads every entry of `ledger` and builds the graph. An entry that does not parse is an
    /// error naming it (the log is damaged; `datagate log verify` says more).
    pub fn load(ledger: &Ledger) -> Result<Graph> {
        let size = ledger.size()?;
        let mut entries = Vec::with_capacity(size as usize);
        let mut bad: Option<Error> = None;
        ledger.for_each_entry(0, size, &mut |seq, e| {
            match e {
                Ok(e) => entries.push(e),
                Err(message) => {
                    if bad.is_none() {
                        bad = Some(Error::BadEntry { seq, message });
                    }
                }
            }
            Ok(())
        })?;
        if let Some(e) = bad {
            return Err(e);
        }
        let mut g = Graph::from_entries(entries);
        g.origin = ledger.origin().to_string();
        g.size = size;
        g.root = Some(hex::encode(ledger.root_at(size)?));
        Ok(g)
    }

    /// Builds the graph from entries (in ledger order), e.g. for tests and exports of a copy.
    pub fn from_entries(entries: impl IntoIterator<Item = Entry>) -> Graph {
        let mut g = Graph::default();
        for e in entries {
            g.size = g.size.max(e.seq + 1);
            g.apply(&e);
            if g.is_lineage_action(&e.action) {
                g.entries.insert(e.seq, e);
            }
        }
        g
    }

    /// Sets the ledger origin (the log's name), which seeds OpenLineage run ids.
    pub fn with_origin(mut self, origin: &str) -> Graph {
        self.origin = origin.to_string();
        self
    }

    /// The ledger's origin line.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// The number of ledger entries read.
    pub fn ledger_size(&self) -> u64 {
        self.size
    }

    /// The ledger's Merkle root (hex) over the entries read, when loaded from a ledger.
    pub fn ledger_root(&self) -> Option<&str> {
        self.root.as_deref()
    }

    /// Every node.
    pub fn nodes(&self) -> &[Node] {
        &self.nodes
    }

    /// Every edge, in ledger order.
    pub fn edges(&self) -> &[Edge] {
        &self.edges
    }

    /// The ledger entry `seq`, if it is one that lineage uses.
    pub fn entry(&self, seq: u64) -> Option<&Entry> {
        self.entries.get(&seq)
    }

    /// Every dataset's current-version pointer.
    pub fn datasets(&self) -> &BTreeMap<String, DatasetState> {
        &self.datasets
    }

    /// The node of this kind and id.
    pub fn node(&self, kind: NodeKind, id: &str) -> Option<usize> {
        self.index.get(&(kind, id.to_string())).copied()
    }

    /// Edges leaving node `n`.
    pub fn outgoing(&self, n: usize) -> impl Iterator<Item = &Edge> {
        self.out
            .get(n)
            .into_iter()
            .flatten()
            .map(|e| &self.edges[*e])
    }

    /// Edges entering node `n`.
    pub fn incoming(&self, n: usize) -> impl Iterator<Item = &Edge> {
        self.inc
            .get(n)
            .into_iter()
            .flatten()
            .map(|e| &self.edges[*e])
    }

    fn is_lineage_action(&self, action: &str) -> bool {
        action.starts_with("gate.")
            || action == "lineage.link"
            || action == "erasure"
            || action == "pii.erase"
    }

    /// Finds the nodes a user means by `name`: a dataset version (`train/v7`), a model name, a
    /// drop id, a source name, a dataset name (all its versions), or a sha256 (any node carrying
    /// it). Returns every match, most specific kinds first.
    pub fn find(&self, name: &str) -> Vec<usize> {
        let mut found = Vec::new();
        for kind in [NodeKind::Version, NodeKind::Drop, NodeKind::Source] {
            if let Some(i) = self.node(kind, name) {
                found.push(i);
            }
        }
        for (i, n) in self.nodes.iter().enumerate() {
            if n.kind == NodeKind::Model && n.name == name {
                found.push(i);
            }
        }
        if found.is_empty() {
            for (i, n) in self.nodes.iter().enumerate() {
                if n.kind == NodeKind::Version && n.attr_str("dataset") == Some(name) {
                    found.push(i);
                }
            }
        }
        if found.is_empty() && name.len() == 64 && name.bytes().all(|b| b.is_ascii_hexdigit()) {
            let lower = name.to_ascii_lowercase();
            found.extend(self.by_sha256.get(&lower).into_iter().flatten().copied());
            for (i, n) in self.nodes.iter().enumerate() {
                if n.sha256() == Some(lower.as_str()) && !found.contains(&i) {
                    found.push(i);
                }
            }
        }
        found
    }

    /// Like [`Graph::find`], but an empty result is an error that says what exists.
    pub fn resolve(&self, name: &str) -> Result<Vec<usize>> {
        let found = self.find(name);
        if found.is_empty() {
            let count = |k: NodeKind| self.nodes.iter().filter(|n| n.kind == k).count();
            return Err(Error::NotFound(format!(
                "{name:?} is not a dataset version, model, drop, source, dataset or sha256 in this project's ledger \
                 ({} versions, {} models, {} drops, {} sources recorded)",
                count(NodeKind::Version),
                count(NodeKind::Model),
                count(NodeKind::Drop),
                count(NodeKind::Source)
            )));
        }
        Ok(found)
    }

    /// Walks from `roots` in `direction`.
    pub fn walk(&self, roots: &[usize], direction: Direction) -> Lineage {
        let mut lin = Lineage {
            roots: roots.to_vec(),
            upstream: BTreeSet::new(),
            downstream: BTreeSet::new(),
            edges: BTreeSet::new(),
            direction,
        };
        if matches!(direction, Direction::Upstream | Direction::Both) {
            let mut seen: BTreeSet<usize> = roots.iter().copied().collect();
            let mut queue: VecDeque<usize> = roots.iter().copied().collect();
            while let Some(n) = queue.pop_front() {
                for &e in self.inc.get(n).into_iter().flatten() {
                    lin.edges.insert(e);
                    let from = self.edges[e].from;
                    if seen.insert(from) {
                        lin.upstream.insert(from);
                        queue.push_back(from);
                    }
                }
                // A drop's reports are evidence about it: list them with it.
                if self.nodes[n].kind == NodeKind::Drop {
                    for &e in self.out.get(n).into_iter().flatten() {
                        if self.edges[e].kind.is_evidence() {
                            lin.edges.insert(e);
                            let to = self.edges[e].to;
                            if seen.insert(to) {
                                lin.upstream.insert(to);
                            }
                        }
                    }
                }
            }
        }
        if matches!(direction, Direction::Downstream | Direction::Both) {
            let mut seen: BTreeSet<usize> = roots.iter().copied().collect();
            let mut queue: VecDeque<usize> = roots.iter().copied().collect();
            while let Some(n) = queue.pop_front() {
                for &e in self.out.get(n).into_iter().flatten() {
                    lin.edges.insert(e);
                    let to = self.edges[e].to;
                    if seen.insert(to) {
                        lin.downstream.insert(to);
                        queue.push_back(to);
                    }
                }
            }
        }
        lin
    }

    // ---- building ------------------------------------------------------------------------

    fn get_or_add(&mut self, kind: NodeKind, id: &str, seq: u64) -> usize {
        if let Some(i) = self.node(kind, id) {
            return i;
        }
        let i = self.nodes.len();
        self.nodes.push(Node {
            kind,
            id: id.to_string(),
            name: id.to_string(),
            digest: BTreeMap::new(),
            attrs: Map::new(),
            seq,
        });
        self.out.push(Vec::new());
        self.inc.push(Vec::new());
        self.index.insert((kind, id.to_string()), i);
        if kind == NodeKind::Version {
            if let Some((ds, ver)) = id.rsplit_once('/') {
                self.set_attr(i, "dataset", Value::String(ds.to_string()));
                self.set_attr(i, "version", Value::String(ver.to_string()));
            }
        }
        i
    }

    fn set_digest(&mut self, n: usize, digest: &BTreeMap<String, String>) {
        if digest.is_empty() {
            return;
        }
        for (k, v) in digest {
            self.nodes[n]
                .digest
                .insert(k.clone(), v.to_ascii_lowercase());
        }
        if let Some(s) = self.nodes[n].sha256().map(str::to_string) {
            let list = self.by_sha256.entry(s).or_default();
            if !list.contains(&n) {
                list.push(n);
            }
        }
    }

    fn set_attr(&mut self, n: usize, key: &str, value: Value) {
        self.nodes[n].attrs.insert(key.to_string(), value);
    }

    fn copy_attrs(&mut self, n: usize, details: &Value, keys: &[&str]) {
        for k in keys {
            if let Some(v) = details.get(*k).filter(|v| !v.is_null()) {
                self.set_attr(n, k, v.clone());
            }
        }
    }

    fn add_edge(
        &mut self,
        from: usize,
        to: usize,
        kind: EdgeKind,
        e: &Entry,
        digests: BTreeMap<String, String>,
    ) {
        let i = self.edges.len();
        self.edges.push(Edge {
            from,
            to,
            kind,
            seq: e.seq,
            time: e.time.clone(),
            actor: e.actor.clone(),
            action: e.action.clone(),
            digests,
        });
        self.out[from].push(i);
        self.inc[to].push(i);
    }

    /// Links an erased copy to a drop or version that arrives later with the same content.
    fn stitch_same_content(&mut self, n: usize, e: &Entry) {
        let Some(sha) = self.nodes[n].sha256().map(str::to_string) else {
            return;
        };
        let files: Vec<usize> = self
            .by_sha256
            .get(&sha)
            .into_iter()
            .flatten()
            .copied()
            .filter(|&f| f != n && self.nodes[f].kind == NodeKind::File)
            .collect();
        for f in files {
            if !self.out[f].iter().any(|&x| self.edges[x].to == n) {
                self.add_edge(
                    f,
                    n,
                    EdgeKind::SameContent,
                    e,
                    digest_map(&[("sha256", Some(&sha))]),
                );
            }
        }
    }

    fn set_status(&mut self, n: usize, status: &str) {
        // A promoted drop stays promoted whatever is recorded about it afterwards.
        if self.nodes[n].attr_str("status") == Some("promoted") && status != "promoted" {
            return;
        }
        self.set_attr(n, "status", Value::String(status.to_string()));
    }

    fn apply(&mut self, e: &Entry) {
        let d = &e.details;
        let subject = e.subject.name.as_str();
        match e.action.as_str() {
            "gate.source_add" => {
                let n = self.get_or_add(NodeKind::Source, subject, e.seq);
                self.copy_attrs(n, d, &["tier", "risk", "signed", "pub", "public_key"]);
            }
            "gate.ingest" => {
                let n = self.get_or_add(NodeKind::Drop, subject, e.seq);
                self.set_digest(n, &e.subject.digest);
                self.copy_attrs(
                    n,
                    d,
                    &[
                        "source",
                        "file",
                        "tier",
                        "bytes",
                        "risk",
                        "signed_by",
                        "licence",
                        "dataset",
                    ],
                );
                self.set_status(n, "quarantined");
                if let Some(src) = details_str(d, "source") {
                    let s = self.get_or_add(NodeKind::Source, src, e.seq);
                    self.add_edge(s, n, EdgeKind::Ingest, e, e.subject.digest.clone());
                }
                self.stitch_same_content(n, e);
            }
            "gate.review" | "gate.label_audit" => {
                let (kind, label, status) = if e.action == "gate.review" {
                    (EdgeKind::Review, "review", "reviewed")
                } else {
                    (EdgeKind::LabelAudit, "label-audit", "label-audited")
                };
                let drop = self.get_or_add(NodeKind::Drop, subject, e.seq);
                let report_sha = if kind == EdgeKind::LabelAudit {
                    // The audited sheet is this report; report_sha256 is the review it audits.
                    details_str(d, "sheet_sha256")
                } else {
                    details_str(d, "report_sha256")
                };
                let id = format!("{label}:{subject}@{}", e.seq);
                let r = self.get_or_add(NodeKind::Report, &id, e.seq);
                self.nodes[r].name = format!("{label} of {subject}");
                self.set_digest(r, &digest_map(&[("sha256", report_sha)]));
                self.set_attr(r, "kind", Value::String(label.to_string()));
                self.set_attr(r, "drop", Value::String(subject.to_string()));
                self.copy_attrs(
                    r,
                    d,
                    &[
                        "verdict",
                        "checks",
                        "report",
                        "policy_sha256",
                        "sheet_sha256",
                        "rate",
                    ],
                );
                let verdict = details_str(d, "verdict");
                let drop_status = match verdict {
                    Some(v) => format!("{status}({v})"),
                    None => status.to_string(),
                };
                self.set_status(drop, &drop_status);
                let mut digests = e.subject.digest.clone();
                if let Some(r) = report_sha {
                    let key = if kind == EdgeKind::LabelAudit {
                        "sheet_sha256"
                    } else {
                        "report_sha256"
                    };
                    digests.insert(key.into(), r.to_string());
                }
                self.add_edge(drop, r, kind, e, digests);
            }
            "gate.approve" | "gate.reject" => {
                let approve = e.action == "gate.approve";
                let drop = self.get_or_add(NodeKind::Drop, subject, e.seq);
                let who = details_str(d, "approver")
                    .or_else(|| details_str(d, "key_id"))
                    .unwrap_or(e.actor.as_str())
                    .to_string();
                let id = format!("{subject}/{who}@{}", e.seq);
                let a = self.get_or_add(NodeKind::Approval, &id, e.seq);
                self.nodes[a].name = who.clone();
                let envelope = details_str(d, "envelope_sha256");
                self.set_digest(a, &digest_map(&[("sha256", envelope)]));
                self.set_attr(
                    a,
                    "decision",
                    Value::String(if approve { "approved" } else { "rejected" }.into()),
                );
                self.set_attr(a, "approver", Value::String(who));
                self.set_attr(a, "drop", Value::String(subject.to_string()));
                self.copy_attrs(
                    a,
                    d,
                    &["key_id", "report_sha256", "reason", "envelope_sha256"],
                );
                let mut digests = e.subject.digest.clone();
                for k in ["envelope_sha256", "report_sha256"] {
                    if let Some(v) = details_str(d, k) {
                        digests.insert(k.to_string(), v.to_string());
                    }
                }
                let (kind, status) = if approve {
                    (EdgeKind::Approve, "approved")
                } else {
                    (EdgeKind::Reject, "rejected")
                };
                self.set_status(drop, status);
                self.add_edge(a, drop, kind, e, digests);
            }
            "gate.promote" => {
                let v = self.get_or_add(NodeKind::Version, subject, e.seq);
                self.set_digest(v, &e.subject.digest);
                let (dataset, version) =
                    match (details_str(d, "dataset"), details_str(d, "version")) {
                        (Some(ds), Some(ver)) => (ds.to_string(), ver.to_string()),
                        _ => match subject.rsplit_once('/') {
                            Some((ds, ver)) => (ds.to_string(), ver.to_string()),
                            None => (subject.to_string(), String::new()),
                        },
                    };
                self.set_attr(v, "dataset", Value::String(dataset.clone()));
                self.set_attr(v, "version", Value::String(version.clone()));
                self.copy_attrs(
                    v,
                    d,
                    &[
                        "source",
                        "approvers",
                        "drop",
                        "bytes",
                        "rows",
                        "report_sha256",
                        "previous",
                    ],
                );
                self.set_attr(v, "status", Value::String("promoted".into()));
                self.set_attr(v, "promoted_seq", Value::from(e.seq));
                let st = self.datasets.entry(dataset).or_default();
                st.current = Some(version.clone());
                st.history.push((e.seq, e.action.clone(), version));
                if let Some(drop_id) = details_str(d, "drop") {
                    let drop = self.get_or_add(NodeKind::Drop, drop_id, e.seq);
                    self.set_status(drop, "promoted");
                    let mut digests = e.subject.digest.clone();
                    if let Some(ds) = self.nodes[drop].sha256() {
                        digests.insert("drop_sha256".into(), ds.to_string());
                    }
                    self.add_edge(drop, v, EdgeKind::Promote, e, digests);
                }
                self.stitch_same_content(v, e);
            }
            "gate.rollback" => {
                if let Some(to) = details_str(d, "to") {
                    let to = to.rsplit('/').next().unwrap_or(to).to_string();
                    let st = self.datasets.entry(subject.to_string()).or_default();
                    st.current = Some(to.clone());
                    st.history.push((e.seq, e.action.clone(), to));
                }
            }
            "gate.expire" => {
                // Subject `DATASET/VERSION` (or `DATASET` with details.version).
                let id = match details_str(d, "version") {
                    Some(v) if !subject.contains('/') => format!("{subject}/{v}"),
                    _ => subject.to_string(),
                };
                if let Some(v) = self.node(NodeKind::Version, &id) {
                    self.set_attr(v, "status", Value::String("expired".into()));
                    self.set_attr(v, "expired_seq", Value::from(e.seq));
                    if let Some((ds, ver)) = id.rsplit_once('/') {
                        if let Some(st) = self.datasets.get_mut(ds) {
                            if st.current.as_deref() == Some(ver) {
                                st.current = None;
                            }
                            st.history.push((e.seq, e.action.clone(), ver.to_string()));
                        }
                    }
                }
            }
            "lineage.link" => {
                let sha = e.subject.digest.get("sha256").cloned().unwrap_or_default();
                let short: String = sha.chars().take(12).collect();
                let id = format!("{subject}@{short}");
                let m = self.get_or_add(NodeKind::Model, &id, e.seq);
                self.nodes[m].name = subject.to_string();
                self.set_digest(m, &e.subject.digest);
                self.copy_attrs(
                    m,
                    d,
                    &[
                        "model_scan",
                        "trained_on",
                        "manifest_sha256",
                        "files_total",
                        "allow_unsafe",
                    ],
                );
                let trained_on: Vec<String> = d
                    .get("trained_on")
                    .and_then(Value::as_array)
                    .map(|a| {
                        a.iter()
                            .filter_map(|v| v.as_str().map(str::to_string))
                            .collect()
                    })
                    .unwrap_or_default();
                for t in trained_on {
                    let v = self.get_or_add(NodeKind::Version, &t, e.seq);
                    let mut digests = e.subject.digest.clone();
                    if let Some(vs) = self.nodes[v].sha256() {
                        digests.insert("version_sha256".into(), vs.to_string());
                    }
                    self.add_edge(v, m, EdgeKind::TrainedOn, e, digests);
                }
            }
            "erasure" | "pii.erase" => self.apply_erasure(e),
            _ => {}
        }
    }

    fn apply_erasure(&mut self, e: &Entry) {
        let d = &e.details;
        // The gate's form: a new dataset version made from an old one.
        if let (Some(from), Some(to)) = (details_str(d, "from"), details_str(d, "to")) {
            if from.contains('/') && to.contains('/') {
                let old = self.get_or_add(NodeKind::Version, from, e.seq);
                let new = self.get_or_add(NodeKind::Version, to, e.seq);
                if e.subject.name == to {
                    self.set_digest(new, &e.subject.digest);
                }
                let digests = digest_map(&[
                    ("sha256_before", details_str(d, "sha256_before")),
                    ("sha256_after", details_str(d, "sha256_after")),
                ]);
                self.add_edge(old, new, EdgeKind::Erasure, e, digests);
                return;
            }
        }
        // `pii erase`'s form: a file rewritten in place; old and new sha256 in the details.
        let Some(before) = details_str(d, "sha256_before").map(str::to_ascii_lowercase) else {
            return;
        };
        let after = details_str(d, "sha256_after")
            .map(str::to_ascii_lowercase)
            .or_else(|| e.subject.digest.get("sha256").cloned());
        let known: Vec<usize> = self.by_sha256.get(&before).cloned().unwrap_or_default();
        if known.is_empty() {
            return; // An erasure in a file lineage knows nothing about.
        }
        // The most downstream holders of the old content: versions, else drops, else files.
        let pick = [NodeKind::Version, NodeKind::Drop, NodeKind::File]
            .iter()
            .map(|k| {
                known
                    .iter()
                    .copied()
                    .filter(|&n| self.nodes[n].kind == *k)
                    .collect::<Vec<_>>()
            })
            .find(|v| !v.is_empty())
            .unwrap_or_default();
        let id = after.clone().unwrap_or_else(|| format!("erased@{}", e.seq));
        let f = self.get_or_add(NodeKind::File, &id, e.seq);
        self.nodes[f].name = e.subject.name.clone();
        if let Some(a) = &after {
            self.set_digest(f, &digest_map(&[("sha256", Some(a))]));
        }
        self.copy_attrs(f, d, &["column", "rows_removed", "rows_before", "kind"]);
        let digests = digest_map(&[
            ("sha256_before", Some(&before)),
            ("sha256_after", after.as_deref()),
        ]);
        for old in pick {
            self.add_edge(old, f, EdgeKind::Erasure, e, digests.clone());
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use datagate_ledger::Subject;
    use serde_json::json;

    pub(crate) fn entry(seq: u64, action: &str, subject: Subject, details: Value) -> Entry {
        Entry {
            seq,
            time: format!("2026-12-04T10:00:{:02}.000000Z", seq % 60),
            actor: "alice@host".into(),
            action: action.into(),
            subject,
            details,
        }
    }

    pub(crate) fn h(c: char) -> String {
        std::iter::repeat_n(c, 64).collect()
    }

    /// Two sources, three drops (one poisoned and rejected), two versions, one model, a rollback,
    /// and an erasure that made a new version.
    pub(crate) fn sample() -> Vec<Entry> {
        let s = |n: &str| Subject::named(n);
        vec![
            entry(0, "project.init", s("demo"), json!({})),
            entry(
                1,
                "gate.source_add",
                s("vendor-x"),
                json!({"tier": "untrusted"}),
            ),
            entry(
                2,
                "gate.ingest",
                s("d-1").with_digest("sha256", h('a')),
                json!({"source": "vendor-x", "file": "drop1.csv", "tier": "untrusted", "bytes": 10, "risk": 0.8}),
            ),
            entry(
                3,
                "gate.review",
                s("d-1").with_digest("sha256", h('a')),
                json!({"verdict": "pass", "report_sha256": h('1'), "checks": [
                    {"check": "suite", "verdict": "pass", "findings": 0},
                    {"check": "poisoning", "verdict": "pass", "findings": 0}]}),
            ),
            entry(
                4,
                "gate.approve",
                s("d-1").with_digest("sha256", h('a')),
                json!({"approver": "alice", "key_id": "ed25519:alice", "envelope_sha256": h('e'), "report_sha256": h('1')}),
            ),
            entry(
                5,
                "gate.promote",
                s("train/v1").with_digest("sha256", h('a')),
                json!({"drop": "d-1", "source": "vendor-x", "dataset": "train", "version": "v1", "approvers": ["ed25519:alice"]}),
            ),
            entry(
                6,
                "gate.ingest",
                s("d-2").with_digest("sha256", h('b')),
                json!({"source": "vendor-y", "file": "drop2.csv"}),
            ),
            entry(
                7,
                "gate.review",
                s("d-2").with_digest("sha256", h('b')),
                json!({"verdict": "fail", "report_sha256": h('2'), "checks": [
                    {"check": "poisoning", "verdict": "fail", "findings": 12}]}),
            ),
            entry(8, "gate.reject", s("d-2"), json!({"reason": "poisoned"})),
            entry(
                9,
                "lineage.link",
                s("fraud-model").with_digest("sha256", h('3')),
                json!({"trained_on": ["train/v1"], "model_scan": "safe", "files": []}),
            ),
            entry(
                10,
                "gate.ingest",
                s("d-3").with_digest("sha256", h('c')),
                json!({"source": "vendor-x", "file": "drop3.csv"}),
            ),
            entry(
                11,
                "gate.promote",
                s("train/v2").with_digest("sha256", h('c')),
                json!({"drop": "d-3", "dataset": "train", "version": "v2", "approvers": []}),
            ),
            entry(
                12,
                "gate.rollback",
                s("train"),
                json!({"from": "v2", "to": "v1"}),
            ),
            entry(
                13,
                "pii.erase",
                s("train/v3").with_digest("sha256", h('d')),
                json!({"from": "train/v1", "to": "train/v3"}),
            ),
        ]
    }

    fn keys(g: &Graph, set: &BTreeSet<usize>) -> Vec<String> {
        set.iter().map(|&i| g.nodes()[i].key()).collect()
    }

    #[test]
    fn upstream_of_a_model_names_sources_drops_reviews_and_approvals() {
        let g = Graph::from_entries(sample());
        let roots = g.resolve("fraud-model").unwrap();
        assert_eq!(roots.len(), 1);
        let lin = g.walk(&roots, Direction::Upstream);
        let up = keys(&g, &lin.upstream);
        for want in [
            "version:train/v1",
            "drop:d-1",
            "source:vendor-x",
            "report:review:d-1@3",
            "approval:d-1/alice@4",
        ] {
            assert!(up.iter().any(|k| k == want), "{want} missing from {up:?}");
        }
        // Nothing from the rejected drop or the other version.
        assert!(
            !up.iter().any(|k| k.contains("d-2") || k.contains("v2")),
            "{up:?}"
        );
        assert!(lin.downstream.is_empty());
        let seqs: Vec<u64> = lin.seqs(&g).into_iter().collect();
        assert_eq!(seqs, vec![2, 3, 4, 5, 9]);
    }

    #[test]
    fn downstream_of_a_source_reaches_versions_and_models() {
        let g = Graph::from_entries(sample());
        let lin = g.walk(&g.resolve("vendor-x").unwrap(), Direction::Downstream);
        let down = keys(&g, &lin.downstream);
        for want in [
            "drop:d-1",
            "drop:d-3",
            "version:train/v1",
            "version:train/v2",
            "version:train/v3",
            "model:fraud-model@333333333333",
        ] {
            assert!(
                down.iter().any(|k| k == want),
                "{want} missing from {down:?}"
            );
        }
        assert!(!down.iter().any(|k| k.contains("d-2")), "{down:?}");
        // Downstream of the poisoned drop: its report only, no version, no model.
        let lin = g.walk(&g.resolve("d-2").unwrap(), Direction::Downstream);
        assert_eq!(keys(&g, &lin.downstream), vec!["report:review:d-2@7"]);
    }

    #[test]
    fn states_pointers_and_lookup() {
        let g = Graph::from_entries(sample());
        let d2 = g.node(NodeKind::Drop, "d-2").unwrap();
        assert_eq!(g.nodes()[d2].attr_str("status"), Some("rejected"));
        let d1 = g.node(NodeKind::Drop, "d-1").unwrap();
        assert_eq!(g.nodes()[d1].attr_str("status"), Some("promoted"));
        assert_eq!(g.datasets()["train"].current.as_deref(), Some("v1"));
        // A dataset name finds its versions; a sha256 finds what carries it.
        assert_eq!(g.find("train").len(), 3);
        let by_sha = g.find(&h('a'));
        assert!(by_sha.contains(&d1) && by_sha.len() == 2, "{by_sha:?}");
        let err = g.resolve("nope").unwrap_err().to_string();
        assert!(
            err.contains("3 versions") && err.contains("1 models"),
            "{err}"
        );
        // Edge evidence carries the digests.
        let promote = g
            .edges()
            .iter()
            .find(|e| e.kind == EdgeKind::Promote && e.seq == 5)
            .unwrap();
        assert_eq!(promote.digests["drop_sha256"], h('a'));
        assert_eq!(promote.actor, "alice@host");
    }

    #[test]
    fn pii_erase_of_a_promoted_file_is_an_erasure_edge_and_reingest_is_stitched() {
        let mut es = sample();
        es.push(entry(
            14,
            "erasure",
            Subject::named("/store/train-v2.csv").with_digest("sha256", h('f')),
            json!({"kind": "pii-erasure", "column": "email", "rows_removed": 1,
                   "sha256_before": h('c'), "sha256_after": h('f')}),
        ));
        es.push(entry(
            15,
            "gate.ingest",
            Subject::named("d-4").with_digest("sha256", h('f')),
            json!({"source": "internal", "file": "train-v2.csv"}),
        ));
        let g = Graph::from_entries(es);
        let lin = g.walk(&g.resolve("d-4").unwrap(), Direction::Upstream);
        let up = keys(&g, &lin.upstream);
        // d-4 ← erased copy ← train/v2 ← d-3 ← vendor-x, and the internal source.
        for want in [
            "file:ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
            "version:train/v2",
            "drop:d-3",
            "source:vendor-x",
            "source:internal",
        ] {
            assert!(up.iter().any(|k| k == want), "{want} missing from {up:?}");
        }
        // The erasure hangs off the version, not the drop it came from (most downstream holder).
        let er = g
            .edges()
            .iter()
            .find(|e| e.kind == EdgeKind::Erasure && e.seq == 14)
            .unwrap();
        assert_eq!(g.nodes()[er.from].key(), "version:train/v2");
        // The gate's form: version → version.
        let v3 = g.node(NodeKind::Version, "train/v3").unwrap();
        let lin = g.walk(&[v3], Direction::Upstream);
        assert!(keys(&g, &lin.upstream).contains(&"version:train/v1".to_string()));
    }

    #[test]
    fn a_label_audit_is_evidence_named_by_its_sheet_digest() {
        let mut es = sample();
        es.push(entry(
            14,
            "gate.label_audit",
            Subject::named("d-3").with_digest("sha256", h('c')),
            json!({"sampled": 10, "disagreements": 0, "verdict": "pass", "sheet_sha256": h('4'),
                   "report_sha256": h('1')}),
        ));
        let g = Graph::from_entries(es);
        let d3 = g.node(NodeKind::Drop, "d-3").unwrap();
        // Promoted before the audit was recorded: the drop stays promoted.
        assert_eq!(g.nodes()[d3].attr_str("status"), Some("promoted"));
        let lin = g.walk(&g.resolve("train/v2").unwrap(), Direction::Upstream);
        let audit = lin
            .upstream
            .iter()
            .map(|&i| &g.nodes()[i])
            .find(|n| n.attr_str("kind") == Some("label-audit"))
            .expect("the label audit is listed with its drop");
        assert_eq!(audit.sha256(), Some(h('4').as_str()));
        assert_eq!(audit.attr_str("verdict"), Some("pass"));
    }

    #[test]
    fn expire_and_placeholders() {
        let mut es = sample();
        es.push(entry(
            14,
            "gate.expire",
            Subject::named("train/v2"),
            json!({}),
        ));
        // A link to a version never promoted gets a placeholder without a digest.
        es.push(entry(
            15,
            "lineage.link",
            Subject::named("m2").with_digest("sha256", h('9')),
            json!({"trained_on": ["other/v9"]}),
        ));
        let g = Graph::from_entries(es);
        let v2 = g.node(NodeKind::Version, "train/v2").unwrap();
        assert_eq!(g.nodes()[v2].attr_str("status"), Some("expired"));
        let v9 = g.node(NodeKind::Version, "other/v9").unwrap();
        assert!(g.nodes()[v9].digest.is_empty());
        assert_eq!(g.nodes()[v9].attr_str("status"), None);
    }
}
