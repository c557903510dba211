//! Data contracts for datagate: Great Expectations suites, evaluated in one streaming pass.
//!
//! A [`Suite`] is read from GX 1.x JSON, legacy 0.x JSON or datagate's TOML. Each
//! expectation is looked up in [`expectations::REGISTRY`] and bound to the dataset's
//! schema as a [`check::Check`], a small state machine fed every batch in file order.
//! [`validate`] runs them all over one scan of the data and returns a
//! [`ValidationResult`] shaped like GX's, so tools that read GX results read ours.
//!
//! Key design decisions:
//! - **GX defines the answer.** Semantics (nulls are missing, `mostly` over non-null
//!   values, every row of a duplicate group is unexpected, pandas' `isin` and quantile
//!   rules, Python's `str()` of values for regexes and lengths) follow GX 1.x on pandas,
//!   and tests compare against GX's own results (`tests/fixtures/gx`).
//! - **One pass, bounded state.** Row-wise checks keep counts and 20 samples; aggregates
//!   keep a few numbers; exact medians/quantiles and uniqueness keep what they must
//!   (documented on each), nothing else grows with the data.
//! - **Never silently skip.** Unknown expectation types and kwargs are errors listing
//!   what is supported; an expectation that cannot be evaluated fails with a message.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod bounds;
pub mod check;
pub mod engine;
pub mod expectations;
pub mod kwargs;
pub mod map;
pub mod render;
pub mod result;
pub mod suggest;
pub mod suite;
pub mod value;

pub use engine::{validate, ValidateError, ValidateOptions};
pub use result::ValidationResult;
pub use suite::{Suite, SuiteError};
