//! The policy: which sources exist, how far each is trusted, and what a drop from it must
//! go through before it may enter the trusted store. It lives in `datagate.toml`:
//!
//! ```toml
//! [approvers]                       # name = public key (PEM, from `datagate keygen`)
//! alice = "keys/alice.pub"
//! bob = "keys/bob.pub"
//!
//! [sources.vendor-x]
//! tier = "untrusted"                # trusted | internal | third-party | untrusted | web-scraped | a [tiers.X]
//! keys = ["keys/vendor-x.pub"]      # drops must carry a DSSE signature by one of these
//! update = "monthly"                # static | yearly | quarterly | monthly | weekly | daily | continuous
//! dataset = "train"                 # the trusted dataset it feeds (drift reference)
//! licence = "CC-BY-4.0"             # licence metadata of its drops (or `ingest --licence`)
//!
//! [tiers.untrusted]                 # overrides the built-in defaults field by field
//! suite = "suites/train.json"       # expectation suite (datagate validate)
//! drift = { threshold = 0.1, drift_share = 0.5 }   # vs the dataset's current trusted version
//! audit = { label = "label", text = ["text"], fail_on_findings = true, thresholds = { trigger_fdr = 0.001 } }
//! pii = { fail_on_any = true, allow_columns = ["email"] }
//! model_scan = true                 # drops that are model files are scanned statically
//! licence_required = true
//! approvals = { k = 2, approvers = ["alice", "bob"] }
//! label_audit = { sample = 50, max_disagreement = 0.05 }
//!
//! [retention.scratch]               # a dataset class
//! datasets = ["tmp-*", "scratch"]   # names, or prefixes ending in *
//! keep_last = 3                     # versions kept besides the current one
//! max_age_days = 30
//! ```
//!
//! `[[source]]` tables with a `name` field are accepted as well as `[sources.NAME]`.
//!
//! Every tier has built-in defaults ([`builtin_tier`]), so `source add --tier untrusted` works
//! on an empty policy; a `[tiers.NAME]` table replaces only the fields it names, and a check
//! is switched off with `drift = false`. An audit's `thresholds` (also written as a
//! `[tiers.NAME.audit.thresholds]` table when `audit` is not an inline table) name fields
//! of `datagate_audit::Settings` (`datagate audit --help` lists them); the others keep
//! their defaults, and the gate's review measures the drop against them.
//!
//! Validation happens at load: an unknown tier, `k` of 0 or larger than the approvers
//! listed, a key file that is missing or not a public key, an unknown update frequency, an
//! unknown or out-of-range audit threshold (`tiers.untrusted.audit.thresholds.trigger_fdrr`),
//! are errors naming the dotted field.
//!
//! Blind spots: the policy is only as trustworthy as the file; whoever can edit
//! `datagate.toml` can add an approver. Its digest is recorded with every review so a change
//! is visible in the ledger, but it is not itself signed.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use datagate_integrity::keys::PublicKey;
use datagate_project::Project;
use serde::Deserialize;

use crate::error::{io_err, policy_err, GateError, Result};

/// The built-in tier names, most trusted first.
pub const BUILTIN_TIERS: &[&str] = &[
    "trusted",
    "internal",
    "third-party",
    "untrusted",
    "web-scraped",
];

/// The accepted update frequencies, least frequent first.
pub const FREQUENCIES: &[&str] = &[
    "static",
    "yearly",
    "quarterly",
    "monthly",
    "weekly",
    "daily",
    "continuous",
];

/// A check switched on with settings, or off with `false` (`true` = default settings).
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum Toggle<T> {
    /// `drift = false` / `drift = true`.
    Flag(bool),
    /// `drift = { threshold = 0.1 }`.
    Spec(T),
}

/// `[sources.NAME]` as written.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SourceSpec {
    /// The trust tier.
    pub tier: String,
    /// Public keys (paths) whose signature a drop must carry; empty = unsigned source.
    pub keys: Vec<String>,
    /// How often the source delivers.
    pub update: Option<String>,
    /// The trusted dataset the source feeds.
    pub dataset: Option<String>,
    /// The licence of its data (SPDX id or free text).
    pub licence: Option<String>,
    /// A note for humans.
    pub description: Option<String>,
}

/// `[[source]]` as written: a [`SourceSpec`] with its name inside.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NamedSourceSpec {
    /// The source's name.
    pub name: String,
    /// The trust tier.
    pub tier: String,
    /// Public keys (paths) whose signature a drop must carry.
    pub keys: Vec<String>,
    /// How often the source delivers.
    pub update: Option<String>,
    /// The trusted dataset the source feeds.
    pub dataset: Option<String>,
    /// The licence of its data.
    pub licence: Option<String>,
    /// A note for humans.
    pub description: Option<String>,
}

/// Drift settings of a tier.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DriftSpec {
    /// Per-column threshold for every column (Evidently's defaults when absent).
    pub threshold: Option<f64>,
    /// Share of drifted columns that makes the dataset drifted.
    pub drift_share: f64,
    /// Whether dataset drift fails the review (else it is reported only).
    pub fail: bool,
}

impl Default for DriftSpec {
    fn default() -> Self {
        DriftSpec {
            threshold: None,
            drift_share: 0.5,
            fail: true,
        }
    }
}

