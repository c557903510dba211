//! A whole dataset's profile: one [`ColumnProfile`] per column, built from Arrow
//! batches, merged across shards, stored as versioned JSON.

use std::io::Write;
use std::path::Path;

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Float32Type, Float64Type, Int16Type, Int32Type, Int64Type, Int8Type, UInt32Type, UInt64Type,
};
use arrow_array::{Array, RecordBatch};
use arrow_schema::{DataType, Schema};
use serde::{Deserialize, Serialize};

use crate::column::{ColumnKind, ColumnProfile, Histogram, LengthStats, TypeCounts};
use crate::frequent::MisraGries;
use crate::moments::Moments;
use crate::sketch::{Distinct, Quantiles, HLL_LG_K, KLL_K};
use crate::ProfileError;

/// The `format` field of every profile file.
pub const FORMAT: &str = "datagate-profile";
/// The current format version. Readers accept this version and older.
pub const VERSION: u32 = 1;
/// Largest profile file read (bytes).
pub const MAX_PROFILE_BYTES: u64 = 1 << 30;

/// Ranks reported as plain numbers in the JSON (the sketch itself holds the rest).
pub const REPORTED_RANKS: [f64; 11] = [0.0, 0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 1.0];

/// A dataset profile.
#[derive(Debug, Clone)]
pub struct Profile {
    /// Where it came from (file names), for people.
    pub sources: Vec<String>,
    /// Rows profiled.
    pub row_count: u64,
    /// Per-column profiles, in schema order.
    pub columns: Vec<ColumnProfile>,
}

fn kind_of(dt: &DataType) -> ColumnKind {
    match dt {
        DataType::Int8
        | DataType::Int16
        | DataType::Int32
        | DataType::Int64
        | DataType::UInt8
        | DataType::UInt16
        | DataType::UInt32
        | DataType::UInt64 => ColumnKind::Integer,
        DataType::Float16 | DataType::Float32 | DataType::Float64 => ColumnKind::Float,
        DataType::Boolean => ColumnKind::Boolean,
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => ColumnKind::String,
        _ => ColumnKind::Other,
    }
}

macro_rules! each_value {
    ($arr:expr, $col:ident, $v:ident => $push:expr) => {{
        if $arr.null_count() == 0 {
            for $v in $arr.values().iter().copied() {
                $push;
            }
        } else {
            for x in $arr.iter() {
                match x {
                    Some($v) => $push,
                    None => $col.push_null(),
                }
            }
        }
    }};
}

/// Feeds one Arrow array into a column profile.
pub fn update_column(col: &mut ColumnProfile, array: &dyn Array) {
    match array.data_type() {
        DataType::Int64 => {
            let a = array.as_primitive::<Int64Type>();
            each_value!(a, col, v => col.push_i64(v))
        }
        DataType::Int32 => {
            let a = array.as_primitive::<Int32Type>();
            each_value!(a, col, v => col.push_i64(i64::from(v)))
        }
        DataType::Int16 => {
            let a = array.as_primitive::<Int16Type>();
            each_value!(a, col, v => col.push_i64(i64::from(v)))
        }
        DataType::Int8 => {
            let a = array.as_primitive::<Int8Type>();
            each_value!(a, col, v => col.push_i64(i64::from(v)))
        }
        DataType::UInt32 => {
            let a = array.as_primitive::<UInt32Type>();
            each_value!(a, col, v => col.push_i64(i64::from(v)))
        }
        DataType::UInt64 => {
            let a = array.as_primitive::<UInt64Type>();
            each_value!(a, col, v => col.push_f64(v as f64))
        }
        DataType::Float64 => {
            let a = array.as_primitive::<Float64Type>();
            each_value!(a, col, v => col.push_f64(v))
        }
        DataType::Float32 => {
            let a = array.as_primitive::<Float32Type>();
            each_value!(a, col, v => col.push_f64(f64::from(v)))
        }
        DataType::Boolean => {
            let a = array.as_boolean();
            for x in a.iter() {
                match x {
                    Some(b) => col.push_bool(b),
                    None => col.push_null(),
                }
            }
        }
        DataType::Utf8 => {
            let a = array.as_string::<i32>();
            for x in a.iter() {
                match x {
                    Some(s) => col.push_str(s),
                    None => col.push_null(),
                }
            }
        }
        DataType::LargeUtf8 => {
            let a = array.as_string::<i64>();
            for x in a.iter() {
                match x {
                    Some(s) => col.push_str(s),
                    None => col.push_null(),
                }
            }
        }
        DataType::Utf8View => {
            let a = array.as_string_view();
            for x in a.iter() {
                match x {
                    Some(s) => col.push_str(s),
                    None => col.push_null(),
                }
            }
        }
        _ => {
            for i in 0..array.len() {
                if array.is_null(i) {
                    col.push_null();
                } else {
                    col.push_other();
                }
            }
        }
    }
}

