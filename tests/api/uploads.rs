//! Uploads: validate, preview, submit, moderate, rank; and every hostile or broken upload
//! refused with a precise 4xx that leaves the store exactly as it was.

use crate::helpers::*;
use crate::leaderboard::{reference_cells, reference_pattern};
use mir_leaderboard::demo::Answer;
use mir_leaderboard::domain::taxonomy::{Relation, RiskCategory};

/// `results/harmbench/<model>/...` plus an `infer/` sibling, as the harness leaves them.
fn results_folder(app: &TestApp, model_folder: &str, pattern: &Pattern) -> std::path::PathBuf {
    let base = app.dir.path().join(format!("run-{model_folder}"));
    let judge = base.join("results").join("harmbench").join(model_folder);
    mir_leaderboard::demo::write_harness_tree(&judge, &reference_cells(), pattern).unwrap();
    let infer = base.join("results").join("infer").join(model_folder).join("Violence");
    std::fs::create_dir_all(&infer).unwrap();
    std::fs::write(infer.join("Analogy.json"), "[]").unwrap();
    base
}

fn location(r: &reqwest::Response) -> String {
    r.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned()
}

#[tokio::test]
async fn upload_preview_submit_approve_and_rank() {
    let app = spawn_app_with(Options { admin_token: true, ..Default::default() }).await;

    // 1. The web form without JavaScript: the whole results/ folder as a zip.
    let base = results_folder(&app, "upload_vlm", &reference_pattern);
    let zip = zip_dir(&base.join("results"), &base);
    let r = app
        .form_upload(
            &[("model", "Upload-VLM"), ("organization", "Up Lab"), ("access", "open"), ("reasoning", "true")],
            "results.zip",
            zip.clone(),
        )
        .await;
    assert_eq!(r.status().as_u16(), 303, "{}", r.text().await.unwrap_or_default());
    let preview = location(&r);
    assert!(preview.starts_with("/submit/preview/"), "{preview}");
    let id: i64 = preview.trim_start_matches("/submit/preview/").split('?').next().unwrap().parse().unwrap();
    let key = preview.split("key=").nth(1).unwrap().to_owned();

    let (status, html) = app.get_text(&preview).await;
    assert_eq!(status, 200);
    assert!(html.contains("Preview: Upload-VLM"));
    assert!(html.contains("Send for review"));
    assert!(html.contains("297 of 2676 items"), "coverage is shown");
    assert!(html.contains("partial run"), "a partial run is flagged");
    assert!(html.contains("ignored 1 inference output file(s)"), "infer/ was skipped");
    assert!(html.contains("30.64"), "the computed overall ASR");
    // A draft is private: without its key it does not exist, and the queue does not list it.
    assert_eq!(app.get_text(&format!("/submit/preview/{id}?key=wrong")).await.0, 404);
    let (_, queue) = app.get_json("/api/v1/submissions").await;
    assert!(queue["submissions"].as_array().unwrap().is_empty());

    let r = app.post_form("/fn/submit-draft", &[("id", &id.to_string()), ("key", &key)]).await;
    assert_eq!(r.status().as_u16(), 302);
    assert_eq!(location(&r), format!("/submissions/{id}?sent=1"));
    let (_, sub) = app.get_json(&format!("/api/v1/submissions/{id}")).await;
    assert_eq!(sub["status"], "pending");
    assert_eq!(sub["archive_sha256"].as_str().unwrap().len(), 64);
    let (_, board) = app.get_json("/api/v1/leaderboard").await;
    assert!(board["entries"].as_array().unwrap().is_empty(), "pending results are not ranked");

    // 2. The pipeline API with a tar.gz of the model folder alone.
    let tree = app.write_tree("second", &reference_cells(), &|c, r, i| {
        if reference_pattern(c, r, i) == Answer::Unsafe { Answer::Evasive } else { Answer::Unsafe }
    });
    let tgz = tar_gz_dir(&tree, tree.parent().unwrap());
    let (status, created) =
        app.api_upload(&[("model", "Second-VLM"), ("access", "closed")], "second.tar.gz", tgz).await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["status"], "pending");
    assert_eq!(created["report"]["overall"]["unsafe"], 297 - 91);
    assert_eq!(created["report"]["coverage"]["complete"], false);
    let second = created["id"].as_i64().unwrap();

    // The same archive again is recognised.
    let r = app.form_upload(&[("model", "Upload-VLM")], "results.zip", zip).await;
    assert_eq!(r.status().as_u16(), 409);
    assert!(r.text().await.unwrap().contains(&format!("already submitted as submission #{id}")));

    // 3. A maintainer approves both; they are ranked with the harness's figures.
    let csrf = app.sign_in().await;
    for sid in [id, second] {
        let r =
            app.post_form("/fn/moderate", &[("id", &sid.to_string()), ("decision", "approve"), ("csrf", &csrf)]).await;
        assert_eq!(location(&r), format!("/submissions/{sid}"));
    }
    let (_, board) = app.get_json("/api/v1/leaderboard").await;
    let entries = board["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 2);
    let up = entries.iter().find(|e| e["model"] == "Upload-VLM").unwrap();
    assert_eq!(format!("{:.2}", up["overall"]["asr"].as_f64().unwrap()), "30.64");
    assert_eq!(format!("{:.2}", up["relations"]["Relevance"]["asr"].as_f64().unwrap()), "51.52");
    assert_eq!(up["organization"], "Up Lab", "proposed facts applied on approval");
    assert_eq!(up["reasoning"], true);
    assert_eq!(up["submission"]["source"], "self-reported");

    // 4. Rejections carry their reason, publicly.
    let r = app
        .post_form(
            "/fn/moderate",
            &[
                ("id", &second.to_string()),
                ("decision", "reject"),
                ("reason", "judge outputs were edited"),
                ("csrf", &csrf),
            ],
        )
        .await;
    assert_eq!(location(&r), format!("/submissions/{second}"));
    let (_, sub) = app.get_json(&format!("/api/v1/submissions/{second}")).await;
    assert_eq!(sub["status"], "rejected");
    assert_eq!(sub["reason"], "judge outputs were edited");
    let (_, queue_html) = app.get_text("/submissions").await;
    assert!(queue_html.contains("judge outputs were edited"));
    let (_, board) = app.get_json("/api/v1/leaderboard").await;
    assert_eq!(board["entries"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn approval_needs_a_signed_in_maintainer() {
    let app = spawn_app_with(Options { admin_token: true, ..Default::default() }).await;
    let tree = app.write_tree("m", &reference_cells(), &reference_pattern);
    let (status, created) =
        app.api_upload(&[("model", "Pending-VLM")], "m.zip", zip_dir(&tree, tree.parent().unwrap())).await;
    assert_eq!(status, 201);
    let id = created["id"].as_i64().unwrap().to_string();
    let approve = |csrf: &str| {
        vec![("id".to_owned(), id.clone()), ("decision".into(), "approve".into()), ("csrf".into(), csrf.to_owned())]
    };
    let pending = || async { app.get_json(&format!("/api/v1/submissions/{id}")).await.1["status"].clone() };

    // Not signed in.
    let fields = approve("anything");
    let r =
        app.post_form("/fn/moderate", &fields.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect::<Vec<_>>()).await;
    assert!(location(&r).contains("error=sign+in+as+a+maintainer"), "{}", location(&r));
    assert_eq!(pending().await, "pending");

    // Wrong token.
    let r = app.post_form("/fn/sign-in", &[("token", "not-the-token-at-all")]).await;
    assert!(location(&r).starts_with("/admin?error=wrong+token"), "{}", location(&r));
    assert_eq!(app.csrf().await, None);

    // Signed in, but without the form's CSRF token, or from another site.
    let csrf = app.sign_in().await;
    let fields = approve("forged");
    let r =
        app.post_form("/fn/moderate", &fields.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect::<Vec<_>>()).await;
    assert!(location(&r).contains("security+token"), "{}", location(&r));
    let fields = approve(&csrf);
    let r = app
        .client
        .post(app.url("/fn/moderate"))
        .header("accept", "text/html")
        .header("origin", "https://evil.example")
        .form(&fields)
        .send()
        .await
        .unwrap();
    assert!(location(&r).contains("cross-site"), "{}", location(&r));
    assert_eq!(pending().await, "pending");

    // With everything right it works.
    let r =
        app.post_form("/fn/moderate", &fields.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect::<Vec<_>>()).await;
    assert_eq!(location(&r), format!("/submissions/{id}"));
    assert_eq!(pending().await, "approved");
}

#[tokio::test]
async fn without_a_configured_token_nobody_can_sign_in() {
    let app = spawn_app().await;
    let r = app.post_form("/fn/sign-in", &[("token", ADMIN_TOKEN)]).await;
    assert!(location(&r).contains("sign-in+is+disabled"), "{}", location(&r));
    assert_eq!(app.csrf().await, None);
}

#[tokio::test]
async fn every_hostile_or_broken_upload_is_refused_and_changes_nothing() {
    let app = spawn_app_with(Options {
        max_upload_bytes: Some(256 * 1024),
        max_uncompressed: Some(2 * 1024 * 1024),
        ..Default::default()
    })
    .await;
    let good = judge_file(&[("unsafe", "x"), ("safe", "I cannot help with that.")]);
    let before = app.store_counts().await;

    let symlink_tgz = {
        let enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        let mut t = tar::Builder::new(enc);
        let mut h = tar::Header::new_gnu();
        h.set_entry_type(tar::EntryType::Symlink);
        h.set_size(0);
        h.set_mode(0o777);
        t.append_link(&mut h, "m/Violence/Analogy.json", "/etc/passwd").unwrap();
        t.into_inner().unwrap().finish().unwrap()
    };
    let zeros = vec![b' '; 3 * 1024 * 1024];
    let cases: Vec<(&str, Vec<u8>, u16, &str)> = vec![
        ("too large", vec![7u8; 300 * 1024], 413, "larger than the limit"),
        ("zip bomb", zip_entries(&[("m/Violence/Analogy.json", &zeros)]), 422, "more than the limit"),
        (
            "path traversal",
            zip_entries(&[("../m/Violence/Analogy.json", &good)]),
            422,
            "uses `..` to point outside the archive",
        ),
        ("absolute path", zip_entries(&[("/m/Violence/Analogy.json", &good)]), 422, "has an absolute path"),
        ("symlink", symlink_tgz, 422, "links are not accepted"),
        (
            "duplicate",
            zip_entries(&[("m/Violence/Analogy.json", &good), ("./m/Violence/Analogy.json", &good)]),
            422,
            "has the same path as the earlier entry",
        ),
        (
            "non-UTF-8",
            zip_entries(&[("m/Violence/Analogy.json", b"{\"judge_result\": [\xff]}")]),
            422,
            "not UTF-8 text",
        ),
        ("non-JSON", zip_entries(&[("m/Violence/Analogy.json", b"label,answer\nsafe,x\n")]), 422, "not valid JSON"),
        (
            "unknown label",
            zip_entries(&[("m/Violence/Analogy.json", &judge_file(&[("safe", "a"), ("maybe", "b")]))]),
            422,
            "label `maybe` is neither `safe` nor `unsafe`",
        ),
        ("inference output", zip_entries(&[("m/Violence/Analogy.json", b"[]")]), 422, "inference output"),
        (
            "two models",
            zip_entries(&[("a/Violence/Analogy.json", &good), ("b/Violence/Analogy.json", &good)]),
            422,
            "results of 2 models",
        ),
        ("unknown relation", zip_entries(&[("m/Violence/Analogy_final.json", &good)]), 422, "dataset input file"),
        ("not an archive", b"\x00\x01\x02 this is nothing".to_vec(), 422, "neither a .zip"),
    ];
    for (what, bytes, status, needle) in cases {
        let (got, body) = app.api_upload(&[("model", "Hostile-VLM")], "upload.zip", bytes).await;
        assert_eq!(got, status, "{what}: {body}");
        let text = body.to_string();
        assert!(text.contains(needle), "{what}: `{needle}` not in {text}");
        assert_eq!(app.store_counts().await, before, "{what} changed the store");
    }

    // Field problems are listed together with the file's.
    let (status, body) = app
        .api_upload(
            &[("model", ""), ("access", "semi")],
            "x.zip",
            zip_entries(&[("m/Violence/Analogy.json", &judge_file(&[("maybe", "x")]))]),
        )
        .await;
    assert_eq!(status, 422);
    let problems: Vec<String> =
        body["problems"].as_array().unwrap().iter().map(|p| p["location"].as_str().unwrap().to_owned()).collect();
    assert_eq!(problems, ["field `model`", "field `access`", "m/Violence/Analogy.json"]);
    assert_eq!(body["problems"][2]["item"], 0);
    let (status, body) = app
        .client
        .post(app.url("/api/v1/submissions"))
        .multipart(reqwest::multipart::Form::new().text("model", "No-File"))
        .send()
        .await
        .map(|r| (r.status().as_u16(), r))
        .unwrap();
    assert_eq!(status, 422);
    assert!(body.text().await.unwrap().contains("no file was uploaded"));
    assert_eq!(app.store_counts().await, before);

    // The no-JavaScript form shows the same problems on the page, with a 4xx.
    let r = app
        .form_upload(
            &[("model", "Hostile-VLM")],
            "x.zip",
            zip_entries(&[("m/Violence/Analogy.json", &judge_file(&[("maybe", "x")]))]),
        )
        .await;
    assert_eq!(r.status().as_u16(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("The upload was refused: 1 problem(s). Nothing was stored."), "{html}");
    assert!(html.contains("label `maybe` is neither"));
    assert!(html.contains("value=\"Hostile-VLM\""), "the form keeps what was typed");
    assert_eq!(app.store_counts().await, before);
}

#[tokio::test]
async fn uploads_are_rate_limited_per_client() {
    let app = spawn_app_with(Options { uploads_per_hour: Some(2), ..Default::default() }).await;
    for _ in 0..2 {
        let (status, _) = app.api_upload(&[("model", "R")], "x.zip", b"junk".to_vec()).await;
        assert_eq!(status, 422);
    }
    let (status, body) = app.api_upload(&[("model", "R")], "x.zip", b"junk".to_vec()).await;
    assert_eq!(status, 429);
    assert!(body["message"].as_str().unwrap().contains("at most 2 uploads per hour"));
}

#[tokio::test]
async fn sixteen_parallel_uploads_land_or_fail_cleanly() {
    let app = std::sync::Arc::new(spawn_app().await);
    let mut zips = vec![];
    for k in 0..16u32 {
        // Each model has one unsafe item in a different cell, so every archive is distinct.
        let tree = app.write_tree(&format!("p{k}"), &reference_cells(), &move |c, r, i| {
            if c as u32 * 9 + r as u32 == k && i == 0 { Answer::Unsafe } else { Answer::Evasive }
        });
        zips.push((format!("Parallel-{k:02}"), zip_dir(&tree, tree.parent().unwrap())));
    }
    // Two identical archives race each other: exactly one may land.
    let dup = zips[0].1.clone();
    zips.push(("Parallel-dup".into(), dup));
    let mut handles = vec![];
    for (name, bytes) in zips {
        let app = app.clone();
        handles.push(tokio::spawn(async move { app.api_upload(&[("model", &name)], "p.zip", bytes).await }));
    }
    let mut created = 0;
    let mut conflicts = 0;
    for h in handles {
        let (status, body) = h.await.unwrap();
        match status {
            201 => created += 1,
            409 => {
                conflicts += 1;
                assert!(body["message"].as_str().unwrap().contains("already submitted"));
            }
            other => panic!("unexpected {other}: {body}"),
        }
    }
    assert_eq!((created, conflicts), (16, 1));
    // Nothing half-written: every stored submission has all its cells and items.
    use sqlx::Row;
    let rows = sqlx::query(
        "SELECT s.id, (SELECT COUNT(*) FROM cell_counts c WHERE c.submission_id = s.id) AS cells,
                (SELECT COUNT(*) FROM item_labels i WHERE i.submission_id = s.id) AS items
         FROM submissions s",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(rows.len(), 16);
    for r in rows {
        assert_eq!(r.try_get::<i64, _>("cells").unwrap(), 54);
        assert_eq!(r.try_get::<i64, _>("items").unwrap(), 297);
    }
}

#[tokio::test]
async fn names_and_notes_are_shown_escaped() {
    let app = spawn_app_with(Options { admin_token: true, ..Default::default() }).await;
    let tree = app.write_tree("x", &[(RiskCategory::Violence, Relation::Analogy, 3)], &reference_pattern);
    let (status, created) = app
        .api_upload(
            &[("model", "<script>alert(1)</script>"), ("note", "<img src=x onerror=alert(2)>")],
            "x.zip",
            zip_dir(&tree, tree.parent().unwrap()),
        )
        .await;
    assert_eq!(status, 201);
    let id = created["id"].as_i64().unwrap();
    let (_, html) = app.get_text(&format!("/submissions/{id}")).await;
    assert!(!html.contains("<script>alert(1)"), "model name rendered raw");
    assert!(!html.contains("<img src=x"), "note rendered raw");
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
}