/// Poisoning-audit settings of a tier as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AuditSpec {
    /// The label column.
    pub label: Option<String>,
    /// Free-text columns.
    pub text: Vec<String>,
    /// Feature columns (all others when absent).
    pub features: Option<Vec<String>>,
    /// Whether findings over their thresholds fail the review.
    pub fail_on_findings: bool,
    /// The detectors' thresholds (fields of [`datagate_audit::Settings`]); fields not named
    /// keep their defaults. Kept as a raw table here so that an unknown or out-of-range key
    /// is reported with its dotted field when the policy is resolved.
    pub thresholds: toml::Table,
}

impl Default for AuditSpec {
    fn default() -> Self {
        AuditSpec {
            label: None,
            text: Vec::new(),
            features: None,
            fail_on_findings: true,
            thresholds: toml::Table::new(),
        }
    }
}

/// Resolved poisoning-audit settings of a tier.
#[derive(Debug, Clone)]
pub struct AuditCheck {
    /// The label column.
    pub label: Option<String>,
    /// Free-text columns.
    pub text: Vec<String>,
    /// Feature columns (all others when absent).
    pub features: Option<Vec<String>>,
    /// Whether findings over their thresholds fail the review.
    pub fail_on_findings: bool,
    /// The detectors' thresholds: the defaults with the tier's `thresholds` applied.
    pub settings: datagate_audit::Settings,
}

/// PII settings of a tier.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PiiSpec {
    /// Any finding outside `allow_columns` fails the review.
    pub fail_on_any: bool,
    /// Columns allowed to hold personal data (for example an already pseudonymised id).
    pub allow_columns: Vec<String>,
    /// Findings below this confidence are ignored.
    pub min_confidence: f32,
}

impl Default for PiiSpec {
    fn default() -> Self {
        PiiSpec {
            fail_on_any: true,
            allow_columns: Vec::new(),
            min_confidence: 0.5,
        }
    }
}

/// Approval settings as written.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ApprovalsSpec {
    /// Signatures needed.
    pub k: Option<usize>,
    /// Names from `[approvers]` or public-key paths; empty = every `[approvers]` entry.
    pub approvers: Vec<String>,
}

/// Label-audit settings of a tier.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LabelAuditSpec {
    /// Rows a human checks.
    pub sample: usize,
    /// Largest share of rows the human may mark wrong for the audit to pass.
    pub max_disagreement: f64,
    /// Seed of the stratified sample.
    pub seed: u64,
}

impl Default for LabelAuditSpec {
    fn default() -> Self {
        LabelAuditSpec {
            sample: 50,
            max_disagreement: 0.05,
            seed: 0x5eed,
        }
    }
}

/// `[tiers.NAME]` as written: every field optional, overriding the built-in default.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TierSpec {
    /// Base risk points (0-100) of the tier.
    pub risk_base: Option<u32>,
    /// Expectation suite path.
    pub suite: Option<Toggle<String>>,
    /// Drift against the current trusted version.
    pub drift: Option<Toggle<DriftSpec>>,
    /// Poisoning audit.
    pub audit: Option<Toggle<AuditSpec>>,
    /// PII scan.
    pub pii: Option<Toggle<PiiSpec>>,
    /// Static model-file scan of the drop.
    pub model_scan: Option<bool>,
    /// Licence metadata must be present.
    pub licence_required: Option<bool>,
    /// k-of-n approvals.
    pub approvals: Option<ApprovalsSpec>,
    /// Human label audit.
    pub label_audit: Option<Toggle<LabelAuditSpec>>,
}

/// `[retention.CLASS]` as written.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RetentionSpec {
    /// Dataset names, or prefixes ending in `*`; the class `default` matches every dataset
    /// no other class names.
    pub datasets: Vec<String>,
    /// Versions kept besides the current one (newest first).
    pub keep_last: Option<usize>,
    /// Versions older than this (days since promotion) expire, unless current.
    pub max_age_days: Option<u64>,
}

/// The gate's part of `datagate.toml` as written.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct PolicyFile {
    /// `[approvers]`: name → public key path.
    pub approvers: BTreeMap<String, String>,
    /// `[sources.NAME]`.
    pub sources: BTreeMap<String, SourceSpec>,
    /// `[[source]]` with `name = "..."`: the same, as an array of tables.
    pub source: Vec<NamedSourceSpec>,
    /// `[tiers.NAME]`.
    pub tiers: BTreeMap<String, TierSpec>,
    /// `[retention.CLASS]`.
    pub retention: BTreeMap<String, RetentionSpec>,
}

/// A resolved approver.
#[derive(Debug, Clone)]
pub struct Approver {
    /// Its name in `[approvers]` (or the key path when listed by path).
    pub name: String,
    /// The public key file.
    pub path: PathBuf,
    /// The key.
    pub key: PublicKey,
    /// Its id (hex SHA-256 of the SPKI PEM).
    pub key_id: String,
}

/// A resolved source.
#[derive(Debug, Clone)]
pub struct Source {
    /// Its name.
    pub name: String,
    /// Its tier's name.
    pub tier: String,
    /// Keys that may sign its drops (empty: unsigned source).
    pub keys: Vec<Approver>,
    /// Update frequency, if stated.
    pub update: Option<String>,
    /// The dataset it feeds.
    pub dataset: Option<String>,
    /// Licence of its data.
    pub licence: Option<String>,
}

/// Resolved drift settings.
pub type DriftCheck = DriftSpec;
/// Resolved PII settings.
pub type PiiCheck = PiiSpec;
/// Resolved label-audit settings.
pub type LabelAudit = LabelAuditSpec;

