//! The research views' controls: scope pages take the leaderboard's population filters, a model
//! page orders its bars and names where it is weakest, `/submit` offers a sample archive, and
//! the comparison names every relation and category.

use crate::helpers::*;
use mir_leaderboard::demo::Answer;
use mir_leaderboard::domain::taxonomy::{Relation, RiskCategory};
use scraper::{Html, Selector};

/// (model, rank) of a scope page's table, in its order.
fn scope_rows(html: &str) -> Vec<(String, String)> {
    let doc = Html::parse_document(html);
    let row = Selector::parse(r#"[data-test="scope-table"] tr[data-test="row"]"#).unwrap();
    let rank = Selector::parse("td.rank").unwrap();
    doc.select(&row)
        .map(|r| {
            let model = r.value().attr("data-model").unwrap().to_owned();
            let rank = r.select(&rank).next().unwrap().text().collect::<String>();
            (model, rank)
        })
        .collect()
}

fn pairs(rows: &[(&str, &str)]) -> Vec<(String, String)> {
    rows.iter().map(|(a, b)| ((*a).to_owned(), (*b).to_owned())).collect()
}

/// Alpha (open): always safe. Beta (closed): unsafe on every Temporal Jump item. Gamma (open):
/// always unsafe.
async fn three_models() -> TestApp {
    let app = spawn_app().await;
    let cells = cells(20);
    let a = app.write_tree("a", &cells, &|_, _, _| Answer::Refusal);
    let b = app
        .write_tree("b", &cells, &|_, r, _| if r == Relation::TemporalJump { Answer::Unsafe } else { Answer::Refusal });
    let c = app.write_tree("c", &cells, &|_, _, _| Answer::Unsafe);
    for (dir, name, access) in [(&a, "Alpha", "open"), (&b, "Beta", "closed"), (&c, "Gamma", "open")] {
        let out = app.cli(&["import", dir.to_str().unwrap(), "--model", name, "--access", access]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    app
}

#[tokio::test]
async fn scope_pages_rank_within_the_filtered_population() {
    let app = three_models().await;
    let (status, all) = app.get_text("/relations/temporal-jump").await;
    assert_eq!(status, 200);
    assert_eq!(scope_rows(&all), pairs(&[("Alpha", "1"), ("Beta", "2"), ("Gamma", "2")]));
    assert!(all.contains(r#"data-test="scope-filters""#), "the page has the leaderboard's filters");

    // Open weights only: Beta leaves, and the ranks are among Alpha and Gamma alone.
    let (_, open) = app.get_text("/relations/temporal-jump?access=open").await;
    assert_eq!(scope_rows(&open), pairs(&[("Alpha", "1"), ("Gamma", "2")]));
    assert!(open.contains("/charts/relations/temporal-jump.svg?access=open"), "the chart shows the same view");
    assert!(open.contains("/relations/analogy?access=open"), "links to the other relations keep the view");
    let (_, closed) = app.get_text("/categories/privacy?access=closed&reasoning=no").await;
    assert_eq!(scope_rows(&closed), pairs(&[("Beta", "1")]));

    let (status, svg) = app.get_text("/charts/relations/temporal-jump.svg?access=closed").await;
    assert_eq!(status, 200);
    assert!(svg.contains("Beta: 100.0%") && !svg.contains("Alpha:"), "{svg}");

    // A value the filters do not know is refused, saying which values work.
    let (status, body) = app.get_text("/charts/relations/temporal-jump.svg?access=semi").await;
    assert_eq!(status, 400);
    assert!(body.contains("access=`semi`: use open, closed or all"), "{body}");
    let (_, page) = app.get_text("/relations/temporal-jump?access=semi").await;
    assert!(page.contains("access=`semi`: use open, closed or all"));
}

#[tokio::test]
async fn a_model_page_names_its_weakest_scopes_and_orders_bars_by_value() {
    let app = three_models().await;
    let (status, html) = app.get_text("/models/beta").await;
    assert_eq!(status, 200);
    let doc = Html::parse_document(&html);
    let weak: Vec<String> = doc
        .select(&Selector::parse(r#"[data-test="weakest"] li[data-test="weak"]"#).unwrap())
        .map(|e| e.text().collect::<String>())
        .collect();
    assert_eq!(weak.len(), 3 + 2, "{weak:?}");
    assert!(weak[0].starts_with("Temporal Jump 100.00% ["), "{weak:?}");
    assert!(weak[0].ends_with(", clearly above overall"), "{weak:?}");
    assert!(!weak[1].contains("clearly above"), "a 0% relation is not above the overall interval: {weak:?}");

    // Taxonomy order by default (short names under group headers); highest first on request.
    assert!(html.contains("/charts/models/beta/relations.svg\""), "default chart URL");
    let (_, taxonomy) = app.get_text("/charts/models/beta/relations.svg").await;
    assert!(taxonomy.find(">Continuity<").unwrap() < taxonomy.find(">Jump<").unwrap());
    let (_, page) = app.get_text("/models/beta?order=value").await;
    assert!(page.contains("/charts/models/beta/relations.svg?order=value"));
    assert!(page.contains("/charts/models/beta/categories.svg?order=value"));
    let (status, by_value) = app.get_text("/charts/models/beta/relations.svg?order=value").await;
    assert_eq!(status, 200);
    assert!(by_value.find(">Temporal Jump<").unwrap() < by_value.find(">Temporal Continuity<").unwrap());
    let (status, body) = app.get_text("/charts/models/beta/relations.svg?order=up").await;
    assert_eq!(status, 400);
    assert!(body.contains("order=`up`: use taxonomy or value"), "{body}");

    // The axis fits the data: Alpha's intervals end near 3%, so the axis ends at 5%, from 0.
    let (_, alpha) = app.get_text("/charts/models/alpha/relations.svg").await;
    assert!(alpha.contains(">0%<") && alpha.contains(">5%<") && !alpha.contains(">100%<"), "{alpha}");
    // Gamma's reach 100%.
    let (_, gamma) = app.get_text("/charts/models/gamma/relations.svg").await;
    assert!(gamma.contains(">100%<"));
}

#[tokio::test]
async fn the_comparison_names_every_relation_and_category_and_marks_the_significant() {
    let app = three_models().await;
    let (status, html) = app.get_text("/compare?models=alpha,beta").await;
    assert_eq!(status, 200);
    let doc = Html::parse_document(&html);
    let verdicts: Vec<(String, String)> = doc
        .select(&Selector::parse(r#"[data-test="verdict"]"#).unwrap())
        .map(|e| (e.text().collect::<String>(), e.value().attr("data-significant").unwrap().to_owned()))
        .collect();
    assert_eq!(verdicts.len(), Relation::ALL.len() + RiskCategory::ALL.len(), "{verdicts:?}");
    let significant: Vec<&str> = verdicts.iter().filter(|(_, s)| s == "true").map(|(t, _)| t.as_str()).collect();
    // Temporal Jump, and every category (each holds 20 Jump items, all against Beta).
    assert_eq!(significant.len(), 1 + RiskCategory::ALL.len(), "{significant:?}");
    assert!(significant[0].starts_with("Significant: Alpha is significantly safer than Beta on Temporal Jump"));
    let analogy = verdicts.iter().find(|(t, _)| t.contains(" on Analogy")).unwrap();
    assert!(
        analogy.0.starts_with("No clear difference between Alpha and Beta on Analogy: could be chance (p = 1.00"),
        "{analogy:?}"
    );
    assert!(html.contains(r#"data-test="holm""#) && html.contains("Holm-adjusted within its family"));
    let table_marks =
        doc.select(&Selector::parse(r#"[data-test="tests"] tbody tr[data-significant="true"]"#).unwrap()).count();
    assert_eq!(table_marks, 1 + 1 + RiskCategory::ALL.len(), "overall, Jump and the categories");

    let (_, svg) = app.get_text("/charts/compare/relations.svg?models=alpha,beta").await;
    assert!(svg.contains("Significant paired differences (Holm-adjusted p &lt; 0.05) on: Temporal Jump."), "{svg}");
    assert!(svg.contains("*: a significant paired difference"));
}

#[tokio::test]
async fn submit_offers_a_sample_archive_that_passes_every_check() {
    let app = spawn_app().await;
    let (_, page) = app.get_text("/submit").await;
    assert!(page.contains(r#"href="/submit/sample.zip""#));
    let res = app.get("/submit/sample.zip").await;
    assert_eq!(res.status().as_u16(), 200);
    assert_eq!(res.headers()["content-type"], "application/zip");
    assert!(res.headers()["content-disposition"].to_str().unwrap().contains("SAMPLE"));
    let bytes = res.bytes().await.unwrap().to_vec();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes.clone())).unwrap();
    assert_eq!(zip.len(), Relation::ALL.len() * RiskCategory::ALL.len());
    assert!(zip.by_index(0).unwrap().name().starts_with("sample_model_0/"));
    let path = app.dir.path().join("sample.zip");
    std::fs::write(&path, &bytes).unwrap();
    let out = app.cli(&["validate", path.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(said.starts_with("valid ") && said.contains("(sample_model_0)"), "{said}");
    assert_eq!(app.store_counts().await.iter().sum::<i64>(), 0, "downloading stores nothing");
}
