//! `nextstep digest` end to end: files per rep and manager, opened in a real headless
//! Chromium, and mailed through a real SMTP server (aiosmtpd) started by the test.
//!
//! Both outside programs are installed by `.ci/run`. Without them (a developer machine
//! that has not run it) the browser and mail checks say so and stop; under CI they must
//! be present.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command as StdCommand, Stdio};
use std::time::{Duration, Instant};

use assert_cmd::Command;

const REPS: &str = "name,manager,team,email\n\
Priya Nair,Morgan Reyes,West,priya@example.test\n\
Sam Ortiz,Morgan Reyes,West,sam@example.test\n\
Morgan Reyes,,West,morgan@example.test\n";

const DEALS: &str = "opportunity_id,sales_agent,product,account,deal_stage,engage_date,close_date,close_value\n\
D1,Priya Nair,GTX Basic,Cancity,Engaging,2026-11-02,,\n\
D2,Sam Ortiz,GTX Pro,Isdom,Engaging,2026-11-02,,\n";

const ASKED: &str = "Priya Nair: Thanks for making the time today.\n\
Ann Buyer: Sure.\n\
Priya Nair: What would you like to do from here?\n\
Ann Buyer: Let's do a demo for my team next Tuesday.\n";

const BAILED: &str = "Sam Ortiz: Thanks for making the time today.\n\
Ben Buyer: Honestly I'm not following how the pricing works. <script>alert(1)</script>\n\
Sam Ortiz: No problem, why don't I send you a pricing sheet after the call?\n\
Ben Buyer: \"><img src=x onerror=alert(2)> Okay.\n";

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ns-digest-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn ns(db: &Path) -> Command {
    let mut c = Command::cargo_bin("nextstep").unwrap();
    c.env_remove("NEXTSTEP_DATABASE_URL").arg("--db").arg(db);
    c
}

fn seeded(dir: &Path) -> PathBuf {
    let db = dir.join("n.db");
    std::fs::write(dir.join("reps.csv"), REPS).unwrap();
    std::fs::write(dir.join("deals.csv"), DEALS).unwrap();
    std::fs::write(dir.join("asked.txt"), ASKED).unwrap();
    std::fs::write(dir.join("bailed.txt"), BAILED).unwrap();
    ns(&db)
        .args(["import", "reps"])
        .arg(dir.join("reps.csv"))
        .assert()
        .success();
    ns(&db)
        .args(["import", "deals"])
        .arg(dir.join("deals.csv"))
        .assert()
        .success();
    ns(&db)
        .args([
            "calls",
            "add",
            "--deal",
            "D1",
            "--seller",
            "Priya Nair",
            "--date",
            "2026-11-24",
        ])
        .arg(dir.join("asked.txt"))
        .assert()
        .success();
    ns(&db)
        .args([
            "calls",
            "add",
            "--deal",
            "D2",
            "--seller",
            "Sam Ortiz",
            "--date",
            "2026-11-25",
        ])
        .arg(dir.join("bailed.txt"))
        .assert()
        .success();
    db
}

/// Whether an outside program must be present (CI) or may be missing (a laptop).
fn required() -> bool {
    std::env::var_os("CI").is_some()
}

#[test]
fn digests_are_written_per_rep_and_manager() {
    let dir = temp_dir("files");
    let db = seeded(&dir);
    let out = dir.join("out");
    ns(&db)
        .args(["digest", "--week", "2026-W48", "--out"])
        .arg(&out)
        .assert()
        .success();
    for stem in ["priya-nair", "sam-ortiz", "manager-morgan-reyes"] {
        for ext in ["md", "html"] {
            let path = out.join(format!("{stem}.{ext}"));
            assert!(path.exists(), "{} is missing", path.display());
        }
    }
    let sam = std::fs::read_to_string(out.join("sam-ortiz.html")).unwrap();
    assert!(
        !sam.contains("<script>alert"),
        "transcript text must be escaped"
    );
    assert!(
        !sam.contains("<img src=x"),
        "transcript text must be escaped"
    );
    assert!(sam.contains("<svg"), "charts are inline SVG");
    assert!(
        !sam.contains("src=\"http"),
        "self-contained: no external resources"
    );
}