/// A resolved tier: what a drop must go through.
#[derive(Debug, Clone)]
pub struct Tier {
    /// The tier's name.
    pub name: String,
    /// Base risk points.
    pub risk_base: u32,
    /// Expectation suite.
    pub suite: Option<PathBuf>,
    /// Drift check.
    pub drift: Option<DriftCheck>,
    /// Poisoning audit.
    pub audit: Option<AuditCheck>,
    /// PII scan.
    pub pii: Option<PiiCheck>,
    /// Model scan.
    pub model_scan: bool,
    /// Licence required.
    pub licence_required: bool,
    /// Signatures needed.
    pub k: usize,
    /// Who may sign.
    pub approvers: Vec<Approver>,
    /// Label audit.
    pub label_audit: Option<LabelAudit>,
}

/// A retention class.
#[derive(Debug, Clone)]
pub struct RetentionClass {
    /// The class name.
    pub name: String,
    /// Patterns of dataset names.
    pub datasets: Vec<String>,
    /// Versions kept besides the current one.
    pub keep_last: Option<usize>,
    /// Maximum age in days.
    pub max_age_days: Option<u64>,
}

/// The resolved, validated policy.
#[derive(Debug, Clone)]
pub struct Policy {
    /// Sources by name.
    pub sources: BTreeMap<String, Source>,
    /// Tiers by name (the five built-ins plus any `[tiers.X]`).
    pub tiers: BTreeMap<String, Tier>,
    /// Retention classes.
    pub retention: Vec<RetentionClass>,
    /// SHA-256 of `datagate.toml` as loaded (recorded in reviews).
    pub sha256: String,
}

/// The built-in defaults of a tier (`None` for a name that is not built in).
///
/// | tier | risk | checks | approvals | label audit |
/// |---|---|---|---|---|
/// | trusted | 0 | none | 1 | no |
/// | internal | 10 | PII | 1 | no |
/// | third-party | 30 | drift, audit, PII, licence | 1 | no |
/// | untrusted | 50 | drift, audit, PII, model scan | 2 | 50 rows |
/// | web-scraped | 60 | drift, audit, PII, model scan, licence | 2 | 50 rows |
pub fn builtin_tier(name: &str) -> Option<TierSpec> {
    let on = |b: bool| Some(b);
    let base = |risk: u32| TierSpec {
        risk_base: Some(risk),
        suite: None,
        drift: Some(Toggle::Flag(false)),
        audit: Some(Toggle::Flag(false)),
        pii: Some(Toggle::Flag(false)),
        model_scan: on(false),
        licence_required: on(false),
        approvals: Some(ApprovalsSpec {
            k: Some(1),
            approvers: Vec::new(),
        }),
        label_audit: Some(Toggle::Flag(false)),
    };
    Some(match name {
        "trusted" => base(0),
        "internal" => TierSpec {
            pii: Some(Toggle::Flag(true)),
            ..base(10)
        },
        "third-party" => TierSpec {
            drift: Some(Toggle::Flag(true)),
            audit: Some(Toggle::Flag(true)),
            pii: Some(Toggle::Flag(true)),
            licence_required: on(true),
            ..base(30)
        },
        "untrusted" | "web-scraped" => TierSpec {
            drift: Some(Toggle::Flag(true)),
            audit: Some(Toggle::Flag(true)),
            pii: Some(Toggle::Flag(true)),
            model_scan: on(true),
            licence_required: on(name == "web-scraped"),
            approvals: Some(ApprovalsSpec {
                k: Some(2),
                approvers: Vec::new(),
            }),
            label_audit: Some(Toggle::Flag(true)),
            ..base(if name == "web-scraped" { 60 } else { 50 })
        },
        _ => return None,
    })
}

/// Whether `name` is a safe dataset or source name: letters, digits, `.`, `_`, `-`, not
/// starting with `.` (it becomes a file name).
pub fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 128
        && !name.starts_with('.')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
}

fn toggle<T: Default + Clone>(t: &Option<Toggle<T>>) -> Option<T> {
    match t {
        None | Some(Toggle::Flag(false)) => None,
        Some(Toggle::Flag(true)) => Some(T::default()),
        Some(Toggle::Spec(s)) => Some(s.clone()),
    }
}

fn overlay(base: TierSpec, over: &TierSpec) -> TierSpec {
    TierSpec {
        risk_base: over.risk_base.or(base.risk_base),
        suite: over.suite.clone().or(base.suite),
        drift: over.drift.clone().or(base.drift),
        audit: over.audit.clone().or(base.audit),
        pii: over.pii.clone().or(base.pii),
        model_scan: over.model_scan.or(base.model_scan),
        licence_required: over.licence_required.or(base.licence_required),
        approvals: match (&over.approvals, base.approvals) {
            (Some(o), Some(b)) => Some(ApprovalsSpec {
                k: o.k.or(b.k),
                approvers: if o.approvers.is_empty() {
                    b.approvers
                } else {
                    o.approvers.clone()
                },
            }),
            (Some(o), None) => Some(o.clone()),
            (None, b) => b,
        },
        label_audit: over.label_audit.clone().or(base.label_audit),
    }
}

fn read_key(root: &Path, field: &str, path: &str) -> Result<Approver> {
    let full = root.join(path);
    if !full.is_file() {
        return Err(policy_err(
            field,
            format!(
                "public key file {} does not exist (create one with `datagate keygen -o KEY`, then use KEY.pub)",
                full.display()
            ),
        ));
    }
    let key = PublicKey::read(&full)
        .map_err(|e| policy_err(field, format!("{}: not a public key: {e}", full.display())))?;
    let key_id = key
        .key_id()
        .map_err(|e| policy_err(field, format!("{}: {e}", full.display())))?;
    Ok(Approver {
        name: path.to_string(),
        path: full,
        key,
        key_id,
    })
}

