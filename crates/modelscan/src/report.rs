//! Findings, verdicts and per-file reports: the scanner's output types.

use serde::Serialize;

use crate::rules::Rule;

/// How bad one finding is. Ordered: `Info < Suspicious < Error < Malicious`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Context only (for example "object array: its pickle was scanned"); never fails a scan.
    Info,
    /// Not known to be safe: an unlisted import, an unresolvable name, a malformed header.
    Suspicious,
    /// The file (or a part of it) could not be parsed, so it was not fully scanned (fail closed).
    Error,
    /// A known dangerous construct: loading the file can run code, read/write files or use the network.
    Malicious,
}

/// A file's overall verdict: the worst severity among its findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// No finding above `info`.
    Safe,
    /// At least one suspicious finding, nothing worse.
    Suspicious,
    /// Part of the file could not be parsed (and nothing malicious was seen in what could).
    Error,
    /// At least one malicious finding.
    Malicious,
}

impl Verdict {
    /// The verdict a finding of this severity gives on its own.
    pub fn from_severity(s: Severity) -> Self {
        match s {
            Severity::Info => Verdict::Safe,
            Severity::Suspicious => Verdict::Suspicious,
            Severity::Error => Verdict::Error,
            Severity::Malicious => Verdict::Malicious,
        }
    }

    /// Lower-case name, as printed.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Safe => "safe",
            Verdict::Suspicious => "suspicious",
            Verdict::Error => "error",
            Verdict::Malicious => "malicious",
        }
    }
}

/// Where a finding was seen: the chain of archive members leading to it and a byte offset
/// inside the innermost member (or the file itself when `member` is empty).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Location {
    /// Archive members from the outside in (`["model.zip", "archive/data.pkl"]`); empty for the file itself.
    pub member: Vec<String>,
    /// Byte offset inside the innermost member, when meaningful.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offset: Option<u64>,
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if !self.member.is_empty() {
            write!(f, "{}", self.member.join(" > "))?;
        }
        if let Some(o) = self.offset {
            if !self.member.is_empty() {
                f.write_str(" ")?;
            }
            write!(f, "@{o}")?;
        }
        Ok(())
    }
}

/// One finding: which rule fired, how bad it is, what was seen and why it matters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Rule code, e.g. `PKL001`.
    pub rule: &'static str,
    /// Rule name, e.g. `pickle-dangerous-import`.
    pub name: &'static str,
    /// Severity of this finding.
    pub severity: Severity,
    /// What was seen (one line).
    pub message: String,
    /// For pickle imports: the module, e.g. `os`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub module: Option<String>,
    /// For pickle imports: the name inside the module, e.g. `system`.
    #[serde(skip_serializing_if = "Option::is_none", rename = "import_name")]
    pub import: Option<String>,
    /// Where it was seen.
    pub location: Location,
    /// Why it matters (the rule's one-line rationale).
    pub why: &'static str,
}

impl Finding {
    /// A finding for `rule` with the rule's default severity.
    pub fn new(rule: &Rule, message: impl Into<String>, location: Location) -> Self {
        Finding {
            rule: rule.code,
            name: rule.name,
            severity: rule.severity,
            message: message.into(),
            module: None,
            import: None,
            location,
            why: rule.why,
        }
    }

    /// Attach the imported module and name.
    pub fn with_import(mut self, module: &str, name: &str) -> Self {
        self.module = Some(module.to_owned());
        self.import = Some(name.to_owned());
        self
    }

    /// Override the severity (rules whose severity depends on what was seen).
    pub fn with_severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }
}

/// The result of scanning one file.
#[derive(Debug, Clone, Serialize)]
pub struct FileReport {
    /// The path as given (or as found while walking a directory).
    pub path: String,
    /// Detected format, e.g. `pytorch-zip`, `pickle`, `safetensors`.
    pub format: String,
    /// Worst severity among the findings.
    pub verdict: Verdict,
    /// Every finding, in the order seen.
    pub findings: Vec<Finding>,
}

impl FileReport {
    /// Build a report and compute its verdict.
    pub fn new(path: String, format: String, findings: Vec<Finding>) -> Self {
        let verdict = findings
            .iter()
            .map(|f| Verdict::from_severity(f.severity))
            .max()
            .unwrap_or(Verdict::Safe);
        FileReport {
            path,
            format,
            verdict,
            findings,
        }
    }
}
