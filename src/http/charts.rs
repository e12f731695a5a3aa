//! Chart routes: each loads the same data as its page and renders its figure
//! ([`crate::charts::figures`]) off the async runtime. Every chart has its own URL, so it can be linked,
//! downloaded and cached, and the pages work without JavaScript.

use crate::charts::figures;
use crate::domain::consensus::ItemsQuery;
use crate::domain::leaderboard::Entry;
use crate::domain::leaderboard::query::LeaderboardQuery;
use crate::domain::page_data::ModelPage;
use crate::domain::taxonomy::{Relation, RiskCategory, Scope};
use crate::error::AppError;
use crate::services::{compare, items, judges, leaderboard, models};
use crate::state::AppState;
use axum::extract::{Path, Query, RawQuery, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

#[derive(serde::Deserialize, Default)]
pub struct JudgeQuery {
    judge: Option<String>,
}

#[derive(serde::Deserialize, Default)]
pub struct CompareQuery {
    models: Option<String>,
    judge: Option<String>,
}

/// Renders an SVG off the async runtime. Validators and caching come from the response cache
/// (`http::cache`), like every public response.
async fn svg(render: impl FnOnce() -> String + Send + 'static) -> Result<Response, AppError> {
    let body =
        tokio::task::spawn_blocking(render).await.map_err(|e| AppError::internal("chart rendering failed", &e))?;
    let mut res = body.into_response();
    res.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("image/svg+xml; charset=utf-8"));
    Ok(res)
}

fn strip_svg(name: &str) -> Result<&str, AppError> {
    name.strip_suffix(".svg").ok_or_else(|| AppError::NotFound(format!("chart `{name}`")))
}

// ---------------------------------------------------------------------------------------------
// Handlers

#[derive(serde::Deserialize, Default)]
pub struct ModelChartQuery {
    judge: Option<String>,
    order: Option<String>,
}

pub async fn model_chart(
    State(state): State<AppState>,
    Path((slug, name)): Path<(String, String)>,
    Query(q): Query<ModelChartQuery>,
) -> Result<Response, AppError> {
    let kind = strip_svg(&name)?.to_owned();
    let by_value = crate::domain::page_data::BarOrder::parse(q.order.as_deref().unwrap_or(""))
        .map_err(AppError::BadRequest)?
        .by_value();
    let page = models::model_page(&state, &slug, q.judge.as_deref()).await?;
    let sample = page.entry.as_ref().is_some_and(Entry::is_sample);
    let render: fn(&ModelPage, bool, bool) -> String = match kind.as_str() {
        "relations" => figures::model_relations,
        "categories" => figures::model_categories,
        "heatmap" => |p: &ModelPage, sample: bool, _| figures::model_heatmap(p, sample),
        "refusals" => |p: &ModelPage, sample: bool, _| figures::model_refusals(p, sample),
        "history" => |p: &ModelPage, sample: bool, _| figures::model_history(&p.model.name, &p.timeline, sample),
        _ => return Err(AppError::NotFound(format!("chart `{name}`"))),
    };
    svg(move || render(&page, sample, by_value)).await
}

/// A scope view's judge and population, read like the leaderboard's (the same names and values).
fn scope_view(raw: Option<String>) -> Result<LeaderboardQuery, AppError> {
    let (q, problems) = LeaderboardQuery::parse(raw.as_deref().unwrap_or(""));
    if problems.is_empty() { Ok(q) } else { Err(AppError::BadRequest(problems.join("; "))) }
}

pub async fn relation_chart(
    State(state): State<AppState>,
    Path(name): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, AppError> {
    let r = Relation::parse(strip_svg(&name)?).ok_or_else(|| AppError::NotFound(format!("relation `{name}`")))?;
    let q = scope_view(raw)?;
    let page = leaderboard::scope_page(&state, Scope::Relation(r), q.judge.as_deref(), q.population).await?;
    svg(move || figures::scope_chart(&page)).await
}

pub async fn category_chart(
    State(state): State<AppState>,
    Path(name): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, AppError> {
    let c =
        RiskCategory::parse(strip_svg(&name)?).ok_or_else(|| AppError::NotFound(format!("risk category `{name}`")))?;
    let q = scope_view(raw)?;
    let page = leaderboard::scope_page(&state, Scope::Category(c), q.judge.as_deref(), q.population).await?;
    svg(move || figures::scope_chart(&page)).await
}

pub async fn compare_chart_route(
    State(state): State<AppState>,
    Path(name): Path<String>,
    Query(q): Query<CompareQuery>,
) -> Result<Response, AppError> {
    let by_category = match strip_svg(&name)? {
        "relations" => false,
        "categories" => true,
        _ => return Err(AppError::NotFound(format!("chart `{name}`"))),
    };
    let slugs: Vec<String> = q.models.unwrap_or_default().split(',').map(str::to_owned).collect();
    let page = compare::compare(&state, &slugs, q.judge.as_deref()).await?;
    svg(move || figures::compare_chart(&page, by_category)).await
}

pub async fn capability_chart(
    State(state): State<AppState>,
    Query(q): Query<JudgeQuery>,
) -> Result<Response, AppError> {
    let page = leaderboard::capability(&state, q.judge.as_deref()).await?;
    svg(move || figures::capability_chart(&page)).await
}

pub async fn leaderboard_chart_route(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Response, AppError> {
    let (q, problems) = LeaderboardQuery::parse(raw.as_deref().unwrap_or(""));
    if !problems.is_empty() {
        return Err(AppError::BadRequest(problems.join("; ")));
    }
    let data = leaderboard::view(&state, &q).await?;
    svg(move || leaderboard::ranking_chart(&data, &q)).await
}

/// `/badges/{slug}.svg`: the model's README badge (rank and population of the default view).
pub async fn badge(
    State(state): State<AppState>,
    Path(name): Path<String>,
    Query(q): Query<JudgeQuery>,
) -> Result<Response, AppError> {
    let slug = strip_svg(&name)?.to_owned();
    let (value, judge, sample) = models::badge(&state, &slug, q.judge.as_deref()).await?;
    svg(move || crate::charts::badge(&value, &judge, sample)).await
}

/// The consensus distribution of one judge's items (`?judge=`).
pub async fn items_chart(State(state): State<AppState>, Query(q): Query<JudgeQuery>) -> Result<Response, AppError> {
    let query =
        ItemsQuery { judge: q.judge.map(|j| j.trim().to_owned()).filter(|j| !j.is_empty()), ..Default::default() };
    let page = items::items_page(&state, query, vec![], false, Some(0)).await?;
    svg(move || figures::items_chart(&page)).await
}

#[derive(serde::Deserialize, Default)]
pub struct PairQuery {
    a: Option<String>,
    b: Option<String>,
}

/// ASR under judge `a` against judge `b`, per model (`?a=&b=`, alphabetical as on /judges).
pub async fn judges_chart(State(state): State<AppState>, Query(q): Query<PairQuery>) -> Result<Response, AppError> {
    let page = judges::judges_page(&state).await?;
    let (a, b) = (q.a.unwrap_or_default(), q.b.unwrap_or_default());
    let pair = page
        .pairs
        .into_iter()
        .find(|p| p.judge_a == a.trim() && p.judge_b == b.trim())
        .ok_or_else(|| AppError::NotFound(format!("judges `{a}` and `{b}` sharing a model")))?;
    svg(move || figures::judges_chart(&pair)).await
}