impl Policy {
    /// Reads and validates the policy of `project`.
    pub fn load(project: &Project) -> Result<Policy> {
        let path = project.config_path();
        let text = std::fs::read_to_string(&path).map_err(io_err(&path))?;
        Policy::from_str(&text, project.root())
    }

    /// Parses and validates policy text; relative paths are resolved against `root`.
    pub fn from_str(text: &str, root: &Path) -> Result<Policy> {
        let file: PolicyFile = toml::from_str(text).map_err(|e| GateError::Policy {
            field: "(syntax)".into(),
            message: e.to_string().trim_end().to_string(),
        })?;
        let sha256 = datagate_integrity::hash::sha256_hex(text.as_bytes());
        let mut file = file;
        for (i, s) in std::mem::take(&mut file.source).into_iter().enumerate() {
            if s.name.is_empty() {
                return Err(policy_err(format!("source[{i}].name"), "missing"));
            }
            if file.sources.contains_key(&s.name) {
                return Err(policy_err(
                    format!("source[{i}].name"),
                    format!(
                        "{:?} is defined twice ([[source]] and [sources.{}])",
                        s.name, s.name
                    ),
                ));
            }
            file.sources.insert(
                s.name.clone(),
                SourceSpec {
                    tier: s.tier,
                    keys: s.keys,
                    update: s.update,
                    dataset: s.dataset,
                    licence: s.licence,
                    description: s.description,
                },
            );
        }
        Policy::resolve(&file, root, sha256)
    }

    fn resolve(file: &PolicyFile, root: &Path, sha256: String) -> Result<Policy> {
        let mut named: BTreeMap<String, Approver> = BTreeMap::new();
        for (name, path) in &file.approvers {
            let mut a = read_key(root, &format!("approvers.{name}"), path)?;
            a.name = name.clone();
            named.insert(name.clone(), a);
        }
        let mut tiers = BTreeMap::new();
        let mut names: Vec<String> = BUILTIN_TIERS.iter().map(|s| s.to_string()).collect();
        for n in file.tiers.keys() {
            if !names.contains(n) {
                names.push(n.clone());
            }
        }
        for name in names {
            let spec = match (builtin_tier(&name), file.tiers.get(&name)) {
                (Some(b), Some(o)) => overlay(b, o),
                (Some(b), None) => b,
                (None, Some(o)) => overlay(
                    TierSpec {
                        risk_base: Some(50),
                        ..TierSpec::default()
                    },
                    o,
                ),
                (None, None) => continue,
            };
            // k > n is an error where it matters: a tier whose approvals are configured, or
            // that a source uses. A built-in tier nobody uses may keep its default k.
            let strict = file.tiers.get(&name).is_some_and(|t| t.approvals.is_some())
                || file.sources.values().any(|s| s.tier == name);
            let tier = resolve_tier(&name, &spec, root, &named, strict)?;
            tiers.insert(name, tier);
        }
        let mut sources = BTreeMap::new();
        for (name, s) in &file.sources {
            let field = format!("sources.{name}");
            if !valid_name(name) {
                return Err(policy_err(
                    &field,
                    "a source name may hold only letters, digits, '.', '_' and '-'",
                ));
            }
            if s.tier.is_empty() {
                return Err(policy_err(
                    format!("{field}.tier"),
                    format!("missing; one of {}", tier_list(&tiers)),
                ));
            }
            if !tiers.contains_key(&s.tier) {
                return Err(policy_err(
                    format!("{field}.tier"),
                    format!(
                        "unknown tier {:?}; expected one of {} (or define [tiers.{}])",
                        s.tier,
                        tier_list(&tiers),
                        s.tier
                    ),
                ));
            }
            if let Some(u) = &s.update {
                if !FREQUENCIES.contains(&u.as_str()) {
                    return Err(policy_err(
                        format!("{field}.update"),
                        format!(
                            "unknown update frequency {u:?}; expected one of {}",
                            FREQUENCIES.join(", ")
                        ),
                    ));
                }
            }
            if let Some(d) = &s.dataset {
                if !valid_name(d) {
                    return Err(policy_err(
                        format!("{field}.dataset"),
                        format!(
                            "{d:?} is not a valid dataset name (letters, digits, '.', '_', '-')"
                        ),
                    ));
                }
            }
            let mut keys = Vec::new();
            for (i, k) in s.keys.iter().enumerate() {
                keys.push(read_key(root, &format!("{field}.keys[{i}]"), k)?);
            }
            sources.insert(
                name.clone(),
                Source {
                    name: name.clone(),
                    tier: s.tier.clone(),
                    keys,
                    update: s.update.clone(),
                    dataset: s.dataset.clone(),
                    licence: s.licence.clone(),
                },
            );
        }
        let mut retention = Vec::new();
        for (name, r) in &file.retention {
            if r.keep_last.is_none() && r.max_age_days.is_none() {
                return Err(policy_err(
                    format!("retention.{name}"),
                    "sets neither keep_last nor max_age_days, so it would keep everything; set one",
                ));
            }
            if r.datasets.is_empty() && name != "default" {
                return Err(policy_err(
                    format!("retention.{name}.datasets"),
                    "empty: list the dataset names (or prefixes ending in *) this class covers",
                ));
            }
            retention.push(RetentionClass {
                name: name.clone(),
                datasets: r.datasets.clone(),
                keep_last: r.keep_last,
                max_age_days: r.max_age_days,
            });
        }
        Ok(Policy {
            sources,
            tiers,
            retention,
            sha256,
        })
    }

