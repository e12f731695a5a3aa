//! Every page renders for imported and for sample data, charts load as SVG, and sample data
//! is labelled wherever it appears.

use crate::helpers::*;
use crate::leaderboard::{reference_cells, reference_pattern};
use mir_leaderboard::demo::Answer;

async fn assert_svg(app: &TestApp, path: &str) -> String {
    let r = app.get(path).await;
    assert_eq!(r.status().as_u16(), 200, "{path}");
    assert_eq!(r.headers()["content-type"], "image/svg+xml; charset=utf-8", "{path}");
    let etag = r.headers()["etag"].to_str().unwrap().to_owned();
    let body = r.text().await.unwrap();
    assert!(body.starts_with("<svg"), "{path}");
    assert!(body.contains("<title") && body.contains("<desc"), "{path}");
    roxmltree::Document::parse(&body).unwrap_or_else(|e| panic!("{path}: {e}"));
    // Cached copies revalidate cheaply.
    let again = app.client.get(app.url(path)).header("if-none-match", &etag).send().await.unwrap();
    assert_eq!(again.status().as_u16(), 304, "{path}");
    body
}

#[tokio::test]
async fn every_page_and_chart_renders_for_imported_data() {
    let app = spawn_app().await;
    for (name, flip) in [("Real One", false), ("Real Two", true)] {
        let tree = app.write_tree(name, &reference_cells(), &move |c, r, i| {
            let a = reference_pattern(c, r, i);
            if flip && a == Answer::Refusal { Answer::Unsafe } else { a }
        });
        assert!(app.cli(&["import", tree.to_str().unwrap(), "--model", name]).status.success());
    }
    for (path, needle) in [
        ("/", "Real One"),
        ("/models/real-one", "Attack success rate by relation"),
        ("/relations/temporal-jump", "Temporal Jump"),
        ("/relations/Temporal_Jump", "303 attack instances"),
        ("/categories/self-harm", "Self-Harm"),
        ("/compare?models=real-one,real-two", "Real One vs Real Two"),
        ("/insights", "Capability vs vulnerability"),
        ("/submit", "Validate and preview"),
        ("/submissions", "Submissions"),
        ("/about", "@inproceedings"),
        ("/admin", "Sign in"),
    ] {
        let (status, html) = app.get_text(path).await;
        assert_eq!(status, 200, "{path}");
        assert!(html.contains(needle), "{path}: `{needle}` missing");
        assert!(!html.contains("SAMPLE DATA"), "{path} must not claim sample data");
    }
    // The model page's numbers match the harness's and link to their explanations.
    let (_, model) = app.get_text("/models/real-one").await;
    assert!(model.contains("30.64%"));
    assert!(model.contains("/relations/temporal-jump"));
    assert!(model.contains("too few (n=3)"), "cells below the threshold say so instead of a colour");
    for chart in ["relations", "heatmap", "categories", "refusals"] {
        let svg = assert_svg(&app, &format!("/charts/models/real-one/{chart}.svg")).await;
        assert!(!svg.contains("SAMPLE DATA"));
    }
    assert_svg(&app, "/charts/relations/temporal-jump.svg").await;
    assert_svg(&app, "/charts/categories/privacy.svg").await;
    assert_svg(&app, "/charts/compare/relations.svg?models=real-one,real-two").await;
    assert_svg(&app, "/charts/compare/categories.svg?models=real-one,real-two").await;
    assert_svg(&app, "/charts/leaderboard.svg?access=all").await;

    // One link per row (the model), numbers are text: the keyboard walks the table quickly.
    let (_, board) = app.get_text("/").await;
    let doc = scraper::Html::parse_document(&board);
    let row = scraper::Selector::parse(r#"tr[data-model="Real One"]"#).unwrap();
    let links = scraper::Selector::parse("a").unwrap();
    let hrefs: Vec<&str> =
        doc.select(&row).next().expect("the row").select(&links).filter_map(|a| a.value().attr("href")).collect();
    assert_eq!(hrefs, ["/models/real-one"]);

    // The ranking is drawn inline (the very picture served on its own), and the page's policy
    // allows its one style element by hash, and nothing else inline.
    let r = app.get("/").await;
    let csp = r.headers()["content-security-policy"].to_str().unwrap().to_owned();
    let board = r.text().await.unwrap();
    let (_, own) = app.get_text("/charts/leaderboard.svg").await;
    assert!(board.contains(own.trim_end()), "the inline chart is the one at /charts/leaderboard.svg");
    let doc = scraper::Html::parse_document(&board);
    let inline = scraper::Selector::parse(r#"figure[data-test="ranking-chart"] svg[role="img"]"#).unwrap();
    assert_eq!(doc.select(&inline).count(), 1);
    let styles: Vec<String> =
        doc.select(&scraper::Selector::parse("style").unwrap()).map(|s| s.text().collect()).collect();
    assert_eq!(styles.len(), 1, "one inline style: the chart's");
    let hash = {
        use base64::Engine as _;
        use sha2::Digest as _;
        base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(styles[0].as_bytes()))
    };
    assert!(csp.contains(&format!("style-src 'self' 'sha256-{hash}';")), "{csp}");
    assert!(!csp.contains("unsafe-inline"), "{csp}");

    // Unknown things are real 404s.
    for path in ["/models/nobody", "/relations/teleportation", "/submissions/999", "/no/such/page"] {
        assert_eq!(app.get_text(path).await.0, 404, "{path}");
    }
    assert_eq!(app.get("/charts/models/nobody/relations.svg").await.status().as_u16(), 404);
}

#[tokio::test]
async fn capability_page_reports_spearman_over_scored_models() {
    let app = spawn_app().await;
    // Four models whose ASR rises with their capability score: rho = 1.
    for (k, score) in [(0u32, "40"), (1, "50"), (2, "60"), (3, "70")] {
        let tree = app.write_tree(&format!("cap{k}"), &reference_cells(), &move |_, _, i| {
            if i < k { Answer::Unsafe } else { Answer::Evasive }
        });
        let name = format!("Cap {k}");
        assert!(
            app.cli(&[
                "import",
                tree.to_str().unwrap(),
                "--model",
                &name,
                "--capability-score",
                score,
                "--capability-benchmark",
                "MuirBench",
                "--capability-source",
                "test"
            ])
            .status
            .success()
        );
    }
    let (_, html) = app.get_text("/insights").await;
    assert!(html.contains("Spearman&#x27;s rho = 1.00") || html.contains("Spearman's rho = 1.00"), "{html}");
    assert!(html.contains("higher capability goes with higher ASR"));
    assert!(html.contains("Scores from MuirBench"));
    assert_svg(&app, "/charts/capability.svg").await;
    // Maintainers can clear a score from the CLI.
    assert!(app.cli(&["set-capability", "--model", "Cap 0", "--clear"]).status.success());
    let (_, json) = app.get_json("/api/v1/leaderboard").await;
    let cap0 = json["entries"].as_array().unwrap().iter().find(|e| e["model"] == "Cap 0").unwrap();
    assert!(cap0["capability"].is_null());
}

#[tokio::test]
async fn sample_data_is_labelled_everywhere_it_appears() {
    let app = spawn_app().await;
    let added =
        mir_leaderboard::demo::seed_if_empty(&app.pool).await.unwrap_or_else(|e| panic!("{e}\n{}", error_logs()));
    assert!(added >= 24);
    assert_eq!(mir_leaderboard::demo::seed_if_empty(&app.pool).await.unwrap(), 0, "only an empty store is filled");
    let (_, json) = app.get_json("/api/v1/leaderboard").await;
    assert_eq!(json["notice"], "sample data, not real results");
    let entries = json["entries"].as_array().unwrap();
    assert_eq!(entries.len(), added);
    assert!(entries.iter().all(|e| e["sample"] == true && e["model"].as_str().unwrap().starts_with("Sample ")));
    let (_, csv) = app.get_text("/api/v1/leaderboard.csv").await;
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let notice = reader.headers().unwrap().iter().position(|h| h == "notice").unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), added);
    assert!(rows.iter().all(|r| &r[notice] == "sample data, not real results"));
    let slug = entries[0]["slug"].as_str().unwrap().to_owned();
    for path in [
        "/".to_owned(),
        format!("/models/{slug}"),
        "/relations/analogy".into(),
        "/categories/privacy".into(),
        format!("/compare?models={slug},{}", entries[1]["slug"].as_str().unwrap()),
        "/insights".into(),
    ] {
        let (status, html) = app.get_text(&path).await;
        assert_eq!(status, 200, "{path}");
        assert!(html.contains("SAMPLE DATA"), "{path} must say it shows sample data");
    }
    let svg = assert_svg(&app, &format!("/charts/models/{slug}/relations.svg")).await;
    assert!(svg.contains("SAMPLE DATA"));
    let (_, compare) =
        app.get_json(&format!("/api/v1/compare?models={slug},{}", entries[1]["slug"].as_str().unwrap())).await;
    assert_eq!(compare["notice"], "sample data, not real results");
}

