//! The OpenAPI document is the API: every route under `/api` (and `/healthz`) is in it, every
//! operation in it is served, it is a well-formed OpenAPI 3 document, and every error status an
//! operation can answer is listed with the one JSON error body. schemathesis
//! (scripts/schemathesis.sh) checks the schemas against the running server; this checks the
//! inventory, which a fuzzer cannot: a route nobody documented is invisible to it.

use crate::helpers::spawn_app;
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

const METHODS: [&str; 5] = ["get", "post", "put", "delete", "patch"];

/// Routes under `/api` that are not operations: the JSON 404 for every other path.
const NOT_OPERATIONS: [&str; 2] = ["/api", "/api/{*rest}"];

fn is_api(path: &str) -> bool {
    path == "/api" || path.starts_with("/api/") || path == "/healthz"
}

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read src") {
        let p = entry.expect("entry").path();
        if p.is_dir() {
            sources(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

/// The string literal that opens `rest` (after optional whitespace), if any.
fn leading_literal(rest: &str) -> Option<&str> {
    let rest = rest.trim_start().strip_prefix('"')?;
    rest.find('"').map(|end| &rest[..end])
}

/// `(file, path)` of a route registration.
type Routes = Vec<(String, String)>;
/// `(method, path)` of an operation.
type Operations = BTreeSet<(String, String)>;

/// Every path registered on a router in the source (`.route("/x", ..)` and friends), and every
/// `(method, path)` a `#[utoipa::path]` attribute declares.
fn registrations() -> (Routes, Operations) {
    let mut files = vec![];
    sources(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"), &mut files);
    let mut routes = vec![];
    let mut documented = BTreeSet::new();
    for file in files {
        let code = std::fs::read_to_string(&file).expect("read");
        let name = file.display().to_string();
        for call in [".route(", ".route_service(", ".nest(", ".nest_service("] {
            for (i, _) in code.match_indices(call) {
                if let Some(path) = leading_literal(&code[i + call.len()..]) {
                    routes.push((name.clone(), path.to_owned()));
                }
            }
        }
        for (i, _) in code.match_indices("#[utoipa::path(") {
            let attr = &code[i..i + code[i..].find(")]\n").expect("attribute ends")];
            let method = attr["#[utoipa::path(".len()..]
                .trim_start()
                .split(|c: char| !c.is_ascii_alphabetic())
                .next()
                .unwrap_or_default()
                .to_owned();
            let path = attr.find("path = ").and_then(|p| leading_literal(&attr[p + "path = ".len()..]));
            let path = path.unwrap_or_else(|| panic!("{name}: #[utoipa::path] without a path"));
            documented.insert((method, path.to_owned()));
        }
    }
    (routes, documented)
}

fn operations(doc: &Value) -> Operations {
    let mut ops = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for m in METHODS {
            if item.get(m).is_some() {
                ops.insert((m.to_owned(), path.clone()));
            }
        }
    }
    ops
}

#[tokio::test]
async fn the_document_lists_exactly_the_api_routes_served() {
    let (routes, attributes) = registrations();
    // An API route registered by hand bypasses the document; `routes!` is the only way in.
    let by_hand: Vec<String> = routes
        .iter()
        .filter(|(_, p)| is_api(p) && !NOT_OPERATIONS.contains(&p.as_str()))
        .map(|(f, p)| format!("{f}: {p}"))
        .collect();
    assert!(by_hand.is_empty(), "API routes registered outside `routes!`, so undocumented:\n{}", by_hand.join("\n"));
    assert!(routes.iter().any(|(_, p)| p == "/charts/capability.svg"), "the scan sees the router: {routes:?}");

    let app = spawn_app().await;
    let (status, doc) = app.get_json("/api/v1/openapi.json").await;
    assert_eq!(status, 200);
    // Every annotated handler is routed (so in the document), and nothing else is in it.
    assert_eq!(operations(&doc), attributes, "document vs #[utoipa::path] attributes");
    assert!(attributes.len() >= 8, "{attributes:?}");

    // Every documented operation is answered by its handler, not by the JSON 404 for unknown
    // API paths nor by a 405.
    for (method, path) in operations(&doc) {
        let concrete = path.replace("{id}", "1");
        let url = app.url(&format!("{concrete}{}", if path == "/api/v1/compare" { "?models=a,b" } else { "" }));
        let res = match method.as_str() {
            "get" => app.client.get(&url).send().await,
            "post" => app.client.post(&url).send().await,
            other => panic!("no probe for {other}"),
        }
        .expect("request");
        let status = res.status().as_u16();
        let body = res.text().await.unwrap_or_default();
        assert_ne!(status, 405, "{method} {path} documented but not served");
        assert!(!body.contains("API route"), "{method} {path} documented but answered by the fallback: {body}");
    }
}

#[tokio::test]
async fn unknown_api_paths_and_methods_answer_json_or_405() {
    let app = spawn_app().await;
    for path in ["/api", "/api/v1", "/api/v2/leaderboard", "/api/v1/submissions/1/extra", "/api/v1/leaderboard/"] {
        let r = app.get(path).await;
        assert_eq!(r.status().as_u16(), 404, "{path}");
        assert!(r.headers()["content-type"].to_str().unwrap().starts_with("application/json"), "{path}");
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["error"], "not_found", "{path}");
    }
    let r = app.client.delete(app.url("/api/v1/leaderboard")).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 405);
    assert_eq!(r.headers()["allow"], "GET,HEAD");
    // The rest of the site keeps its HTML 404 page.
    let r = app.get("/no-such-page").await;
    assert_eq!(r.status().as_u16(), 404);
    assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
}

/// Follows a local `$ref` (`#/components/schemas/X`).
fn resolve<'a>(doc: &'a Value, reference: &str) -> Option<&'a Value> {
    doc.pointer(reference.strip_prefix('#')?)
}

