//! Reports derived from the pipeline's records. Pure: the caller fetches rows from a
//! store and hands them in, so every number here can be tested without a database.
//!
//! The records and the `Dataset` the team reports take are nextstep-core's
//! (`nextstep_core::dataset::load` fills one from any store); this crate depends on core
//! and the analyzer only.

pub mod backtest;
pub mod charts;
pub mod coach;
pub mod coach_facts;
pub mod digest;
pub mod forecast;
pub mod hygiene;
pub mod outcomes;
pub mod period;
pub mod stored_reports;
