//! Nothing to link against: this crate exists for `tests/tidy.rs`, which checks the
//! workspace against ARCHITECTURE.md (in the spirit of rust-analyzer's `xtask tidy`).
//! Run it alone with `cargo test -p nextstep-tidy`.
