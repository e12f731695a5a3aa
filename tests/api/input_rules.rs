//! Input rules for what the public sends: names that hide or impersonate, two files in one
//! upload, uploads from another site's page, spreadsheet formulas, and facts nobody reviewed.

use crate::helpers::*;
use crate::leaderboard::{reference_cells, reference_pattern};
use reqwest::multipart::{Form, Part};

fn upload_form(model: &str, org: Option<&str>, zip: Vec<u8>) -> Form {
    let mut f = Form::new().text("model", model.to_owned());
    if let Some(o) = org {
        f = f.text("organization", o.to_owned()).text("link", "https://evil.example/model".to_owned());
    }
    f.part("file", Part::bytes(zip).file_name("m.zip"))
}

#[tokio::test]
async fn names_that_hide_characters_are_refused_with_the_code_point() {
    let app = spawn_app().await;
    let tree = app.write_tree("m", &cells(2), &reference_pattern);
    let before = app.store_counts().await;
    for (field, value) in
        [("model", "GPT-5\u{202E}lanif"), ("model", "GPT\u{200B}-5"), ("organization", "Open\u{2066}AI")]
    {
        let mut fields = vec![("model", "Fine-VLM")];
        if field == "model" {
            fields[0] = ("model", value);
        } else {
            fields.push((field, value));
        }
        let (status, body) = app.api_upload(&fields, "m.zip", zip_dir(&tree, tree.parent().unwrap())).await;
        assert_eq!(status, 422, "{body}");
        let problem = &body["problems"][0];
        assert_eq!(problem["location"], format!("field `{field}`"));
        assert!(problem["message"].as_str().unwrap().contains("U+2"), "{problem}");
    }
    assert_eq!(app.store_counts().await, before);
}

#[tokio::test]
async fn one_upload_carries_exactly_one_file() {
    let app = spawn_app().await;
    let tree = app.write_tree("m", &cells(2), &reference_pattern);
    let zip = zip_dir(&tree, tree.parent().unwrap());
    let form = upload_form("Two-Files", None, zip.clone()).part("file", Part::bytes(zip).file_name("other.zip"));
    let r = app.client.post(app.url("/api/v1/submissions")).multipart(form).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 400);
    let body: serde_json::Value = r.json().await.unwrap();
    assert!(body["message"].as_str().unwrap().contains("two `file` parts"), "{body}");
    assert_eq!(app.store_counts().await[1], 0);
}

#[tokio::test]
async fn a_browser_on_another_site_cannot_upload_through_the_api() {
    let app = spawn_app().await;
    let tree = app.write_tree("m", &cells(2), &reference_pattern);
    let r = app
        .client
        .post(app.url("/api/v1/submissions"))
        .header("origin", "https://evil.example")
        .multipart(upload_form("Cross-Site", None, zip_dir(&tree, tree.parent().unwrap())))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 403);
    assert_eq!(app.store_counts().await[1], 0);
}

#[tokio::test]
async fn names_reach_the_csv_as_text_not_formulas() {
    let app = spawn_app().await;
    let tree = app.write_tree("m", &cells(2), &reference_pattern);
    let out =
        app.cli(&["import", tree.to_str().unwrap(), "--model", "=HYPERLINK(\"http://x\")", "--organization", "@lab"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let (_, csv) = app.get_text("/api/v1/leaderboard.csv").await;
    let row = csv.lines().nth(1).unwrap();
    assert!(row.contains("\"'=HYPERLINK(\"\"http://x\"\")\""), "{row}");
    assert!(row.contains(",'@lab,"), "{row}");
    // The JSON keeps the name as it is: only spreadsheets need the guard.
    let (_, json) = app.get_json("/api/v1/leaderboard").await;
    assert_eq!(json["entries"][0]["model"], "=HYPERLINK(\"http://x\")");
}

#[tokio::test]
async fn facts_from_unreviewed_uploads_change_nothing_the_public_sees() {
    let app = spawn_app_with(Options { admin_token: true, ..Default::default() }).await;
    let tree = app.write_tree("m", &reference_cells(), &reference_pattern);
    let out = app.cli(&["import", tree.to_str().unwrap(), "--model", "Known-VLM", "--organization", "Real Lab"]);
    assert!(out.status.success());
    let org = |json: &serde_json::Value| json["entries"][0]["organization"].clone();

    // Someone uploads a run of the same model with other facts; pending, then rejected.
    let other = app.write_tree("o", &cells(3), &reference_pattern);
    let r = app
        .client
        .post(app.url("/api/v1/submissions"))
        .multipart(upload_form("Known-VLM", Some("Evil Lab"), zip_dir(&other, other.parent().unwrap())))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 201);
    let id = r.json::<serde_json::Value>().await.unwrap()["id"].to_string();
    assert_eq!(org(&app.get_json("/api/v1/leaderboard").await.1), "Real Lab");
    assert!(app.cli(&["reject", &id, "--reason", "not our run"]).status.success());
    let (_, board) = app.get_json("/api/v1/leaderboard").await;
    assert_eq!(org(&board), "Real Lab");
    assert_eq!(board["entries"][0]["link"], serde_json::Value::Null);

    // A new name first seen in an unreviewed upload does not get the page address of its name.
    let squat = app.write_tree("s", &cells(3), &reference_pattern);
    let r = app
        .client
        .post(app.url("/api/v1/submissions"))
        .multipart(upload_form("Future-VLM", Some("Squatters"), zip_dir(&squat, squat.parent().unwrap())))
        .send()
        .await
        .unwrap();
    let created: serde_json::Value = r.json().await.unwrap();
    assert!(created["model_slug"].as_str().unwrap().starts_with("unreviewed-"), "{created}");
    assert!(app.cli(&["reject", &created["id"].to_string(), "--reason", "spam"]).status.success());
    // The real model arrives later and gets its own name's address and facts.
    let real = app.write_tree("f", &reference_cells(), &reference_pattern);
    assert!(
        app.cli(&["import", real.to_str().unwrap(), "--model", "Future-VLM", "--organization", "Future Lab"])
            .status
            .success()
    );
    let (status, page) = app.get_text("/models/future-vlm").await;
    assert_eq!(status, 200);
    assert!(page.contains("Future Lab") && !page.contains("Squatters"));
}

#[tokio::test]
async fn approval_gives_a_new_model_its_address_and_its_facts() {
    let app = spawn_app_with(Options { admin_token: true, ..Default::default() }).await;
    let tree = app.write_tree("m", &reference_cells(), &reference_pattern);
    let (status, created) = app
        .api_upload(
            &[("model", "Fresh-VLM"), ("organization", "Fresh Lab")],
            "m.zip",
            zip_dir(&tree, tree.parent().unwrap()),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(app.get("/models/fresh-vlm").await.status().as_u16(), 404, "nothing public before approval");
    assert!(app.cli(&["approve", &created["id"].to_string()]).status.success());
    let (status, page) = app.get_text("/models/fresh-vlm").await;
    assert_eq!(status, 200);
    assert!(page.contains("Fresh Lab"));
}
