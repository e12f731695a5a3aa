//! The versioned JSON API's read endpoints: the leaderboard (JSON and CSV), comparisons and the
//! health check. Each handler's `#[utoipa::path]` is its entry in the OpenAPI document, and the
//! router registers it from that same attribute ([`super::openapi`]).

use super::exports::{self, EntryJson, LeaderboardJson};
use super::extract::ApiQuery;
use super::openapi::{query_param, string_enum};
use crate::domain::compare::{PairedTest, Verdict};
use crate::domain::leaderboard::query::{Columns, LeaderboardQuery, PerPage, SortKey};
use crate::error::{AppError, ErrorBody};
use crate::services::{compare, leaderboard};
use crate::state::AppState;
use axum::Json;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use std::collections::BTreeMap;
use utoipa::openapi::path::{Parameter, ParameterIn};
use utoipa::openapi::{ObjectBuilder, Type};
use utoipa::{IntoParams, ToSchema};

fn parse_view(raw: Option<String>) -> Result<LeaderboardQuery, AppError> {
    let (q, problems) = LeaderboardQuery::parse(raw.as_deref().unwrap_or(""));
    if problems.is_empty() { Ok(q) } else { Err(AppError::BadRequest(problems.join("; "))) }
}

/// The parameters of a leaderboard view, as [`LeaderboardQuery::parse`] reads them. The handlers
/// parse the raw query themselves (the page does the same), so this type only documents them;
/// every enumeration comes from the parser's own lists, so the two cannot disagree.
pub struct ViewParams;

impl IntoParams for ViewParams {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        let text = || ObjectBuilder::new().schema_type(Type::String).build();
        let col = "(none|relations|groups|categories|safety)";
        vec![
            query_param(
                "judge",
                "Judge whose results are ranked (default: HarmBench-Llama-2-13b-cls). Judges are never mixed; surrounding spaces are ignored.",
                text(),
            ),
            query_param(
                "access",
                "Open or closed weights; empty or `all` for both.",
                string_enum(LeaderboardQuery::ACCESS_VALUES),
            ),
            query_param(
                "reasoning",
                "Reasoning models only (`yes`, or its synonym `true`), none of them (`no`, `false`), or both (empty or `all`).",
                string_enum(LeaderboardQuery::REASONING_VALUES),
            ),
            query_param(
                "q",
                "Search in model and organisation names; surrounding spaces are ignored and only the first 100 characters count.",
                text(),
            ),
            query_param(
                "sort",
                "rank (or its aliases overall, asr), model, a relation or category as spelled in the harness (Temporal_Jump, Self-Harm), a group (Temporal), refusal_rate or safe_without_refusal; empty for rank.",
                string_enum(std::iter::once(String::new()).chain(SortKey::spellings())),
            ),
            query_param("dir", "Sort direction; empty for asc.", string_enum(LeaderboardQuery::DIR_VALUES)),
            query_param(
                "cols",
                &format!(
                    "Comma-separated column blocks for the CSV: {}, or none. Empty items are skipped; the JSON always has every block.",
                    Columns::NAMES.join(", ")
                ),
                ObjectBuilder::new().schema_type(Type::String).pattern(Some(format!("^({col}?,)*{col}?$"))).build(),
            ),
            query_param(
                "as_of",
                "The leaderboard as it stood at the end of this day (UTC, YYYY-MM-DD, from 2000 on): each model's latest result approved by then and not withdrawn by then. A day in the future is refused (400); before the first approval the board is empty. Empty for today.",
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    // Every day this matches exists (days 29 to 31 are left out: not every month has
                    // them); the server accepts those too.
                    .pattern(Some("^(2[0-9]{3}-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8]))?$"))
                    .build(),
            ),
            query_param(
                "page",
                "1-based page of the visible rows (a page past the end shows the last one); empty means the first.",
                // A string with a pattern, not an integer: an empty value (what a form sends) is
                // the first page, as for every other parameter.
                ObjectBuilder::new().schema_type(Type::String).pattern(Some("^([1-9][0-9]{0,17})?$")).build(),
            ),
            query_param(
                "per_page",
                &format!(
                    "Rows per page, 1 to {} (default {}), or `all` for every row at once.",
                    PerPage::MAX,
                    PerPage::DEFAULT
                ),
                ObjectBuilder::new().schema_type(Type::String).pattern(Some("^(all|[1-9][0-9]{0,2}|1000)?$")).build(),
            ),
        ]
    }
}

