//! What can go wrong reading a CRM file, and the rejects file that lists it.
//!
//! Two levels on purpose. An [`ImportError`] means the file as a whole cannot be read (no
//! header, a header that matches nothing, a mapped column that is absent, broken CSV).
//! A [`RowError`] means one cell of one row is wrong; rows with errors come back as
//! [`Rejected`] next to the good records, so the caller decides: fail the whole import
//! listing every error, or (`--skip-invalid`) import the rest and write the bad rows with
//! [`write_rejects`] for someone to fix and re-import.

use std::fmt;
use std::io;

use crate::values::{AmountError, DateError};

/// A file-level failure: nothing was read from this file.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The CSV itself could not be read (an IO error, or a quote left open at the end).
    #[error("cannot read the CSV: {0}")]
    Csv(#[from] csv::Error),
    /// The file has no header row.
    #[error("the file is empty: it has no header row")]
    Empty,
    /// No preset was named, the header matches none, and no mapping file says which
    /// columns to read.
    #[error(
        "the header matches no known export ({}); name a preset with --preset or describe the columns in a --map file. The header was: {}",
        crate::preset::Preset::NAMES.join(", "),
        headers.join(", ")
    )]
    UnknownHeader {
        /// The header as read.
        headers: Vec<String>,
    },
    /// A column the preset or map needs is not in the header.
    #[error(
        "no column for {field}: expected {} in the header; found {}",
        quoted_list(expected),
        headers.join(", ")
    )]
    MissingColumn {
        /// The field (`external_id`, `stage`, …) as a mapping file names it.
        field: &'static str,
        /// The column names that would have been accepted.
        expected: Vec<String>,
        /// The header as read.
        headers: Vec<String>,
    },
    /// A column the import reads appears twice in the header, so which one is meant is
    /// unclear.
    #[error("the header has the column {column:?} twice")]
    DuplicateColumn {
        /// The repeated column.
        column: String,
    },
    /// The header row is not valid UTF-8 (the file was probably saved in a legacy
    /// encoding).
    #[error("the header row is not UTF-8 text; save the file as UTF-8 (CSV UTF-8 in Excel)")]
    HeaderNotUtf8,
}

fn quoted_list(names: &[String]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("{n:?}")).collect();
    match quoted.len() {
        0 => String::from("a column"),
        1 => quoted[0].clone(),
        _ => format!("one of {}", quoted.join(", ")),
    }
}

/// One thing wrong with one cell (or one row), precise enough to fix it in a spreadsheet:
/// the 1-based data row, the file line where the row starts, the column's header name, the
/// value, and why.
///
/// `row` counts the CSV records after the header (a record whose fields are all empty
/// counts, though it is skipped; an empty line does not). `line` is the physical line in
/// the file, so it also counts the header, empty lines and the extra lines of quoted fields
/// that span lines — it is what an editor shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    /// 1-based data row (the header is not counted).
    pub row: u64,
    /// 1-based line of the file where the row starts.
    pub line: u64,
    /// The column's name as the header writes it (`(row)` for errors about the whole row).
    pub column: String,
    /// The offending value, as read (empty for a missing value).
    pub value: String,
    /// Why it was rejected.
    pub reason: Reason,
}

