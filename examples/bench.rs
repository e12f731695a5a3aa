//! Speed and memory benchmark: a release server on a fresh SQLite store filled with the sample
//! line-up (26 models, full runs), measured from a client in the same process.
//!
//!     cargo run --release --features ssr --example bench [-- --requests 200 --concurrency 8]
//!
//! Prints latency percentiles per endpoint, the time to validate and store a full harness
//! upload, and the process's peak resident memory. Targets (from what users of leaderboards
//! ask for: pages that load at once): every page and API view under 100 ms at p95 with 8
//! concurrent clients, a full upload validated in under 2 s, peak memory under 300 MiB.

use mir_leaderboard::config::Settings;
use mir_leaderboard::{demo, startup};
use std::time::{Duration, Instant};

fn arg(name: &str, default: usize) -> usize {
    let args: Vec<String> = std::env::args().collect();
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

#[tokio::main]
async fn main() {
    let requests = arg("--requests", 200);
    let concurrency = arg("--concurrency", 8).max(1);
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("bench.db").display());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let mut settings = Settings::for_tests(&url, addr);
    settings.uploads_per_hour = 1_000_000;
    let state = startup::build_state(settings).await.expect("state");
    let t = Instant::now();
    let models = demo::seed_if_empty(&state.pool).await.expect("seed");
    println!("seeded {models} sample models (full runs, per-item labels) in {:.1} s", t.elapsed().as_secs_f64());
    tokio::spawn(async move { startup::run(listener, state).await });
    let base = format!("http://{addr}");
    let client = reqwest::Client::new();
    let slugs: Vec<String> = client
        .get(format!("{base}/api/v1/leaderboard"))
        .send()
        .await
        .expect("leaderboard")
        .json::<serde_json::Value>()
        .await
        .expect("json")["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .map(|e| e["slug"].as_str().unwrap_or_default().to_owned())
        .collect();
    let (a, b) = (&slugs[0], &slugs[1]);
    let endpoints = [
        ("page /", "/".to_owned()),
        (
            "page / sorted+filtered",
            "/?access=open&sort=Temporal_Jump&dir=desc&cols=relations,categories,safety".to_owned(),
        ),
        ("api leaderboard json", "/api/v1/leaderboard".to_owned()),
        ("api leaderboard csv", "/api/v1/leaderboard.csv".to_owned()),
        ("page model", format!("/models/{a}")),
        ("page relation", "/relations/temporal-jump".to_owned()),
        ("page compare", format!("/compare?models={a},{b}")),
        ("api compare", format!("/api/v1/compare?models={a},{b}")),
        ("chart model relations", format!("/charts/models/{a}/relations.svg")),
        ("chart model heatmap", format!("/charts/models/{a}/heatmap.svg")),
        ("page insights", "/insights".to_owned()),
    ];
    println!("\n{requests} requests per endpoint, {concurrency} concurrent clients (release build, SQLite)\n");
    println!("{:<28} {:>9} {:>9} {:>9} {:>10}", "endpoint", "p50 ms", "p95 ms", "max ms", "req/s");
    let mut worst_p95 = Duration::ZERO;
    for (label, path) in endpoints {
        let url = format!("{base}{path}");
        // One warm-up request so first-use costs (statement preparation) are not measured.
        client.get(&url).send().await.expect("warm-up").bytes().await.expect("body");
        let started = Instant::now();
        let mut tasks = Vec::new();
        for worker in 0..concurrency {
            let (client, url) = (client.clone(), url.clone());
            let n = requests / concurrency + usize::from(worker < requests % concurrency);
            tasks.push(tokio::spawn(async move {
                let mut times = Vec::with_capacity(n);
                for _ in 0..n {
                    let t = Instant::now();
                    let r = client.get(&url).send().await.expect("request");
                    assert!(r.status().is_success(), "{url}: {}", r.status());
                    r.bytes().await.expect("body");
                    times.push(t.elapsed());
                }
                times
            }));
        }
        let mut times = Vec::new();
        for t in tasks {
            times.extend(t.await.expect("worker"));
        }
        let wall = started.elapsed();
        times.sort();
        let p95 = percentile(&times, 0.95);
        worst_p95 = worst_p95.max(p95);
        println!(
            "{:<28} {:>9.1} {:>9.1} {:>9.1} {:>10.0}",
            label,
            percentile(&times, 0.5).as_secs_f64() * 1e3,
            p95.as_secs_f64() * 1e3,
            times.last().copied().unwrap_or_default().as_secs_f64() * 1e3,
            times.len() as f64 / wall.as_secs_f64()
        );
    }

    // A full harness run (2,676 items) through the pipeline API: stream, validate, store.
    let zip = dir.path().join("sample.zip");
    demo::write_sample_zip(&zip, 77).expect("sample zip");
    let bytes = std::fs::read(&zip).expect("zip");
    let t = Instant::now();
    let form = reqwest::multipart::Form::new()
        .text("model", "Sample Bench Upload 7B")
        .part("file", reqwest::multipart::Part::bytes(bytes.clone()).file_name("sample.zip"));
    let r = client.post(format!("{base}/api/v1/submissions")).multipart(form).send().await.expect("upload");
    let upload = t.elapsed();
    assert_eq!(r.status().as_u16(), 201, "upload failed");
    println!(
        "\nfull upload ({} KiB zip, 2,676 items): validated and stored in {:.0} ms",
        bytes.len() / 1024,
        upload.as_secs_f64() * 1e3
    );
    let rss = peak_rss_mib();
    println!(
        "peak resident memory of the process: {}",
        rss.map(|m| format!("{m:.0} MiB")).unwrap_or_else(|| "unknown".into())
    );
    let ok = worst_p95 < Duration::from_millis(100) && upload < Duration::from_secs(2) && rss.is_none_or(|m| m < 300.0);
    println!("\ntargets (p95 < 100 ms, upload < 2 s, peak < 300 MiB): {}", if ok { "met" } else { "NOT met" });
}
