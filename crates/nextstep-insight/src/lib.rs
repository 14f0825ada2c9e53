//! Reports derived from the pipeline's records. Pure: the caller fetches rows from a
//! store and hands them in, so every number here can be tested without a database.

pub mod hygiene;