    /// The source named `name`, or an error listing the known ones.
    pub fn source(&self, name: &str) -> Result<&Source> {
        self.sources.get(name).ok_or_else(|| {
            GateError::NotFound(format!(
                "no source {name:?} in datagate.toml (known: {}); add it with `datagate source add {name} --tier TIER`",
                if self.sources.is_empty() {
                    "none".to_string()
                } else {
                    self.sources.keys().cloned().collect::<Vec<_>>().join(", ")
                }
            ))
        })
    }

    /// The tier named `name`.
    pub fn tier(&self, name: &str) -> Result<&Tier> {
        self.tiers.get(name).ok_or_else(|| {
            policy_err(
                "tiers",
                format!(
                    "unknown tier {name:?}; expected one of {}",
                    tier_list(&self.tiers)
                ),
            )
        })
    }

    /// The retention class covering `dataset`: the first class naming it (exact or prefix),
    /// else `default`, else none (keep everything).
    pub fn retention_for(&self, dataset: &str) -> Option<&RetentionClass> {
        self.retention
            .iter()
            .find(|c| {
                c.datasets.iter().any(|p| match p.strip_suffix('*') {
                    Some(prefix) => dataset.starts_with(prefix),
                    None => p == dataset,
                })
            })
            .or_else(|| self.retention.iter().find(|c| c.name == "default"))
    }
}

fn tier_list(tiers: &BTreeMap<String, Tier>) -> String {
    let mut v: Vec<&str> = BUILTIN_TIERS.to_vec();
    for k in tiers.keys() {
        if !v.contains(&k.as_str()) {
            v.push(k);
        }
    }
    v.join(", ")
}

fn resolve_tier(
    name: &str,
    spec: &TierSpec,
    root: &Path,
    named: &BTreeMap<String, Approver>,
    strict: bool,
) -> Result<Tier> {
    let field = format!("tiers.{name}");
    let suite = match &spec.suite {
        None | Some(Toggle::Flag(false)) => None,
        Some(Toggle::Flag(true)) => {
            return Err(policy_err(
                format!("{field}.suite"),
                "expected the path of an expectation suite, not true",
            ))
        }
        Some(Toggle::Spec(p)) => Some(root.join(p)),
    };
    if let Some(p) = &suite {
        if !p.is_file() {
            return Err(policy_err(
                format!("{field}.suite"),
                format!("suite file {} does not exist", p.display()),
            ));
        }
    }
    let drift = toggle(&spec.drift);
    if let Some(d) = &drift {
        if !(0.0..=1.0).contains(&d.drift_share) {
            return Err(policy_err(
                format!("{field}.drift.drift_share"),
                format!("must be between 0 and 1, got {}", d.drift_share),
            ));
        }
    }
    let label_audit = toggle(&spec.label_audit);
    if let Some(l) = &label_audit {
        if l.sample == 0 {
            return Err(policy_err(
                format!("{field}.label_audit.sample"),
                "must be at least 1",
            ));
        }
        if !(0.0..=1.0).contains(&l.max_disagreement) {
            return Err(policy_err(
                format!("{field}.label_audit.max_disagreement"),
                format!("must be between 0 and 1, got {}", l.max_disagreement),
            ));
        }
    }
    let audit = match toggle(&spec.audit) {
        None => None,
        Some(a) => Some(resolve_audit(&field, a)?),
    };
    let approvals = spec.approvals.clone().unwrap_or_default();
    let k = approvals.k.unwrap_or(1);
    if k == 0 {
        return Err(policy_err(
            format!("{field}.approvals.k"),
            "must be at least 1: nothing enters the trusted store unsigned",
        ));
    }
    let mut approvers = Vec::new();
    if approvals.approvers.is_empty() {
        approvers.extend(named.values().cloned());
    } else {
        for (i, a) in approvals.approvers.iter().enumerate() {
            match named.get(a) {
                Some(ap) => approvers.push(ap.clone()),
                None => approvers.push(read_key(
                    root,
                    &format!("{field}.approvals.approvers[{i}]"),
                    a,
                )?),
            }
        }
    }
    // Distinct keys: the same key listed twice is one approver.
    let mut seen = std::collections::BTreeSet::new();
    approvers.retain(|a| seen.insert(a.key_id.clone()));
    let explicit = !approvals.approvers.is_empty();
    if strict && (explicit || !approvers.is_empty()) && k > approvers.len() {
        return Err(policy_err(
            format!("{field}.approvals.k"),
            format!(
                "k = {k} but only {} distinct approver key(s) are listed{}: k-of-n needs k <= n",
                approvers.len(),
                if explicit {
                    format!(" in {field}.approvals.approvers")
                } else {
                    " in [approvers]".to_string()
                }
            ),
        ));
    }
    Ok(Tier {
        name: name.to_string(),
        risk_base: spec.risk_base.unwrap_or(50).min(100),
        suite,
        drift,
        audit,
        pii: toggle(&spec.pii),
        model_scan: spec.model_scan.unwrap_or(false),
        licence_required: spec.licence_required.unwrap_or(false),
        k,
        approvers,
        label_audit,
    })
}

