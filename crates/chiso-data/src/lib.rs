//! chiso's files: frameworks (TOML), the unit registry, periods, tables of figures
//! (CSV, XLSX) and whole datasets such as `data/cao-bang/`. Everything read is
//! validated; every problem is reported at once with file, line/row, column and value.

// A `DataError` carries its full location; errors are rare and never on a hot path.
#![allow(clippy::result_large_err)]

pub mod csv_safe;
pub mod dataset;
mod decimal;
pub mod error;
pub mod export;
pub mod framework_toml;
pub mod import;
mod lines;
pub mod messages;
pub mod period_toml;
pub mod report_toml;
pub mod seed;
pub mod table;
pub mod template;
mod units_plain;
pub mod units_toml;
pub mod xlsx;
pub mod xlsx_read;
pub mod xlsx_write;

pub use dataset::Dataset;
pub use error::{DataError, ErrorKind, Location};
pub use messages::{DataText, Lang};
