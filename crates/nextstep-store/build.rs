//! Rebuilds the crate when a migration changes: `sqlx::migrate!` embeds the migration files
//! at compile time, and a proc macro cannot tell Cargo to watch a folder by itself.

fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
