//! Crash safety: a server or an import killed at any moment (SIGKILL, no chance to clean up)
//! leaves no partial submission, and the next start serves; and several app servers on one
//! store see every decision at once.

use crate::helpers::*;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// Every stored submission is whole: all its items, its cells summing to them, its history.
async fn assert_no_partial_submission(app: &TestApp) {
    use sqlx::Row;
    let rows = sqlx::query(
        "SELECT s.id, s.items_total,
                (SELECT COUNT(*) FROM item_labels i WHERE i.submission_id = s.id) AS items,
                (SELECT COALESCE(SUM(c.total), 0) FROM cell_counts c WHERE c.submission_id = s.id) AS cells,
                (SELECT COUNT(*) FROM submission_events e WHERE e.submission_id = s.id) AS events
         FROM submissions s WHERE s.granularity = 'items'",
    )
    .fetch_all(&app.pool)
    .await
    .expect("query");
    for r in rows {
        let (id, total): (i64, i64) = (r.get("id"), r.get("items_total"));
        assert_eq!(r.get::<i64, _>("items"), total, "submission #{id}: every item label");
        assert_eq!(r.get::<i64, _>("cells"), total, "submission #{id}: cells sum to the items");
        assert!(r.get::<i64, _>("events") >= 1, "submission #{id}: its history");
    }
    let orphans: i64 =
        sqlx::query("SELECT COUNT(*) AS n FROM item_labels WHERE submission_id NOT IN (SELECT id FROM submissions)")
            .fetch_one(&app.pool)
            .await
            .expect("query")
            .get("n");
    assert_eq!(orphans, 0);
}

/// Starts the real binary as a server on this test's store; returns it and its address.
fn start_server(app: &TestApp) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_mir-leaderboard"))
        .arg("serve")
        .env("DATABASE_URL", &app.database_url)
        .env("LEPTOS_SITE_ADDR", "127.0.0.1:0")
        .env("MIR_UPLOAD_DIR", app.dir.path().join("child-uploads"))
        .env("MIR_UPLOADS_PER_HOUR", "1000")
        .env("RUST_LOG", "info")
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("start the server");
    let stderr = child.stderr.take().expect("stderr");
    let mut lines = BufReader::new(stderr).lines();
    let address = loop {
        let line = lines.next().expect("the server says where it serves").expect("read");
        if let Some(at) = line.find("serving on http://") {
            break line[at + "serving on ".len()..].trim().to_owned();
        }
    };
    // Keep draining its log so it never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    (child, address)
}

#[tokio::test]
async fn a_server_killed_during_uploads_leaves_no_partial_submission() {
    let app = spawn_app().await;
    let client = reqwest::Client::new();
    let mut accepted = 0;
    for (i, delay_ms) in [0u64, 20, 40, 60, 80, 120, 160, 220, 300, 400, 600, 900].into_iter().enumerate() {
        let zip = app.dir.path().join(format!("run{i}.zip"));
        mir_leaderboard::demo::write_sample_zip(&zip, i).expect("sample zip");
        let bytes = std::fs::read(&zip).expect("read zip");
        let (mut server, address) = start_server(&app);
        let url = format!("{address}/api/v1/submissions");
        let c = client.clone();
        let upload = tokio::spawn(async move {
            let form = reqwest::multipart::Form::new()
                .text("model", format!("Crash-{i}"))
                .part("file", reqwest::multipart::Part::bytes(bytes).file_name("run.zip"));
            c.post(url).multipart(form).send().await.map(|r| r.status().as_u16())
        });
        tokio::time::sleep(Duration::from_millis(delay_ms)).await;
        server.kill().expect("SIGKILL");
        server.wait().expect("reaped");
        if let Ok(Ok(201)) = upload.await {
            accepted += 1;
        }
        assert_no_partial_submission(&app).await;
    }
    // The next start serves, with whatever landed whole.
    let (mut server, address) = start_server(&app);
    for path in ["/healthz", "/", "/submissions", "/api/v1/submissions"] {
        let r = client.get(format!("{address}{path}")).send().await.expect("GET");
        assert_eq!(r.status().as_u16(), 200, "{path}");
    }
    let (_, list) = app.get_json("/api/v1/submissions").await;
    assert!(list["submissions"].as_array().unwrap().len() >= accepted, "every accepted upload is stored");
    server.kill().ok();
    server.wait().ok();
}

