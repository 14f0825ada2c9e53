//! `nextstep import deals|accounts|reps`: CRM files into the store, all or nothing.
//!
//! A file with bad rows fails as a whole, listing every row, column and reason — unless
//! `--skip-invalid` names a rejects file, which receives the bad rows with their reasons
//! while the rest is imported. The store imports in one transaction, so a killed process
//! leaves the database as it was.

use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};
use nextstep_core::{ImportStats, Store};
use nextstep_crm::{DealMap, Preset, Rejected, write_rejects};

use crate::db::{DbArgs, block_on};

/// `nextstep import …`
#[derive(Debug, clap::Subcommand)]
pub enum ImportCommand {
    /// Import deals from a CRM export (upsert by CRM id; re-importing changes nothing).
    Deals {
        /// The export's format (default: detected from the header).
        #[arg(long, value_parser = clap::value_parser!(Preset))]
        preset: Option<Preset>,
        /// A mapping file (TOML) for any other export, or to extend a preset's stages.
        #[arg(long, value_name = "MAP.toml")]
        map: Option<PathBuf>,
        /// Import the good rows and write the bad ones, with reasons, to this CSV.
        #[arg(long, value_name = "REJECTS.csv")]
        skip_invalid: Option<PathBuf>,
        /// The CSV file.
        file: PathBuf,
    },
    /// Import accounts (Maven `accounts.csv` or `name, sector, …`).
    Accounts {
        /// Import the good rows and write the bad ones to this CSV.
        #[arg(long, value_name = "REJECTS.csv")]
        skip_invalid: Option<PathBuf>,
        /// The CSV file.
        file: PathBuf,
    },
    /// Import reps with their managers (Maven `sales_teams.csv` or `name, manager, team, email`).
    Reps {
        /// Import the good rows and write the bad ones to this CSV.
        #[arg(long, value_name = "REJECTS.csv")]
        skip_invalid: Option<PathBuf>,
        /// The CSV file.
        file: PathBuf,
    },
}

fn open(path: &Path) -> anyhow::Result<(BufReader<File>, u64)> {
    let file = File::open(path).with_context(|| format!("{}: cannot open", path.display()))?;
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    Ok((BufReader::with_capacity(1 << 16, file), size))
}

/// Reports bad rows: fails (listing them all) or writes the rejects file.
/// Returns `Err(exit code)` when the import must stop.
fn handle_rejects(
    path: &Path,
    headers: &[String],
    rejects: &[Rejected],
    skip_invalid: Option<&Path>,
) -> anyhow::Result<Result<(), ExitCode>> {
    if rejects.is_empty() {
        return Ok(Ok(()));
    }
    match skip_invalid {
        Some(out) => {
            let file = File::create(out)
                .with_context(|| format!("{}: cannot write the rejects file", out.display()))?;
            write_rejects(file, headers, rejects)
                .with_context(|| format!("{}: cannot write the rejects file", out.display()))?;
            eprintln!(
                "nextstep: {}: {} rows rejected, written with their reasons to {}",
                path.display(),
                rejects.len(),
                out.display()
            );
            Ok(Ok(()))
        }
        None => {
            for r in rejects {
                for e in &r.errors {
                    eprintln!(
                        "nextstep: {}: line {} (row {}), column {}: {}{}",
                        path.display(),
                        e.line,
                        e.row,
                        e.column,
                        if e.value.is_empty() {
                            String::new()
                        } else {
                            format!("{:?}: ", e.value)
                        },
                        e.reason
                    );
                }
            }
            eprintln!(
                "nextstep: {}: nothing imported: {} rows have errors (use --skip-invalid REJECTS.csv to import the rest)",
                path.display(),
                rejects.len()
            );
            Ok(Err(ExitCode::from(1)))
        }
    }
}

fn summary(stats: ImportStats, rejected: usize) {
    println!(
        "imported {}, updated {}, rejected {} ({} unchanged)",
        stats.imported, stats.updated, rejected, stats.unchanged
    );
}

