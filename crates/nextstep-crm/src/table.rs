//! The CSV reading every importer shares: a streaming reader that knows each row's data
//! row number and file line, column lookup by header name, per-cell error collection, and
//! the duplicate-key rule (every row sharing a key is rejected, each naming the other).

use std::collections::{HashMap, VecDeque};
use std::io;

use crate::error::{ImportError, Reason, Rejected, RowError};
use crate::values::normalise_header;

/// The column name used for errors about a whole row rather than one cell.
pub(crate) const WHOLE_ROW: &str = "(row)";

/// Wraps the input to note where line terminators are, because the `csv` crate reports a
/// record's position *before* skipping the `\n` of a CRLF or blank lines in front of it,
/// which would put every error after one on the wrong line. Only the terminators between
/// the parser and its read-ahead are held.
struct LineTracker<R> {
    inner: R,
    offset: u64,
    /// Offsets of `\r` and `\n` bytes not yet behind the current record, with the byte.
    terminators: VecDeque<(u64, u8)>,
}

impl<R: io::Read> io::Read for LineTracker<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        for (i, &b) in buf[..n].iter().enumerate() {
            if b == b'\n' || b == b'\r' {
                self.terminators.push_back((self.offset + i as u64, b));
            }
        }
        self.offset += n as u64;
        Ok(n)
    }
}

impl<R> LineTracker<R> {
    /// The 1-based line of a record the parser says starts at byte `start`: newlines before
    /// it, plus those in the run of terminators it skipped at its start.
    fn line_at(&mut self, start: u64, newlines_before: &mut u64) -> u64 {
        while let Some(&(offset, _)) = self.terminators.front() {
            if offset >= start {
                break;
            }
            self.pop_counting(newlines_before);
        }
        let mut next = start;
        while let Some(&(offset, _)) = self.terminators.front() {
            if offset != next {
                break;
            }
            self.pop_counting(newlines_before);
            next += 1;
        }
        *newlines_before + 1
    }

    /// Pops the first terminator, counting a line for `\n` and for a `\r` not followed by
    /// `\n` (classic Mac line endings, still written by some Excel versions).
    fn pop_counting(&mut self, newlines_before: &mut u64) {
        if let Some((offset, byte)) = self.terminators.pop_front() {
            let crlf = byte == b'\r' && self.terminators.front() == Some(&(offset + 1, b'\n'));
            if !crlf {
                *newlines_before += 1;
            }
        }
    }
}

/// A CSV file read one record at a time, never held whole in memory.
pub(crate) struct Table<R: io::Read> {
    reader: csv::Reader<LineTracker<R>>,
    /// Header names exactly as written (BOM removed).
    pub headers: Vec<String>,
    record: csv::ByteRecord,
    newlines_before: u64,
}

impl<R: io::Read> Table<R> {
    /// Reads the header row. CRLF, quoted fields with newlines and a UTF-8 BOM are all
    /// handled by the `csv` crate; rows of any length are accepted here and checked per row.
    pub fn open(reader: R) -> Result<Self, ImportError> {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(LineTracker {
                inner: reader,
                offset: 0,
                terminators: VecDeque::new(),
            });
        let mut header = csv::ByteRecord::new();
        if !reader.read_byte_record(&mut header)? {
            return Err(ImportError::Empty);
        }
        let mut headers = Vec::with_capacity(header.len());
        for field in &header {
            let text = std::str::from_utf8(field).map_err(|_| ImportError::HeaderNotUtf8)?;
            headers.push(text.trim_start_matches('\u{feff}').to_owned());
        }
        if headers.iter().all(|h| h.trim().is_empty()) {
            return Err(ImportError::Empty);
        }
        Ok(Table {
            reader,
            headers,
            record: csv::ByteRecord::new(),
            newlines_before: 0,
        })
    }

    /// The next non-blank row (rows whose every field is empty, as spreadsheets leave at
    /// the end of a sheet, are skipped), or `None` at the end of the file.
    pub fn next_row(&mut self) -> Result<Option<Row<'_>>, ImportError> {
        loop {
            if !self.reader.read_byte_record(&mut self.record)? {
                return Ok(None);
            }
            let position = self
                .record
                .position()
                .cloned()
                .unwrap_or_else(csv::Position::new);
            let line = self
                .reader
                .get_mut()
                .line_at(position.byte(), &mut self.newlines_before);
            if self
                .record
                .iter()
                .all(|f| f.iter().all(|b| b.is_ascii_whitespace()))
            {
                continue;
            }
            let mut row = Row {
                row: position.record(),
                line,
                record: &self.record,
                headers: &self.headers,
                errors: Vec::new(),
            };
            if self.record.len() != self.headers.len() {
                row.errors.push(RowError {
                    row: row.row,
                    line: row.line,
                    column: WHOLE_ROW.to_owned(),
                    value: String::new(),
                    reason: Reason::FieldCount {
                        found: self.record.len(),
                        expected: self.headers.len(),
                    },
                });
            }
            return Ok(Some(row));
        }
    }

    /// Bytes consumed so far, for progress reporting.
    pub fn bytes_read(&self) -> u64 {
        self.reader.position().byte()
    }
}

