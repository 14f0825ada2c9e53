//! The fault and load suite: the server as real processes on 127.0.0.1 against unlucky
//! and hostile clients.
//!
//! - Clients that close their connection while responses are being written must not stop
//!   the server (SIGPIPE).
//! - A hundred logins at once, from a hundred loopback addresses: peak memory stays under
//!   300 MB (it reached 1.95 GB when every login ran its argon2 check at once).
//! - 500 uploads while `serve` and a `worker` are killed with SIGKILL at random points,
//!   clients retrying with idempotency keys: then every accepted upload has exactly one
//!   call, none is stuck, and the server answers.
//! - The server never prints a database password given as `?password=`.
//!
//! Bounded in count and time (each test stops by itself; the whole suite takes well under
//! three minutes on two cores); nothing leaves the loopback interface.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Barrier, Mutex};
use std::time::{Duration, Instant};

use nextstep_core::{Scope, Store, TeamStore, UploadStatus};
use nextstep_store::Db;

/// Kills the server when the test ends, however it ends.
struct Server {
    child: Child,
    addr: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A scratch folder removed when dropped.
struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn scratch(name: &str) -> TempDir {
    let dir = std::env::temp_dir().join(format!("nextstep-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    TempDir(dir)
}

fn nextstep(db: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_nextstep"));
    cmd.arg("--db").arg(db).env("NEXTSTEP_LOG", "warn");
    cmd
}

/// Runs a CLI command to completion (with `stdin` piped in) and returns its stdout.
fn run(db: &Path, args: &[&str], stdin: &str) -> String {
    let mut child = nextstep(db)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run nextstep");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "nextstep {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Starts `nextstep serve` on `db` at `bind` and waits until it says where it listens.
fn start_server_on(db: &Path, bind: &str, extra: &[&str]) -> Server {
    let mut child = nextstep(db)
        .args(["serve", "--bind", bind])
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start nextstep serve");
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let deadline = Instant::now() + Duration::from_secs(60);
    let addr = loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let line = rx
            .recv_timeout(left)
            .expect("the server printed its address");
        if let Some(rest) = line.strip_prefix("nextstep server listening on http://") {
            break rest.split('/').next().unwrap().to_string();
        }
    };
    Server { child, addr }
}

/// Starts `nextstep serve` on a fresh SQLite file and a free port.
fn start_server(dir: &TempDir, extra: &[&str]) -> Server {
    let mut args = vec!["--workers", "0"];
    args.extend_from_slice(extra);
    start_server_on(&dir.0.join("faults.db"), "127.0.0.1:0", &args)
}

/// The server's status line for `GET path`, read over a fresh connection.
fn status_of(addr: &str, path: &str) -> Option<String> {
    let mut s = TcpStream::connect(addr).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(10))).ok()?;
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut head = String::new();
    BufReader::new(s).read_line(&mut head).ok()?;
    Some(head.trim().to_string())
}

fn assert_alive(server: &mut Server, after: &str) {
    assert!(
        server.child.try_wait().unwrap().is_none(),
        "the server exited after {after}: {:?}",
        server.child.try_wait()
    );
    assert_eq!(
        status_of(&server.addr, "/healthz").as_deref(),
        Some("HTTP/1.1 200 OK"),
        "the server answers after {after}"
    );
}

/// An HTTP answer, read whole.
struct Answer {
    status: u16,
    body: String,
}

/// Sends one request over `stream` (`Connection: close`) and reads the whole answer.
fn exchange(mut stream: TcpStream, request: &[u8]) -> std::io::Result<Answer> {
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    stream.set_write_timeout(Some(Duration::from_secs(30)))?;
    stream.write_all(request)?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw)?;
    let text = String::from_utf8_lossy(&raw);
    let (head, body) = text.split_once("\r\n\r\n").ok_or_else(|| {
        std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "no complete head")
    })?;
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::InvalidData, "no status"))?;
    Ok(Answer {
        status,
        body: body.to_string(),
    })
}

fn request(method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> Vec<u8> {
    let mut r = format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n");
    for (k, v) in headers {
        r.push_str(&format!("{k}: {v}\r\n"));
    }
    r.push_str(&format!("Content-Length: {}\r\n\r\n{body}", body.len()));
    r.into_bytes()
}

/// Resident and peak resident memory of a process (kB), from /proc.
fn memory_kb(pid: u32) -> (u64, u64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// A small deterministic generator, so a failing run can be repeated from its seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn between(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo)
    }
}

// ---------------------------------------------------------------- disconnects

