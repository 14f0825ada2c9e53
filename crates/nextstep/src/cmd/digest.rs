//! `nextstep digest`: one Markdown and one self-contained HTML file per rep and per
//! manager for a week, written to a folder and, with `--smtp`, mailed to each of them.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use lettre::message::{Mailbox, MultiPart};
use lettre::{Message, SmtpTransport, Transport};
use nextstep_analyzer::AskInstead;
use nextstep_core::Store;
use nextstep_insight::digest::{
    Digest, IsoWeek, calls_read, manager_digest, parse_iso_week, rep_digest, slug,
};

use crate::cmd::dataset;
use crate::db::{DbArgs, block_on};

/// Arguments of `nextstep digest`.
#[derive(Debug, clap::Args)]
pub struct DigestArgs {
    /// The ISO week, e.g. 2026-W48 (default: the current week).
    #[arg(long, value_parser = parse_week)]
    week: Option<IsoWeek>,
    /// The folder to write the files to (created if missing).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Also mail each digest through this SMTP server: smtp://host:port (plain SMTP,
    /// as internal relays speak it; no TLS).
    #[arg(long, value_name = "URL", requires = "from")]
    smtp: Option<String>,
    /// The sender address for mailed digests.
    #[arg(long, value_name = "ADDR")]
    from: Option<String>,
    /// A rules file whose `[coaching]` questions replace the defaults.
    #[arg(long, value_name = "FILE")]
    rules: Option<PathBuf>,
}

fn parse_week(s: &str) -> Result<IsoWeek, String> {
    parse_iso_week(s).map_err(|e| e.to_string())
}

/// One digest to write (and maybe mail), with its recipient's name.
struct Item {
    name: String,
    file_stem: String,
    digest: Digest,
    email: Option<String>,
}

/// Writes an item's Markdown and HTML files into `out`.
fn write_item(out: &Path, item: &Item) -> anyhow::Result<()> {
    for (ext, body) in [("md", &item.digest.markdown), ("html", &item.digest.html)] {
        let path = out.join(format!("{}.{ext}", item.file_stem));
        std::fs::write(&path, body).with_context(|| format!("{}: cannot write", path.display()))?;
    }
    Ok(())
}

/// Makes and writes every digest of `week`, one at a time: each rep's from only their own
/// calls of the weeks read, each manager's from only their team's — so a run over a big
/// organisation holds one team's weeks at a time, never everyone's. Returns the items
/// when they are to be mailed (`keep`), else only how many were written.
async fn write_digests(
    store: &nextstep_store::Db,
    week: IsoWeek,
    out: &Path,
    instead: &AskInstead,
    keep: bool,
) -> anyhow::Result<(usize, Vec<Item>)> {
    let (since, until) = calls_read(week);
    let with_calls = dataset::reps_with_calls(store).await?;
    let roster = store.list_reps().await?;
    let mut kept = Vec::new();
    let mut written = 0;
    let mut emit = |item: Item| -> anyhow::Result<()> {
        write_item(out, &item)?;
        written += 1;
        if keep {
            kept.push(item);
        }
        Ok(())
    };
    let mut managers: Vec<String> = Vec::new();
    for rep in roster.iter().filter(|r| with_calls.contains(&r.name)) {
        let data = dataset::load_owned_between(store, &roster, &[rep.id], since, until).await?;
        emit(Item {
            name: rep.name.clone(),
            file_stem: slug(&rep.name),
            digest: rep_digest(&data, &rep.name, week, instead),
            email: rep.email.clone(),
        })?;
        if let Some(m) = &rep.manager
            && !managers.contains(m)
        {
            managers.push(m.clone());
        }
    }
    for m in managers {
        let team: Vec<i64> = roster
            .iter()
            .filter(|r| r.manager.as_deref() == Some(m.as_str()))
            .map(|r| r.id)
            .collect();
        let data = dataset::load_owned_between(store, &roster, &team, since, until).await?;
        let email = roster
            .iter()
            .find(|r| r.name == m)
            .and_then(|r| r.email.clone());
        emit(Item {
            file_stem: format!("manager-{}", slug(&m)),
            digest: manager_digest(&data, &m, week, instead),
            name: m,
            email,
        })?;
    }
    Ok((written, kept))
}

/// `smtp://host:port` → (host, port).
fn smtp_target(url: &str) -> anyhow::Result<(String, u16)> {
    let rest = url
        .strip_prefix("smtp://")
        .with_context(|| format!("--smtp {url:?}: expected smtp://host:port"))?;
    let rest = rest.trim_end_matches('/');
    match rest.rsplit_once(':') {
        Some((host, port)) => Ok((
            host.to_string(),
            port.parse()
                .with_context(|| format!("--smtp {url:?}: {port:?} is not a port"))?,
        )),
        None => Ok((rest.to_string(), 25)),
    }
}

/// Runs `nextstep digest`.
pub fn run(args: &DigestArgs, db: &DbArgs) -> anyhow::Result<ExitCode> {
    let week = args
        .week
        .unwrap_or_else(|| IsoWeek::of(chrono::Local::now().date_naive()));
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("{}: cannot create the folder", args.out.display()))?;
    let rules = crate::inputs::load_rules(args.rules.as_deref())?;
    let (written, items) = block_on(async {
        let store = db.open().await?;
        write_digests(
            &store,
            week,
            &args.out,
            rules.ask_instead(),
            args.smtp.is_some(),
        )
        .await
    })??;
    if written == 0 {
        println!("No rep has analysed calls; nothing to write.");
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "wrote {written} digests for {week} to {}",
        args.out.display()
    );
    let Some(url) = &args.smtp else {
        return Ok(ExitCode::SUCCESS);
    };
    let from: Mailbox = args
        .from
        .as_deref()
        .unwrap_or_default()
        .parse()
        .with_context(|| format!("--from {:?} is not an email address", args.from))?;
    let (host, port) = smtp_target(url)?;
    let mailer = SmtpTransport::builder_dangerous(&host).port(port).build();
    let (mut sent, mut skipped) = (0, 0);
    for item in &items {
        let Some(email) = &item.email else {
            eprintln!(
                "nextstep: {} has no email address; digest not mailed",
                item.name
            );
            skipped += 1;
            continue;
        };
        let to: Mailbox = format!("{} <{email}>", item.name)
            .parse()
            .with_context(|| format!("{}: {email:?} is not an email address", item.name))?;
        let message = Message::builder()
            .from(from.clone())
            .to(to)
            .subject(&item.digest.title)
            .multipart(MultiPart::alternative_plain_html(
                item.digest.markdown.clone(),
                item.digest.html.clone(),
            ))
            .with_context(|| format!("building the mail for {}", item.name))?;
        mailer
            .send(&message)
            .with_context(|| format!("mailing {}'s digest through {url}", item.name))?;
        sent += 1;
    }
    println!(
        "mailed {sent} digests through {url}{}",
        if skipped > 0 {
            format!(" ({skipped} without an address)")
        } else {
            String::new()
        }
    );
    Ok(ExitCode::SUCCESS)
}
