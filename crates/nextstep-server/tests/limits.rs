//! The server's limits and its one error shape, on SQLite and PostgreSQL: one body limit
//! (`--max-upload-mb`, default 20 MB) for every route — a 3 MB transcript or CSV is
//! taken, a body over the limit is a JSON 413 — and every error a layer rather than a
//! handler produces (405, 408, 413, 414) answers `{"error": {"code", "message"}}`.

mod support;

use std::time::Duration;

use axum::body::Body;
use axum::http::{Method, Request, header};
use http_body_util::BodyExt;
use nextstep_server::ServerConfig;
use serde_json::Value;
use support::{Fixture, Req, Resp, Who};

/// Whether `r` is an error in the one shape with this code.
#[track_caller]
fn assert_shaped(r: &Resp, status: u16, code: &str) {
    assert_eq!(r.status.as_u16(), status, "{}: {}", r.what, r.text());
    assert!(
        r.content_type().starts_with("application/json"),
        "{}: content-type {:?}, body {:?}",
        r.what,
        r.content_type(),
        r.text()
    );
    let body: Value = serde_json::from_slice(&r.body)
        .unwrap_or_else(|e| panic!("{}: not JSON ({e}): {:?}", r.what, r.text()));
    assert_eq!(body["error"]["code"], code, "{}: {body}", r.what);
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "{}: {body}",
        r.what
    );
    assert_eq!(body.as_object().map(|o| o.len()), Some(1), "{body}");
}

/// A plain-text transcript of about `bytes` bytes.
fn big_transcript(bytes: usize) -> String {
    let mut s = String::with_capacity(bytes + 200);
    let mut i = 0;
    while s.len() < bytes {
        let who = if i % 2 == 0 { "Ana Rep" } else { "Bo Buyer" };
        s.push_str(&format!(
            "[00:{:02}:{:02}] {who}: Line {i} of a long call about the rollout plan and the budget.\n",
            (i / 60) % 60,
            i % 60
        ));
        i += 1;
    }
    s
}

async fn bodies_up_to_the_limit_are_taken(fx: &Fixture) {
    // A 3 MB transcript: over axum's 2 MB default, well under the configured 20 MB.
    let transcript = big_transcript(3 * 1024 * 1024);
    let r = fx
        .send(
            fx.request(
                Who::RepA,
                Method::POST,
                &format!("/api/v1/deals/{}/calls?file_name=long.txt", fx.a.deal),
            )
            .body(transcript, "text/plain"),
        )
        .await;
    r.expect(202);

    // A 3 MB CRM export: one deal row padded with a long product name per row.
    let mut csv = String::from(
        "opportunity_id,sales_agent,product,account,deal_stage,engage_date,close_date,close_value\n",
    );
    let pad = "x".repeat(1000);
    let mut n = 0;
    while csv.len() < 3 * 1024 * 1024 {
        csv.push_str(&format!(
            "BIG-{n},Cal Rep,GTX {pad},Hooli,Engaging,2026-02-01,,\n"
        ));
        n += 1;
    }
    let r = fx
        .send(
            fx.request(Who::Admin, Method::POST, "/api/v1/import/deals")
                .body(csv, "text/csv"),
        )
        .await;
    r.expect(200);
    assert_eq!(r.json()["imported"], n, "{}", r.text());
}