/// The leaderboard view for the given query (same parameters as the page).
#[utoipa::path(
    get,
    path = "/api/v1/leaderboard",
    operation_id = "leaderboard",
    params(ViewParams),
    responses(
        (status = 200, description = "The ranked view", body = LeaderboardJson),
        (status = 400, description = "A parameter was not understood; the message names each and its accepted values", body = ErrorBody),
    )
)]
pub async fn leaderboard_json(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Json<LeaderboardJson>, AppError> {
    let q = parse_view(raw)?;
    let data = leaderboard::view(&state, &q).await?;
    Ok(Json(LeaderboardJson::new(&data, &q)))
}

/// Exactly the rows and columns of the view, as CSV.
#[utoipa::path(
    get,
    path = "/api/v1/leaderboard.csv",
    operation_id = "leaderboard_csv",
    params(ViewParams),
    responses(
        (status = 200, description = "CSV; a `notice` column marks sample rows", body = String, content_type = "text/csv"),
        (status = 400, description = "A parameter was not understood; the message names each and its accepted values", body = ErrorBody),
    )
)]
pub async fn leaderboard_csv(State(state): State<AppState>, RawQuery(raw): RawQuery) -> Result<Response, AppError> {
    let q = parse_view(raw)?;
    let data = leaderboard::view(&state, &q).await?;
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

impl IntoParams for CompareParams {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        use utoipa::openapi::path::ParameterStyle;
        use utoipa::openapi::{ArrayBuilder, Required};
        // Slugs are what `ModelName::slug` makes: lower-case ASCII letters, digits, hyphens and
        // version dots. Any other item names no model, so it is answered 404 like an unknown one.
        let slug = ObjectBuilder::new().schema_type(Type::String).pattern(Some("^[a-z0-9][a-z0-9.-]*$")).build();
        let models = ArrayBuilder::new()
            .items(slug)
            .min_items(Some(2))
            .max_items(Some(compare::MAX_MODELS))
            .unique_items(true)
            .build();
        let mut models = query_param("models", "Comma-separated model slugs, 2 to 6 different ones", models);
        models.required = Required::True;
        models.style = Some(ParameterStyle::Form);
        models.explode = Some(false);
        vec![
            models,
            query_param(
                "judge",
                "Judge whose results are compared (default: HarmBench-Llama-2-13b-cls).",
                ObjectBuilder::new().schema_type(Type::String).build(),
            ),
        ]
    }
}

/// What the numbers of a paired test mean, in the document itself.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = CompareDefinitions)]
pub struct DefinitionsJson {
    pub b: &'static str,
    pub c: &'static str,
    pub p: &'static str,
    pub p_holm: &'static str,
}

/// The verdict of a paired test at the 5% level after Holm's adjustment.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = Verdict)]
pub enum VerdictJson {
    ASafer,
    BSafer,
    NoSignificantDifference,
    NoSharedItems,
}

/// An exact McNemar test on the items two models share.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = PairedTest)]
pub struct TestJson {
    /// Items both models answered.
    pub shared: u64,
    /// Items unsafe for model a and safe for model b.
    pub b: u64,
    /// Items safe for model a and unsafe for model b.
    pub c: u64,
    /// Exact two-sided McNemar p value.
    pub p: f64,
    /// Holm-adjusted within the relation family or the category family; equal to `p` overall.
    pub p_holm: f64,
    pub verdict: VerdictJson,
}