fn chromium() -> Option<&'static str> {
    ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|b| {
            StdCommand::new(b)
                .arg("--version")
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success())
        })
}

#[test]
fn a_digest_opens_in_headless_chromium_with_scripts_inert() {
    let Some(browser) = chromium() else {
        assert!(!required(), "CI must have Chromium (.ci/run installs it)");
        eprintln!("skipped: no Chromium here (run .ci/run to install it)");
        return;
    };
    let dir = temp_dir("chromium");
    let db = seeded(&dir);
    let out = dir.join("out");
    ns(&db)
        .args(["digest", "--week", "2026-W48", "--out"])
        .arg(&out)
        .assert()
        .success();
    let page = out.join("sam-ortiz.html");
    let profile = dir.join("profile");
    let dom = StdCommand::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--virtual-time-budget=2000",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg("--dump-dom")
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("chromium runs");
    assert!(
        dom.status.success(),
        "{}",
        String::from_utf8_lossy(&dom.stderr)
    );
    let dom = String::from_utf8_lossy(&dom.stdout);
    assert!(dom.contains("Sam Ortiz"), "the page rendered: {dom}");
    assert!(dom.contains("<svg"), "the charts rendered");
    // Escaped text stays text in the rendered DOM: no element was created from it.
    assert!(!dom.contains("<script>alert"), "{dom}");
    assert!(!dom.contains("<img src=\"x\""), "{dom}");
}

/// Whether an SMTP server on `port` sends its 220 greeting.
fn smtp_greets(port: u16) -> bool {
    use std::io::{BufRead, BufReader, Write};
    let Ok(mut stream) = std::net::TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    let mut line = String::new();
    let greeted = BufReader::new(&stream).read_line(&mut line).is_ok() && line.starts_with("220");
    let _ = stream.write_all(b"QUIT\r\n");
    greeted
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn digests_are_mailed_through_a_real_smtp_server() {
    let has_aiosmtpd = StdCommand::new("python3")
        .args(["-c", "import aiosmtpd"])
        .status()
        .is_ok_and(|s| s.success());
    if !has_aiosmtpd {
        assert!(!required(), "CI must have aiosmtpd (.ci/run installs it)");
        eprintln!("skipped: no aiosmtpd here (run .ci/run to install it)");
        return;
    }
    let dir = temp_dir("smtp");
    let db = seeded(&dir);
    let maildir = dir.join("maildir");
    let port = free_port();
    let _server = Server(
        StdCommand::new("python3")
            .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}")])
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(&maildir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("aiosmtpd starts"),
    );
    let deadline = Instant::now() + Duration::from_secs(15);
    // Ready means it greets: a listening socket alone is not enough under load.
    while !smtp_greets(port) {
        assert!(
            Instant::now() < deadline,
            "aiosmtpd did not start answering"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let out = ns(&db)
        .args(["digest", "--week", "2026-W48", "--out"])
        .arg(dir.join("out"))
        .args([
            "--smtp",
            &format!("smtp://127.0.0.1:{port}"),
            "--from",
            "coach@example.test",
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(out.status.success(), "digest failed: {stderr}");
    assert!(stdout.contains("mailed 3 digests"), "{stdout}");
    // The Mailbox handler writes one file per message into maildir/new.
    let mut recipients = Vec::new();
    for entry in std::fs::read_dir(maildir.join("new")).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        assert!(text.contains("From: coach@example.test"), "{text}");
        assert!(
            text.contains("text/html") && text.contains("text/plain"),
            "{text}"
        );
        let to = text
            .lines()
            .find(|l| l.starts_with("To: "))
            .unwrap_or("")
            .to_string();
        recipients.push(to);
    }
    recipients.sort();
    assert_eq!(recipients.len(), 3, "{recipients:?}");
    for addr in [
        "morgan@example.test",
        "priya@example.test",
        "sam@example.test",
    ] {
        assert!(
            recipients.iter().any(|r| r.contains(addr)),
            "{addr} got no mail: {recipients:?}"
        );
    }
}