impl Profile {
    /// An empty profile for a schema.
    pub fn new(schema: &Schema) -> Self {
        Profile {
            sources: Vec::new(),
            row_count: 0,
            columns: schema
                .fields()
                .iter()
                .map(|f| ColumnProfile::new(f.name().clone(), kind_of(f.data_type())))
                .collect(),
        }
    }

    /// Adds a batch (its schema must be the one given to [`Profile::new`]). Columns are
    /// updated in parallel.
    pub fn update(&mut self, batch: &RecordBatch) -> Result<(), ProfileError> {
        if batch.num_columns() != self.columns.len() {
            return Err(ProfileError::SchemaMismatch(format!(
                "batch has {} columns, profile has {}",
                batch.num_columns(),
                self.columns.len()
            )));
        }
        self.row_count += batch.num_rows() as u64;
        use rayon::prelude::*;
        self.columns
            .par_iter_mut()
            .zip(batch.columns().par_iter())
            .for_each(|(c, a)| update_column(c, a.as_ref()));
        Ok(())
    }

    /// Merges another profile: columns are matched by name; a column only in `other`
    /// is appended (its absence in `self` means zero rows there, so it gains nulls for
    /// this profile's rows, and vice versa).
    pub fn merge(&mut self, other: &Profile) -> Result<(), ProfileError> {
        let self_rows = self.row_count;
        for c in self.columns.iter_mut() {
            if !other.columns.iter().any(|o| o.name == c.name) {
                c.count += other.row_count;
                c.null_count += other.row_count;
            }
        }
        for o in &other.columns {
            match self.columns.iter_mut().find(|c| c.name == o.name) {
                Some(c) => c.merge(o)?,
                None => {
                    let mut c = o.clone();
                    c.count += self_rows;
                    c.null_count += self_rows;
                    self.columns.push(c);
                }
            }
        }
        self.row_count += other.row_count;
        self.sources.extend(other.sources.iter().cloned());
        Ok(())
    }

    /// The profile as JSON text.
    pub fn to_json(&self) -> Result<String, ProfileError> {
        let file = ProfileFile {
            format: FORMAT.into(),
            version: VERSION,
            created_by: format!("datagate-profile {}", env!("CARGO_PKG_VERSION")),
            sources: self.sources.clone(),
            row_count: self.row_count,
            columns: self.columns.iter().map(ColumnJson::from_profile).collect(),
        };
        serde_json::to_string_pretty(&file).map_err(|e| ProfileError::Json(e.to_string()))
    }

