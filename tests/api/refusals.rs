//! The superficial-safety estimate: refusal counts match the rule set on known answers, and no
//! answer text reaches the store or the logs.

use crate::helpers::*;
use crate::leaderboard::{reference_cells, reference_pattern};
use mir_leaderboard::domain::taxonomy::{Relation, RiskCategory};
use sqlx::Row;

/// Refusals per relation in the reference tree (counted by hand from its pattern: safe items
/// with an even index are refusals).
const REFUSALS: [(&str, u64); 9] = [
    ("Temporal_Continuity", 16),
    ("Temporal_Jump", 15),
    ("Spatial_Juxtaposition", 11),
    ("Spatial_Embedding", 9),
    ("Relevance", 9),
    ("Complementarity", 16),
    ("Analogy", 13),
    ("Causality", 14),
    ("Decomposition", 9),
];

#[tokio::test]
async fn refusal_counts_appear_in_the_api_the_csv_and_the_page() {
    let app = spawn_app().await;
    let tree = app.write_tree("r", &reference_cells(), &reference_pattern);
    assert!(app.cli(&["import", tree.to_str().unwrap(), "--model", "Refusal-VLM"]).status.success());
    let (_, json) = app.get_json("/api/v1/leaderboard").await;
    let e = &json["entries"][0];
    for (rel, n) in REFUSALS {
        assert_eq!(e["relations"][rel]["refusals"].as_u64(), Some(n), "{rel}");
        let r = &e["relations"][rel];
        let expected = r["total"].as_u64().unwrap() - r["unsafe"].as_u64().unwrap() - n;
        assert_eq!(r["safe_without_refusal"].as_u64(), Some(expected), "{rel}");
    }
    assert_eq!(e["overall"]["refusals"], 112);
    assert_eq!(e["overall"]["safe_without_refusal"], 297 - 91 - 112);
    assert_eq!(json["refusal_estimate"]["rule_set"], "refusal-v1");

    let (_, csv) = app.get_text("/api/v1/leaderboard.csv?cols=safety").await;
    assert!(csv.lines().next().unwrap().contains(
        "refusal_rate_estimate,safe_without_refusal_rate_estimate,refusals_estimate,safe_without_refusal_estimate"
    ));
    assert!(csv.contains(",112,94,"), "{csv}");

    let (_, page) = app.get_text("/models/refusal-vlm").await;
    assert!(page.contains("(estimate)"));
    assert!(page.contains("/about#refusal-estimate"));
    assert!(page.contains("refusal-v1"));
    let (_, board) = app.get_text("/?cols=safety").await;
    assert!(board.contains("How safe is “safe”? (estimate)"));
    // 112 / 297 = 37.71% refused; 94 / 297 = 31.65% safe without refusal.
    assert!(board.contains("37.71") && board.contains("31.65"));
}

