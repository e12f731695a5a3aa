//! Moderation rules hold whichever door a maintainer uses: the web and the command line.

use crate::helpers::*;
use crate::leaderboard::{reference_cells, reference_pattern};

#[tokio::test]
async fn the_command_line_caps_reasons_like_the_web() {
    let app = spawn_app().await;
    let tree = app.write_tree("m", &reference_cells(), &reference_pattern);
    let (status, created) =
        app.api_upload(&[("model", "Pending-VLM")], "m.zip", zip_dir(&tree, tree.parent().unwrap())).await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_i64().unwrap().to_string();
    let before = app.store_counts().await;

    let long = "x".repeat(501);
    let out = app.cli(&["reject", &id, "--reason", &long]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("reason: is longer than 500 characters"), "{err}");
    let out = app.cli(&["reject", &id, "--reason", "   "]);
    assert!(!out.status.success());
    assert_eq!(app.store_counts().await, before, "nothing changed");
    assert_eq!(app.get_json(&format!("/api/v1/submissions/{id}")).await.1["status"], "pending");

    let out = app.cli(&["reject", &id, "--reason", &"x".repeat(500)]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(app.get_json(&format!("/api/v1/submissions/{id}")).await.1["status"], "rejected");
    // A rejected submission cannot be approved, and the message says why.
    let out = app.cli(&["approve", &id]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&format!("submission #{id} is rejected, not pending")), "{err}");
}