    /// Parses a profile, checking format and version.
    pub fn from_json(text: &str) -> Result<Profile, ProfileError> {
        let head: serde_json::Value =
            serde_json::from_str(text).map_err(|e| ProfileError::Json(format!("not JSON: {e}")))?;
        if head.get("format").and_then(|v| v.as_str()) != Some(FORMAT) {
            return Err(ProfileError::NotAProfile);
        }
        let version = head.get("version").and_then(|v| v.as_u64()).unwrap_or(0);
        if version == 0 || version > u64::from(VERSION) {
            return Err(ProfileError::UnsupportedVersion {
                found: version,
                supported: VERSION,
            });
        }
        let file: ProfileFile =
            serde_json::from_value(head).map_err(|e| ProfileError::Json(e.to_string()))?;
        let columns = file
            .columns
            .into_iter()
            .map(ColumnJson::into_profile)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Profile {
            sources: file.sources,
            row_count: file.row_count,
            columns,
        })
    }

    /// Reads a profile file.
    pub fn read(path: &Path) -> Result<Profile, ProfileError> {
        let meta =
            std::fs::metadata(path).map_err(|e| ProfileError::Io(path.display().to_string(), e))?;
        if meta.len() > MAX_PROFILE_BYTES {
            return Err(ProfileError::Json(format!(
                "{} is larger than 1 GiB; not a profile",
                path.display()
            )));
        }
        let text = std::fs::read_to_string(path)
            .map_err(|e| ProfileError::Io(path.display().to_string(), e))?;
        Profile::from_json(&text).map_err(|e| e.in_file(path))
    }

    /// Writes the profile atomically (temp file in the same folder, then rename).
    pub fn write(&self, path: &Path) -> Result<(), ProfileError> {
        write_atomic(path, self.to_json()?.as_bytes())
    }

    /// The column named `name`.
    pub fn column(&self, name: &str) -> Option<&ColumnProfile> {
        self.columns.iter().find(|c| c.name == name)
    }
}

/// Writes bytes to `path` through a temporary file and a rename.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), ProfileError> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or_else(|| Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "profile".into());
    let tmp = dir.join(format!(".{name}.tmp{}", std::process::id()));
    let io = |e| ProfileError::Io(path.display().to_string(), e);
    let mut f = std::fs::File::create(&tmp).map_err(io)?;
    f.write_all(bytes).map_err(io)?;
    f.sync_all().map_err(io)?;
    drop(f);
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        io(e)
    })
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProfileFile {
    format: String,
    version: u32,
    created_by: String,
    #[serde(default)]
    sources: Vec<String>,
    row_count: u64,
    columns: Vec<ColumnJson>,
}

#[derive(Serialize, Deserialize)]
struct NumericJson {
    count: u64,
    min: f64,
    max: f64,
    mean: f64,
    m2: f64,
    variance_pop: f64,
    stddev_pop: f64,
}

#[derive(Serialize, Deserialize)]
struct QuantilesJson {
    k: u16,
    normalized_rank_error: f64,
    /// `[rank, value]` pairs for people; the sketch is authoritative.
    ranks: Vec<(f64, f64)>,
    sketch: String,
}

#[derive(Serialize, Deserialize)]
struct DistinctJson {
    estimate: f64,
    lower_95: f64,
    upper_95: f64,
    lg_k: u8,
    sketch: String,
}

#[derive(Serialize, Deserialize)]
struct FrequentJson<K> {
    capacity: usize,
    total: u64,
    max_error: u64,
    items: Vec<(K, u64)>,
}

#[derive(Serialize, Deserialize)]
struct LengthJson {
    count: u64,
    min: u64,
    max: u64,
    sum: u64,
    mean: Option<f64>,
}

#[derive(Serialize, Deserialize)]
struct ColumnJson {
    name: String,
    kind: ColumnKind,
    count: u64,
    null_count: u64,
    nan_count: u64,
    inf_count: u64,
    types: TypeCounts,
    numeric: Option<NumericJson>,
    quantiles: Option<QuantilesJson>,
    distinct: DistinctJson,
    frequent_numbers: FrequentJson<f64>,
    frequent_strings: FrequentJson<String>,
    histogram: Option<Histogram>,
    string_length: Option<LengthJson>,
    exact_values: Option<Vec<f64>>,
}

