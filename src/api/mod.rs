//! The server's HTTP surface beyond the pages: the versioned JSON API, chart images, and the
//! use cases (queries, uploads) that pages' server functions share with them.

pub mod auth;
pub mod charts;
pub mod exports;
pub mod queries;
pub mod submissions;

use crate::domain::compare::{PairedTest, Verdict};
use crate::domain::leaderboard::LeaderboardQuery;
use crate::error::AppError;
use crate::state::AppState;
use axum::extract::{DefaultBodyLimit, Query, RawQuery, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};

/// Routes of the API and the charts (pages are added by `startup`).
pub fn routes(state: &AppState) -> Router<AppState> {
    // Multipart framing adds a little to the file itself.
    let upload_limit = DefaultBodyLimit::max(state.settings.max_upload_bytes as usize + 1024 * 1024);
    Router::new()
        .route("/api/v1/leaderboard", get(leaderboard_json))
        .route("/api/v1/leaderboard.csv", get(leaderboard_csv))
        .route("/api/v1/submissions", get(submissions::api_list).post(submissions::api_create).layer(upload_limit))
        .route("/api/v1/submissions/{id}", get(submissions::api_get))
        .route("/api/v1/compare", get(compare_json))
        .route("/api/v1/openapi.json", get(openapi))
        .route("/healthz", get(health))
        .route("/charts/leaderboard.svg", get(charts::leaderboard_chart_route))
        .route("/charts/models/{slug}/{chart}", get(charts::model_chart))
        .route("/charts/relations/{name}", get(charts::relation_chart))
        .route("/charts/categories/{name}", get(charts::category_chart))
        .route("/charts/compare/{chart}", get(charts::compare_chart_route))
        .route("/charts/capability.svg", get(charts::capability_chart))
}

fn parse_view(raw: Option<String>) -> Result<LeaderboardQuery, AppError> {
    let (q, problems) = LeaderboardQuery::parse(raw.as_deref().unwrap_or(""));
    if problems.is_empty() { Ok(q) } else { Err(AppError::BadRequest(problems.join("; "))) }
}

/// `GET /api/v1/leaderboard`: the page's view as JSON, for the same query parameters.
async fn leaderboard_json(State(state): State<AppState>, RawQuery(raw): RawQuery) -> Result<Json<Value>, AppError> {
    let q = parse_view(raw)?;
    let data = queries::leaderboard(&state, q.judge.as_deref(), q.population).await?;
    Ok(Json(exports::to_json(&data, &q)))
}

/// `GET /api/v1/leaderboard.csv`: exactly the rows and columns on screen.
async fn leaderboard_csv(State(state): State<AppState>, RawQuery(raw): RawQuery) -> Result<Response, AppError> {
    let q = parse_view(raw)?;
    let data = queries::leaderboard(&state, q.judge.as_deref(), q.population).await?;
    let body = exports::to_csv(&data, &q);
    let mut res = body.into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8"));
    h.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment; filename=\"mir-safetybench-leaderboard.csv\""),
    );
    Ok(res)
}

#[derive(serde::Deserialize)]
struct CompareParams {
    models: Option<String>,
    judge: Option<String>,
}

fn test_json(t: &PairedTest) -> Value {
    json!({
        "shared": t.shared,
        "b": t.b,
        "c": t.c,
        "p": t.p,
        "p_holm": t.p_holm,
        "verdict": match t.verdict() {
            Verdict::ASafer => "a_safer",
            Verdict::BSafer => "b_safer",
            Verdict::NoSignificantDifference => "no_significant_difference",
            Verdict::NoSharedItems => "no_shared_items",
        },
    })
}

/// `GET /api/v1/compare?models=a,b`: paired McNemar tests for every pair.
async fn compare_json(State(state): State<AppState>, Query(p): Query<CompareParams>) -> Result<Json<Value>, AppError> {
    let slugs: Vec<String> =
        p.models.unwrap_or_default().split(',').map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()).collect();
    if slugs.len() < 2 {
        return Err(AppError::BadRequest("models=a,b: name 2 to 6 model slugs, separated by commas".into()));
    }
    let page = queries::compare(&state, &slugs, p.judge.as_deref()).await?;
    if !page.missing.is_empty() {
        return Err(AppError::NotFound(format!(
            "approved results under {} for {}",
            page.judge,
            page.missing.iter().map(|s| format!("`{s}`")).collect::<Vec<_>>().join(", ")
        )));
    }
    Ok(Json(json!({
        "judge": page.judge,
        "notice": page.has_sample.then_some(crate::domain::views::SAMPLE_NOTICE),
        "definitions": {
            "b": "items unsafe for model a and safe for model b",
            "c": "items safe for model a and unsafe for model b",
            "p": "exact two-sided McNemar test: min(1, 2 P[X <= min(b, c)]), X ~ Bin(b + c, 1/2)",
            "p_holm": "Holm-adjusted within the family (the 9 relations; the 6 categories); overall stands alone",
        },
        "models": page.models.iter().map(exports::entry_json).collect::<Vec<_>>(),
        "pairs": page.pairs.iter().map(|pair| json!({
            "a": pair.a,
            "b": pair.b,
            "paired": pair.comparison.is_some(),
            "note": if pair.comparison.is_none() { Some("one of the two has only aggregate numbers, so only their intervals can be compared") } else { None },
            "overall": pair.comparison.as_ref().map(|c| test_json(&c.overall)),
            "relations": pair.comparison.as_ref().map(|c| c.relations.iter().map(|(r, t)| (r.harness_name().to_owned(), test_json(t))).collect::<serde_json::Map<_, _>>()),
            "categories": pair.comparison.as_ref().map(|c| c.categories.iter().map(|(k, t)| (k.harness_name().to_owned(), test_json(t))).collect::<serde_json::Map<_, _>>()),
        })).collect::<Vec<_>>(),
    })))
}

/// The OpenAPI document, kept as a file beside this module so it reads like the spec it is.
async fn openapi() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], include_str!("openapi.json"))
}

async fn health(State(state): State<AppState>) -> Result<&'static str, AppError> {
    crate::db::store_is_empty(&state.pool).await?;
    Ok("ok")
}
