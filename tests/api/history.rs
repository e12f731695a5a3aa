//! The leaderboard as it stood at the end of a past day, from the submission events: every
//! model's latest result ranked by then and not withdrawn by then.

use crate::helpers::*;
use mir_leaderboard::demo::Answer;

/// 2026-01-10, 2026-02-10, ... at noon UTC.
fn noon(month: u32) -> i64 {
    // 2026-01-10T12:00:00Z plus whole months of 31 days keeps the arithmetic obvious.
    1_768_046_400 + i64::from(month - 1) * 31 * 86_400
}

/// Dates an event, on a connection of its own that is closed at once: the CLI processes of
/// the next step then find the store exactly as any other writer leaves it.
async fn set_event_time(app: &TestApp, submission: i64, kind: &str, at: i64) {
    use sqlx::Connection;
    let mut conn = sqlx::AnyConnection::connect(&app.database_url).await.unwrap();
    sqlx::query("UPDATE submission_events SET at = $1 WHERE submission_id = $2 AND kind = $3")
        .bind(at)
        .bind(submission)
        .bind(kind)
        .execute(&mut conn)
        .await
        .unwrap();
    conn.close().await.unwrap();
}

async fn latest_submission(app: &TestApp) -> i64 {
    sqlx::query_scalar::<_, i64>("SELECT MAX(id) FROM submissions").fetch_one(&app.pool).await.unwrap()
}

