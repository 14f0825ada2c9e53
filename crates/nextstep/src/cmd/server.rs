//! `nextstep serve`, `nextstep worker`, `nextstep user` and `nextstep token`: run the team
//! server and its queue workers, and manage who may use them.

use std::io::Read as _;
use std::net::SocketAddr;
use std::process::ExitCode;

use anyhow::Context;
use nextstep_analyzer::Rules;
use nextstep_core::secrets::{hash_password, issue_api_token, random_hex};
use nextstep_core::{NewUser, Role, TeamStore};
use nextstep_server::jobs::Queue;
use nextstep_server::{AppState, ServerConfig};
use nextstep_store::Db;

use crate::cmd::demo::{demo_location, seed_demo_team};
use crate::db::{DbArgs, block_on};
use crate::inputs::JudgeArgs;

/// The queue every server and worker of one database shares unless told otherwise.
const DEFAULT_QUEUE: &str = "nextstep-analyze";

/// Arguments of `nextstep serve`.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080", value_name = "ADDR:PORT")]
    bind: SocketAddr,
    /// Analysis workers inside the server (0: leave the queue to `nextstep worker`).
    #[arg(long, default_value_t = 2, value_name = "N")]
    workers: usize,
    /// Seed the demo team (in demo.db unless --db is given) and print an admin login.
    #[arg(long)]
    demo: bool,
    /// The address prospects reach the server at, for confirmation links
    /// (default: the address the rep's browser used).
    #[arg(long, value_name = "URL")]
    public_url: Option<String>,
    /// Mark session cookies Secure (the server is reached over HTTPS). Also set per
    /// request by a proxy's `X-Forwarded-Proto: https`.
    #[arg(long)]
    secure_cookies: bool,
    /// The job queue's name (servers and workers of one team share it).
    #[arg(long, default_value = DEFAULT_QUEUE, value_name = "NAME")]
    queue: String,
    /// The largest request body any route takes, in MB (MiB): transcript uploads, CSV
    /// imports and forms alike. Larger ones answer 413.
    #[arg(long, default_value_t = nextstep_server::DEFAULT_MAX_UPLOAD_MB as u16,
          value_name = "MB", value_parser = clap::value_parser!(u16).range(1..=1024))]
    max_upload_mb: u16,
    #[command(flatten)]
    judge: JudgeArgs,
}

/// Arguments of `nextstep worker`.
#[derive(Debug, clap::Args)]
pub struct WorkerArgs {
    /// Concurrent analysis jobs in this process.
    #[arg(long, default_value_t = 2, value_name = "N")]
    workers: usize,
    /// The job queue's name.
    #[arg(long, default_value = DEFAULT_QUEUE, value_name = "NAME")]
    queue: String,
    /// This worker's name in logs (default: host and process id).
    #[arg(long, value_name = "NAME")]
    name: Option<String>,
    #[command(flatten)]
    judge: JudgeArgs,
}

/// `nextstep user …`
#[derive(Debug, clap::Subcommand)]
pub enum UserCommand {
    /// Add a user who can log in to the server.
    Add {
        /// Login email.
        email: String,
        /// What they see: rep (own deals), manager (their team's), admin (everything).
        #[arg(long, value_parser = parse_role)]
        role: Role,
        /// The manager's email: this user's deals then show on the manager's team.
        #[arg(long, value_name = "EMAIL")]
        manager: Option<String>,
        /// The rep (deal owner) name this user is (default: the rep with this email,
        /// else a new rep named after the email).
        #[arg(long, value_name = "NAME")]
        name: Option<String>,
        /// Read the password from standard input instead of generating one.
        #[arg(long)]
        password_stdin: bool,
    },
    /// List users.
    List,
}

/// `nextstep token …`
#[derive(Debug, clap::Subcommand)]
pub enum TokenCommand {
    /// Create an API token for a user (printed once; only its digest is kept).
    Create {
        /// Whose token.
        #[arg(long, value_name = "EMAIL")]
        user: String,
        /// A label to recognise it by.
        #[arg(long, default_value = "api")]
        name: String,
        /// Days until it stops working (default: until revoked).
        #[arg(long, value_name = "DAYS", value_parser = clap::value_parser!(u16).range(1..=3650))]
        expires_days: Option<u16>,
    },
    /// List API tokens (id, user, label, created, expires) — never the tokens themselves.
    List {
        /// Only this user's tokens.
        #[arg(long, value_name = "EMAIL")]
        user: Option<String>,
    },
    /// Revoke a token by its id (from `token list`): it stops working at once.
    Revoke {
        /// The token's id.
        id: i64,
    },
}

