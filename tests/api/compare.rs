//! Paired comparisons: a constructed pair of models gets the verdict it was built to get.

use crate::helpers::*;
use mir_leaderboard::demo::Answer;
use mir_leaderboard::domain::taxonomy::{Relation, RiskCategory};

#[tokio::test]
async fn compare_states_the_constructed_verdict() {
    let app = spawn_app().await;
    let cells = cells(20);
    // A: always safe. B: unsafe on every Temporal Jump item, and on item 0 of Analogy in five
    // categories; otherwise identical to A.
    let a = app.write_tree("a", &cells, &|_, _, _| Answer::Refusal);
    let b = app.write_tree("b", &cells, &|c, r, i| match r {
        Relation::TemporalJump => Answer::Unsafe,
        Relation::Analogy if i == 0 && c != RiskCategory::Privacy => Answer::Unsafe,
        _ => Answer::Refusal,
    });
    assert!(app.cli(&["import", a.to_str().unwrap(), "--model", "Model A"]).status.success());
    assert!(app.cli(&["import", b.to_str().unwrap(), "--model", "Model B"]).status.success());

    let (status, json) = app.get_json("/api/v1/compare?models=model-a,model-b").await;
    assert_eq!(status, 200, "{json}");
    let pair = &json["pairs"][0];
    assert_eq!(pair["paired"], true);
    let jump = &pair["relations"]["Temporal_Jump"];
    assert_eq!((jump["b"].as_u64(), jump["c"].as_u64()), (Some(0), Some(120)));
    assert_eq!(jump["verdict"], "a_safer");
    // Exact: p = 2 * 0.5^120; Holm over nine relations multiplies the smallest by 9.
    let p = jump["p"].as_f64().unwrap();
    assert!((p / (2.0 * 0.5f64.powi(120)) - 1.0).abs() < 1e-9, "{p}");
    assert!((jump["p_holm"].as_f64().unwrap() / (9.0 * p) - 1.0).abs() < 1e-9);
    // Analogy: 5 discordant items, all against B: p = 2 / 2^5 = 0.0625, Holm (second of nine):
    // max(9 * p_jump, 8 * 0.0625) = 0.5. Not significant after correction.
    let analogy = &pair["relations"]["Analogy"];
    assert_eq!((analogy["b"].as_u64(), analogy["c"].as_u64()), (Some(0), Some(5)));
    assert!((analogy["p"].as_f64().unwrap() - 0.0625).abs() < 1e-12);
    assert!((analogy["p_holm"].as_f64().unwrap() - 0.5).abs() < 1e-12);
    assert_eq!(analogy["verdict"], "no_significant_difference");
    assert_eq!(pair["relations"]["Causality"]["p"], 1.0);
    assert_eq!(pair["overall"]["c"], 125);
    assert_eq!(pair["overall"]["verdict"], "a_safer");
    // Categories are their own family: Privacy has 20 jump items against B.
    assert_eq!(pair["categories"]["Privacy"]["c"], 20);

    let (status, html) = app.get_text("/compare?models=model-a,model-b").await;
    assert_eq!(status, 200);
    assert!(html.contains("Model A is significantly safer than Model B on Temporal Jump"), "verdict in words");
    assert!(!html.contains("safer than Model B on Analogy"), "Analogy is not significant after Holm");
    assert!(html.contains("/charts/compare/relations.svg?models=model-a,model-b"));

    // The checkbox form's repeated parameter works too.
    let (_, html2) = app.get_text("/compare?models=model-a&models=model-b").await;
    assert!(html2.contains("Model A is significantly safer than Model B on Temporal Jump"));

    // Aggregate-only models can only be compared by their intervals.
    let mut csv = String::from("model,relation,asr_percent\n");
    for r in Relation::ALL {
        csv.push_str(&format!("Paper Model,{},0\n", r.harness_name()));
    }
    let file = app.dir.path().join("p.csv");
    std::fs::write(&file, csv).unwrap();
    assert!(app.cli(&["import-table", file.to_str().unwrap()]).status.success());
    let (_, json) = app.get_json("/api/v1/compare?models=model-a,paper-model").await;
    assert_eq!(json["pairs"][0]["paired"], false);
    assert!(json["pairs"][0]["note"].as_str().unwrap().contains("only their intervals can be compared"));
    let (_, html) = app.get_text("/compare?models=model-a,paper-model").await;
    assert!(html.contains("only their intervals can be compared"));

    // Bad requests say what to do.
    let (status, err) = app.get_json("/api/v1/compare?models=model-a").await;
    assert_eq!(status, 400);
    assert!(err["message"].as_str().unwrap().contains("2 to 6"));
    let (status, _) = app.get_json("/api/v1/compare?models=model-a,nobody").await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn a_model_is_never_compared_with_itself() {
    let app = spawn_app().await;
    let a = app.write_tree("a", &cells(5), &|_, _, _| Answer::Refusal);
    assert!(app.cli(&["import", a.to_str().unwrap(), "--model", "Model A"]).status.success());
    let (status, json) = app.get_json("/api/v1/compare?models=model-a,model-a").await;
    assert_eq!(status, 400, "{json}");
    assert!(json["message"].as_str().unwrap().contains("2 to 6 different model slugs"), "{json}");
    // The page shows the picker, not a comparison of the model with itself.
    let (status, html) = app.get_text("/compare?models=model-a,model-a").await;
    assert_eq!(status, 200);
    assert!(!html.contains("data-test=\"pair\""), "no pair is shown");
    assert!(html.contains("Pick 2 to 6 models"));
}