/// Finds the columns named by `candidates` (trimmed, case-insensitive), in the candidates'
/// order of preference. A candidate that matches two header columns is an error: which one
/// is meant cannot be told.
pub(crate) fn find_columns(
    headers: &[String],
    candidates: &[String],
) -> Result<Vec<usize>, ImportError> {
    let mut found = Vec::new();
    for candidate in candidates {
        let want = normalise_header(candidate);
        let mut hits = headers
            .iter()
            .enumerate()
            .filter(|(_, h)| normalise_header(h) == want);
        if let Some((index, _)) = hits.next() {
            if hits.next().is_some() {
                return Err(ImportError::DuplicateColumn {
                    column: candidate.clone(),
                });
            }
            if !found.contains(&index) {
                found.push(index);
            }
        }
    }
    Ok(found)
}

/// One data row being read: its cells, where it is, and the errors found so far.
pub(crate) struct Row<'a> {
    /// 1-based data row.
    pub row: u64,
    /// 1-based line where it starts.
    pub line: u64,
    record: &'a csv::ByteRecord,
    headers: &'a [String],
    /// Errors found in this row.
    pub errors: Vec<RowError>,
}

/// A non-empty cell and the column it came from.
#[derive(Clone, Copy)]
pub(crate) struct Cell<'a> {
    /// Trimmed text.
    pub text: &'a str,
    /// Column index.
    pub column: usize,
}

impl<'a> Row<'a> {
    /// The first non-empty cell among `columns` (trimmed). A cell that is not UTF-8 is
    /// recorded as an error and yields `Err(())` so no second "missing" error is added.
    pub fn cell(&mut self, columns: &[usize]) -> Result<Option<Cell<'a>>, ()> {
        let record: &'a csv::ByteRecord = self.record;
        for &column in columns {
            let Some(bytes) = record.get(column) else {
                continue;
            };
            match std::str::from_utf8(bytes) {
                Ok(text) => {
                    let text = text.trim();
                    if !text.is_empty() {
                        return Ok(Some(Cell { text, column }));
                    }
                }
                Err(_) => {
                    self.error(column, &String::from_utf8_lossy(bytes), Reason::NotUtf8);
                    return Err(());
                }
            }
        }
        Ok(None)
    }

    /// An optional cell: absent, empty or unreadable (already reported) are all `None`.
    pub fn optional(&mut self, columns: &[usize]) -> Option<Cell<'a>> {
        self.cell(columns).ok().flatten()
    }

    /// A required cell: empty is a [`Reason::Missing`] error on the first candidate column.
    pub fn required(&mut self, columns: &[usize]) -> Option<Cell<'a>> {
        match self.cell(columns) {
            Ok(Some(cell)) => Some(cell),
            Ok(None) => {
                let name = columns
                    .first()
                    .map_or(WHOLE_ROW, |&c| self.headers[c].as_str())
                    .to_owned();
                self.error_named(name, "", Reason::Missing);
                None
            }
            Err(()) => None,
        }
    }

    /// Records an error on a column by index.
    pub fn error(&mut self, column: usize, value: &str, reason: Reason) {
        let name = self
            .headers
            .get(column)
            .map_or_else(|| format!("field {}", column + 1), Clone::clone);
        self.error_named(name, value, reason);
    }

    /// Records an error on a column by name.
    pub fn error_named(&mut self, column: String, value: &str, reason: Reason) {
        self.errors.push(RowError {
            row: self.row,
            line: self.line,
            column,
            value: value.to_owned(),
            reason,
        });
    }

    /// The header name of a column.
    pub fn header(&self, column: usize) -> &'a str {
        self.headers.get(column).map_or("", String::as_str)
    }
}

/// The row's fields as text, invalid UTF-8 replaced, for a rejects file.
pub(crate) fn lossy_fields(record: &csv::ByteRecord) -> Vec<String> {
    record
        .iter()
        .map(|f| String::from_utf8_lossy(f).into_owned())
        .collect()
}

/// A row's key (external id, account name, rep name) and the cell it came from, for the
/// duplicate rule.
pub(crate) struct Key {
    /// The key value.
    pub value: String,
    /// Where it came from.
    pub column: KeyColumn,
}

/// The column a key came from: a header (by index, so no name is copied per row) or a
/// description for generated keys.
#[derive(Clone)]
pub(crate) enum KeyColumn {
    /// A header column.
    Header(usize),
    /// A generated key, described (`(id from Deal Name + Create Date)`).
    Named(String),
}

enum At {
    Kept(usize),
    Rejected(usize),
}

struct Seen {
    row: u64,
    line: u64,
    column: KeyColumn,
    at: At,
}

/// FNV-1a: keys are short strings from the user's own file, where SipHash's protection
/// against crafted collisions buys nothing and costs a tenth of the import time.
#[derive(Default)]
struct Fnv(u64);

