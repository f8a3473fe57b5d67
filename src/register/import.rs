//! `comptexpert import <dir>`: loads the register's CSV extracts in one transaction.
//!
//! Every file is optional and loaded in dependency order (regions, members, firms, bureaux,
//! personal files, campaigns). Each row is upserted by its natural key: an existing row keeps its
//! id and is updated only when something changed, a new row is inserted. Any refused row rolls
//! the whole import back, so the register is never left half-loaded.

use std::{fmt, path::Path};

use diesel::Connection;

use super::{
    csv_file::{self, Line, RegisterFile},
    grants,
    rows::{
        BureauManagerRow, BureauRow, CampaignRow, FirmResponsableRow, FirmRow, MemberRow,
        PersonalFileRow, RegionRow,
    },
    upsert::{self, References},
    ImportError,
};
use crate::db::{self, DbConnection};

/// What the import did to one file's rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileSummary {
    /// The file's name (`members.csv`).
    pub file: &'static str,
    /// Rows whose natural key was new.
    pub inserted: usize,
    /// Rows that existed and differed: overwritten, id kept.
    pub updated: usize,
    /// Rows that existed and were identical.
    pub unchanged: usize,
}

/// What the import did, file by file, in loading order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportSummary {
    /// One entry per file found in the folder.
    pub files: Vec<FileSummary>,
}

impl ImportSummary {
    /// The summary of one file, if it was in the folder.
    pub fn file(&self, name: &str) -> Option<&FileSummary> {
        self.files.iter().find(|f| f.file == name)
    }
}

impl fmt::Display for ImportSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for s in &self.files {
            writeln!(
                f,
                "{:<20} {:>7} inserted {:>7} updated {:>7} unchanged",
                s.file, s.inserted, s.updated, s.unchanged
            )?;
        }
        Ok(())
    }
}

/// The barème file of an extract (see `contributions::scale`).
const SCALES_FILE: &str = "scales.csv";

/// Loads the CSV extracts found in `dir` into the register, in one transaction.
///
/// Every file is read and checked before the transaction starts; references (regions, qualités,
/// firms, members) are checked inside it, against the database and the files loaded before.
/// `scales.csv` (the barème) is loaded last, in the same transaction.
pub fn import_register(conn: &mut DbConnection, dir: &Path) -> Result<ImportSummary, ImportError> {
    if !dir.is_dir() {
        return Err(ImportError::Folder(format!(
            "{} is not a folder",
            dir.display()
        )));
    }
    let extract = Extract::read(dir)?;
    let scales = dir.join(SCALES_FILE);
    if extract.is_empty() && !scales.is_file() {
        return Err(ImportError::Folder(format!(
            "{} holds none of {}",
            dir.display(),
            Extract::FILES.join(", ")
        )));
    }
    conn.transaction(|conn| {
        let mut summary = if extract.is_empty() {
            ImportSummary::default()
        } else {
            extract.load(conn)?
        };
        // The barème comes last: it calls the fixed parts of the bureaux and campaigns just loaded.
        if scales.is_file() {
            let file = std::fs::File::open(&scales).map_err(|e| ImportError::Read {
                file: SCALES_FILE,
                reason: e.to_string(),
            })?;
            let loaded =
                crate::contributions::scale::load_csv(conn, file).map_err(|e| match e {
                    crate::contributions::scale::ScaleImportError::Row { line, message } => {
                        ImportError::Row {
                            file: SCALES_FILE,
                            line,
                            reason: message,
                        }
                    }
                    crate::contributions::scale::ScaleImportError::Database(e) => {
                        ImportError::Database(e)
                    }
                    other => ImportError::Read {
                        file: SCALES_FILE,
                        reason: other.to_string(),
                    },
                })?;
            summary.files.push(FileSummary {
                file: SCALES_FILE,
                inserted: loaded.inserted,
                updated: loaded.updated,
                unchanged: loaded.unchanged,
            });
        }
        Ok(summary)
    })
}

/// Every file of one import, validated row by row.
struct Extract {
    regions: Option<Vec<Line<RegionRow>>>,
    members: Option<Vec<Line<MemberRow>>>,
    firms: Option<Vec<Line<FirmRow>>>,
    bureaux: Option<Vec<Line<BureauRow>>>,
    personal_files: Option<Vec<Line<PersonalFileRow>>>,
    campaigns: Option<Vec<Line<CampaignRow>>>,
    firm_responsables: Option<Vec<Line<FirmResponsableRow>>>,
    bureau_managers: Option<Vec<Line<BureauManagerRow>>>,
}

impl Extract {
    const FILES: [&'static str; 8] = [
        RegionRow::FILE,
        MemberRow::FILE,
        FirmRow::FILE,
        BureauRow::FILE,
        PersonalFileRow::FILE,
        CampaignRow::FILE,
        FirmResponsableRow::FILE,
        BureauManagerRow::FILE,
    ];

    fn read(dir: &Path) -> Result<Self, ImportError> {
        Ok(Self {
            regions: csv_file::read(dir)?,
            members: csv_file::read(dir)?,
            firms: csv_file::read(dir)?,
            bureaux: csv_file::read(dir)?,
            personal_files: csv_file::read(dir)?,
            campaigns: csv_file::read(dir)?,
            firm_responsables: csv_file::read(dir)?,
            bureau_managers: csv_file::read(dir)?,
        })
    }

    fn is_empty(&self) -> bool {
        self.regions.is_none()
            && self.members.is_none()
            && self.firms.is_none()
            && self.bureaux.is_none()
            && self.personal_files.is_none()
            && self.campaigns.is_none()
            && self.firm_responsables.is_none()
            && self.bureau_managers.is_none()
    }

    /// Writes the files in dependency order, so that a row may refer to one loaded just before.
    fn load(self, conn: &mut DbConnection) -> Result<ImportSummary, ImportError> {
        let now = db::now();
        let mut summary = ImportSummary::default();
        if let Some(lines) = self.regions {
            summary.files.push(upsert::regions(conn, lines)?);
        }
        let references = References::load(conn)?;
        if let Some(lines) = self.members {
            summary
                .files
                .push(upsert::members(conn, &references, lines, now)?);
        }
        if let Some(lines) = self.firms {
            summary.files.push(upsert::firms(conn, lines, now)?);
        }
        if let Some(lines) = self.bureaux {
            summary
                .files
                .push(upsert::bureaux(conn, &references, lines, now)?);
        }
        if let Some(lines) = self.personal_files {
            summary
                .files
                .push(upsert::personal_files(conn, &references, lines, now)?);
        }
        if let Some(lines) = self.campaigns {
            summary
                .files
                .push(upsert::campaigns(conn, &references, lines, now)?);
        }
        if let Some(lines) = self.firm_responsables {
            summary.files.push(grants::firm_responsables(conn, lines)?);
        }
        if let Some(lines) = self.bureau_managers {
            summary
                .files
                .push(grants::bureau_managers(conn, lines, now)?);
        }
        Ok(summary)
    }
}
