//! Synthetic sales data, generated and never shipped: what the demo, the benchmarks and
//! the tests run on instead of customer recordings.
//!
//! - [`demo`]: `nextstep demo`'s team — reps with habits, accounts, 200 deals and their
//!   calls, each labelled with what it was written to show.
//! - [`long_calls`]: one-hour calls of varied talk for the analyzer's benchmarks and
//!   `examples/gen_calls.rs` (the corpus `scripts/bench-vs-rg.sh` times).
//! - [`render`]: the one call renderer both generators write their calls through, in
//!   the six export styles of [`style`]; [`rng`]: the one PRNG both draw from. So the
//!   same seed gives the same bytes everywhere, and a style is written one way.
//!
//! - [`harness`] (the `harness` feature, for test suites): the both-databases test
//!   harness — a temporary folder, `NEXTSTEP_TEST_POSTGRES_URL` read once, a fresh
//!   PostgreSQL schema per story, and `stories!`.
//!
//! The generators are deterministic from a seed and read no file or clock; only the
//! harness touches files, the environment and a database.

pub mod demo;
#[cfg(feature = "harness")]
pub mod harness;
pub mod long_calls;
pub mod render;
pub mod rng;
pub mod style;

pub use style::Style;