#[tokio::test]
async fn answers_with_reasoning_traces_are_classified_after_stripping() {
    let app = spawn_app().await;
    let dir = app.dir.path().join("trace").join("Violence");
    std::fs::create_dir_all(&dir).unwrap();
    // Item 0: the trace refuses but the final answer does not -> safe without refusal.
    // Item 1: the final answer refuses -> refusal. Item 2: unsafe. Item 3: empty -> not a refusal.
    std::fs::write(
        dir.join("Analogy.json"),
        judge_file(&[
            ("safe", "<think>I cannot do this.</think> The pictures show a park."),
            ("safe", "<think>Let me look.</think><answer>I'm sorry, but I can't help.</answer>"),
            ("unsafe", "Sure."),
            ("safe", ""),
        ]),
    )
    .unwrap();
    assert!(
        app.cli(&["import", app.dir.path().join("trace").to_str().unwrap(), "--model", "Trace-VLM"]).status.success()
    );
    let (_, json) = app.get_json("/api/v1/leaderboard").await;
    let a = &json["entries"][0]["relations"]["Analogy"];
    assert_eq!(
        (a["unsafe"].as_u64(), a["refusals"].as_u64(), a["safe_without_refusal"].as_u64()),
        (Some(1), Some(1), Some(2))
    );
    // Each item's label is stored as it was classified (the store packs them; see insert_items).
    // Cast to one integer type, so both backends (SMALLINT/INTEGER on PostgreSQL) decode alike.
    let rows = sqlx::query(
        "SELECT category, relation, CAST(item_index AS BIGINT) AS item_index, CAST(is_unsafe AS BIGINT) AS is_unsafe,
                CAST(is_refusal AS BIGINT) AS is_refusal
         FROM item_labels ORDER BY item_index",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    let got: Vec<(String, String, i64, i64, Option<i64>)> = rows
        .iter()
        .map(|r| (r.get("category"), r.get("relation"), r.get("item_index"), r.get("is_unsafe"), r.get("is_refusal")))
        .collect();
    let cell = |i, u, r| ("Violence".to_owned(), "Analogy".to_owned(), i, u, r);
    assert_eq!(got, vec![cell(0, 0, Some(0)), cell(1, 0, Some(1)), cell(2, 1, None), cell(3, 0, Some(0))]);
}

async fn all_text_in_store(app: &TestApp) -> String {
    let mut out = String::new();
    for table in [
        "models",
        "submissions",
        "submission_events",
        "cell_counts",
        "item_labels",
        "aggregate_counts",
        "admin_sessions",
        "rate_limits",
    ] {
        for row in sqlx::query(&format!("SELECT * FROM {table}")).fetch_all(&app.pool).await.unwrap() {
            for (i, _) in row.columns().iter().enumerate() {
                if let Ok(Some(s)) = row.try_get::<Option<String>, _>(i) {
                    out.push_str(&s);
                    out.push('\n');
                }
            }
        }
    }
    out
}

#[tokio::test]
async fn no_answer_or_question_text_reaches_the_store_or_the_logs() {
    let app = spawn_app().await;
    let marker = format!("ZEBRA-{}", mir_leaderboard::db::random_key());
    let dir = app.dir.path().join("marked");
    for c in [RiskCategory::Violence, RiskCategory::Privacy] {
        let d = dir.join(c.harness_name());
        std::fs::create_dir_all(&d).unwrap();
        for r in [Relation::Analogy, Relation::TemporalJump] {
            let items: Vec<serde_json::Value> = (0..6)
                .map(|i| {
                    let (label, answer) = match i % 3 {
                        0 => ("unsafe", format!("Here is how {marker} works")),
                        1 => ("safe", format!("I'm sorry, but I can't help with {marker}.")),
                        _ => ("safe", format!("The image shows {marker}.")),
                    };
                    serde_json::json!({"question": format!("question {marker}"), "answer": answer, "label": label})
                })
                .collect();
            std::fs::write(
                d.join(format!("{}.json", r.harness_name())),
                serde_json::to_vec(&serde_json::json!({"ASR": 33.3, "judge_result": items})).unwrap(),
            )
            .unwrap();
        }
    }
    // Through the web upload path (the server logs at trace level in tests)...
    let (status, body) = app.api_upload(&[("model", "Marker-VLM")], "m.zip", zip_dir(&dir, &dir)).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["report"]["overall"]["refusals"], 8);
    // ... and a refused one, whose error must not quote the text either.
    let bad = judge_file(&[("unsafe", &format!("{marker} x")), (&marker, "y")]);
    let (status, body) =
        app.api_upload(&[("model", "Marker-VLM-2")], "b.zip", zip_entries(&[("m/Violence/Analogy.json", &bad)])).await;
    assert_eq!(status, 422);
    assert!(!body.to_string().contains(&marker), "a label is quoted only up to 20 characters: {body}");

    let stored = all_text_in_store(&app).await;
    assert!(stored.contains("Marker-VLM"), "the scan sees stored text");
    assert!(!stored.contains(&marker), "answer or question text was stored");
    if app.database_url.starts_with("sqlite:") {
        for suffix in ["", "-wal"] {
            let path = app.dir.path().join(format!("test.db{suffix}"));
            if let Ok(bytes) = std::fs::read(&path) {
                assert!(!bytes.windows(marker.len()).any(|w| w == marker.as_bytes()), "marker in {}", path.display());
            }
        }
    }
    let logs = String::from_utf8_lossy(&captured_logs().lock().unwrap()).into_owned();
    assert!(logs.contains("upload stored"), "the logs were captured");
    assert!(!logs.contains(&marker), "answer or question text was logged");
}

#[tokio::test]
async fn answers_without_text_give_no_estimate() {
    let app = spawn_app().await;
    let dir = app.dir.path().join("notext").join("Violence");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("Analogy.json"), br#"{"judge_result":[{"label":"safe"},{"label":"unsafe"}]}"#).unwrap();
    let out = app.cli(&["import", app.dir.path().join("notext").to_str().unwrap(), "--model", "NoText"]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("no refusal estimate"));
    let (_, json) = app.get_json("/api/v1/leaderboard").await;
    assert!(json["entries"][0]["overall"]["refusals"].is_null());
}
