//! How a dataset is read: delimiter, header, batch size, type inference and overrides.

use arrow_schema::DataType;

/// The column types a user can force with `--type column=TYPE`, and that CSV inference produces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnType {
    /// 64-bit signed integers.
    Int64,
    /// 64-bit floats.
    Float64,
    /// Booleans (`True`/`true`/`TRUE` and the `False` forms, as pandas reads them).
    Boolean,
    /// UTF-8 text.
    Utf8,
}

impl ColumnType {
    /// Parses a type name: `int`/`int64`/`integer`, `float`/`float64`/`double`, `bool`/`boolean`, `str`/`string`/`utf8`/`text`.
    pub fn from_name(name: &str) -> Option<Self> {
        match name.to_ascii_lowercase().as_str() {
            "int" | "int64" | "integer" | "long" => Some(Self::Int64),
            "float" | "float64" | "double" | "number" => Some(Self::Float64),
            "bool" | "boolean" => Some(Self::Boolean),
            "str" | "string" | "utf8" | "text" | "object" => Some(Self::Utf8),
            _ => None,
        }
    }

    /// The Arrow type columns of this type are stored as.
    pub fn data_type(self) -> DataType {
        match self {
            Self::Int64 => DataType::Int64,
            Self::Float64 => DataType::Float64,
            Self::Boolean => DataType::Boolean,
            Self::Utf8 => DataType::Utf8,
        }
    }

    /// The type name users write.
    pub fn name(self) -> &'static str {
        match self {
            Self::Int64 => "int64",
            Self::Float64 => "float64",
            Self::Boolean => "bool",
            Self::Utf8 => "string",
        }
    }
}

/// Options for opening and streaming a dataset.
#[derive(Debug, Clone)]
pub struct ReadOptions {
    /// Field delimiter for CSV (`,` by default; `\t` for `.tsv` files unless set).
    pub delimiter: Option<u8>,
    /// Whether CSV files start with a header row (default true). Without one, columns are named `column_0`, ...
    pub has_header: bool,
    /// Rows per batch (default 65,536). Memory is bounded by this times the number of batches in flight.
    pub batch_rows: usize,
    /// Rows read to infer CSV and JSON Lines column types (default 100,000; 0 means the whole file).
    pub infer_rows: usize,
    /// Explicit column types that override inference, by column name.
    pub overrides: Vec<(String, ColumnType)>,
    /// Text values read as null in CSV. Defaults to pandas' `read_csv` null tokens so that counts
    /// match Great Expectations on pandas.
    pub null_values: Vec<String>,
    /// Worker threads for decoding (default: all cores).
    pub threads: usize,
    /// Bytes of CSV/JSON Lines text per chunk handed to one worker (default 4 MiB).
    pub chunk_bytes: usize,
}

/// pandas' default `na_values` (pandas 2.x `STR_NA_VALUES`), plus the empty string.
pub const PANDAS_NULL_VALUES: &[&str] = &[
    "", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN",
    "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null",
];

impl Default for ReadOptions {
    fn default() -> Self {
        Self {
            delimiter: None,
            has_header: true,
            batch_rows: 65_536,
            infer_rows: 100_000,
            overrides: Vec::new(),
            null_values: PANDAS_NULL_VALUES.iter().map(|s| s.to_string()).collect(),
            threads: std::thread::available_parallelism().map_or(2, |n| n.get()),
            chunk_bytes: 4 << 20,
        }
    }
}

impl ReadOptions {
    /// The type forced for `column`, if any.
    pub fn override_for(&self, column: &str) -> Option<ColumnType> {
        self.overrides
            .iter()
            .find(|(name, _)| name == column)
            .map(|(_, t)| *t)
    }
}
