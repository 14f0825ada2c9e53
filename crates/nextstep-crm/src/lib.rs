//! CRM files in and out of nextstep's pipeline.
//!
//! In: a deals CSV exported from Salesforce, HubSpot, Pipedrive or the Maven CRM data set
//! (or anything a [`DealMap`] describes) becomes [`NewDeal`](nextstep_core::model::NewDeal)s,
//! and the side tables become [`NewAccount`](nextstep_core::model::NewAccount)s and
//! [`NewRep`](nextstep_core::model::NewRep)s — every bad cell reported with its row, line,
//! column, value and reason, never a guess. Out: open next steps as an iCalendar file, and
//! deals as a Salesforce-loadable CSV with the step's provenance.
//!
//! This crate does no database work and no file-system work: it reads from any
//! [`std::io::Read`] and writes to any [`std::io::Write`] or a `String`, so the command line
//! owns files and the store owns transactions. It never panics on user input.
//!
//! - [`deals`] — presets, mapping files, [`read_deals`].
//! - [`side_tables`] — [`read_accounts`], [`read_reps`].
//! - [`values`] — amounts (exact cents), dates, booleans, currencies.
//! - [`ics`] — [`write_ics`].
//! - [`salesforce_export`] — [`write_salesforce_deals`].
//! - Errors — [`ImportError`] for a file, [`RowError`] for a cell, [`Rejected`] rows and
//!   [`write_rejects`] for the `--skip-invalid` file.

#![warn(missing_docs)]

pub mod deals;
mod error;
pub mod ics;
mod map;
mod preset;
pub mod salesforce_export;
pub mod side_tables;
mod table;
pub mod values;

pub use deals::{DealsFile, read_deals, read_deals_with_progress};
pub use error::{ImportError, REJECTS_COLUMN, Reason, Rejected, RowError, write_rejects};
pub use ics::{IcsExport, StepOnDeal, pipeline_steps, step_uid, write_ics};
pub use map::{DealMap, MapError};
pub use preset::Preset;
pub use salesforce_export::{DealWithStep, write_salesforce_deals};
pub use side_tables::{AccountsFile, RepsFile, read_accounts, read_reps};
