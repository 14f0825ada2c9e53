//! A large JSON answer sent as it is serialised: a coaching report at 500,000 calls is
//! 20 MB of JSON, and serialising it into one buffer held 32 MiB per request (the
//! largest single allocation at the server's memory peak). Here a blocking task writes
//! 64 KiB chunks into a bounded channel that the response body drains, so a request holds
//! a few chunks; a client that goes away stops the serialisation at the next chunk.

use std::io::{self, Write};
use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use tokio::sync::mpsc;

/// Bytes per chunk sent.
const CHUNK: usize = 64 * 1024;

/// Chunks serialised ahead of the client.
const AHEAD: usize = 4;

/// `value` as a streamed `application/json` response.
pub fn json_stream<T: Serialize + Send + Sync + 'static>(value: Arc<T>) -> Response {
    let (tx, rx) = mpsc::channel::<io::Result<Bytes>>(AHEAD);
    tokio::task::spawn_blocking(move || {
        let mut out = ChunkWriter {
            tx,
            buf: Vec::with_capacity(CHUNK),
        };
        let written = serde_json::to_writer(&mut out, &*value)
            .map_err(io::Error::other)
            .and_then(|()| out.send());
        if let Err(e) = written {
            // The client is gone (nothing to tell), or the body ends with an error.
            let _ = out.tx.blocking_send(Err(e));
        }
    });
    let chunks = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|chunk| (chunk, rx))
    });
    let mut response = Body::from_stream(chunks).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

/// Collects serialised bytes into chunks for the channel.
struct ChunkWriter {
    tx: mpsc::Sender<io::Result<Bytes>>,
    buf: Vec<u8>,
}

impl ChunkWriter {
    /// Sends what is buffered, waiting while the client is [`AHEAD`] chunks behind.
    fn send(&mut self) -> io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let chunk = Bytes::from(std::mem::replace(&mut self.buf, Vec::with_capacity(CHUNK)));
        self.tx
            .blocking_send(Ok(chunk))
            .map_err(|_| io::Error::new(io::ErrorKind::BrokenPipe, "the client went away"))
    }
}

impl Write for ChunkWriter {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.buf.extend_from_slice(data);
        if self.buf.len() >= CHUNK {
            self.send()?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.send()
    }
}