/// Applies an audit's `thresholds` table over the default [`datagate_audit::Settings`];
/// errors name the dotted field (`tiers.untrusted.audit.thresholds.trigger_fdr`).
fn resolve_audit(field: &str, a: AuditSpec) -> Result<AuditCheck> {
    let at = format!("{field}.audit.thresholds");
    let table = match serde_json::to_value(&a.thresholds) {
        Ok(serde_json::Value::Object(m)) => m,
        _ => return Err(policy_err(at, "expected a table of thresholds")),
    };
    let settings = datagate_audit::Settings::default()
        .with_table(&table)
        .map_err(|e| policy_err(format!("{at}.{}", e.key), e.message))?;
    Ok(AuditCheck {
        label: a.label,
        text: a.text,
        features: a.features,
        fail_on_findings: a.fail_on_findings,
        settings,
    })
}

/// Appends `[sources.NAME]` to `datagate.toml` (after checking that the result is a valid
/// policy) and returns the new policy. `keys` are paths relative to the project root.
pub fn add_source(
    project: &Project,
    name: &str,
    tier: &str,
    keys: &[String],
    update: Option<&str>,
    dataset: Option<&str>,
    licence: Option<&str>,
) -> Result<Policy> {
    let path = project.config_path();
    let text = std::fs::read_to_string(&path).map_err(io_err(&path))?;
    let current: PolicyFile = toml::from_str(&text).map_err(|e| GateError::Policy {
        field: "(syntax)".into(),
        message: e.to_string(),
    })?;
    if current.sources.contains_key(name) || current.source.iter().any(|s| s.name == name) {
        return Err(policy_err(
            format!("sources.{name}"),
            "already exists; edit datagate.toml to change it",
        ));
    }
    let q = |s: &str| toml_string(s);
    let mut block = String::new();
    if !text.ends_with('\n') && !text.is_empty() {
        block.push('\n');
    }
    block.push_str(&format!("\n[sources.{}]\ntier = {}\n", q(name), q(tier)));
    if !keys.is_empty() {
        let list: Vec<String> = keys.iter().map(|k| q(k)).collect();
        block.push_str(&format!("keys = [{}]\n", list.join(", ")));
    }
    if let Some(u) = update {
        block.push_str(&format!("update = {}\n", q(u)));
    }
    if let Some(d) = dataset {
        block.push_str(&format!("dataset = {}\n", q(d)));
    }
    if let Some(l) = licence {
        block.push_str(&format!("licence = {}\n", q(l)));
    }
    let new_text = format!("{text}{block}");
    let policy = Policy::from_str(&new_text, project.root())?;
    datagate_project::write_atomic(&path, new_text.as_bytes())?;
    Ok(policy)
}

/// A TOML basic string literal.
fn toml_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The commented default policy `datagate init` appends to `datagate.toml`.
pub const TEMPLATE: &str = r#"
# ---------------------------------------------------------------------------------------
# The gate's policy (datagate ingest / review / approve / promote). Everything below is
# commented out: the built-in tier defaults apply until you change them.
#
# Tiers, most trusted first, with their built-in defaults (override any field below):
#   trusted      risk 0   no checks                                 1 approval
#   internal     risk 10  PII                                       1 approval
#   third-party  risk 30  drift, poisoning audit, PII, licence      1 approval
#   untrusted    risk 50  drift, audit, PII, model scan, label audit 2 approvals
#   web-scraped  risk 60  as untrusted, plus licence                2 approvals
# Risk score = tier base + 15 if the source is unsigned + update frequency (0..25)
#            + 5 per failed review or rejection of the source in the ledger (at most 25).
#
# [approvers]                      # name = public key from `datagate keygen -o keys/alice`
# alice = "keys/alice.pub"
# bob = "keys/bob.pub"
#
# [sources.vendor-x]               # or: datagate source add vendor-x --tier untrusted --pub keys/vendor-x.pub
# tier = "untrusted"
# keys = ["keys/vendor-x.pub"]     # drops must carry a DSSE signature by one of these keys
# update = "monthly"               # static | yearly | quarterly | monthly | weekly | daily | continuous
# dataset = "train"                # the trusted dataset it feeds (drift compares with its current version)
# licence = "CC-BY-4.0"
#
# [tiers.untrusted]
# suite = "suites/train.json"      # expectation suite every drop must pass
# drift = { threshold = 0.1, drift_share = 0.5, fail = true }
# audit = { label = "label", text = ["text"], fail_on_findings = true, thresholds = { trigger_fdr = 0.01, max_duplicate_share = 0.05 } }
# pii = { fail_on_any = true, allow_columns = [], min_confidence = 0.5 }
# model_scan = true
# licence_required = false
# approvals = { k = 2, approvers = ["alice", "bob"] }
# label_audit = { sample = 50, max_disagreement = 0.05, seed = 24301 }
#
# [retention.default]              # a dataset class; "default" covers every other dataset
# datasets = []
# keep_last = 10                   # versions kept besides the current one
# max_age_days = 365
"#;

#[cfg(test)]
mod tests {
    use super::*;
    use datagate_integrity::keys::{generate_files, KeyAlgorithm};

    fn root_with_keys(names: &[&str]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for n in names {
            generate_files(
                &dir.path().join("keys").join(n),
                KeyAlgorithm::Ed25519,
                false,
            )
            .unwrap();
        }
        dir
    }

