//! The HTTP edge as an attacker meets it: slow headers, slow bodies, oversized and malformed
//! calls, and what every response says about itself (CSP with a fresh nonce, framing, caching).

use crate::helpers::*;
use mir_leaderboard::config::EdgeLimits;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

fn quick_edge() -> EdgeLimits {
    EdgeLimits {
        header_timeout: Duration::from_secs(1),
        request_timeout: Duration::from_secs(5),
        upload_timeout: Duration::from_secs(3),
        min_body_bytes: 1024,
        body_rate_window: Duration::from_secs(1),
        ..EdgeLimits::default()
    }
}

async fn connect(app: &TestApp) -> TcpStream {
    TcpStream::connect(app.address.trim_start_matches("http://")).await.expect("connect")
}

/// Reads until the server closes the connection (or `limit` passes); returns what arrived.
async fn read_until_closed(s: &mut TcpStream, limit: Duration) -> (String, Duration) {
    let started = Instant::now();
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    while started.elapsed() < limit {
        match tokio::time::timeout(limit - started.elapsed(), s.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) | Err(_) => break,
            Ok(Ok(n)) => out.extend_from_slice(&buf[..n]),
        }
    }
    (String::from_utf8_lossy(&out).into_owned(), started.elapsed())
}

#[tokio::test]
async fn headers_that_trickle_in_are_cut_off() {
    let app = spawn_app_with(Options { edge: Some(quick_edge()), ..Default::default() }).await;
    let mut s = connect(&app).await;
    s.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n").await.unwrap();
    // One more header line every 400 ms would keep an idle timeout happy forever.
    let writer = async {
        for i in 0..20 {
            tokio::time::sleep(Duration::from_millis(400)).await;
            if s.write_all(format!("X-Slow-{i}: 1\r\n").as_bytes()).await.is_err() {
                break;
            }
        }
    };
    let started = Instant::now();
    tokio::time::timeout(Duration::from_secs(9), writer).await.expect("the writer stops");
    // The server hung up after its 1 s header deadline, although a line arrived every 400 ms
    // (writing to a closed socket fails from the second write on).
    assert!(started.elapsed() < Duration::from_secs(4), "cut off after {:?}", started.elapsed());
    let (got, _) = read_until_closed(&mut s, Duration::from_secs(1)).await;
    assert!(!got.starts_with("HTTP/1.1 200"), "no response for an unfinished head: {got}");
}

#[tokio::test]
async fn a_body_below_the_minimum_rate_is_cut_off_and_stores_nothing() {
    let app = spawn_app_with(Options { edge: Some(quick_edge()), ..Default::default() }).await;
    let before = app.store_counts().await;
    let mut s = connect(&app).await;
    let head = "POST /api/v1/submissions HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=b\r\nContent-Length: 100000\r\n\r\n--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"x.zip\"\r\n\r\n";
    s.write_all(head.as_bytes()).await.unwrap();
    let started = Instant::now();
    let (response, _) = {
        let (mut r, mut w) = s.split();
        let trickle = async {
            for _ in 0..40 {
                tokio::time::sleep(Duration::from_millis(200)).await;
                if w.write_all(b"0123456789").await.is_err() {
                    break;
                }
            }
        };
        let read = async {
            let mut out = Vec::new();
            let mut buf = [0u8; 4096];
            while let Ok(Ok(n)) = tokio::time::timeout(Duration::from_secs(8), r.read(&mut buf)).await {
                if n == 0 {
                    break;
                }
                out.extend_from_slice(&buf[..n]);
                if out.windows(4).any(|w| w == b"\r\n\r\n") && out.ends_with(b"}") {
                    break;
                }
            }
            String::from_utf8_lossy(&out).into_owned()
        };
        let (_, text) = tokio::join!(tokio::time::timeout(Duration::from_secs(8), trickle), read);
        (text, ())
    };
    assert!(started.elapsed() < Duration::from_secs(5), "{:?}", started.elapsed());
    assert!(response.starts_with("HTTP/1.1 408"), "{response}");
    assert!(response.contains("arrived too slowly"), "{response}");
    assert_eq!(app.store_counts().await, before);
}

#[tokio::test]
async fn oversized_and_malformed_calls_get_a_4xx() {
    let app = spawn_app().await;
    // Declared larger than any form: refused before a byte of it is read.
    let mut s = connect(&app).await;
    s.write_all(b"POST /fn/sign-in HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 8388608\r\n\r\n")
        .await
        .unwrap();
    let (response, _) = read_until_closed(&mut s, Duration::from_secs(5)).await;
    assert!(response.starts_with("HTTP/1.1 413"), "{response}");
    assert!(response.contains("\"error\":\"too_large\""), "{response}");

    // A server function called without a field it needs.
    let r =
        app.client.post(app.url("/fn/moderate")).form(&[("id", "1"), ("decision", "approve")]).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 400, "{:?}", r.text().await);
    // Garbage instead of a form.
    let r = app
        .client
        .post(app.url("/fn/sign-in"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(vec![0xff, 0xfe, 0x00])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 400);
    // A maintainer action without a session is a 401, with a stale form token a 403.
    let r = app.client.post(app.url("/fn/sign-out")).form(&[("csrf", "x")]).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 401);
}

