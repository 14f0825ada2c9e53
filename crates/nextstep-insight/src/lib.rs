//! Reports derived from the pipeline's records. Pure: the caller fetches rows from a
//! store and hands them in, so every number here can be tested without a database.

pub mod backtest;
pub mod charts;
pub mod coach;
pub mod coach_facts;
pub mod data;
pub mod digest;
pub mod forecast;
pub mod hygiene;
pub mod outcomes;
pub mod period;

pub use data::{CallRecord, Dataset};
