//! Public responses come from the cache of rendered responses: validators that survive the
//! per-response nonce, 304s that keep the browser's stored policy, a canonical URL for every
//! leaderboard view, and nothing stale after the store changes.

use crate::helpers::*;
use crate::leaderboard::{reference_cells, reference_pattern};

fn nonce_of(csp: &str) -> String {
    csp.split("'nonce-").nth(1).and_then(|t| t.split('\'').next()).expect("a nonce").to_owned()
}

#[tokio::test]
async fn pages_revalidate_to_304_and_keep_a_fresh_nonce_per_answer() {
    let app = spawn_app().await;
    let tree = app.write_tree("m", &reference_cells(), &reference_pattern);
    assert!(app.cli(&["import", tree.to_str().unwrap(), "--model", "Cached-VLM"]).status.success());

    let first = app.get("/").await;
    let etag = first.headers()["etag"].clone();
    let nonce1 = nonce_of(first.headers()["content-security-policy"].to_str().unwrap());
    assert_eq!(first.headers()["cache-control"], "no-cache");
    let body1 = first.text().await.unwrap();
    let second = app.get("/").await;
    assert_eq!(second.headers()["etag"], etag, "the same page has the same validator");
    let nonce2 = nonce_of(second.headers()["content-security-policy"].to_str().unwrap());
    assert_ne!(nonce1, nonce2);
    let body2 = second.text().await.unwrap();
    assert!(body2.contains(&format!("nonce=\"{nonce2}\"")) && !body2.contains(&nonce1));
    assert_eq!(body1.replace(&nonce1, "N"), body2.replace(&nonce2, "N"), "only the nonce differs");

    let r = app.client.get(app.url("/")).header("if-none-match", etag.clone()).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 304);
    assert!(r.headers().get("content-security-policy").is_none(), "a 304 keeps the stored policy");

    // Parameters the page does not know, and defaults spelled out, are the same view.
    let r = app.get("/?utm_source=feed&access=all").await;
    assert_eq!(r.status().as_u16(), 303);
    assert_eq!(r.headers()["location"], "/");
    let r = app.get("/?cols=relations,groups&sort=Analogy").await;
    assert_eq!(r.status().as_u16(), 303);
    assert_eq!(r.headers()["location"], "/?sort=Analogy");
    let a = app.get("/api/v1/leaderboard?fbclid=1").await.headers()["etag"].clone();
    let b = app.get("/api/v1/leaderboard").await.headers()["etag"].clone();
    assert_eq!(a, b);

    // A change of the store is seen at once.
    let other = app.write_tree("o", &reference_cells(), &|_, _, _| mir_leaderboard::demo::Answer::Refusal);
    assert!(app.cli(&["import", other.to_str().unwrap(), "--model", "Newer-VLM"]).status.success());
    let r = app.client.get(app.url("/")).header("if-none-match", etag.clone()).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert!(r.text().await.unwrap().contains("Newer-VLM"));
}

#[tokio::test]
async fn a_maintainers_pages_are_never_served_from_the_cache() {
    let app = spawn_app_with(Options { admin_token: true, ..Default::default() }).await;
    let public = app.get("/submissions").await;
    assert!(public.headers().contains_key("etag"));
    app.sign_in().await;
    let private = app.get("/submissions").await;
    assert_eq!(private.headers()["cache-control"], "no-store");
    assert!(!private.headers().contains_key("etag"));
}
