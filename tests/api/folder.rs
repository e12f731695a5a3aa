//! Folder uploads: a browser's directory picker sends the results folder as repeated `files`
//! parts whose file names carry the relative paths; the server reads them as the same tree,
//! through the same ingest, limits and errors as an archive.

use crate::helpers::*;
use mir_leaderboard::demo::Answer;
use reqwest::multipart::{Form, Part};
use std::path::Path;

/// A folder upload's parts: (relative path, bytes).
type Parts = Vec<(String, Vec<u8>)>;

/// Every file under `dir`, as (path relative to `base`, bytes), in path order.
fn folder_parts(dir: &Path, base: &Path) -> Parts {
    let mut out = vec![];
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(base).unwrap().to_string_lossy().replace('\\', "/");
                out.push((rel, std::fs::read(&p).unwrap()));
            }
        }
    }
    out.sort();
    out
}

async fn send(
    app: &TestApp,
    fields: &[(&str, &str)],
    parts: Vec<(String, Vec<u8>)>,
    also_file: bool,
) -> (u16, serde_json::Value) {
    let mut form = Form::new();
    for (k, v) in fields {
        form = form.text(k.to_string(), v.to_string());
    }
    for (name, bytes) in parts {
        form = form.part("files", Part::bytes(bytes).file_name(name));
    }
    if also_file {
        form = form.part("file", Part::bytes(b"PK\x05\x06".to_vec()).file_name("x.zip"));
    }
    let r = app.client.post(app.url("/api/v1/submissions")).multipart(form).send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(serde_json::Value::Null))
}

fn pattern(
    _: mir_leaderboard::domain::taxonomy::RiskCategory,
    r: mir_leaderboard::domain::taxonomy::Relation,
    i: u32,
) -> Answer {
    if (i + r as u32).is_multiple_of(3) { Answer::Unsafe } else { Answer::Refusal }
}

#[tokio::test]
async fn a_folder_uploads_as_the_same_tree_as_its_archive() {
    let app = spawn_app().await;
    let tree = app.write_tree("my-vlm", &cells(3), &pattern);
    let parts = folder_parts(&tree, tree.parent().unwrap());
    assert_eq!(parts.len(), 54, "6 categories x 9 relations");
    let (status, folder) = send(&app, &[("model", "Folder VLM")], parts.clone(), false).await;
    assert_eq!(status, 201, "{folder}");
    assert_eq!(folder["archive_kind"], "directory");

    // The same files as a zip give the same figures, to the item.
    let zip = zip_dir(&tree, tree.parent().unwrap());
    let (status, zipped) = app.api_upload(&[("model", "Zipped VLM")], "my-vlm.zip", zip).await;
    assert_eq!(status, 201, "{zipped}");
    assert_eq!(folder["report"], zipped["report"]);
    assert!(folder["report"].is_object());

    // The same folder again is the same upload.
    let (status, again) = send(&app, &[("model", "Folder VLM")], parts, false).await;
    assert_eq!(status, 409, "{again}");
}

#[tokio::test]
async fn hostile_folders_are_refused_like_hostile_archives() {
    let app = spawn_app_with(Options { max_uncompressed: Some(4_000), ..Default::default() }).await;
    let tree = app.write_tree("m", &cells(1), &pattern);
    let good = folder_parts(&tree, tree.parent().unwrap());
    let before = app.store_counts().await;
    let one = |name: &str| vec![(name.to_owned(), b"{}".to_vec())];
    let cases: Vec<(Parts, u16, &str)> = vec![
        (one("../../etc/passwd"), 422, "uses `..` to point outside"),
        (one("/etc/passwd"), 422, "absolute path"),
        (one("m/Hate_Speech/\u{202E}nosylanA.json"), 422, "text-direction"),
        (vec![("m/a.json".into(), b"{}".to_vec()), ("m/./a.json".into(), b"{}".to_vec())], 422, "same path"),
        (good.clone(), 422, "in total"),
    ];
    for (parts, want, says) in cases {
        let (status, body) = send(&app, &[("model", "Hostile")], parts, false).await;
        assert_eq!(status, want, "{body}");
        assert!(body.to_string().contains(says), "expected {says:?} in {body}");
    }
    let (status, body) = send(&app, &[("model", "Both")], one("m/a.json"), true).await;
    assert_eq!(status, 422, "{body}");
    assert!(body.to_string().contains("either one archive"), "{body}");
    assert_eq!(app.store_counts().await, before, "nothing was stored");
}

#[tokio::test]
async fn an_empty_folder_input_beside_an_archive_is_no_folder() {
    // A form posted without JavaScript sends the empty folder input as one nameless, empty part.
    let app = spawn_app().await;
    let tree = app.write_tree("m", &cells(1), &pattern);
    let zip = zip_dir(&tree, tree.parent().unwrap());
    let form = Form::new()
        .text("model", "Form VLM")
        .part("file", Part::bytes(zip).file_name("m.zip"))
        .part("files", Part::bytes(Vec::new()).file_name(""));
    let r = app.client.post(app.url("/api/v1/submissions")).multipart(form).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 201, "{}", r.text().await.unwrap());
}