#[tokio::test]
async fn an_empty_store_says_how_to_import() {
    let app = spawn_app().await;
    let (status, html) = app.get_text("/").await;
    assert_eq!(status, 200);
    assert!(html.contains("No results yet"));
    assert!(html.contains("mir-leaderboard import"));
    let (_, json) = app.get_json("/api/v1/leaderboard").await;
    assert!(json["entries"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn openapi_describes_the_routes_we_serve() {
    let app = spawn_app().await;
    let (status, doc) = app.get_json("/api/v1/openapi.json").await;
    assert_eq!(status, 200);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let paths = doc["paths"].as_object().unwrap();
    for p in [
        "/api/v1/leaderboard",
        "/api/v1/leaderboard.csv",
        "/api/v1/submissions",
        "/api/v1/submissions/{id}",
        "/api/v1/compare",
    ] {
        assert!(paths.contains_key(p), "{p} missing from OpenAPI");
        let concrete = p.replace("{id}", "1");
        let status = app.get(&concrete).await.status().as_u16();
        assert_ne!(status, 405, "{p} documented but not served");
    }
    assert!(paths["/api/v1/submissions"]["post"].is_object());
}

#[tokio::test]
async fn maintainers_set_capability_scores_on_the_model_page() {
    let app = spawn_app_with(Options { admin_token: true, ..Default::default() }).await;
    let tree = app.write_tree("c", &reference_cells(), &reference_pattern);
    assert!(app.cli(&["import", tree.to_str().unwrap(), "--model", "Cap-VLM"]).status.success());
    let fields = |csrf: &str| {
        vec![
            ("slug".to_owned(), "cap-vlm".to_owned()),
            ("score".into(), "61.5".into()),
            ("benchmark".into(), "MuirBench".into()),
            ("source".into(), "paper, Table 3".into()),
            ("csrf".into(), csrf.to_owned()),
        ]
    };
    // Not signed in: refused, nothing changes.
    let r = app
        .client
        .post(app.url("/fn/capability-score"))
        .header("accept", "text/html")
        .form(&fields("x"))
        .send()
        .await
        .unwrap();
    assert!(r.headers()["location"].to_str().unwrap().contains("error=sign+in"));
    let (_, json) = app.get_json("/api/v1/leaderboard").await;
    assert!(json["entries"][0]["model"] == "Cap-VLM" && json["entries"][0]["capability"].is_null());
    let (_, page) = app.get_text("/models/cap-vlm").await;
    assert!(!page.contains("data-test=\"capability-form\""), "only maintainers see the form");

    let csrf = app.sign_in().await;
    let r = app
        .client
        .post(app.url("/fn/capability-score"))
        .header("accept", "text/html")
        .form(&fields(&csrf))
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["location"], "/models/cap-vlm");
    let (_, json) = app.get_json("/api/v1/leaderboard").await;
    assert_eq!(json["entries"][0]["capability"]["score"], 61.5);
    assert_eq!(json["entries"][0]["capability"]["benchmark"], "MuirBench");
    let (_, page) = app.get_text("/models/cap-vlm").await;
    assert!(page.contains("61.5 on MuirBench (source: paper, Table 3)"));
    assert!(page.contains("data-test=\"capability-form\""));

    // A score without a benchmark is refused with the reason.
    let mut bad = fields(&csrf);
    bad[2].1 = String::new();
    let r =
        app.client.post(app.url("/fn/capability-score")).header("accept", "text/html").form(&bad).send().await.unwrap();
    assert!(r.headers()["location"].to_str().unwrap().contains("name+the+benchmark"));
}