#[test]
fn clients_closing_mid_response_do_not_stop_the_server() {
    let dir = scratch("faults-pipe");
    let mut server = start_server(&dir, &[]);
    // Fifty pipelined requests for a large document on one socket, closed as soon as the
    // first bytes arrive: the server is left writing into a closed connection.
    for round in 0..20 {
        let mut s = TcpStream::connect(&server.addr).unwrap();
        let mut burst = String::new();
        for _ in 0..50 {
            burst.push_str(&format!(
                "GET /api/v1/openapi.json HTTP/1.1\r\nHost: {}\r\n\r\n",
                server.addr
            ));
        }
        s.write_all(burst.as_bytes()).unwrap();
        let mut first = [0u8; 64];
        let _ = s.read(&mut first);
        let _ = s.shutdown(Shutdown::Both);
        drop(s);
        if round % 5 == 4 {
            std::thread::sleep(Duration::from_millis(100));
        }
    }
    std::thread::sleep(Duration::from_millis(300));
    assert_alive(&mut server, "clients closed their connections mid-response");
}

// ---------------------------------------------------------------- logins

/// How many logins arrive at once.
const LOGINS: usize = 100;
/// The most resident memory the server may reach under them.
const MAX_PEAK_KB: u64 = 300 * 1024;

/// A connection from the loopback address 127.0.0.`host` (Linux routes all of 127/8 to
/// the loopback interface), so each simulated client has an address of its own.
fn connect_from(host: u8, to: &str) -> std::io::Result<TcpStream> {
    use socket2::{Domain, Socket, Type};
    let to: SocketAddr = to.parse().expect("address");
    let socket = Socket::new(Domain::IPV4, Type::STREAM, None)?;
    let from: SocketAddr = format!("127.0.0.{host}:0").parse().expect("address");
    socket.bind(&from.into())?;
    socket.connect(&to.into())?;
    Ok(socket.into())
}

#[test]
fn a_hundred_logins_at_once_stay_within_bounded_memory() {
    let dir = scratch("faults-logins");
    let db = dir.0.join("faults.db");
    run(
        &db,
        &[
            "user",
            "add",
            "ana@faults.test",
            "--role",
            "admin",
            "--password-stdin",
        ],
        "correct horse battery staple\n",
    );
    let mut server = start_server(&dir, &[]);
    let pid = server.child.id();
    std::thread::sleep(Duration::from_millis(300));
    let (rss_before, _) = memory_kb(pid);

    // Each client fetches a login form (its signed token and cookie) first, then all post
    // at the same moment: one with the right password, the rest with unknown emails, which
    // cost the same argon2 check (the decoy), so every login is a full password check.
    let barrier = Arc::new(Barrier::new(LOGINS));
    let clients: Vec<_> = (0..LOGINS)
        .map(|i| {
            let addr = server.addr.clone();
            let barrier = barrier.clone();
            std::thread::spawn(move || {
                let host = 2 + i as u8;
                let form = exchange(
                    connect_from(host, &addr).expect("connect"),
                    &request("GET", "/login", &[], ""),
                )
                .expect("the login form");
                let token = form
                    .body
                    .split("name=\"csrf\" value=\"")
                    .nth(1)
                    .and_then(|t| t.split('"').next())
                    .expect("a form token")
                    .to_string();
                let email = if i == 0 {
                    "ana%40faults.test".to_string()
                } else {
                    format!("nobody{i}%40faults.test")
                };
                let body =
                    format!("email={email}&password=correct+horse+battery+staple&csrf={token}");
                let cookie = format!("nextstep_login_csrf={token}");
                let post = request(
                    "POST",
                    "/login",
                    &[
                        ("Content-Type", "application/x-www-form-urlencoded"),
                        ("Cookie", &cookie),
                    ],
                    &body,
                );
                let stream = connect_from(host, &addr).expect("connect");
                barrier.wait();
                exchange(stream, &post).map(|a| a.status)
            })
        })
        .collect();
    let statuses: Vec<u16> = clients
        .into_iter()
        .map(|c| c.join().unwrap().expect("an answer"))
        .collect();
    let (rss_after, peak) = memory_kb(pid);
    let count = |s: u16| statuses.iter().filter(|x| **x == s).count();
    eprintln!(
        "{LOGINS} logins at once: {} signed in, {} refused (401), {} busy (503), {} limited (429); \
         RSS before {} MB, after {} MB, peak {} MB",
        count(303),
        count(401),
        count(503),
        count(429),
        rss_before / 1024,
        rss_after / 1024,
        peak / 1024
    );
    assert!(
        statuses.iter().all(|s| matches!(s, 303 | 401 | 429 | 503)),
        "{statuses:?}"
    );
    assert!(
        count(401) + count(303) > 0,
        "some logins were checked: {statuses:?}"
    );
    assert!(
        peak < MAX_PEAK_KB,
        "peak RSS {} MB under {LOGINS} concurrent logins (limit {} MB)",
        peak / 1024,
        MAX_PEAK_KB / 1024
    );
    assert_alive(&mut server, "a hundred logins at once");
}

