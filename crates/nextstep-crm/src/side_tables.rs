//! The side tables a deals file refers to: accounts and reps (with their managers and
//! teams), so the pipeline report can group by team and the hygiene report by manager.
//!
//! Two shapes each, matched by header (trimmed, case-insensitive; for each field the first
//! listed column present and filled is used):
//!
//! | file | Maven CRM data set | generic |
//! |---|---|---|
//! | accounts | `account, sector, year_established, revenue, employees, office_location, subsidiary_of` | `name, sector, year_established, revenue, employees, location, parent` (also `industry`, `founded`, `employee count`, `country`, `parent company`) |
//! | reps | `sales_agent, manager, regional_office` | `name, manager, team, email` (also `rep`, `region`, `office`, `e-mail`) |
//!
//! `revenue` is read as millions (as Maven writes it). Errors are reported as for deals:
//! a missing name, a number that is not one, a name two rows share (both rejected) — each a
//! [`RowError`](crate::RowError) with row, line and column, in [`Rejected`].

use std::io;

use nextstep_core::model::{NewAccount, NewRep};

use crate::error::{ImportError, Reason, Rejected};
use crate::table::{Collector, Key, KeyColumn, Row, Table, find_columns};
use crate::values::{DecimalSeparator, parse_amount};

/// Accounts read from a CSV: the good ones, the rejected rows, and the header.
#[derive(Debug, Clone, PartialEq)]
pub struct AccountsFile {
    /// Accounts in file order.
    pub accounts: Vec<NewAccount>,
    /// Rows with errors.
    pub rejects: Vec<Rejected>,
    /// The header as written.
    pub headers: Vec<String>,
    /// Data rows read.
    pub rows: u64,
}

/// Reps read from a CSV: the good ones, the rejected rows, and the header.
#[derive(Debug, Clone, PartialEq)]
pub struct RepsFile {
    /// Reps in file order.
    pub reps: Vec<NewRep>,
    /// Rows with errors.
    pub rejects: Vec<Rejected>,
    /// The header as written.
    pub headers: Vec<String>,
    /// Data rows read.
    pub rows: u64,
}

fn names(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

fn columns(headers: &[String], candidates: &[&str]) -> Result<Vec<usize>, ImportError> {
    find_columns(headers, &names(candidates))
}

fn required(
    headers: &[String],
    field: &'static str,
    candidates: &[&str],
) -> Result<Vec<usize>, ImportError> {
    let found = columns(headers, candidates)?;
    if found.is_empty() {
        return Err(ImportError::MissingColumn {
            field,
            expected: names(candidates),
            headers: headers.to_vec(),
        });
    }
    Ok(found)
}

fn text(row: &mut Row<'_>, columns: &[usize]) -> Option<String> {
    row.optional(columns).map(|c| c.text.to_owned())
}

/// A whole number, digit grouping allowed (`2,822`).
fn count(row: &mut Row<'_>, columns: &[usize]) -> Option<i64> {
    let cell = row.optional(columns)?;
    match parse_amount(cell.text, DecimalSeparator::Dot) {
        Ok(Some(amount)) if amount.currency.is_none() && amount.cents % 100 == 0 => {
            Some(amount.cents / 100)
        }
        _ => {
            row.error(cell.column, cell.text, Reason::NotANumber);
            None
        }
    }
}

/// A decimal number (`1100.04`, `1,100.04`).
fn decimal(row: &mut Row<'_>, columns: &[usize]) -> Option<f64> {
    let cell = row.optional(columns)?;
    let cleaned: String = cell.text.chars().filter(|&c| c != ',').collect();
    match cleaned.parse::<f64>() {
        Ok(value) if value.is_finite() && !cleaned.contains(['e', 'E', 'n', 'N', 'i', 'I']) => {
            Some(value)
        }
        _ => {
            row.error(cell.column, cell.text, Reason::NotANumber);
            None
        }
    }
}

/// Reads an accounts CSV (Maven `accounts.csv` or the generic shape).
pub fn read_accounts<R: io::Read>(reader: R) -> Result<AccountsFile, ImportError> {
    let mut table = Table::open(reader)?;
    let h = &table.headers;
    let name = required(h, "name", &["account", "name", "account name", "company"])?;
    let sector = columns(h, &["sector", "industry"])?;
    let year = columns(h, &["year_established", "year established", "founded"])?;
    let revenue = columns(h, &["revenue", "revenue_millions", "revenue (millions)"])?;
    let employees = columns(h, &["employees", "employee count", "headcount"])?;
    let location = columns(h, &["office_location", "location", "country"])?;
    let parent = columns(h, &["subsidiary_of", "parent", "parent company"])?;
    let mut collector = Collector::new(&table.headers);
    let mut rows = 0;
    while let Some(mut row) = table.next_row()? {
        rows += 1;
        let name_cell = row.required(&name);
        let key = name_cell.map(|c| Key {
            value: c.text.to_owned(),
            column: KeyColumn::Header(c.column),
        });
        let year_established = count(&mut row, &year).and_then(|y| match i32::try_from(y) {
            Ok(y) => Some(y),
            Err(_) => {
                if let Some(c) = row.optional(&year) {
                    row.error(c.column, c.text, Reason::NotANumber);
                }
                None
            }
        });
        let account = NewAccount {
            name: key.as_ref().map_or_else(String::new, |k| k.value.clone()),
            sector: text(&mut row, &sector),
            year_established,
            revenue_millions: decimal(&mut row, &revenue),
            employees: count(&mut row, &employees),
            location: text(&mut row, &location),
            parent: text(&mut row, &parent),
        };
        let value = row.errors.is_empty().then_some(account);
        collector.push(row, key, value);
    }
    let (accounts, rejects) = collector.finish();
    Ok(AccountsFile {
        accounts,
        rejects,
        headers: table.headers,
        rows,
    })
}

/// Reads a reps CSV (Maven `sales_teams.csv` or the generic shape): each rep with their
/// manager and team (the regional office, in Maven's data).
pub fn read_reps<R: io::Read>(reader: R) -> Result<RepsFile, ImportError> {
    let mut table = Table::open(reader)?;
    let h = &table.headers;
    let name = required(
        h,
        "name",
        &["sales_agent", "name", "rep", "sales rep", "full name"],
    )?;
    let manager = columns(h, &["manager"])?;
    let team = columns(h, &["regional_office", "team", "region", "office"])?;
    let email = columns(h, &["email", "e-mail", "email address"])?;
    let mut collector = Collector::new(&table.headers);
    let mut rows = 0;
    while let Some(mut row) = table.next_row()? {
        rows += 1;
        let name_cell = row.required(&name);
        let key = name_cell.map(|c| Key {
            value: c.text.to_owned(),
            column: KeyColumn::Header(c.column),
        });
        let rep = NewRep {
            name: key.as_ref().map_or_else(String::new, |k| k.value.clone()),
            manager: text(&mut row, &manager),
            team: text(&mut row, &team),
            email: text(&mut row, &email),
        };
        let value = row.errors.is_empty().then_some(rep);
        collector.push(row, key, value);
    }
    let (reps, rejects) = collector.finish();
    Ok(RepsFile {
        reps,
        rejects,
        headers: table.headers,
        rows,
    })
}