    fn err_field(text: &str, root: &Path) -> (String, String) {
        match Policy::from_str(text, root) {
            Err(GateError::Policy { field, message }) => (field, message),
            other => panic!("expected a policy error, got {other:?}"),
        }
    }

    #[test]
    fn empty_policy_has_the_builtin_tiers() {
        let dir = tempfile::tempdir().unwrap();
        let p = Policy::from_str("[project]\nname = \"x\"\n", dir.path()).unwrap();
        assert_eq!(p.tiers.len(), 5);
        let u = p.tier("untrusted").unwrap();
        assert_eq!(u.k, 2);
        assert!(u.drift.is_some() && u.audit.is_some() && u.pii.is_some() && u.model_scan);
        assert!(u.label_audit.is_some());
        assert!(p.tier("trusted").unwrap().pii.is_none());
    }

    #[test]
    fn array_of_tables_sources_are_accepted() {
        let dir = tempfile::tempdir().unwrap();
        let p = Policy::from_str(
            "[[source]]\nname = \"a\"\ntier = \"internal\"\n[[source]]\nname = \"b\"\ntier = \"trusted\"\n",
            dir.path(),
        )
        .unwrap();
        assert_eq!(p.sources["a"].tier, "internal");
        assert_eq!(p.sources["b"].tier, "trusted");
        let dup =
            "[[source]]\nname = \"a\"\ntier = \"internal\"\n[sources.a]\ntier = \"trusted\"\n";
        assert_eq!(err_field(dup, dir.path()).0, "source[0].name");
    }

    #[test]
    fn unknown_tier_names_the_field() {
        let dir = tempfile::tempdir().unwrap();
        let (field, msg) = err_field("[sources.v]\ntier = \"sketchy\"\n", dir.path());
        assert_eq!(field, "sources.v.tier");
        assert!(
            msg.contains("sketchy") && msg.contains("untrusted"),
            "{msg}"
        );
    }

    #[test]
    fn k_greater_than_n_is_refused() {
        let dir = root_with_keys(&["alice"]);
        let text = "[approvers]\nalice = \"keys/alice.pub\"\n[tiers.internal]\napprovals = { k = 2, approvers = [\"alice\"] }\n";
        let (field, msg) = err_field(text, dir.path());
        assert_eq!(field, "tiers.internal.approvals.k");
        assert!(msg.contains("k = 2") && msg.contains("1 distinct"), "{msg}");
        let zero = "[tiers.trusted]\napprovals = { k = 0 }\n";
        assert_eq!(err_field(zero, dir.path()).0, "tiers.trusted.approvals.k");
    }

    #[test]
    fn default_k_is_checked_only_where_a_source_uses_the_tier() {
        let dir = root_with_keys(&["alice"]);
        let one = "[approvers]\nalice = \"keys/alice.pub\"\n";
        let p = Policy::from_str(one, dir.path()).unwrap();
        assert_eq!(p.tier("untrusted").unwrap().k, 2);
        let used = format!("{one}[sources.web]\ntier = \"web-scraped\"\n");
        assert_eq!(
            err_field(&used, dir.path()).0,
            "tiers.web-scraped.approvals.k"
        );
    }

    #[test]
    fn the_same_key_twice_counts_once() {
        let dir = root_with_keys(&["alice"]);
        let text = "[approvers]\nalice = \"keys/alice.pub\"\nalias = \"keys/alice.pub\"\n[tiers.trusted]\napprovals = { k = 2 }\n";
        assert_eq!(err_field(text, dir.path()).0, "tiers.trusted.approvals.k");
    }

    #[test]
    fn missing_key_file_names_the_field() {
        let dir = tempfile::tempdir().unwrap();
        let (field, msg) = err_field("[approvers]\nbob = \"keys/bob.pub\"\n", dir.path());
        assert_eq!(field, "approvers.bob");
        assert!(msg.contains("does not exist"), "{msg}");
        let (field, _) = err_field(
            "[sources.v]\ntier = \"untrusted\"\nkeys = [\"nope.pub\"]\n",
            dir.path(),
        );
        assert_eq!(field, "sources.v.keys[0]");
    }

    #[test]
    fn bad_values_name_their_field() {
        let dir = tempfile::tempdir().unwrap();
        let cases = [
            (
                "[sources.v]\ntier = \"trusted\"\nupdate = \"hourly\"\n",
                "sources.v.update",
            ),
            (
                "[tiers.untrusted]\ndrift = { drift_share = 2.0 }\n",
                "tiers.untrusted.drift.drift_share",
            ),
            (
                "[tiers.untrusted]\nlabel_audit = { sample = 0 }\n",
                "tiers.untrusted.label_audit.sample",
            ),
            (
                "[tiers.untrusted]\nsuite = \"missing.json\"\n",
                "tiers.untrusted.suite",
            ),
            (
                "[retention.scratch]\ndatasets = [\"tmp\"]\n",
                "retention.scratch",
            ),
            ("[sources.\"a/b\"]\ntier = \"trusted\"\n", "sources.a/b"),
        ];
        for (text, want) in cases {
            assert_eq!(err_field(text, dir.path()).0, want, "{text}");
        }
        // A typo in a field name is a syntax error that names the key.
        let (field, msg) = err_field("[tiers.untrusted]\nmodel_scann = true\n", dir.path());
        assert_eq!(field, "(syntax)");
        assert!(msg.contains("model_scann"), "{msg}");
    }