impl ColumnJson {
    fn from_profile(c: &ColumnProfile) -> ColumnJson {
        let m = &c.moments;
        let (lo, hi) = c.distinct.bounds();
        ColumnJson {
            name: c.name.clone(),
            kind: c.kind,
            count: c.count,
            null_count: c.null_count,
            nan_count: c.nan_count,
            inf_count: c.inf_count,
            types: c.types,
            numeric: (m.count > 0).then(|| NumericJson {
                count: m.count,
                min: m.min,
                max: m.max,
                mean: m.mean,
                m2: m.m2,
                variance_pop: m.variance_pop().unwrap_or(0.0),
                stddev_pop: m.variance_pop().unwrap_or(0.0).sqrt(),
            }),
            quantiles: (m.count > 0).then(|| QuantilesJson {
                k: KLL_K,
                normalized_rank_error: c.quantiles.rank_error(),
                ranks: REPORTED_RANKS
                    .iter()
                    .copied()
                    .zip(c.quantiles.quantiles(&REPORTED_RANKS))
                    .collect(),
                sketch: c.quantiles.to_base64(),
            }),
            distinct: DistinctJson {
                estimate: c.distinct.estimate(),
                lower_95: lo,
                upper_95: hi,
                lg_k: HLL_LG_K,
                sketch: c.distinct.to_base64(),
            },
            frequent_numbers: FrequentJson {
                capacity: c.frequent_num.capacity(),
                total: c.frequent_num.total(),
                max_error: c.frequent_num.max_error(),
                items: c
                    .frequent_num
                    .items()
                    .into_iter()
                    .map(|(k, n)| (f64::from_bits(k), n))
                    .collect(),
            },
            frequent_strings: FrequentJson {
                capacity: c.frequent_str.capacity(),
                total: c.frequent_str.total(),
                max_error: c.frequent_str.max_error(),
                items: c.frequent_str.items(),
            },
            histogram: c.histogram(),
            string_length: (c.lengths.count > 0).then(|| LengthJson {
                count: c.lengths.count,
                min: c.lengths.min,
                max: c.lengths.max,
                sum: c.lengths.sum,
                mean: c.lengths.mean(),
            }),
            exact_values: c.exact_values.clone(),
        }
    }

    fn into_profile(self) -> Result<ColumnProfile, ProfileError> {
        let bad = |what: &str| ProfileError::Invalid {
            column: self.name.clone(),
            what: what.to_owned(),
        };
        if self.null_count > self.count {
            return Err(bad("null_count exceeds count"));
        }
        let moments = match &self.numeric {
            Some(n) => {
                if n.count > self.count
                    || n.min.partial_cmp(&n.max).is_none_or(|o| o.is_gt())
                    || !n.mean.is_finite()
                    || !n.m2.is_finite()
                    || n.m2 < 0.0
                {
                    return Err(bad("numeric summary is inconsistent"));
                }
                Moments {
                    count: n.count,
                    min: n.min,
                    max: n.max,
                    mean: n.mean,
                    m2: n.m2,
                }
            }
            None => Moments::default(),
        };
        let quantiles = match &self.quantiles {
            Some(q) => Quantiles::from_base64(&q.sketch).map_err(|e| bad(&e.to_string()))?,
            None => Quantiles::default(),
        };
        let distinct =
            Distinct::from_base64(&self.distinct.sketch).map_err(|e| bad(&e.to_string()))?;
        if let Some(v) = &self.exact_values {
            if v.len() > crate::column::EXACT_VALUES_LIMIT || v.iter().any(|x| !x.is_finite()) {
                return Err(bad("exact_values too long or not finite"));
            }
        }
        let fnum = MisraGries::from_parts(
            self.frequent_numbers.capacity,
            self.frequent_numbers
                .items
                .iter()
                .map(|(k, n)| (if *k == 0.0 { 0 } else { k.to_bits() }, *n))
                .collect(),
            self.frequent_numbers.total,
            self.frequent_numbers.max_error,
        );
        let fstr = MisraGries::from_parts(
            self.frequent_strings.capacity,
            self.frequent_strings.items,
            self.frequent_strings.total,
            self.frequent_strings.max_error,
        );
        let lengths = self
            .string_length
            .map(|l| LengthStats {
                count: l.count,
                min: l.min,
                max: l.max,
                sum: l.sum,
            })
            .unwrap_or_default();
        Ok(ColumnProfile {
            name: self.name,
            kind: self.kind,
            count: self.count,
            null_count: self.null_count,
            nan_count: self.nan_count,
            inf_count: self.inf_count,
            types: self.types,
            moments,
            quantiles,
            distinct,
            frequent_num: fnum,
            frequent_str: fstr,
            lengths,
            exact_values: self.exact_values,
        })
    }
}