fn parse_role(s: &str) -> Result<Role, String> {
    Role::parse(s).ok_or_else(|| format!("{s:?} is not a role: rep, manager or admin"))
}

/// A password nobody chose: 20 hex characters (80 bits).
fn generated_password() -> anyhow::Result<String> {
    Ok(random_hex(10)?)
}

/// The state a server or worker runs with.
async fn state(
    db: Db,
    queue: &str,
    config: ServerConfig,
    rules: Rules,
) -> anyhow::Result<AppState> {
    let queue = Queue::connect(&db, queue)
        .await
        .context("setting up the job queue")?;
    Ok(AppState::new(
        db,
        queue,
        rules,
        nextstep_server::install_metrics(),
        config,
    ))
}

/// Resolves on Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")
}

fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("NEXTSTEP_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

/// The demo team's users: an admin, the manager and each rep, one fresh password for
/// all (printed; reset on every `serve --demo`, since only digests are kept).
async fn demo_users(db: &Db, data: &nextstep_synth::demo::DemoData) -> anyhow::Result<String> {
    let password = generated_password()?;
    let hash = hash_password(&password)?;
    let mut users = vec![("admin@demo.nextstep".to_string(), Role::Admin, None)];
    for rep in &data.reps {
        let email = demo_email(&rep.name);
        let managed = data
            .reps
            .iter()
            .any(|r| r.manager.as_deref() == Some(&rep.name));
        let role = if managed { Role::Manager } else { Role::Rep };
        users.push((email, role, Some(rep.name.clone())));
    }
    for (email, role, rep_name) in users {
        if db.login_lookup(&email).await?.is_some() {
            db.set_password(&email, &hash).await?;
        } else {
            db.create_user(&NewUser {
                email,
                password_hash: hash.clone(),
                role,
                rep_name,
                manager_email: None,
            })
            .await?;
        }
    }
    Ok(password)
}

/// A demo user's login: `first.last@demo.nextstep`, accents dropped.
pub fn demo_email(name: &str) -> String {
    let local: String = name
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('.'),
            'à' | 'á' | 'â' | 'ä' => Some('a'),
            'è' | 'é' | 'ê' | 'ë' => Some('e'),
            'ì' | 'í' | 'î' | 'ï' => Some('i'),
            'ò' | 'ó' | 'ô' | 'ö' => Some('o'),
            'ù' | 'ú' | 'û' | 'ü' => Some('u'),
            'ç' => Some('c'),
            'ñ' => Some('n'),
            c if c.is_ascii_alphanumeric() || c == '-' => Some(c),
            _ => None,
        })
        .collect();
    format!("{local}@demo.nextstep")
}

/// Runs `nextstep serve`.
pub fn serve(args: &ServeArgs, db: &DbArgs) -> anyhow::Result<ExitCode> {
    init_logging();
    let rules = args.judge.load()?;
    let (db_args, _) = if args.demo {
        demo_location(db, false)?
    } else {
        (db.clone(), false)
    };
    runtime()?.block_on(async {
        let db = db_args.open().await?;
        let mut login = None;
        if args.demo {
            let today = chrono::Local::now().date_naive();
            let data = nextstep_synth::demo::generate(42, today);
            if seed_demo_team(&db, &data).await? {
                eprintln!("nextstep: seeded the demo team");
            }
            let password = demo_users(&db, &data).await?;
            let manager = data.reps.iter().find_map(|r| r.manager.clone());
            let rep = data
                .reps
                .iter()
                .find(|r| r.manager.is_some())
                .map(|r| r.name.clone());
            login = Some((password, manager, rep));
        }
        let config = ServerConfig {
            secure_cookies: args.secure_cookies,
            public_url: args.public_url.clone(),
            max_body_bytes: usize::from(args.max_upload_mb) * 1024 * 1024,
            ..ServerConfig::default()
        };
        let state = state(db, &args.queue, config, rules).await?;
        let location = db_args.location()?;
        let public_url = args.public_url.clone();
        nextstep_server::serve(state, args.bind, args.workers, shutdown_signal(), |addr| {
            println!(
                "nextstep server listening on http://{addr}/ (database: {})",
                nextstep_core::redact_url(&location)
            );
            if let Some((password, manager, rep)) = &login {
                println!("Log in as admin@demo.nextstep with password {password}");
                if let (Some(manager), Some(rep)) = (manager, rep) {
                    println!(
                        "(the manager {} and every rep, e.g. {}, use the same password)",
                        demo_email(manager),
                        demo_email(rep)
                    );
                }
            }
            if public_url.is_none() && !addr.ip().is_loopback() {
                eprintln!(
                    "nextstep: no --public-url: confirmation links cannot be made until the \
                     server knows the address prospects reach it at"
                );
            }
            println!("Press Ctrl-C to stop.");
        })
        .await?;
        anyhow::Ok(ExitCode::SUCCESS)
    })
}