    #[test]
    fn overrides_replace_only_the_named_fields() {
        let dir = tempfile::tempdir().unwrap();
        let text = "[tiers.untrusted]\ndrift = false\nlabel_audit = { sample = 10 }\n[tiers.vendor-special]\nrisk_base = 70\npii = true\n";
        let p = Policy::from_str(text, dir.path()).unwrap();
        let u = p.tier("untrusted").unwrap();
        assert!(u.drift.is_none());
        assert!(u.audit.is_some());
        assert_eq!(u.k, 2);
        let l = u.label_audit.as_ref().unwrap();
        assert_eq!((l.sample, l.max_disagreement), (10, 0.05));
        let c = p.tier("vendor-special").unwrap();
        assert_eq!(c.risk_base, 70);
        assert!(c.pii.is_some() && c.drift.is_none());
    }

    #[test]
    fn retention_classes_match_names_and_prefixes() {
        let dir = tempfile::tempdir().unwrap();
        let text = "[retention.scratch]\ndatasets = [\"tmp-*\", \"scratch\"]\nkeep_last = 1\n[retention.default]\nmax_age_days = 30\n";
        let p = Policy::from_str(text, dir.path()).unwrap();
        assert_eq!(p.retention_for("tmp-1").unwrap().name, "scratch");
        assert_eq!(p.retention_for("scratch").unwrap().name, "scratch");
        assert_eq!(p.retention_for("train").unwrap().name, "default");
    }

    #[test]
    fn the_template_parses_when_uncommented() {
        let start = TEMPLATE.find("# [approvers]").unwrap();
        let uncommented: String = TEMPLATE[start..]
            .lines()
            .map(|l| format!("{}\n", l.strip_prefix("# ").unwrap_or(l)))
            .collect();
        let file: PolicyFile =
            toml::from_str(&uncommented).unwrap_or_else(|e| panic!("{e}\n{uncommented}"));
        assert_eq!(file.sources["vendor-x"].tier, "untrusted");
        assert_eq!(
            file.tiers["untrusted"].approvals.as_ref().unwrap().k,
            Some(2)
        );
        match &file.tiers["untrusted"].audit {
            Some(Toggle::Spec(a)) => assert!(a.thresholds.contains_key("trigger_fdr")),
            other => panic!("expected an audit table, got {other:?}"),
        }
    }

    #[test]
    fn audit_thresholds_override_only_the_named_settings() {
        let dir = tempfile::tempdir().unwrap();
        let d = datagate_audit::Settings::default();
        let inline = "[tiers.untrusted]\naudit = { label = \"y\", thresholds = { trigger_fdr = 0.001, label_folds = 3 } }\n";
        let table = "[tiers.untrusted.audit]\nlabel = \"y\"\n[tiers.untrusted.audit.thresholds]\ntrigger_fdr = 0.001\nlabel_folds = 3\n";
        for text in [inline, table] {
            let p = Policy::from_str(text, dir.path()).unwrap();
            let a = p.tier("untrusted").unwrap().audit.as_ref().unwrap();
            assert_eq!(a.label.as_deref(), Some("y"));
            assert_eq!((a.settings.trigger_fdr, a.settings.label_folds), (0.001, 3));
            assert_eq!(a.settings.max_duplicate_share, d.max_duplicate_share);
            assert_eq!(a.settings.label_issue_max_share, d.label_issue_max_share);
            assert_eq!(a.settings.seed, d.seed);
            // Other tiers keep the defaults.
            let w = p.tier("web-scraped").unwrap().audit.as_ref().unwrap();
            assert_eq!(w.settings.trigger_fdr, d.trigger_fdr);
        }
        // `audit = true` and no thresholds: the defaults.
        let p = Policy::from_str("", dir.path()).unwrap();
        let a = p.tier("third-party").unwrap().audit.as_ref().unwrap();
        assert_eq!(a.settings.to_map(), d.to_map());
    }

    #[test]
    fn bad_audit_thresholds_name_the_dotted_field() {
        let dir = tempfile::tempdir().unwrap();
        let (field, msg) = err_field(
            "[tiers.untrusted]\naudit = { thresholds = { trigger_fdrr = 0.1 } }\n",
            dir.path(),
        );
        assert_eq!(field, "tiers.untrusted.audit.thresholds.trigger_fdrr");
        assert!(
            msg.contains("unknown field") && msg.contains("trigger_fdr,"),
            "{msg}"
        );
        let cases = [
            ("trigger_fdr = 1.5", "trigger_fdr", "(0, 1]"),
            ("trigger_fdr = 0.0", "trigger_fdr", "(0, 1]"),
            ("label_folds = 1", "label_folds", ">= 2"),
            ("trigger_min_support = 1", "trigger_min_support", ">= 2"),
            ("label_c = 0.0", "label_c", "above 0"),
            ("label_c = nan", "label_c", "above 0"),
            ("outlier_quantile = 1.0", "outlier_quantile", "(0, 1)"),
            ("label_folds = \"five\"", "label_folds", ">= 2"),
            (
                "label_rank_by = \"margin\"",
                "label_rank_by",
                "normalized_margin",
            ),
        ];
        for (line, key, expected) in cases {
            let text = format!("[tiers.vendor]\n[tiers.vendor.audit.thresholds]\n{line}\n");
            let (field, msg) = err_field(&text, dir.path());
            assert_eq!(
                field,
                format!("tiers.vendor.audit.thresholds.{key}"),
                "{line}"
            );
            assert!(msg.contains(expected), "{line}: {msg}");
        }
    }
}