/// Model A imported on 2026-01-10 (2 of 4 items unsafe per cell: 50%), model B on 2026-02-10
/// (all unsafe: 100%), A again on 2026-03-13 (all safe: 0%), B withdrawn on 2026-04-13.
async fn history_app() -> TestApp {
    let app = spawn_app().await;
    let trees: [(&str, &str, &Pattern); 3] = [
        ("a1", "Model A", &|_, _, i| if i < 2 { Answer::Unsafe } else { Answer::Refusal }),
        ("b", "Model B", &|_, _, _| Answer::Unsafe),
        ("a2", "Model A", &|_, _, _| Answer::Refusal),
    ];
    let mut ids = vec![];
    for (month, (folder, model, pattern)) in trees.into_iter().enumerate() {
        let tree = app.write_tree(folder, &cells(4), pattern);
        let out = app.cli(&["import", tree.to_str().unwrap(), "--model", model]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let id = latest_submission(&app).await;
        set_event_time(&app, id, "imported", noon(month as u32 + 1)).await;
        ids.push(id);
    }
    let out = app.cli(&["reject", &ids[1].to_string(), "--reason", "The run used a modified prompt set."]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    set_event_time(&app, ids[1], "rejected", noon(4)).await;
    app
}

fn board(json: &serde_json::Value) -> Vec<(String, f64)> {
    json["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["model"].as_str().unwrap().to_owned(), e["overall"]["asr"].as_f64().unwrap()))
        .collect()
}

#[tokio::test]
async fn the_board_of_a_past_day_follows_the_events() {
    let app = history_app().await;
    let cases: [(&str, &[(&str, f64)]); 6] = [
        ("2026-01-09", &[]),
        ("2026-01-10", &[("Model A", 50.0)]),
        ("2026-02-10", &[("Model A", 50.0), ("Model B", 100.0)]),
        ("2026-03-13", &[("Model A", 0.0), ("Model B", 100.0)]),
        ("2026-04-12", &[("Model A", 0.0), ("Model B", 100.0)]),
        ("2026-04-13", &[("Model A", 0.0)]),
    ];
    for (day, want) in cases {
        let (status, json) = app.get_json(&format!("/api/v1/leaderboard?as_of={day}")).await;
        assert_eq!(status, 200, "{day}: {json}");
        assert_eq!(json["as_of"], day);
        let got = board(&json);
        let want: Vec<(String, f64)> = want.iter().map(|(m, a)| ((*m).to_owned(), *a)).collect();
        assert_eq!(got, want, "as_of={day}");
    }
    // Today: the withdrawal stands, A's newer result counts.
    let (_, now) = app.get_json("/api/v1/leaderboard").await;
    assert_eq!(board(&now), vec![("Model A".to_owned(), 0.0)]);
    assert!(now["as_of"].is_null());

    // The CSV and the chart take the same day.
    let (status, csv) = app.get_text("/api/v1/leaderboard.csv?as_of=2026-02-10").await;
    assert_eq!(status, 200);
    assert!(csv.contains("Model A") && csv.contains("Model B"), "{csv}");
    let (status, svg) = app.get_text("/charts/leaderboard.svg?as_of=2026-02-10").await;
    assert_eq!(status, 200);
    assert!(svg.contains("Model B"), "the chart of 2026-02-10 shows B");
}

#[tokio::test]
async fn the_page_says_which_day_it_shows_and_links_back() {
    let app = history_app().await;
    let (status, html) = app.get_text("/?as_of=2026-02-10").await;
    assert_eq!(status, 200);
    assert!(html.contains("as it stood at the end of 2026-02-10"), "{html}");
    assert!(html.contains("Model B"));
    assert!(html.contains(r#"data-test="back-to-today""#));

    let (status, html) = app.get_text("/?as_of=2026-01-09").await;
    assert_eq!(status, 200);
    assert!(html.contains("the first was approved on 2026-01-10"), "{html}");
    assert!(!html.contains("Model A</a>"));
}

#[tokio::test]
async fn malformed_and_future_days_are_refused() {
    let app = history_app().await;
    for path in ["/api/v1/leaderboard", "/api/v1/leaderboard.csv", "/charts/leaderboard.svg", "/"] {
        for day in ["2026-02-30", "yesterday", "2026-2-1", "9999-12-31"] {
            let (status, body) = app.get_text(&format!("{path}?as_of={day}")).await;
            assert_eq!(status, 400, "{path} as_of={day}: {body}");
            let expected = if day == "9999-12-31" { "in the future" } else { "YYYY-MM-DD" };
            assert!(body.contains(expected), "{path} as_of={day}: {body}");
        }
    }
}

/// A pending upload refused by a maintainer: a rejection, not a withdrawal.
async fn with_refused_upload(app: &TestApp) -> i64 {
    let tree = app.write_tree("c", &cells(1), &|_, _, _| Answer::Refusal);
    let zip = zip_dir(&tree, tree.parent().unwrap());
    let (status, json) = app.api_upload(&[("model", "Model C"), ("access", "open")], "c.zip", zip).await;
    assert_eq!(status, 201, "{json}");
    let id = json["id"].as_i64().unwrap();
    let out = app.cli(&["reject", &id.to_string(), "--reason", "Only one item per cell."]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    set_event_time(app, id, "rejected", noon(5)).await;
    id
}

#[tokio::test]
async fn changes_list_every_decision_newest_first() {
    let app = history_app().await;
    let refused = with_refused_upload(&app).await;
    let (status, html) = app.get_text("/changes").await;
    assert_eq!(status, 200);
    let doc = scraper::Html::parse_document(&html);
    let rows = scraper::Selector::parse(r#"tr[data-test="change"]"#).unwrap();
    let got: Vec<(String, String)> = doc
        .select(&rows)
        .map(|r| {
            let kind = r.value().attr("data-kind").unwrap().to_owned();
            let text = r.text().collect::<Vec<_>>().join(" ");
            (kind, text.split_whitespace().collect::<Vec<_>>().join(" "))
        })
        .collect();
    let kinds: Vec<&str> = got.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(kinds, ["rejected", "withdrawn", "approved", "approved", "approved"], "{got:?}");
    assert!(
        got[0].1.contains("2026-05-14")
            && got[0].1.contains("Only one item per cell.")
            && got[0].1.contains(&format!("#{refused}")),
        "{got:?}"
    );
    assert!(got[1].1.contains("2026-04-13") && got[1].1.contains("modified prompt set"), "{got:?}");
    assert!(got[2].1.contains("Model A") && got[2].1.contains("0.00%"), "{got:?}");
    assert!(got[3].1.contains("Model B") && got[3].1.contains("100.00%"), "{got:?}");
    assert!(got[4].1.contains("2026-01-10") && got[4].1.contains("50.00%"), "{got:?}");
    // Every page links the feed in its head.
    let feed_link =
        scraper::Selector::parse(r#"head link[rel="alternate"][type="application/atom+xml"][href="/feed.xml"]"#)
            .unwrap();
    assert_eq!(doc.select(&feed_link).count(), 1, "{html}");
    assert_eq!(app.get_text("/changes?page=2").await.0, 404);
    assert_eq!(app.get_text("/changes?page=x").await.0, 404);
}

#[tokio::test]
async fn the_feed_is_atom_with_approvals_and_withdrawals() {
    let app = history_app().await;
    with_refused_upload(&app).await;
    let r = app.get("/feed.xml").await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/atom+xml; charset=utf-8");
    let xml = r.text().await.unwrap();
    let feed: atom_syndication::Feed = xml.parse().expect("a well-formed Atom document");
    let titles: Vec<&str> = feed.entries().iter().map(|e| e.title().as_str()).collect();
    assert_eq!(
        titles,
        [
            "Model B: result #2 withdrawn",
            "Model A: ASR 0.00% under HarmBench-Llama-2-13b-cls",
            "Model B: ASR 100.00% under HarmBench-Llama-2-13b-cls",
            "Model A: ASR 50.00% under HarmBench-Llama-2-13b-cls",
        ],
        "the refusal of a never-ranked upload is not news"
    );
    assert_eq!(feed.updated().to_rfc3339(), "2026-04-13T12:00:00+00:00");
    let ids: std::collections::HashSet<&str> = feed.entries().iter().map(|e| e.id()).collect();
    assert_eq!(ids.len(), 4, "entry ids are unique");
    let link = feed.entries()[0].links()[0].href();
    assert_eq!(link, format!("{}/submissions/2", app.address), "links are absolute");
    assert!(feed.links().iter().any(|l| l.rel() == "self" && l.href().ends_with("/feed.xml")));
}

#[tokio::test]
async fn badges_read_asr_and_rank_of_the_default_view() {
    let app = history_app().await;
    let b = app.get("/badges/model-a.svg").await;
    assert_eq!(b.status(), 200);
    assert_eq!(b.headers()["content-type"], "image/svg+xml; charset=utf-8");
    assert!(b.headers().get("etag").is_some(), "badges are cacheable");
    let svg = b.text().await.unwrap();
    assert!(svg.contains(">0.0% · rank 1/1</text>"), "{svg}");
    assert!(!svg.contains("SAMPLE"));
    let (_, withdrawn) = app.get_text("/badges/model-b.svg").await;
    assert!(withdrawn.contains(">not ranked</text>"), "{withdrawn}");
    assert_eq!(app.get_text("/badges/no-such-model.svg").await.0, 404);
    assert_eq!(app.get_text("/badges/model-a.png").await.0, 404);

    // The model page offers the snippet and shows the history of its two results.
    let (_, html) = app.get_text("/models/model-a").await;
    assert!(
        html.contains(&format!("[![MIR-SafetyBench]({0}/badges/model-a.svg)]({0}/models/model-a)", app.address)),
        "{html}"
    );
    assert_eq!(html.matches(r#"data-test="timeline-row""#).count(), 2);
    let (status, chart) = app.get_text("/charts/models/model-a/history.svg").await;
    assert_eq!(status, 200);
    assert!(chart.contains("2026-01-10") && chart.contains("2026-03-13"), "{chart}");
}