fn progress_bar(size: u64) -> ProgressBar {
    let bar = ProgressBar::new(size);
    bar.set_style(
        ProgressStyle::with_template("{msg} [{bar:30}] {bytes}/{total_bytes} ({eta})")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_message("reading");
    bar
}

/// Runs `import …`: exit 0 on success, 1 when bad rows stopped the import, 2 when the
/// file could not be read at all.
pub fn run(cmd: &ImportCommand, db: &DbArgs) -> anyhow::Result<ExitCode> {
    match cmd {
        ImportCommand::Deals {
            preset,
            map,
            skip_invalid,
            file,
        } => {
            let map = match map {
                Some(p) => {
                    let text = std::fs::read_to_string(p).with_context(|| {
                        format!("{}: cannot read the mapping file", p.display())
                    })?;
                    Some(DealMap::from_toml(&text).with_context(|| format!("{}", p.display()))?)
                }
                None => None,
            };
            let (reader, size) = open(file)?;
            let bar = progress_bar(size);
            let parsed = nextstep_crm::read_deals_with_progress(
                reader,
                *preset,
                map.as_ref(),
                |_, bytes| bar.set_position(bytes),
            );
            bar.finish_and_clear();
            let parsed = match parsed {
                Ok(p) => p,
                Err(e) => {
                    eprintln!("nextstep: {}: {e}", file.display());
                    return Ok(ExitCode::from(2));
                }
            };
            if let Err(code) = handle_rejects(
                file,
                &parsed.headers,
                &parsed.rejects,
                skip_invalid.as_deref(),
            )? {
                return Ok(code);
            }
            eprintln!(
                "nextstep: {}: importing {} deals in one transaction",
                file.display(),
                parsed.deals.len()
            );
            let stats = block_on(async {
                let store = db.open().await?;
                anyhow::Ok(store.import_deals(&parsed.deals).await?)
            })??;
            summary(stats, parsed.rejects.len());
            Ok(ExitCode::SUCCESS)
        }
        ImportCommand::Accounts { skip_invalid, file } => {
            import_side_table(SideTable::Accounts, file, skip_invalid.as_deref(), db)
        }
        ImportCommand::Reps { skip_invalid, file } => {
            import_side_table(SideTable::Reps, file, skip_invalid.as_deref(), db)
        }
    }
}

/// The side tables `import accounts|reps` read.
#[derive(Clone, Copy)]
enum SideTable {
    Accounts,
    Reps,
}

/// The rows of one side table, read and ready to upsert.
enum SideRows {
    Accounts(Vec<nextstep_core::NewAccount>),
    Reps(Vec<nextstep_core::NewRep>),
}

/// Reads a side table, handles its bad rows like a deals import, and upserts the rest.
fn import_side_table(
    table: SideTable,
    file: &Path,
    skip_invalid: Option<&Path>,
    db: &DbArgs,
) -> anyhow::Result<ExitCode> {
    let (reader, _) = open(file)?;
    let read = match table {
        SideTable::Accounts => nextstep_crm::read_accounts(reader)
            .map(|p| (SideRows::Accounts(p.accounts), p.rejects, p.headers)),
        SideTable::Reps => {
            nextstep_crm::read_reps(reader).map(|p| (SideRows::Reps(p.reps), p.rejects, p.headers))
        }
    };
    let (rows, rejects, headers) = match read {
        Ok(r) => r,
        Err(e) => {
            eprintln!("nextstep: {}: {e}", file.display());
            return Ok(ExitCode::from(2));
        }
    };
    if let Err(code) = handle_rejects(file, &headers, &rejects, skip_invalid)? {
        return Ok(code);
    }
    let stats = block_on(async {
        let store = db.open().await?;
        let stats = match &rows {
            SideRows::Accounts(a) => store.upsert_accounts(a).await?,
            SideRows::Reps(r) => store.upsert_reps(r).await?,
        };
        anyhow::Ok(stats)
    })??;
    summary(stats, rejects.len());
    Ok(ExitCode::SUCCESS)
}
