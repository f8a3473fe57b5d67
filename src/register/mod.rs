//! The register of members ("le tableau") and the portal's places, loaded in bulk: from the
//! Ordre's CSV extracts ([`import`]) or generated for a demonstration ([`demo`]).

pub mod csv_file;
pub mod demo;
mod fields;
mod grants;
pub mod import;
pub mod rows;
mod upsert;

pub use import::{import_register, FileSummary, ImportSummary};

/// Why an import stopped. Nothing was written: the import is one transaction.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The folder cannot be read or holds none of the expected files.
    #[error("{0}")]
    Folder(String),
    /// A file exists but cannot be read.
    #[error("{file}: {reason}")]
    Read {
        /// The file's name.
        file: &'static str,
        /// What went wrong.
        reason: String,
    },
    /// A row (or the header, line 1) is refused.
    #[error("{file}, line {line}: {reason}")]
    Row {
        /// The file's name (`members.csv`).
        file: &'static str,
        /// 1-based line number; the header is line 1.
        line: u64,
        /// Which field is wrong and why.
        reason: String,
    },
    /// The database refused a statement.
    #[error("database error: {0}")]
    Database(#[from] diesel::result::Error),
}