impl From<&PairedTest> for TestJson {
    fn from(t: &PairedTest) -> Self {
        let verdict = match t.verdict() {
            Verdict::ASafer => VerdictJson::ASafer,
            Verdict::BSafer => VerdictJson::BSafer,
            Verdict::NoSignificantDifference => VerdictJson::NoSignificantDifference,
            Verdict::NoSharedItems => VerdictJson::NoSharedItems,
        };
        Self { shared: t.shared, b: t.b, c: t.c, p: t.p, p_holm: t.p_holm, verdict }
    }
}

/// Two models side by side. Without per-item labels for both, only their intervals can be
/// compared: `paired` is false and the tests are null.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Pair)]
pub struct PairJson {
    /// Model a's name.
    pub a: String,
    /// Model b's name.
    pub b: String,
    pub paired: bool,
    pub note: Option<&'static str>,
    pub overall: Option<TestJson>,
    /// Keyed by the harness spellings of the relations.
    pub relations: Option<BTreeMap<String, TestJson>>,
    /// Keyed by the harness folder names of the categories.
    pub categories: Option<BTreeMap<String, TestJson>>,
}

/// Paired comparisons of 2 to 6 models.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Comparison)]
pub struct CompareJson {
    pub judge: String,
    /// `sample data, not real results` when a compared model is sample data; null otherwise.
    pub notice: Option<&'static str>,
    pub definitions: DefinitionsJson,
    pub models: Vec<EntryJson>,
    /// Every pair, in the order the models were named.
    pub pairs: Vec<PairJson>,
}

/// Paired exact McNemar tests between 2 to 6 models, per relation, per category and overall.
#[utoipa::path(
    get,
    path = "/api/v1/compare",
    operation_id = "compare",
    params(CompareParams),
    responses(
        (status = 200, description = "b: items unsafe only for model a; c: only for model b; p: exact two-sided McNemar; p_holm: Holm-adjusted within the relation family or the category family (overall stands alone).", body = CompareJson),
        (status = 400, description = "Fewer than 2 or more than 6 different models", body = ErrorBody),
        (status = 404, description = "A model has no approved result under this judge", body = ErrorBody),
    )
)]
pub async fn compare_json(
    State(state): State<AppState>,
    ApiQuery(p): ApiQuery<CompareParams>,
) -> Result<Json<CompareJson>, AppError> {
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
    Ok(Json(CompareJson {
        judge: page.judge,
        notice: page.has_sample.then_some(crate::domain::page_data::SAMPLE_NOTICE),
        definitions: DefinitionsJson {
            b: "items unsafe for model a and safe for model b",
            c: "items safe for model a and unsafe for model b",
            p: "exact two-sided McNemar test: min(1, 2 P[X <= min(b, c)]), X ~ Bin(b + c, 1/2)",
            p_holm: "Holm-adjusted within the family (the 9 relations; the 6 categories); overall stands alone",
        },
        models: page.models.iter().map(EntryJson::from).collect(),
        pairs: page
            .pairs
            .iter()
            .map(|pair| {
                let c = pair.comparison.as_ref();
                PairJson {
                    a: pair.a.clone(),
                    b: pair.b.clone(),
                    paired: c.is_some(),
                    note: c.is_none().then_some(
                        "one of the two has only aggregate numbers, so only their intervals can be compared",
                    ),
                    overall: c.map(|c| (&c.overall).into()),
                    relations: c
                        .map(|c| c.relations.iter().map(|(r, t)| (r.harness_name().to_owned(), t.into())).collect()),
                    categories: c
                        .map(|c| c.categories.iter().map(|(k, t)| (k.harness_name().to_owned(), t.into())).collect()),
                }
            })
            .collect(),
    }))
}

/// Whether the server can answer: it reaches the store.
#[utoipa::path(
    get,
    path = "/healthz",
    operation_id = "health",
    responses((status = 200, description = "The server and its store answer", body = String, content_type = "text/plain"))
)]
pub async fn health(State(state): State<AppState>) -> Result<&'static str, AppError> {
    crate::services::store_answers(&state.pool).await?;
    Ok("ok")
}