// ---------------------------------------------------------------- kill -9 during uploads

/// Uploads sent while processes are killed.
const UPLOADS: usize = 500;
/// Client threads sending them.
const CLIENTS: usize = 4;

/// A short call, different for each upload (so each is its own request).
fn transcript(n: usize) -> String {
    format!(
        "Ana Rep: Thanks for call number {n}. What would you like to happen next?\n\
         Bo Buyer: Send me a quote for {} seats by Friday, please.\n\
         Ana Rep: Will do, I'll send it by Friday.\n",
        n + 1
    )
}

/// A free port on 127.0.0.1 (bound once, then released for the server to take).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A `nextstep worker` process, killed with SIGKILL when dropped: it gets no chance to
/// finish anything.
struct Worker(Child);

impl Drop for Worker {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_worker(db: &Path) -> Worker {
    Worker(
        nextstep(db)
            .args(["worker", "--workers", "2"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start nextstep worker"),
    )
}

#[test]
fn uploads_survive_kill_9_of_server_and_worker() {
    let dir = scratch("faults-uploads");
    let db = dir.0.join("faults.db");
    let csv = dir.0.join("deals.csv");
    std::fs::write(
        &csv,
        "opportunity_id,sales_agent,product,account,deal_stage,engage_date,close_date,close_value\n\
         F-1,Ana Rep,GTX Pro,Hooli,Engaging,2026-02-01,,\n",
    )
    .unwrap();
    run(&db, &["import", "deals", csv.to_str().unwrap()], "");
    run(
        &db,
        &["user", "add", "admin@faults.test", "--role", "admin"],
        "",
    );
    let token = run(&db, &["token", "create", "--user", "admin@faults.test"], "")
        .trim()
        .to_string();

    let bind = format!("127.0.0.1:{}", free_port());
    let server_args = ["--workers", "1"];
    let server = Arc::new(Mutex::new(Some(start_server_on(&db, &bind, &server_args))));
    let worker = Arc::new(Mutex::new(Some(start_worker(&db))));

    // Chaos: until the clients are done, kill -9 the server or the worker at random
    // moments and start it again (the server on the same port).
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64
        | 1;
    eprintln!("uploads under kill -9: seed {seed}");
    let done = Arc::new(AtomicBool::new(false));
    let chaos = {
        let (server, worker, done, db, bind) = (
            server.clone(),
            worker.clone(),
            done.clone(),
            db.clone(),
            bind.clone(),
        );
        std::thread::spawn(move || {
            let mut rng = Rng(seed);
            let mut kills = (0, 0);
            let deadline = Instant::now() + Duration::from_secs(90);
            while !done.load(Ordering::SeqCst)
                && Instant::now() < deadline
                && kills.0 + kills.1 < 24
            {
                std::thread::sleep(Duration::from_millis(rng.between(150, 700)));
                if rng.next() % 2 == 0 {
                    let mut slot = server.lock().unwrap();
                    drop(slot.take()); // SIGKILL (Server's Drop)
                    kills.0 += 1;
                    std::thread::sleep(Duration::from_millis(rng.between(0, 300)));
                    *slot = Some(start_server_on(&db, &bind, &server_args));
                } else {
                    let mut slot = worker.lock().unwrap();
                    drop(slot.take()); // SIGKILL (Worker's Drop)
                    kills.1 += 1;
                    std::thread::sleep(Duration::from_millis(rng.between(0, 300)));
                    *slot = Some(start_worker(&db));
                }
            }
            kills
        })
    };

    // Clients: each upload is retried with its idempotency key until it is accepted.
    let accepted: Arc<Mutex<Vec<(usize, i64)>>> = Arc::new(Mutex::new(Vec::new()));
    let deadline = Instant::now() + Duration::from_secs(120);
    let clients: Vec<_> = (0..CLIENTS)
        .map(|c| {
            let (accepted, bind, token) = (accepted.clone(), bind.clone(), token.clone());
            std::thread::spawn(move || {
                let mut retries = 0;
                for n in (c..UPLOADS).step_by(CLIENTS) {
                    let key = format!("faults-upload-{n}");
                    let auth = format!("Bearer {token}");
                    let post = request(
                        "POST",
                        &format!("/api/v1/deals/F-1/calls?file_name=call-{n}-2026-04-14.txt"),
                        &[
                            ("Authorization", &auth),
                            ("Idempotency-Key", &key),
                            ("Content-Type", "text/plain"),
                        ],
                        &transcript(n),
                    );
                    let mut ids = Vec::new();
                    loop {
                        assert!(Instant::now() < deadline, "upload {n} never accepted");
                        let answer = TcpStream::connect(&bind).and_then(|s| exchange(s, &post));
                        match answer {
                            Ok(a) if a.status == 202 => {
                                let body: serde_json::Value =
                                    serde_json::from_str(&a.body).expect("JSON");
                                ids.push(body["upload_id"].as_i64().expect("upload_id"));
                                // Sometimes send the same request again, as a client
                                // that lost the answer would.
                                if n % 7 == 0 && ids.len() == 1 {
                                    continue;
                                }
                                break;
                            }
                            Ok(a) if a.status >= 500 => retries += 1,
                            Ok(a) => panic!("upload {n}: {} {}", a.status, a.body),
                            Err(_) => retries += 1,
                        }
                        std::thread::sleep(Duration::from_millis(50));
                    }
                    ids.dedup();
                    assert_eq!(ids.len(), 1, "upload {n}: one key, one upload: {ids:?}");
                    accepted.lock().unwrap().push((n, ids[0]));
                    // A steady pace, so the uploads span several kills.
                    std::thread::sleep(Duration::from_millis(20));
                }
                retries
            })
        })
        .collect();
    let retries: usize = clients.into_iter().map(|c| c.join().unwrap()).sum();
    done.store(true, Ordering::SeqCst);
    let (server_kills, worker_kills) = chaos.join().unwrap();
    eprintln!(
        "{UPLOADS} uploads accepted; {server_kills} server and {worker_kills} worker kills; \
         {retries} client retries"
    );

    // Everything running again: every accepted upload becomes exactly one call.
    let mut server = server.lock().unwrap().take().expect("a server");
    let _worker = worker.lock().unwrap().take().expect("a worker");
    let accepted = accepted.lock().unwrap().clone();
    assert_eq!(accepted.len(), UPLOADS);
    let rt = tokio::runtime::Runtime::new().unwrap();
    let (uploads, calls) = rt.block_on(async {
        let store = Db::open(db.to_str().unwrap())
            .await
            .expect("open the database");
        let deal = store.find_deal(&Scope::All, "F-1").await.unwrap();
        // Jobs whose worker was killed come back after the queue's orphan timeout.
        let settle = Instant::now() + Duration::from_secs(90);
        loop {
            let uploads = store
                .list_uploads(&Scope::All, 10 * UPLOADS as i64)
                .await
                .unwrap();
            let settled = uploads
                .iter()
                .all(|u| matches!(u.status, UploadStatus::Done | UploadStatus::Failed));
            if settled || Instant::now() > settle {
                let calls = store.calls_for_deal(deal.id).await.unwrap();
                break (uploads, calls);
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    });
    let stuck: Vec<_> = uploads
        .iter()
        .filter(|u| u.status != UploadStatus::Done)
        .map(|u| (u.id, u.status, u.attempts, u.error.clone()))
        .collect();
    assert!(stuck.is_empty(), "uploads not done: {stuck:?}");
    assert_eq!(uploads.len(), UPLOADS, "one upload per idempotency key");
    let mut accepted_ids: Vec<i64> = accepted.iter().map(|(_, id)| *id).collect();
    accepted_ids.sort();
    let mut stored_ids: Vec<i64> = uploads.iter().map(|u| u.id).collect();
    stored_ids.sort();
    assert_eq!(
        accepted_ids, stored_ids,
        "every accepted upload, and only those"
    );
    let mut call_ids: Vec<i64> = uploads.iter().filter_map(|u| u.call_id).collect();
    call_ids.sort();
    call_ids.dedup();
    assert_eq!(call_ids.len(), UPLOADS, "each upload has its own call");
    assert_eq!(
        calls.len(),
        UPLOADS,
        "exactly one call per upload on the deal"
    );
    assert_alive(&mut server, "500 uploads under kill -9");
}

// ---------------------------------------------------------------- messages

#[test]
fn the_server_never_prints_a_database_password() {
    let Some(url) =
        nextstep_synth::harness::postgres_url("the_server_never_prints_a_database_password")
    else {
        return;
    };
    // Trust authentication ignores the password, so the server starts with it given.
    let sep = if url.contains('?') { '&' } else { '?' };
    let with_password = format!("{url}{sep}password=hunter2-secret");
    let queue = format!("faults-password-{}", std::process::id());
    let mut child = Command::new(env!("CARGO_BIN_EXE_nextstep"))
        .args(["--db", &with_password, "serve", "--bind", "127.0.0.1:0"])
        .args(["--workers", "0", "--queue", &queue])
        .env("NEXTSTEP_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start nextstep serve");
    let stdout = child.stdout.take().unwrap();
    let mut first = String::new();
    BufReader::new(stdout).read_line(&mut first).unwrap();
    let server = Server {
        child,
        addr: String::new(),
    };
    drop(server);
    assert!(first.contains("listening on"), "{first}");
    assert!(first.contains("password=***"), "{first}");
    assert!(
        !first.contains("hunter2"),
        "the password was printed: {first}"
    );
}