/// Why a row was rejected; the `Display` form is what the user reads.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Reason {
    /// A required value is empty.
    #[error("required value is empty")]
    Missing,
    /// The amount cell could not be read.
    #[error("{0}")]
    Amount(#[from] AmountError),
    /// The date cell could not be read.
    #[error("{0}")]
    Date(#[from] DateError),
    /// A yes/no cell holds something else.
    #[error("not true or false")]
    NotABoolean,
    /// A number cell (year, employees, revenue) holds something else.
    #[error("not a number")]
    NotANumber,
    /// A currency cell is not an ISO 4217 code.
    #[error("not a currency code (expected three letters such as USD)")]
    NotACurrency,
    /// The amount names one currency and the currency column another.
    #[error("the amount is in {amount} but the currency column says {column}")]
    CurrencyConflict {
        /// What the amount cell said.
        amount: String,
        /// What the currency column said.
        column: String,
    },
    /// The stage is neither in the preset nor in the mapping file.
    #[error("unknown stage; known stages: {}. Add it to the mapping file's [stages] table", known.join(", "))]
    UnknownStage {
        /// The stages that would have been accepted.
        known: Vec<String>,
    },
    /// A status cell (Pipedrive `Status`, a map's `status`) holds an unknown value.
    #[error(
        "unknown status (expected open, won, lost or disqualified, or a value from the mapping file's [status] table)"
    )]
    UnknownStatus,
    /// The stage and the status columns disagree about the outcome.
    #[error("the stage says {stage} but {column} says {status}")]
    OutcomeConflict {
        /// What the stage implies (`won`, `open`, …).
        stage: String,
        /// The column that disagrees.
        column: String,
        /// What it implies.
        status: String,
    },
    /// Two rows of the file have the same id; neither is imported, since nextstep cannot
    /// tell which is current.
    #[error("duplicate id: row {other_row} (line {other_line}) has the same id")]
    Duplicate {
        /// The other row with this id.
        other_row: u64,
        /// Its line.
        other_line: u64,
    },
    /// The row has a different number of fields than the header (often an unquoted comma
    /// inside an amount such as `$1,200`).
    #[error("the row has {found} fields but the header has {expected} (an unquoted comma?)")]
    FieldCount {
        /// Fields in the row.
        found: usize,
        /// Fields in the header.
        expected: usize,
    },
    /// A cell is not valid UTF-8.
    #[error("not UTF-8 text; save the file as UTF-8 (CSV UTF-8 in Excel)")]
    NotUtf8,
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "row {} (line {}), column {:?}, value {:?}: {}",
            self.row, self.line, self.column, self.value, self.reason
        )
    }
}

impl std::error::Error for RowError {}

/// A row that was not imported: where it was, its original fields (so the rejects file
/// can be fixed and re-imported as is), and every error found in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejected {
    /// 1-based data row.
    pub row: u64,
    /// 1-based line where the row starts.
    pub line: u64,
    /// The row's fields as read (invalid UTF-8 replaced by U+FFFD).
    pub record: Vec<String>,
    /// Everything wrong with it, in the order found.
    pub errors: Vec<RowError>,
}

impl Rejected {
    /// All reasons in one line, as the rejects file's `nextstep_error` column holds them:
    /// `Amount "12x": not an amount …; CloseDate "…": not a date …`.
    pub fn reasons(&self) -> String {
        let parts: Vec<String> = self
            .errors
            .iter()
            .map(|e| {
                if e.value.is_empty() {
                    format!("{}: {}", e.column, e.reason)
                } else {
                    format!("{} {:?}: {}", e.column, e.value, e.reason)
                }
            })
            .collect();
        parts.join("; ")
    }
}

/// Writes rejected rows as CSV: the original header plus a `nextstep_error` column, each
/// row's original fields plus all its reasons — a file the user can fix and import again
/// (importers ignore the extra column).
///
/// Rows shorter than the header are padded with empty fields so the reasons line up under
/// `nextstep_error`; rows longer than the header keep their extra fields, followed by the
/// reasons. A file that already has a `nextstep_error` column (a rejects file imported
/// again) gets its reasons replaced there rather than a second such column.
pub fn write_rejects<W: io::Write>(
    writer: W,
    headers: &[String],
    rejects: &[Rejected],
) -> Result<(), csv::Error> {
    let mut out = csv::WriterBuilder::new().flexible(true).from_writer(writer);
    let existing = headers.iter().position(|h| h.trim() == REJECTS_COLUMN);
    let mut header: Vec<&str> = headers.iter().map(String::as_str).collect();
    if existing.is_none() {
        header.push(REJECTS_COLUMN);
    }
    out.write_record(&header)?;
    for reject in rejects {
        let mut fields: Vec<&str> = reject.record.iter().map(String::as_str).collect();
        while fields.len() < headers.len() {
            fields.push("");
        }
        let reasons = reject.reasons();
        match existing {
            Some(index) => fields[index] = &reasons,
            None => fields.push(&reasons),
        }
        out.write_record(&fields)?;
    }
    out.flush()?;
    Ok(())
}

/// The column [`write_rejects`] adds.
pub const REJECTS_COLUMN: &str = "nextstep_error";
