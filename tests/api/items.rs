//! Item consensus and judge agreement: trees with known labels (four models under the
//! benchmark's judge, two of them judged again by a second judge, one aggregate-only model),
//! and every number of `/items`, an item page, `/judges` and both API endpoints checked against
//! a computation written here from the same labels.

use crate::helpers::*;
use mir_leaderboard::demo::Answer;
use mir_leaderboard::domain::taxonomy::{Relation, RiskCategory};
use std::collections::BTreeMap;

const J0: &str = "HarmBench-Llama-2-13b-cls";
const J1: &str = "LlamaGuard-3";
const MODELS: [(&str, &str); 4] =
    [("Model A", "model-a"), ("Model B", "model-b"), ("Model C", "model-c"), ("Model D", "model-d")];

/// Three items in every cell: 162 items, numbered in taxonomy order.
fn item_number(c: RiskCategory, r: Relation, i: u32) -> u32 {
    let ci = RiskCategory::ALL.iter().position(|x| *x == c).unwrap() as u32;
    let ri = Relation::ALL.iter().position(|x| *x == r).unwrap() as u32;
    (ci * 9 + ri) * 3 + i
}

/// Model `k`'s label under the benchmark's judge (`judge` 0) or the second judge (1).
fn label(k: usize, judge: usize, c: RiskCategory, r: Relation, i: u32) -> bool {
    let x = item_number(c, r, i);
    let base = x.is_multiple_of(11) || (x % 13 != 1 && (x * (k as u32 + 2)) % 7 < 3);
    match (judge, k) {
        (0, _) => base,
        (1, 0) => base ^ x.is_multiple_of(5),
        (1, 1) => base || x.is_multiple_of(3),
        _ => unreachable!("only A and B have a second judge"),
    }
}

fn all_items() -> Vec<(RiskCategory, Relation, u32)> {
    let mut out = vec![];
    for c in RiskCategory::ALL {
        for r in Relation::ALL {
            for i in 0..3 {
                out.push((c, r, i));
            }
        }
    }
    out
}