#[tokio::test]
async fn an_import_killed_at_any_moment_leaves_no_partial_submission() {
    let app = spawn_app().await;
    let tree = app.write_tree("big", &mir_leaderboard::demo::full_run_cells(), &crate::leaderboard::reference_pattern);
    let (mut landed, mut killed) = (0, 0);
    // Kill points from "at once" to "surely done"; under load an import takes longer, so the
    // last ones grow until one import has landed.
    let mut delays = vec![5u64, 30, 60, 90, 120, 160, 200, 260, 330, 450, 800];
    let mut i = 0;
    while i < delays.len() {
        let delay_ms = delays[i];
        let before = app.store_counts().await[1];
        let mut import = Command::new(env!("CARGO_BIN_EXE_mir-leaderboard"))
            .args(["import", tree.to_str().unwrap(), "--model", &format!("Import-{i}")])
            .env("DATABASE_URL", &app.database_url)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start the import");
        tokio::time::sleep(Duration::from_millis(delay_ms)).await;
        import.kill().ok();
        import.wait().expect("reaped");
        assert_no_partial_submission(&app).await;
        if app.store_counts().await[1] > before {
            landed += 1
        } else {
            killed += 1
        }
        if i + 1 == delays.len() && landed == 0 && delay_ms < 20_000 {
            delays.push(delay_ms * 2);
        }
        i += 1;
    }
    // The delays bracket an import's run time, so both outcomes were exercised.
    assert!(landed >= 1 && killed >= 1, "landed {landed}, killed first {killed}");
    let (status, _) = app.get_text("/").await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn two_app_servers_on_one_store_see_every_decision_at_once() {
    let a = spawn_app_with(Options { admin_token: true, ..Default::default() }).await;
    let b = a.second_server().await;
    let tree = a.write_tree("m", &crate::leaderboard::reference_cells(), &crate::leaderboard::reference_pattern);
    let (status, created) =
        b.api_upload(&[("model", "Shared-VLM")], "m.zip", zip_dir(&tree, tree.parent().unwrap())).await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].to_string();
    let ranked =
        |json: &serde_json::Value| json["entries"].as_array().unwrap().iter().any(|e| e["model"] == "Shared-VLM");
    // Both have served (and cached) the board before the decision.
    assert!(!ranked(&a.get_json("/api/v1/leaderboard").await.1));
    assert!(!ranked(&b.get_json("/api/v1/leaderboard").await.1));

    // Approved through A: both show it on their very next request.
    let csrf = a.sign_in().await;
    let r = a.post_form("/fn/moderate", &[("id", &id), ("decision", "approve"), ("csrf", &csrf)]).await;
    assert_eq!(r.status().as_u16(), 302);
    assert!(ranked(&a.get_json("/api/v1/leaderboard").await.1));
    assert!(ranked(&b.get_json("/api/v1/leaderboard").await.1));
    let (_, page) = b.get_text("/").await;
    assert!(page.contains("Shared-VLM"));

    // Withdrawn through B (its own sign-in; sessions live in the store): gone from both.
    let csrf = b.sign_in().await;
    let r = b
        .post_form("/fn/moderate", &[("id", &id), ("decision", "reject"), ("reason", "withdrawn"), ("csrf", &csrf)])
        .await;
    assert_eq!(r.status().as_u16(), 302);
    assert!(!ranked(&a.get_json("/api/v1/leaderboard").await.1));
    assert!(!ranked(&b.get_json("/api/v1/leaderboard").await.1));
}