async fn bodies_over_the_limit_are_a_json_413(fx: &Fixture) {
    let app = fx.app_with(ServerConfig {
        max_body_bytes: 1024 * 1024,
        ..ServerConfig::default()
    });
    let over = big_transcript(1024 * 1024 + 10);
    let deal = fx.a.deal;
    let token = format!("Bearer {}", fx.person(Who::RepA).token);
    let admin = format!("Bearer {}", fx.person(Who::Admin).token);
    let cases = [
        Req::new(Method::POST, &format!("/api/v1/deals/{deal}/calls"))
            .header("authorization", &token)
            .body(over.clone(), "text/plain"),
        Req::new(Method::POST, "/api/v1/import/deals")
            .header("authorization", &admin)
            .body(over.clone(), "text/csv"),
        Req::new(Method::POST, &format!("/api/v1/deals/{deal}/next-step"))
            .header("authorization", &token)
            .body(
                format!(
                    "{{\"action\": \"{}\", \"defined_by\": \"seller\"}}",
                    "a".repeat(1024 * 1024)
                ),
                "application/json",
            ),
    ];
    for req in cases {
        let r = req.send(&app).await;
        assert_shaped(&r, 413, "payload_too_large");
    }
    // Without a Content-Length (a streamed body), the limit holds while reading.
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> =
        (0..20).map(|_| Ok(vec![b'a'; 100 * 1024])).collect();
    let body = Body::from_stream(futures::stream::iter(chunks));
    let req = Request::builder()
        .method(Method::POST)
        .uri(format!("/api/v1/deals/{deal}/calls"))
        .header("host", "nextstep.test")
        .header("authorization", &token)
        .header(header::CONTENT_TYPE, "text/plain")
        .body(body)
        .unwrap();
    let r = respond(&app, req, "streamed upload").await;
    assert_shaped(&r, 413, "payload_too_large");
    // The default limit is what the import page promises.
    let r = fx
        .send(fx.browser(Who::Admin, Method::GET, "/import"))
        .await;
    r.expect(200);
    assert!(r.text().contains("Up to 20 MB"), "{}", r.text());
}

async fn respond(app: &axum::Router, req: Request<Body>, what: &str) -> Resp {
    use tower::ServiceExt;
    let res = app.clone().oneshot(req).await.expect("response");
    let status = res.status();
    let headers = res.headers().clone();
    let body = res.into_body().collect().await.unwrap().to_bytes().to_vec();
    Resp {
        what: what.to_string(),
        status,
        headers,
        body,
    }
}

async fn layer_errors_use_the_error_shape(fx: &Fixture) {
    // 405: a known address, a method it does not take.
    for (method, uri) in [
        (Method::POST, "/api/v1/deals"),
        (Method::DELETE, "/api/v1/openapi.json"),
        (Method::PUT, "/login"),
        (Method::DELETE, "/healthz"),
    ] {
        let r = fx.send(fx.request(Who::Admin, method.clone(), uri)).await;
        assert_shaped(&r, 405, "method_not_allowed");
        assert!(
            r.headers.get(header::ALLOW).is_some(),
            "{method} {uri}: the Allow header is kept"
        );
    }
    // 414: a URI longer than the server reads.
    let long = format!("/api/v1/deals?owner={}", "x".repeat(9000));
    let r = fx.send(fx.request(Who::Admin, Method::GET, &long)).await;
    assert_shaped(&r, 414, "uri_too_long");
    let r = fx
        .send(fx.request(Who::Anon, Method::GET, &format!("/{}", "y".repeat(9000))))
        .await;
    assert_shaped(&r, 414, "uri_too_long");
    // 408: a client that stops sending its body.
    let app = fx.app_with(ServerConfig {
        request_timeout: Duration::from_millis(300),
        ..ServerConfig::default()
    });
    let stalled = futures::stream::once(async { Ok::<_, std::io::Error>(b"Ana: hi".to_vec()) })
        .chain(futures::stream::pending());
    let req = Request::builder()
        .method(Method::POST)
        .uri(format!("/api/v1/deals/{}/calls", fx.a.deal))
        .header("host", "nextstep.test")
        .header(
            "authorization",
            format!("Bearer {}", fx.person(Who::RepA).token),
        )
        .body(Body::from_stream(stalled))
        .unwrap();
    let r = respond(&app, req, "stalled upload").await;
    assert_shaped(&r, 408, "timeout");
}

use futures::StreamExt as _;

both! {
    bodies_up_to_the_limit_are_taken => super::bodies_up_to_the_limit_are_taken,
    bodies_over_the_limit_are_a_json_413 => super::bodies_over_the_limit_are_a_json_413,
    layer_errors_use_the_error_shape => super::layer_errors_use_the_error_shape,
}