#[tokio::test]
async fn every_page_gets_a_strict_policy_with_its_own_nonce() {
    let app = spawn_app().await;
    let mut nonces = vec![];
    for _ in 0..2 {
        let r = app.get("/").await;
        let csp = r.headers()["content-security-policy"].to_str().unwrap().to_owned();
        assert!(csp.contains("frame-ancestors 'none'") && csp.contains("'wasm-unsafe-eval'"), "{csp}");
        assert!(!csp.contains("unsafe-inline"), "{csp}");
        assert!(r.headers().contains_key("permissions-policy"));
        assert!(!r.headers().contains_key("strict-transport-security"), "only with MIR_HTTPS");
        let nonce = csp.split("'nonce-").nth(1).and_then(|t| t.split('\'').next()).expect("a nonce").to_owned();
        let html = r.text().await.unwrap();
        let doc = scraper::Html::parse_document(&html);
        let scripts: Vec<_> = doc.select(&scraper::Selector::parse("script").unwrap()).collect();
        assert!(!scripts.is_empty(), "the page has its bootstrap script");
        for s in scripts {
            assert_eq!(s.value().attr("nonce"), Some(nonce.as_str()), "every script carries the response's nonce");
        }
        assert!(!html.contains(" style=\""), "no inline styles");
        nonces.push(nonce);
    }
    assert_ne!(nonces[0], nonces[1], "a fresh nonce per response");
    let svg = app.get("/charts/capability.svg").await;
    let csp = svg.headers()["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("style-src 'unsafe-inline'") && !csp.contains("script-src"), "{csp}");
    assert!(svg.headers().contains_key("permissions-policy"), "an SVG opened on its own is a document");
    let json = app.get("/api/v1/leaderboard").await;
    assert_eq!(json.headers()["content-security-policy"], "default-src 'none'; frame-ancestors 'none'");
    assert!(!json.headers().contains_key("permissions-policy"), "data gets no window, so no feature policy");
    assert_eq!(json.headers()["x-content-type-options"], "nosniff");
}

#[tokio::test]
async fn pages_with_secrets_are_never_stored_and_https_sites_say_so() {
    let app = spawn_app_with(Options { admin_token: true, https: true, ..Default::default() }).await;
    assert_eq!(app.get("/admin").await.headers()["cache-control"], "no-store");
    let r = app.get("/").await;
    assert!(r.headers().get("cache-control").is_none_or(|v| v != "no-store"), "public pages may be cached");
    assert!(r.headers()["strict-transport-security"].to_str().unwrap().starts_with("max-age="));
    app.sign_in().await;
    assert_eq!(app.get("/").await.headers()["cache-control"], "no-store", "a maintainer's pages carry a CSRF token");
}

#[tokio::test]
async fn uploads_wait_for_a_free_slot_then_get_503() {
    let edge =
        EdgeLimits { max_concurrent_ingests: 0, ingest_wait: Duration::from_millis(300), ..EdgeLimits::default() };
    let app = spawn_app_with(Options { edge: Some(edge), ..Default::default() }).await;
    let tree = app.write_tree("m", &cells(2), &|_, _, _| mir_leaderboard::demo::Answer::Refusal);
    let before = app.store_counts().await;
    let r =
        app.client
            .post(app.url("/api/v1/submissions"))
            .multipart(reqwest::multipart::Form::new().text("model", "Busy-VLM").part(
                "file",
                reqwest::multipart::Part::bytes(zip_dir(&tree, tree.parent().unwrap())).file_name("m.zip"),
            ))
            .send()
            .await
            .unwrap();
    assert_eq!(r.status().as_u16(), 503);
    assert_eq!(r.headers()["retry-after"], "5");
    assert_eq!(app.store_counts().await, before);
}

#[tokio::test]
async fn shutdown_waits_for_requests_only_as_long_as_the_grace() {
    use mir_leaderboard::config::Settings;
    use mir_leaderboard::startup;
    let dir = tempfile::tempdir().unwrap();
    let url = match std::env::var("TEST_DATABASE_URL").ok().filter(|u| !u.is_empty()) {
        Some(_) => return, // the store does not matter here; one backend is enough
        None => format!("sqlite://{}", dir.path().join("s.db").display()),
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let mut settings = Settings::for_tests(&url, addr);
    settings.edge.shutdown_grace = Duration::from_secs(1);
    settings.upload_dir = dir.path().join("uploads");
    let state = startup::build_state(settings).await.unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(startup::run_until(listener, state, async {
        let _ = stopped.await;
    }));
    // A slow upload is in flight when the server is asked to stop.
    let mut s = TcpStream::connect(addr).await.unwrap();
    s.write_all(b"POST /api/v1/submissions HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=b\r\nContent-Length: 1000000\r\n\r\n--b\r\n")
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    let started = Instant::now();
    stop.send(()).unwrap();
    tokio::time::timeout(Duration::from_secs(5), server).await.expect("the server stopped").unwrap().unwrap();
    assert!(started.elapsed() < Duration::from_secs(3), "{:?}", started.elapsed());
    assert!(TcpStream::connect(addr).await.is_err(), "no new connections after shutdown");
}
