//! The server against unlucky and hostile clients, as real processes on 127.0.0.1: a
//! client that closes its connection while responses are being written must not stop the
//! server. Bounded in count and time; nothing here needs the network beyond loopback.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Kills the server when the test ends, however it ends.
struct Server {
    child: Child,
    addr: String,
    _dir: TempDir,
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

/// Starts `nextstep serve` on a fresh SQLite file and a free port, and waits until it
/// says where it listens.
fn start_server(name: &str, extra: &[&str]) -> Server {
    let dir = scratch(name);
    let db: &Path = &dir.0.join("faults.db");
    let mut child = Command::new(env!("CARGO_BIN_EXE_nextstep"))
        .arg("--db")
        .arg(db)
        .args(["serve", "--bind", "127.0.0.1:0", "--workers", "0"])
        .args(extra)
        .env("NEXTSTEP_LOG", "warn")
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
    Server {
        child,
        addr,
        _dir: dir,
    }
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

#[test]
fn clients_closing_mid_response_do_not_stop_the_server() {
    let mut server = start_server("faults-pipe", &[]);
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