/// Runs `nextstep worker`: analysis workers only, against the shared database.
pub fn worker(args: &WorkerArgs, db: &DbArgs) -> anyhow::Result<ExitCode> {
    init_logging();
    let rules = args.judge.load()?;
    runtime()?.block_on(async {
        let db = db.open().await?;
        let state = state(db, &args.queue, ServerConfig::default(), rules).await?;
        let name = args
            .name
            .clone()
            .unwrap_or_else(|| format!("worker-{}", std::process::id()));
        eprintln!(
            "nextstep worker {name}: {} workers on queue {}",
            args.workers, args.queue
        );
        nextstep_server::work(&state, args.workers, &name, shutdown_signal()).await?;
        anyhow::Ok(ExitCode::SUCCESS)
    })
}

/// Runs `nextstep user …`.
pub fn user(cmd: &UserCommand, db: &DbArgs) -> anyhow::Result<ExitCode> {
    match cmd {
        UserCommand::Add {
            email,
            role,
            manager,
            name,
            password_stdin,
        } => {
            let (password, generated) = if *password_stdin {
                let mut s = String::new();
                std::io::stdin()
                    .read_to_string(&mut s)
                    .context("reading the password from standard input")?;
                let s = s.trim_end_matches(['\r', '\n']).to_string();
                anyhow::ensure!(!s.is_empty(), "the password on standard input is empty");
                (s, false)
            } else {
                (generated_password()?, true)
            };
            let hash = hash_password(&password)?;
            let user = block_on(async {
                let store = db.open().await?;
                anyhow::Ok(
                    store
                        .create_user(&NewUser {
                            email: email.clone(),
                            password_hash: hash,
                            role: *role,
                            rep_name: name.clone(),
                            manager_email: manager.clone(),
                        })
                        .await?,
                )
            })??;
            println!(
                "added {} ({}{})",
                user.email,
                user.role.as_str(),
                user.rep_name
                    .as_deref()
                    .map(|r| format!(", rep {r}"))
                    .unwrap_or_default()
            );
            if generated {
                println!("password: {password}");
            }
        }
        UserCommand::List => {
            let users = block_on(async {
                let store = db.open().await?;
                anyhow::Ok(store.list_users().await?)
            })??;
            for u in users {
                println!(
                    "{}\t{}\t{}",
                    u.email,
                    u.role.as_str(),
                    u.rep_name.unwrap_or_default()
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Runs `nextstep token …`.
pub fn token(cmd: &TokenCommand, db: &DbArgs) -> anyhow::Result<ExitCode> {
    block_on(async {
        let store = db.open().await?;
        let user_id = async |email: &str| {
            let (found, _) = store
                .login_lookup(email)
                .await?
                .with_context(|| format!("no user {email}; add one with `nextstep user add`"))?;
            anyhow::Ok(found.id)
        };
        match cmd {
            TokenCommand::Create {
                user,
                name,
                expires_days,
            } => {
                let expires_at =
                    expires_days.map(|d| chrono::Utc::now() + chrono::Duration::days(i64::from(d)));
                let (token, record) =
                    issue_api_token(&store, user_id(user).await?, name, expires_at).await?;
                println!("{token}");
                eprintln!(
                    "(token {} for {}{}; send it as `Authorization: Bearer <token>`; it is shown only now)",
                    record.id,
                    record.email,
                    record
                        .expires_at
                        .map(|e| format!(", expires {}", e.format("%Y-%m-%d %H:%M UTC")))
                        .unwrap_or_default()
                );
            }
            TokenCommand::List { user } => {
                let whose = match user {
                    Some(email) => Some(user_id(email).await?),
                    None => None,
                };
                for t in store.list_api_tokens(whose).await? {
                    println!(
                        "{}\t{}\t{}\t{}\t{}",
                        t.id,
                        t.email,
                        t.name,
                        t.created_at.format("%Y-%m-%d %H:%M UTC"),
                        t.expires_at
                            .map(|e| format!("expires {}", e.format("%Y-%m-%d %H:%M UTC")))
                            .unwrap_or_else(|| "never expires".into())
                    );
                }
            }
            TokenCommand::Revoke { id } => {
                store.revoke_api_token(*id, None).await?;
                println!("revoked token {id}");
            }
        }
        anyhow::Ok(ExitCode::SUCCESS)
    })?
}