fn refs(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            if let Some(Value::String(r)) = m.get("$ref") {
                out.push(r.clone());
            }
            m.values().for_each(|x| refs(x, out));
        }
        Value::Array(a) => a.iter().for_each(|x| refs(x, out)),
        _ => {}
    }
}

#[tokio::test]
async fn the_document_is_openapi_3_with_every_error_status_described() {
    let app = spawn_app().await;
    let r = app.get("/api/v1/openapi.json").await;
    assert!(r.headers()["content-type"].to_str().unwrap().starts_with("application/json"));
    let text = r.text().await.unwrap();
    // It parses as an OpenAPI 3.1 document (utoipa's model of one), not just as JSON.
    let typed: utoipa::openapi::OpenApi = serde_json::from_str(&text).expect("an OpenAPI document");
    assert!(!typed.paths.paths.is_empty());
    let doc: Value = serde_json::from_str(&text).unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."), "{}", doc["openapi"]);
    assert!(doc["info"]["description"].as_str().unwrap().contains("Wilson"));

    let mut all_refs = vec![];
    refs(&doc, &mut all_refs);
    for r in &all_refs {
        assert!(resolve(&doc, r).is_some(), "dangling $ref {r}");
    }

    for (method, path) in operations(&doc) {
        let op = &doc["paths"][&path][&method];
        let name = format!("{} {path}", method.to_uppercase());
        let responses = op["responses"].as_object().unwrap_or_else(|| panic!("{name}: no responses"));
        let successes: Vec<&String> = responses.keys().filter(|s| s.starts_with('2')).collect();
        assert_eq!(successes.len(), 1, "{name}: one success status, not {successes:?}");
        let mut expected = vec!["413", "500", "503"];
        let params = op["parameters"].as_array().map(Vec::as_slice).unwrap_or_default();
        if !params.is_empty() || op.get("requestBody").is_some() {
            expected.push("400");
        }
        if params.iter().any(|p| p["in"] == "path") {
            expected.push("404");
        }
        if op.get("requestBody").is_some() {
            expected.extend(["403", "408", "409", "422", "429"]);
        }
        for status in expected {
            assert!(responses.contains_key(status), "{name}: no {status} response");
        }
        for (status, response) in responses.iter().filter(|(s, _)| !s.starts_with('2')) {
            let schema = &response["content"]["application/json"]["schema"]["$ref"];
            assert_eq!(schema, "#/components/schemas/ErrorBody", "{name} {status}: the error body");
            if status == "429" || status == "503" {
                assert!(response["headers"].get("Retry-After").is_some(), "{name} {status}: Retry-After");
            }
        }
    }
    let upload = &doc["paths"]["/api/v1/submissions"]["post"]["requestBody"]["content"]["multipart/form-data"];
    let form = resolve(&doc, upload["schema"]["$ref"].as_str().unwrap()).unwrap();
    // One archive as `file`, or a folder as repeated `files` parts: neither is required alone.
    assert_eq!(form["required"], serde_json::json!(["model"]));
    assert_eq!(form["properties"]["files"]["type"], serde_json::json!(["array", "null"]), "{form}");
    assert_eq!(form["properties"]["file"]["format"], "binary");
    let fields: BTreeSet<&str> = form["properties"].as_object().unwrap().keys().map(String::as_str).collect();
    let want = ["model", "judge", "organization", "access", "reasoning", "parameters", "link", "note", "file", "files"];
    assert_eq!(fields, want.into_iter().collect());
    let csv = &doc["paths"]["/api/v1/leaderboard.csv"]["get"]["responses"]["200"]["content"];
    assert!(csv.get("text/csv").is_some(), "{csv}");
}

#[tokio::test]
async fn extractor_rejections_are_the_api_error_shape() {
    let app = spawn_app().await;
    for path in [
        "/api/v1/submissions?offset=abc",
        "/api/v1/submissions?offset=9223372036854775808",
        "/api/v1/submissions?limit=1.5",
        "/api/v1/submissions/99999999999999999999",
        "/api/v1/submissions/abc",
        "/api/v1/submissions?status=%20pending",
        "/api/v1/leaderboard?reasoning=maybe",
        "/api/v1/leaderboard?access=%20open",
        "/api/v1/compare?models=a",
    ] {
        let (status, body) = app.get_json(path).await;
        assert_eq!(status, 400, "{path}: {body}");
        assert_eq!(body["error"], "bad_request", "{path}: {body}");
        assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()), "{path}: {body}");
    }
    let r = app.client.post(app.url("/api/v1/submissions")).header("content-type", "text/plain").body("x").send().await;
    let r = r.unwrap();
    assert_eq!(r.status().as_u16(), 400);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"], "bad_request");
    assert!(body["message"].as_str().unwrap().contains("multipart/form-data"), "{body}");

    // What the document says is accepted is accepted: the synonyms, the extreme integers
    // (an out-of-range limit is clamped, and the answer says to what).
    for path in [
        "/api/v1/leaderboard?reasoning=true&access=&sort=asr&cols=relations,,safety",
        "/api/v1/submissions?offset=9223372036854775807&limit=-9223372036854775808",
    ] {
        let (status, body) = app.get_json(path).await;
        assert_eq!(status, 200, "{path}: {body}");
    }
    let (_, body) = app.get_json("/api/v1/submissions?limit=100000&offset=-3").await;
    assert_eq!((body["limit"].as_i64(), body["offset"].as_i64()), (Some(500), Some(0)));
    let (status, body) = app.get_json("/api/v1/submissions/-9223372036854775808").await;
    assert_eq!((status, body["error"].as_str()), (404, Some("not_found")));
}
