//! `inject`: read a clean dataset, apply attacks in order, write the poisoned copy and
//! its ground truth.

use std::path::Path;

use datagate_dataset::write::{write_batches, OutputFormat};
use datagate_dataset::ReadOptions;

use crate::attacks::{self, Context};
use crate::error::{Error, Result};
use crate::rng::Rng;
use crate::spec::AttackSpec;
use crate::table::Table;
use crate::truth::{AttackTruth, GroundTruth};

/// What to inject.
#[derive(Debug, Clone)]
pub struct InjectOptions {
    /// The label column.
    pub label: String,
    /// The text column (needed by `text-trigger` and text near-duplicates).
    pub text: Option<String>,
    /// The seed; each attack draws from its own stream derived from it and its position.
    pub seed: u64,
    /// The attacks, applied in order.
    pub attacks: Vec<AttackSpec>,
    /// How to read the source.
    pub read: ReadOptions,
}

/// Poisons `source` into `output` (format from its extension) and returns the ground
/// truth (not yet written; see [`write_truth`]).
pub fn inject(source: &Path, output: &Path, options: &InjectOptions) -> Result<GroundTruth> {
    OutputFormat::from_path(output)?;
    let mut table = Table::load(source, &options.read)?;
    let attacks = inject_table(&mut table, options)?;
    let batch = table.build()?;
    let rows = write_batches(output, batch.schema(), &[batch])?;
    Ok(GroundTruth {
        seed: options.seed,
        source: source.display().to_string(),
        output: output.display().to_string(),
        rows,
        label: options.label.clone(),
        text: options.text.clone(),
        attacks,
    })
}

/// Applies the attacks to an in-memory table; rows in the result are positions in
/// [`Table::order`] (the output file's row numbers).
pub fn inject_table(table: &mut Table, options: &InjectOptions) -> Result<Vec<AttackTruth>> {
    if table.source_rows() == 0 {
        return Err(Error::Data(format!(
            "{}: the dataset has no rows",
            table.name()
        )));
    }
    let label = table.column(&options.label)?;
    table.check_editable(label)?;
    let text = options
        .text
        .as_deref()
        .map(|t| table.column(t))
        .transpose()?;
    if text == Some(label) {
        return Err(Error::Data(
            "the text column cannot be the label column".into(),
        ));
    }
    let mut rng = Rng::new(options.seed);
    let mut ctx = Context {
        touched: vec![false; table.len()],
        table,
        rng: &mut rng,
        label,
        text,
    };
    let mut done = Vec::with_capacity(options.attacks.len());
    for (i, spec) in options.attacks.iter().enumerate() {
        // one stream per attack: adding an attack does not move the rows of earlier ones
        let mut stream =
            Rng::new(options.seed ^ (i as u64 + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15));
        std::mem::swap(ctx.rng, &mut stream);
        let injected = attacks::apply(spec, &mut ctx)?;
        std::mem::swap(ctx.rng, &mut stream);
        done.push((spec, injected));
    }
    let out = ctx.table.output_rows();
    let at = |w: usize| out.get(w).copied().unwrap_or(u64::MAX);
    Ok(done
        .into_iter()
        .map(|(spec, inj)| {
            let mut params = spec.params_json();
            if let serde_json::Value::Object(p) = &mut params {
                for (k, v) in inj.chosen {
                    p.entry(k).or_insert(v);
                }
            }
            let mut rows: Vec<(u64, Option<serde_json::Value>)> = inj
                .rows
                .iter()
                .enumerate()
                .map(|(i, &w)| (at(w), inj.original_labels.get(i).map(|v| v.to_json())))
                .collect();
            rows.sort_by_key(|(r, _)| *r);
            let mut pairs: Vec<[u64; 2]> = inj.pairs.iter().map(|&(a, b)| [at(a), at(b)]).collect();
            pairs.sort_unstable();
            AttackTruth {
                kind: spec.kind.clone(),
                params,
                original_labels: rows.iter().filter_map(|(_, l)| l.clone()).collect(),
                rows: rows.into_iter().map(|(r, _)| r).collect(),
                target_label: inj.target_label.map(|v| v.to_json()),
                trigger: inj.trigger,
                pattern: inj.pattern,
                mode: inj.mode,
                pairs,
                columns: inj.columns,
            }
        })
        .collect())
}

/// Writes the ground truth as pretty JSON, atomically (temporary file + rename).
pub fn write_truth(truth: &GroundTruth, path: &Path) -> Result<()> {
    let file_err = |message: String| Error::File {
        path: path.display().to_string(),
        message,
    };
    let json = serde_json::to_string_pretty(truth).map_err(|e| file_err(e.to_string()))?;
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    std::fs::create_dir_all(&dir).map_err(|e| file_err(e.to_string()))?;
    let name = path
        .file_name()
        .ok_or_else(|| file_err("no file name".into()))?
        .to_string_lossy()
        .into_owned();
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    std::fs::write(&tmp, json + "\n")
        .and_then(|()| std::fs::rename(&tmp, path))
        .map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            file_err(e.to_string())
        })
}