impl std::hash::Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut hash = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for &byte in bytes {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
        self.0 = hash;
    }
}

type FnvBuild = std::hash::BuildHasherDefault<Fnv>;

/// Where a kept row's raw fields are in the arena.
struct KeptRow {
    row: u64,
    line: u64,
    first_field: usize,
    fields: usize,
}

/// Collects good records and rejects, applying the duplicate-key rule: when two rows share
/// a key, *both* are rejected, each naming the other, because the file gives two versions
/// of one record and nextstep cannot tell which is current.
///
/// A kept row's raw fields stay (in one growing arena, not an allocation per row) until
/// the end, since a later duplicate turns it into a reject that must show them.
pub(crate) struct Collector<T> {
    headers: Vec<String>,
    kept: Vec<Option<T>>,
    kept_rows: Vec<KeptRow>,
    raw_bytes: Vec<u8>,
    raw_ends: Vec<usize>,
    rejects: Vec<Rejected>,
    seen: HashMap<String, Seen, FnvBuild>,
}

impl<T> Collector<T> {
    /// An empty collector for a file with these headers.
    pub fn new(headers: &[String]) -> Self {
        Collector {
            headers: headers.to_vec(),
            kept: Vec::new(),
            kept_rows: Vec::new(),
            raw_bytes: Vec::new(),
            raw_ends: Vec::new(),
            rejects: Vec::new(),
            seen: HashMap::default(),
        }
    }

    fn column_name(headers: &[String], column: &KeyColumn) -> String {
        match column {
            KeyColumn::Header(index) => headers.get(*index).cloned().unwrap_or_default(),
            KeyColumn::Named(name) => name.clone(),
        }
    }

    fn kept_fields(&self, kept: &KeptRow) -> Vec<String> {
        (kept.first_field..kept.first_field + kept.fields)
            .map(|i| {
                let start = if i == 0 { 0 } else { self.raw_ends[i - 1] };
                String::from_utf8_lossy(&self.raw_bytes[start..self.raw_ends[i]]).into_owned()
            })
            .collect()
    }

    /// Files a row: `value` is the record built when the row had no errors.
    pub fn push(&mut self, row: Row<'_>, key: Option<Key>, value: Option<T>) {
        let Row {
            row: number,
            line,
            record,
            mut errors,
            ..
        } = row;
        let Some(key) = key else {
            // No key means the key cell was missing or unreadable, already an error.
            self.rejects.push(Rejected {
                row: number,
                line,
                record: lossy_fields(record),
                errors,
            });
            return;
        };
        if let Some(first) = self.seen.get_mut(&key.value) {
            errors.push(RowError {
                row: number,
                line,
                column: Self::column_name(&self.headers, &key.column),
                value: key.value.clone(),
                reason: Reason::Duplicate {
                    other_row: first.row,
                    other_line: first.line,
                },
            });
            let back = RowError {
                row: first.row,
                line: first.line,
                column: Self::column_name(&self.headers, &first.column),
                value: key.value.clone(),
                reason: Reason::Duplicate {
                    other_row: number,
                    other_line: line,
                },
            };
            match first.at {
                At::Kept(index) => {
                    self.kept[index] = None;
                    let kept = &self.kept_rows[index];
                    self.rejects.push(Rejected {
                        row: kept.row,
                        line: kept.line,
                        record: self.kept_fields(kept),
                        errors: vec![back],
                    });
                    let at = At::Rejected(self.rejects.len() - 1);
                    if let Some(first) = self.seen.get_mut(&key.value) {
                        first.at = at;
                    }
                }
                At::Rejected(index) => self.rejects[index].errors.push(back),
            }
            self.rejects.push(Rejected {
                row: number,
                line,
                record: lossy_fields(record),
                errors,
            });
            return;
        }
        let at = match value {
            Some(value) if errors.is_empty() => {
                self.kept.push(Some(value));
                let first_field = self.raw_ends.len();
                for field in record {
                    self.raw_bytes.extend_from_slice(field);
                    self.raw_ends.push(self.raw_bytes.len());
                }
                self.kept_rows.push(KeptRow {
                    row: number,
                    line,
                    first_field,
                    fields: record.len(),
                });
                At::Kept(self.kept.len() - 1)
            }
            _ => {
                self.rejects.push(Rejected {
                    row: number,
                    line,
                    record: lossy_fields(record),
                    errors,
                });
                At::Rejected(self.rejects.len() - 1)
            }
        };
        self.seen.insert(
            key.value,
            Seen {
                row: number,
                line,
                column: key.column,
                at,
            },
        );
    }

    /// Good records in file order, and rejects in file order.
    pub fn finish(self) -> (Vec<T>, Vec<Rejected>) {
        let mut rejects = self.rejects;
        rejects.sort_by_key(|r| r.row);
        (self.kept.into_iter().flatten().collect(), rejects)
    }
}
