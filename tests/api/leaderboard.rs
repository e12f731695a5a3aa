//! A harness tree imported with the CLI shows, on the page, in the API and in the CSV, exactly
//! the figures the benchmark's own statics.py prints for the same files.

use crate::helpers::*;
use mir_leaderboard::demo::Answer;
use mir_leaderboard::domain::taxonomy::{Relation, RiskCategory};
use scraper::{Html, Selector};

fn index<T: PartialEq>(all: &[T], x: T) -> u32 {
    all.iter().position(|y| *y == x).unwrap() as u32
}

/// The reference tree: cell (category c, relation r) holds 3 + c items; an item is unsafe when
/// (7i + 3r + c) mod 9 < 1 + (r mod 5); safe items alternate refusal / evasive answers.
pub fn reference_pattern(c: RiskCategory, r: Relation, i: u32) -> Answer {
    let ci = index(&RiskCategory::ALL, c);
    let ri = index(&Relation::ALL, r);
    if (i * 7 + ri * 3 + ci) % 9 < 1 + ri % 5 {
        Answer::Unsafe
    } else if i.is_multiple_of(2) {
        Answer::Refusal
    } else {
        Answer::Evasive
    }
}

pub fn reference_cells() -> Vec<(RiskCategory, Relation, u32)> {
    let mut out = vec![];
    for (ci, c) in RiskCategory::ALL.into_iter().enumerate() {
        for r in Relation::ALL {
            out.push((c, r, 3 + ci as u32));
        }
    }
    out
}

/// What `python statics.py --path <tree>` printed for this tree (statics.py from
/// thu-coai/MIR-SafetyBench at 554cfe1), file name, unsafe, total, ASR.
const STATICS_PY: [(&str, u32, u32, &str); 9] = [
    ("Analogy", 8, 33, "24.24"),
    ("Causality", 9, 33, "27.27"),
    ("Complementarity", 4, 33, "12.12"),
    ("Decomposition", 15, 33, "45.45"),
    ("Relevance", 17, 33, "51.52"),
    ("Spatial_Embedding", 16, 33, "48.48"),
    ("Spatial_Juxtaposition", 12, 33, "36.36"),
    ("Temporal_Continuity", 4, 33, "12.12"),
    ("Temporal_Jump", 6, 33, "18.18"),
];
const STATICS_TOTAL: (u32, u32, &str) = (91, 297, "30.64");

/// Per category, grouping the same files by folder instead of by file name (hand count).
const BY_CATEGORY: [(&str, u32, u32, &str); 6] = [
    ("Hate_Speech", 9, 27, "33.33"),
    ("Violence", 11, 36, "30.56"),
    ("Self-Harm", 14, 45, "31.11"),
    ("Illegal_Activities", 16, 54, "29.63"),
    ("Harassment", 19, 63, "30.16"),
    ("Privacy", 22, 72, "30.56"),
];

fn two(v: &serde_json::Value) -> String {
    format!("{:.2}", v.as_f64().expect("number"))
}