async fn import_all(app: &TestApp) {
    for (k, (name, _)) in MODELS.iter().enumerate() {
        let tree = app.write_tree(&format!("j0-{k}"), &cells(3), &move |c, r, i| {
            if label(k, 0, c, r, i) { Answer::Unsafe } else { Answer::Refusal }
        });
        let out = app.cli(&["import", tree.to_str().unwrap(), "--model", name]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    for (k, (name, _)) in MODELS.iter().enumerate().take(2) {
        let tree = app.write_tree(&format!("j1-{k}"), &cells(3), &move |c, r, i| {
            if label(k, 1, c, r, i) { Answer::Unsafe } else { Answer::Evasive }
        });
        let out = app.cli(&["import", tree.to_str().unwrap(), "--model", name, "--judge", J1]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    // Aggregate numbers only: ranked, but without items.
    let mut csv = String::from("model,relation,asr_percent\n");
    for r in Relation::ALL {
        csv.push_str(&format!("Paper Model,{},10\n", r.harness_name()));
    }
    let file = app.dir.path().join("paper.csv");
    std::fs::write(&file, csv).unwrap();
    assert!(app.cli(&["import-table", file.to_str().unwrap()]).status.success());
}

/// (category, relation, index) -> slugs unsafe under the benchmark's judge, computed here.
fn expected_consensus() -> BTreeMap<(String, String, u32), Vec<&'static str>> {
    all_items()
        .into_iter()
        .map(|(c, r, i)| {
            let slugs = (0..4).filter(|k| label(*k, 0, c, r, i)).map(|k| MODELS[k].1).collect();
            ((c.harness_name().to_owned(), r.harness_name().to_owned(), i), slugs)
        })
        .collect()
}

#[tokio::test]
async fn items_consensus_equals_an_independent_count() {
    let app = spawn_app().await;
    import_all(&app).await;
    let expected = expected_consensus();

    let (status, json) = app.get_json("/api/v1/items").await;
    assert_eq!(status, 200, "{json}");
    assert_eq!(json["judge"], J0);
    assert_eq!(json["models"], 4);
    assert_eq!(json["left_out"], serde_json::json!(["Paper Model"]));
    assert!(json["notice"].is_null());
    let items = json["items"].as_array().unwrap();
    assert_eq!(items.len(), 162);
    let mut seen = BTreeMap::new();
    let mut previous = f64::INFINITY;
    for it in items {
        let key = (
            it["category"].as_str().unwrap().to_owned(),
            it["relation"].as_str().unwrap().to_owned(),
            it["index"].as_u64().unwrap() as u32,
        );
        let slugs: Vec<&str> = it["unsafe_models"].as_array().unwrap().iter().map(|s| s.as_str().unwrap()).collect();
        let want = &expected[&key];
        let mut sorted = slugs.clone();
        sorted.sort();
        assert_eq!(&sorted, want, "{key:?}");
        assert_eq!(it["unsafe"].as_u64().unwrap() as usize, want.len(), "{key:?}");
        assert_eq!(it["models"], 4);
        assert_eq!(it["share"].as_f64().unwrap(), want.len() as f64 / 4.0);
        let share = it["share"].as_f64().unwrap();
        assert!(share <= previous, "most-broken first");
        previous = share;
        seen.insert(key, ());
    }
    assert_eq!(seen.len(), 162, "every item once");
    assert!(seen.contains_key(&("Self-Harm".to_owned(), "Temporal_Jump".to_owned(), 2)), "harness spellings");

    // Filters: relation, category and minimum share, exactly as counted here.
    let (_, f) = app.get_json("/api/v1/items?relation=Analogy&category=Violence&min_share=0.5").await;
    let want = expected.iter().filter(|((c, r, _), s)| c == "Violence" && r == "Analogy" && s.len() * 2 >= 4).count();
    assert_eq!(f["items"].as_array().unwrap().len(), want);
    let (_, f) = app.get_json("/api/v1/items?min_share=1").await;
    let universal = expected.values().filter(|s| s.len() == 4).count();
    assert!(universal > 0, "the labels make some items universal");
    assert_eq!(f["items"].as_array().unwrap().len(), universal);
    let none = expected.values().filter(|s| s.is_empty()).count();
    assert!(none > 0);

    // Bad filters are a JSON 400 that names the parameter.
    for bad in ["relation=analogy", "category=Self_Harm", "min_share=2", "min_share=abc"] {
        let (status, err) = app.get_json(&format!("/api/v1/items?{bad}")).await;
        assert_eq!(status, 400, "{bad}");
        assert_eq!(err["error"], "bad_request", "{bad}: {err}");
        assert!(err["message"].as_str().unwrap().contains(bad.split('=').next().unwrap()), "{bad}");
    }

    // The CSV is the filtered list.
    let (status, csv) = app.get_text("/api/v1/items.csv?category=Violence").await;
    assert_eq!(status, 200);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "category,relation,index,unsafe,models,share,universal,judge,notice");
    assert_eq!(lines.len() - 1, 27);
    assert!(lines[1..].iter().all(|l| l.starts_with("Violence,")));

    // The page: population, left-out model, counts per relation, the list linking to items.
    let (status, html) = app.get_text("/items").await;
    assert_eq!(status, 200);
    assert!(html.contains(&format!("4 ranked model(s) with per-item labels under {J0}; 162 items.")), "population");
    assert!(html.contains("1 ranked model(s) have aggregate numbers only and cannot take part: Paper Model."));
    assert!(html.contains(&format!(
        "{universal} universal item(s) (broken by at least 80% of the models judged on them) and {none} broken by none."
    )));
    assert!(html.contains("/items/Hate_Speech/Temporal_Continuity/0"), "items link to their page");
    assert!(html.contains("/api/v1/items.csv"), "CSV download");
    assert!(html.contains("/charts/items.svg"));
    let analogy_universal = expected.iter().filter(|((_, r, _), s)| r == "Analogy" && s.len() == 4).count();
    let analogy_none = expected.iter().filter(|((_, r, _), s)| r == "Analogy" && s.is_empty()).count();
    let row = html.split("data-scope=\"Analogy\"").nth(1).unwrap();
    let row = &row[..row.find("</tr>").unwrap()];
    let cells: Vec<&str> = row.split("<td class=\"num\">").skip(1).map(|c| &c[..c.find('<').unwrap()]).collect();
    assert_eq!(cells[0], "18");
    assert_eq!(cells[1], analogy_universal.to_string());
    assert_eq!(cells[3], analogy_none.to_string());
    // Filtered page keeps its filters in the form and in the CSV link.
    let (_, filtered) = app.get_text("/items?relation=Analogy&min_share=0.5").await;
    assert!(
        filtered.contains("/api/v1/items.csv?relation=Analogy&amp;min_share=0.5"),
        "the CSV link carries the filters"
    );
    // A bad filter on the page is named and ignored.
    let (status, bad) = app.get_text("/items?relation=nope").await;
    assert_eq!(status, 200);
    assert!(bad.contains("relation=`nope` is not a relation"));

    // One item: who it broke, by name with links, and its position in the dataset.
    let key = ("Violence".to_owned(), "Analogy".to_owned(), 1);
    let broke = &expected[&key];
    let (status, item) = app.get_text("/items/Violence/Analogy/1").await;
    assert_eq!(status, 200);
    assert!(
        item.contains("entry 1 (0-based, the harness&#x27;s item_index) of Violence/Analogy.json")
            || item.contains("entry 1 (0-based, the harness's item_index) of Violence/Analogy.json"),
        "position"
    );
    assert!(item.contains(&format!("Unsafe for {} of the 4 models judged on it", broke.len())));
    let unsafe_list = item.split("data-test=\"unsafe-models\"").nth(1).unwrap();
    let unsafe_list = &unsafe_list[..unsafe_list.find("</ul>").unwrap()];
    for (_, slug) in MODELS {
        assert_eq!(unsafe_list.contains(&format!("/models/{slug}")), broke.contains(&slug), "{slug}");
    }
    assert_eq!(app.get_text("/items/Violence/Analogy/3").await.0, 404, "only three items per cell");
    assert_eq!(app.get_text("/items/violence/Analogy/0").await.0, 404, "harness spellings only");

    // Each model page counts its universal items.
    let (_, model) = app.get_text("/models/model-a").await;
    assert!(
        model.contains(&format!("Unsafe on {universal} of the {universal} universal items")),
        "a universal item broke every model"
    );
}

/// Fleiss–Cohen–Everitt kappa and interval, written out again for the check.
fn kappa(a: f64, b: f64, c: f64, d: f64) -> (f64, f64, f64) {
    let n = a + b + c + d;
    let (p11, p12, p21, p22) = (a / n, b / n, c / n, d / n);
    let (r1, r2, c1, c2) = (p11 + p12, p21 + p22, p11 + p21, p12 + p22);
    let pe = r1 * c1 + r2 * c2;
    let k = (p11 + p22 - pe) / (1.0 - pe);
    let ta = p11 * (1.0 - (r1 + c1) * (1.0 - k)).powi(2) + p22 * (1.0 - (r2 + c2) * (1.0 - k)).powi(2);
    let tb = (1.0 - k).powi(2) * (p12 * (c1 + r2).powi(2) + p21 * (c2 + r1).powi(2));
    let tc = (k - pe * (1.0 - k)).powi(2);
    let se = ((ta + tb - tc) / (1.0 - pe).powi(2) / n).sqrt();
    (k, (k - 1.959_963_984_540_054 * se).max(-1.0), (k + 1.959_963_984_540_054 * se).min(1.0))
}

/// Exact two-sided McNemar by integer binomial sums.
fn mcnemar(b: u64, c: u64) -> f64 {
    let n = b + c;
    let mut choose: u128 = 1;
    let mut tail: u128 = 0;
    for k in 0..=b.min(c) {
        if k > 0 {
            choose = choose * u128::from(n - k + 1) / u128::from(k);
        }
        tail += choose;
    }
    (2.0 * tail as f64 / 2f64.powi(n as i32)).min(1.0)
}

#[tokio::test]
async fn judges_agreement_equals_an_independent_count() {
    let app = spawn_app().await;
    import_all(&app).await;
    let (status, json) = app.get_json("/api/v1/judges/agreement").await;
    assert_eq!(status, 200, "{json}");
    assert_eq!(json["judges"], serde_json::json!([J0, J1]));
    let rows = json["pairs"].as_array().unwrap();
    assert_eq!(rows.len(), 3, "the pooled row and one per shared model: {json}");
    let mut pooled = [0u64; 4];
    let mut per_model = vec![];
    for (k, (_, slug)) in MODELS.iter().enumerate().take(2) {
        let mut t = [0u64; 4];
        for (c, r, i) in all_items() {
            let (x, y) = (label(k, 0, c, r, i), label(k, 1, c, r, i));
            let slot = match (x, y) {
                (true, true) => 0,
                (true, false) => 1,
                (false, true) => 2,
                (false, false) => 3,
            };
            t[slot] += 1;
            pooled[slot] += 1;
        }
        per_model.push((Some(*slug), t));
    }
    let mut expected = vec![(None, pooled)];
    expected.extend(per_model);
    for (row, (model, t)) in rows.iter().zip(&expected) {
        assert_eq!(row["judge_a"], J0);
        assert_eq!(row["judge_b"], J1);
        assert_eq!(row["model"].as_str(), *model);
        assert_eq!(row["n"], 162 * if model.is_some() { 1 } else { 2 });
        let got = [&row["both_unsafe"], &row["only_a"], &row["only_b"], &row["both_safe"]].map(|v| v.as_u64().unwrap());
        assert_eq!(got, *t, "{model:?}");
        let n = t.iter().sum::<u64>() as f64;
        assert!((row["asr_a"].as_f64().unwrap() - (t[0] + t[1]) as f64 / n * 100.0).abs() < 1e-9);
        assert!((row["asr_b"].as_f64().unwrap() - (t[0] + t[2]) as f64 / n * 100.0).abs() < 1e-9);
        let (k, lo, hi) = kappa(t[0] as f64, t[1] as f64, t[2] as f64, t[3] as f64);
        assert!((row["kappa"].as_f64().unwrap() - k).abs() < 1e-12, "{model:?}: {row}");
        assert!((row["kappa_ci_low"].as_f64().unwrap() - lo).abs() < 1e-12);
        assert!((row["kappa_ci_high"].as_f64().unwrap() - hi).abs() < 1e-12);
        let p = mcnemar(t[1], t[2]);
        assert!((row["p"].as_f64().unwrap() - p).abs() <= 1e-12 * p.max(1e-300), "{model:?}: {} vs {p}", row["p"]);
    }
    // Model B's second judge only adds unsafe labels: only_a is 0, and B is significantly stricter.
    assert_eq!(rows[2]["only_a"], 0);
    assert!(rows[2]["p"].as_f64().unwrap() < 0.05);

    let (status, html) = app.get_text("/judges").await;
    assert_eq!(status, 200);
    assert!(html.contains(&format!("{J0} (A) and {J1} (B)")));
    assert!(html.contains(&format!("Over 2 model(s) and {} shared items", 324)));
    let (k, lo, hi) = kappa(pooled[0] as f64, pooled[1] as f64, pooled[2] as f64, pooled[3] as f64);
    assert!(html.contains(&format!("{k:.3} [{lo:.3}, {hi:.3}]")), "pooled kappa on the page");
    for v in pooled {
        assert!(html.contains(&format!("<td class=\"num\">{v}</td>")));
    }
    assert!(html.contains("/charts/judges.svg?a=HarmBench-Llama-2-13b-cls&amp;b=LlamaGuard-3"));
    let svg = app.get_text("/charts/judges.svg?a=HarmBench-Llama-2-13b-cls&b=LlamaGuard-3").await;
    assert_eq!(svg.0, 200);
    assert!(svg.1.starts_with("<svg") && svg.1.contains("Model A") && !svg.1.contains("SAMPLE DATA"));
    assert_eq!(app.get_text("/charts/judges.svg?a=x&b=y").await.0, 404);
    let items_svg = app.get_text("/charts/items.svg").await;
    assert_eq!(items_svg.0, 200);
    assert!(items_svg.1.starts_with("<svg"));

    // The leaderboard's judge picker links here.
    let (_, board) = app.get_text("/").await;
    assert!(board.contains("href=\"/judges\""));
}

#[tokio::test]
async fn judges_page_with_one_judge_says_how_to_add_another() {
    let app = spawn_app().await;
    let tree = app.write_tree("only", &cells(2), &|_, _, i| if i == 0 { Answer::Unsafe } else { Answer::Refusal });
    assert!(app.cli(&["import", tree.to_str().unwrap(), "--model", "Only"]).status.success());
    let (_, json) = app.get_json("/api/v1/judges/agreement").await;
    assert_eq!(json["pairs"], serde_json::json!([]));
    let (status, html) = app.get_text("/judges").await;
    assert_eq!(status, 200);
    assert!(html.contains("Only one judge has results so far"));
    assert!(html.contains("upload the same run judged by another classifier"));
}

#[tokio::test]
async fn items_pages_and_exports_say_sample_data() {
    let app = spawn_app().await;
    mir_leaderboard::demo::seed_if_empty(&app.pool).await.unwrap_or_else(|e| panic!("{e}\n{}", error_logs()));
    let (_, json) = app.get_json("/api/v1/items").await;
    assert_eq!(json["notice"], "sample data, not real results");
    let first = &json["items"][0];
    let path = format!(
        "/items/{}/{}/{}",
        first["category"].as_str().unwrap(),
        first["relation"].as_str().unwrap(),
        first["index"]
    );
    for p in ["/items", path.as_str()] {
        let (status, html) = app.get_text(p).await;
        assert_eq!(status, 200, "{p}");
        assert!(html.contains("SAMPLE DATA"), "{p}");
    }
    let (_, csv) = app.get_text("/api/v1/items.csv").await;
    assert!(csv.lines().skip(1).all(|l| l.ends_with(",sample data, not real results")));
    let (_, svg) = app.get_text("/charts/items.svg").await;
    assert!(svg.contains("SAMPLE DATA"));
}
