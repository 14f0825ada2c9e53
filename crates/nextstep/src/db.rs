//! Which database a command uses: `--db`, else `NEXTSTEP_DATABASE_URL`, else the SQLite
//! file under the user's data directory (created on first use).

use anyhow::Context;
use nextstep_core::redact_url;
use nextstep_store::Db;

/// The database every pipeline command opens.
#[derive(Debug, Clone, clap::Args)]
pub struct DbArgs {
    /// Database: a postgres:// URL or a SQLite file path (default: NEXTSTEP_DATABASE_URL,
    /// else $XDG_DATA_HOME/nextstep/nextstep.db).
    #[arg(long, global = true, value_name = "URL|PATH")]
    pub db: Option<String>,
}

impl DbArgs {
    /// The URL or path in effect, for messages.
    pub fn location(&self) -> anyhow::Result<String> {
        if let Some(db) = &self.db {
            return Ok(db.clone());
        }
        if let Ok(url) = std::env::var("NEXTSTEP_DATABASE_URL")
            && !url.trim().is_empty()
        {
            return Ok(url);
        }
        let path = nextstep_store::default_sqlite_path()
            .context("cannot find a data directory: set --db or NEXTSTEP_DATABASE_URL")?;
        Ok(path.display().to_string())
    }

    /// Opens the database, running migrations.
    pub async fn open(&self) -> anyhow::Result<Db> {
        let location = self.location()?;
        Db::open(&location)
            .await
            .with_context(|| format!("opening the database at {}", redact_url(&location)))
    }
}

/// Runs an async command body on a small runtime (the CLI is otherwise synchronous).
pub fn block_on<F: std::future::Future>(future: F) -> anyhow::Result<F::Output> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    Ok(rt.block_on(future))
}
