//! nextstep's domain, shared by both faces (the command line and the team server): the
//! records and their text forms, who sees what ([`Scope`]), the storage boundary
//! ([`Store`], [`TeamStore`], [`StoreError`]) and the use-cases both run — a transcript
//! judged into records ([`ingest`]), the reports' data loaded ([`dataset`]), passwords and
//! API tokens ([`secrets`]).
//!
//! No IO of its own: no SQL (`nextstep-store` implements the traits), no HTTP
//! (`nextstep-server`), no runtime. The use-cases are async only through the traits.
#![warn(missing_docs)]

pub mod dataset;
pub mod facts;
pub mod ingest;
pub mod model;
pub mod redact;
pub mod secrets;
pub mod store;
pub mod team;
pub mod text;

pub use model::*;
pub use redact::redact_url;
pub use store::{Store, StoreError, TeamStore};
pub use team::*;