#[tokio::test]
async fn cli_import_matches_statics_py_on_page_api_and_csv() {
    let app = spawn_app().await;
    let tree = app.write_tree("test_vlm", &reference_cells(), &reference_pattern);
    let out = app.cli(&[
        "import",
        tree.to_str().unwrap(),
        "--model",
        "Test-VLM-7B",
        "--organization",
        "Test Lab",
        "--access",
        "open",
        "--parameters",
        "7B",
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "import failed: {}", String::from_utf8_lossy(&out.stderr));
    // The CLI prints the table in statics.py's own layout.
    for (name, u, t, asr) in STATICS_PY {
        let line = format!("{:<30} {:<13} {:<13} {asr}%", format!("{name}.json"), u, t);
        assert!(stdout.contains(&line), "missing `{line}` in:\n{stdout}");
    }
    assert!(
        stdout
            .contains(&format!("{:<30} {:<13} {:<13} {}%", "Total", STATICS_TOTAL.0, STATICS_TOTAL.1, STATICS_TOTAL.2))
    );

    // The JSON API.
    let (status, json) = app.get_json("/api/v1/leaderboard").await;
    assert_eq!(status, 200);
    let entries = json["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 1);
    let e = &entries[0];
    assert_eq!(e["model"], "Test-VLM-7B");
    assert_eq!(e["slug"], "test-vlm-7b");
    assert_eq!(e["rank"], 1);
    assert_eq!(e["sample"], false);
    assert!(json["notice"].is_null(), "no sample notice for real imports");
    for (name, u, t, asr) in STATICS_PY {
        let rel = &e["relations"][name];
        assert_eq!((rel["unsafe"].as_u64().unwrap(), rel["total"].as_u64().unwrap()), (u as u64, t as u64), "{name}");
        assert_eq!(two(&rel["asr"]), asr, "{name}");
    }
    for (name, u, t, asr) in BY_CATEGORY {
        let cat = &e["categories"][name];
        assert_eq!((cat["unsafe"].as_u64().unwrap(), cat["total"].as_u64().unwrap()), (u as u64, t as u64), "{name}");
        assert_eq!(two(&cat["asr"]), asr, "{name}");
    }
    assert_eq!(e["overall"]["unsafe"], STATICS_TOTAL.0);
    assert_eq!(e["overall"]["total"], STATICS_TOTAL.1);
    assert_eq!(two(&e["overall"]["asr"]), STATICS_TOTAL.2);
    // Wilson 95% for 91/297, computed independently: centre (p + z^2/2n) / (1 + z^2/n) = 0.3089,
    // half-width z sqrt(p(1-p)/n + z^2/4n^2) / (1 + z^2/n) = 0.0522.
    assert_eq!(two(&e["overall"]["ci_low"]), "25.67");
    assert_eq!(two(&e["overall"]["ci_high"]), "36.10");
    // Groups pool their relations: Temporal = (4 + 6) / 66.
    assert_eq!(two(&e["groups"]["Temporal"]["asr"]), "15.15");

    // The page, without JavaScript: the same numbers in the row.
    let (status, html) = app.get_text("/").await;
    assert_eq!(status, 200);
    let doc = Html::parse_document(&html);
    let row = Selector::parse(r#"tr[data-model="Test-VLM-7B"]"#).unwrap();
    let row = doc.select(&row).next().expect("the model's row");
    for (name, _, _, asr) in STATICS_PY {
        let cell = Selector::parse(&format!(r#"td[data-col="{name}"]"#)).unwrap();
        let text: String = row.select(&cell).next().expect(name).text().collect();
        assert_eq!(text.trim(), asr, "{name}");
    }
    let overall: String =
        row.select(&Selector::parse(r#"td[data-test="overall"] .v"#).unwrap()).next().unwrap().text().collect();
    assert_eq!(overall.trim(), STATICS_TOTAL.2);
    assert!(html.contains("Lower ASR is safer"));
    assert!(!html.contains("SAMPLE DATA"));

    // The CSV is the same view.
    let (status, csv) = app.get_text("/api/v1/leaderboard.csv").await;
    assert_eq!(status, 200);
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let headers = reader.headers().unwrap().clone();
    let record = reader.records().next().unwrap().unwrap();
    let field =
        |h: &str| record.get(headers.iter().position(|x| x == h).unwrap_or_else(|| panic!("{h}"))).unwrap().to_owned();
    assert_eq!(field("model"), "Test-VLM-7B");
    assert_eq!(field("overall_asr"), STATICS_TOTAL.2);
    assert_eq!(field("Temporal_Jump_asr"), "18.18");
    assert_eq!(field("Temporal_Jump_n"), "33");
    assert_eq!(field("notice"), "");
}

#[tokio::test]
async fn ranks_are_shared_when_intervals_overlap_and_filters_live_in_the_url() {
    let app = spawn_app().await;
    // Three models: A 0% unsafe, B 1/297-ish unsafe (overlaps A), C all unsafe.
    let a = app.write_tree("a", &reference_cells(), &|_, _, _| Answer::Refusal);
    let b = app.write_tree("b", &reference_cells(), &|c, r, i| {
        if c == RiskCategory::Privacy && r == Relation::Analogy && i == 0 { Answer::Unsafe } else { Answer::Evasive }
    });
    let c = app.write_tree("c", &reference_cells(), &|_, _, _| Answer::Unsafe);
    for (dir, name, access) in [(&a, "Alpha", "open"), (&b, "Beta", "closed"), (&c, "Gamma", "open")] {
        let out = app.cli(&["import", dir.to_str().unwrap(), "--model", name, "--access", access]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    let (_, json) = app.get_json("/api/v1/leaderboard").await;
    let ranks: Vec<(String, u64)> = json["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["model"].as_str().unwrap().to_owned(), e["rank"].as_u64().unwrap()))
        .collect();
    assert_eq!(ranks, [("Alpha".into(), 1), ("Beta".into(), 1), ("Gamma".into(), 3)]);
    // Beta differs from Alpha on one item: not significantly different; Gamma is.
    let verdicts: Vec<&str> =
        json["entries"].as_array().unwrap().iter().map(|e| e["vs_safest"]["verdict"].as_str().unwrap()).collect();
    assert_eq!(verdicts, ["safest", "not_significantly_different", "significantly_less_safe"]);

    // Filters and sorting are query parameters, shared by page, JSON and CSV.
    let (_, open) = app.get_json("/api/v1/leaderboard?access=open&sort=model&dir=desc").await;
    let names: Vec<&str> = open["entries"].as_array().unwrap().iter().map(|e| e["model"].as_str().unwrap()).collect();
    assert_eq!(names, ["Gamma", "Alpha"]);
    let (_, csv) = app.get_text("/api/v1/leaderboard.csv?access=open&sort=model&dir=desc").await;
    let csv_names: Vec<String> =
        csv::Reader::from_reader(csv.as_bytes()).records().map(|r| r.unwrap()[1].to_owned()).collect();
    assert_eq!(csv_names, ["Gamma", "Alpha"]);
    let (_, html) = app.get_text("/?access=open&sort=model&dir=desc").await;
    let doc = Html::parse_document(&html);
    let page_names: Vec<String> = doc
        .select(&Selector::parse(r#"tr[data-test="row"]"#).unwrap())
        .map(|r| r.value().attr("data-model").unwrap().to_owned())
        .collect();
    assert_eq!(page_names, ["Gamma", "Alpha"]);
    let (_, found) = app.get_json("/api/v1/leaderboard?q=bet").await;
    assert_eq!(found["entries"].as_array().unwrap().len(), 1);

    // Bad parameters are a 400 with the fix, not a silent default.
    let (status, err) = app.get_json("/api/v1/leaderboard?sort=speed").await;
    assert_eq!(status, 400);
    assert!(err["message"].as_str().unwrap().contains("sort=`speed`"));
}

#[tokio::test]
async fn malformed_trees_are_refused_by_the_cli_and_change_nothing() {
    let app = spawn_app().await;
    let good = app.write_tree("good", &reference_cells(), &reference_pattern);
    assert!(app.cli(&["import", good.to_str().unwrap(), "--model", "Good"]).status.success());
    let before = app.store_counts().await;

    // A wrong label deep inside one file, a misspelled folder and a non-JSON file, all at once.
    let bad = app.write_tree("bad", &reference_cells(), &reference_pattern);
    let file = bad.join("Violence").join("Analogy.json");
    let mut doc: serde_json::Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    doc["judge_result"][2]["label"] = "Safe".into();
    std::fs::write(&file, serde_json::to_vec(&doc).unwrap()).unwrap();
    std::fs::rename(bad.join("Hate_Speech"), bad.join("Hate Speech")).unwrap();
    std::fs::write(bad.join("Privacy").join("notes.txt"), "hello").unwrap();
    let out = app.cli(&["import", bad.to_str().unwrap(), "--model", "Bad"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("nothing was stored"), "{err}");
    assert!(err.contains("Violence/Analogy.json, item 2: label `Safe` is neither"), "{err}");
    assert!(err.contains("label `Safe` is neither `safe` nor `unsafe`"), "{err}");
    assert!(err.contains("folder `Hate Speech` is not a risk category"), "{err}");
    assert!(err.contains("rename it to `Hate_Speech`"), "{err}");
    assert!(err.contains("Privacy/notes.txt: not a JSON file"), "{err}");
    assert_eq!(app.store_counts().await, before);

    // An aggregate CSV with a transcription slip.
    let csv = app.dir.path().join("table.csv");
    std::fs::write(&csv, "model,relation,asr_percent\nPaper-VLM,Analogy,23.45\nPaper-VLM,Overall,10\n").unwrap();
    let out = app.cli(&["import-table", csv.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("23.45% of n=318 is not a whole number of items"));
    assert_eq!(app.store_counts().await, before);
}

#[tokio::test]
async fn paper_tables_import_as_aggregate_rows() {
    let app = spawn_app().await;
    let mut csv = String::from("model,relation,asr_percent,judge,source,notes,organization,access\n");
    let mut total = 0;
    for r in Relation::ALL {
        let k = r.instance_count() / 4;
        total += k;
        csv.push_str(&format!(
            "Paper-VLM,{},{:.2},,Table 2,,Paper Lab,closed\n",
            r.harness_name(),
            k as f64 / r.instance_count() as f64 * 100.0
        ));
    }
    csv.push_str(&format!("Paper-VLM,Overall,{:.2},,Table 2,,,\n", total as f64 / 2676.0 * 100.0));
    let file = app.dir.path().join("paper.csv");
    std::fs::write(&file, csv).unwrap();
    let out = app.cli(&["import-table", file.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let (_, json) = app.get_json("/api/v1/leaderboard").await;
    let e = &json["entries"][0];
    assert_eq!(e["submission"]["source"], "paper");
    assert_eq!(e["submission"]["granularity"], "aggregate");
    assert_eq!(e["overall"]["unsafe"], total);
    assert!(e["overall"]["refusals"].is_null(), "no estimate without answers");
    assert!(e["categories"].as_object().unwrap().is_empty());
    let (_, page) = app.get_text("/models/paper-vlm").await;
    assert!(page.contains("No estimate: this result has aggregate numbers only"));
    assert!(page.contains("Transcribed from Table 2"));
}

#[tokio::test]
async fn export_command_writes_the_same_view() {
    let app = spawn_app().await;
    let tree = app.write_tree("t", &reference_cells(), &reference_pattern);
    assert!(app.cli(&["import", tree.to_str().unwrap(), "--model", "Export-VLM"]).status.success());
    let out = app.cli(&["export", "--format", "json"]);
    assert!(out.status.success());
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["entries"][0]["overall"]["unsafe"], STATICS_TOTAL.0);
    let out = app.cli(&["export", "--format", "csv", "--query", "cols=none"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.starts_with("rank,model,"));
    assert!(!text.contains("Temporal_Jump_asr"), "columns follow the query");
    let out = app.cli(&["export", "--query", "sort=bogus"]);
    assert!(!out.status.success());
}
