//! The versioned JSON API's read endpoints: the leaderboard (JSON and CSV), comparisons, the
//! OpenAPI document and the health check.

use super::exports;
use crate::domain::compare::{PairedTest, Verdict};
use crate::domain::leaderboard::query::LeaderboardQuery;
use crate::error::AppError;
use crate::services::{compare, leaderboard};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Query, RawQuery, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

fn parse_view(raw: Option<String>) -> Result<LeaderboardQuery, AppError> {
    let (q, problems) = LeaderboardQuery::parse(raw.as_deref().unwrap_or(""));
    if problems.is_empty() { Ok(q) } else { Err(AppError::BadRequest(problems.join("; "))) }
}

/// `GET /api/v1/leaderboard`: the page's view as JSON, for the same query parameters.
pub async fn leaderboard_json(State(state): State<AppState>, RawQuery(raw): RawQuery) -> Result<Json<Value>, AppError> {
    let q = parse_view(raw)?;
    let data = leaderboard::leaderboard(&state, q.judge.as_deref(), q.population).await?;
    Ok(Json(exports::to_json(&data, &q)))
}

/// `GET /api/v1/leaderboard.csv`: exactly the rows and columns on screen.
pub async fn leaderboard_csv(State(state): State<AppState>, RawQuery(raw): RawQuery) -> Result<Response, AppError> {
    let q = parse_view(raw)?;
    let data = leaderboard::leaderboard(&state, q.judge.as_deref(), q.population).await?;
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
pub struct CompareParams {
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
pub async fn compare_json(
    State(state): State<AppState>,
    Query(p): Query<CompareParams>,
) -> Result<Json<Value>, AppError> {
    let slugs: Vec<String> = p.models.unwrap_or_default().split(',').map(str::to_owned).collect();
    compare::require_pairable(&slugs)?;
    let page = compare::compare(&state, &slugs, p.judge.as_deref()).await?;
    if !page.missing.is_empty() {
        return Err(AppError::NotFound(format!(
            "approved results under {} for {}",
            page.judge,
            page.missing.iter().map(|s| format!("`{s}`")).collect::<Vec<_>>().join(", ")
        )));
    }
    Ok(Json(json!({
        "judge": page.judge,
        "notice": page.has_sample.then_some(crate::domain::page_data::SAMPLE_NOTICE),
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
pub async fn openapi() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], include_str!("openapi.json"))
}

pub async fn health(State(state): State<AppState>) -> Result<&'static str, AppError> {
    crate::services::store_answers(&state.pool).await?;
    Ok("ok")
}
