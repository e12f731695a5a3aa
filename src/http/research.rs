//! The research endpoints: item consensus (`GET /api/v1/items`, and its CSV) and judge
//! agreement (`GET /api/v1/judges/agreement`). Same use cases as the `/items` and `/judges`
//! pages, so the numbers agree with them. Items are named by category, relation and index only.

use super::openapi::{query_param, string_enum};
use crate::domain::agreement::Agreement;
use crate::domain::consensus::{ItemsQuery, MIN_SHARE_PATTERN};
use crate::domain::page_data::{ItemsPage, SAMPLE_NOTICE};
use crate::domain::taxonomy::{Relation, RiskCategory};
use crate::error::{AppError, ErrorBody};
use crate::services::{items, judges};
use crate::state::AppState;
use axum::Json;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::openapi::path::{Parameter, ParameterIn};
use utoipa::openapi::{ObjectBuilder, Type};
use utoipa::{IntoParams, ToSchema};

/// The filters of the item list, as [`ItemsQuery::parse`] reads them (documentation only: the
/// handlers parse the raw query, as the page does).
pub struct ItemsParams;

impl IntoParams for ItemsParams {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        let empty_or = |names: Vec<&'static str>| string_enum(std::iter::once("").chain(names));
        vec![
            query_param(
                "judge",
                "Judge whose ranked models are counted (default: HarmBench-Llama-2-13b-cls); surrounding spaces are ignored.",
                ObjectBuilder::new().schema_type(Type::String).build(),
            ),
            query_param(
                "relation",
                "Only items of this relation, as the harness spells it (Temporal_Jump); empty for all.",
                empty_or(Relation::ALL.map(|r| r.harness_name()).to_vec()),
            ),
            query_param(
                "category",
                "Only items of this risk category, as the harness spells it (Self-Harm); empty for all.",
                empty_or(RiskCategory::ALL.map(|c| c.harness_name()).to_vec()),
            ),
            query_param(
                "min_share",
                "Only items that broke at least this share (0 to 1) of the models judged on them; empty for all.",
                ObjectBuilder::new().schema_type(Type::String).pattern(Some(MIN_SHARE_PATTERN)).build(),
            ),
        ]
    }
}

fn parse_items(raw: Option<String>) -> Result<ItemsQuery, AppError> {
    let (q, problems) = ItemsQuery::parse(raw.as_deref().unwrap_or(""));
    if problems.is_empty() { Ok(q) } else { Err(AppError::BadRequest(problems.join("; "))) }
}

/// One attack and the models it broke.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Item)]
pub struct ItemJson {
    /// Risk category as the harness spells it (`Self-Harm`).
    pub category: &'static str,
    /// Relation as the harness spells it (`Temporal_Jump`).
    pub relation: &'static str,
    /// The harness's 0-based `item_index`: the item's position in `<category>/<relation>.json`
    /// of the public dataset.
    pub index: u32,
    /// Models unsafe on it.
    #[serde(rename = "unsafe")]
    pub unsafe_count: u32,
    /// Models judged on it.
    pub models: u32,
    /// `unsafe / models`, 0 to 1.
    pub share: f64,
    /// Slugs of the models unsafe on it.
    pub unsafe_models: Vec<String>,
}

/// Item consensus under one judge: the matching items, most-broken first.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Items)]
pub struct ItemsJson {
    pub judge: String,
    /// Ranked models with per-item labels (aggregate-only results cannot take part).
    pub models: usize,
    /// Ranked models left out for having aggregate numbers only, by name.
    pub left_out: Vec<String>,
    /// `sample data, not real results` when a counted model is sample data; null otherwise.
    pub notice: Option<&'static str>,
    pub items: Vec<ItemJson>,
}

impl From<ItemsPage> for ItemsJson {
    fn from(p: ItemsPage) -> Self {
        ItemsJson {
            judge: p.judge,
            models: p.models,
            left_out: p.left_out,
            notice: p.has_sample.then_some(SAMPLE_NOTICE),
            items: p
                .items
                .into_iter()
                .map(|i| ItemJson {
                    category: i.key.category.harness_name(),
                    relation: i.key.relation.harness_name(),
                    index: i.key.index,
                    unsafe_count: i.unsafe_count,
                    models: i.judged,
                    share: i.share,
                    unsafe_models: i.unsafe_models,
                })
                .collect(),
        }
    }
}

/// For every item, how many of the judge's ranked models it broke.
#[utoipa::path(
    get,
    path = "/api/v1/items",
    operation_id = "items",
    params(ItemsParams),
    responses(
        (status = 200, description = "The matching items, most-broken first (by share, then by models broken, then category, relation, index)", body = ItemsJson),
        (status = 400, description = "A filter was not understood; the message names it and its accepted values", body = ErrorBody),
    )
)]
pub async fn items_json(State(state): State<AppState>, RawQuery(raw): RawQuery) -> Result<Json<ItemsJson>, AppError> {
    let q = parse_items(raw)?;
    Ok(Json(items::items_page(&state, q, vec![], true, None).await?.into()))
}

/// The CSV of the item list as filtered (one row per item; no item text, ever).
pub fn items_csv_body(p: &ItemsPage) -> String {
    let mut out = String::from("category,relation,index,unsafe,models,share,universal,judge,notice\n");
    let notice = if p.has_sample { SAMPLE_NOTICE } else { "" };
    // The judge is free text: quoted, and neutralised against spreadsheet formulas.
    let judge =
        if p.judge.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{}", p.judge) } else { p.judge.clone() };
    let judge = format!("\"{}\"", judge.replace('"', "\"\""));
    for i in &p.items {
        out.push_str(&format!(
            "{},{},{},{},{},{:.4},{},{judge},{notice}\n",
            i.key.category.harness_name(),
            i.key.relation.harness_name(),
            i.key.index,
            i.unsafe_count,
            i.judged,
            i.share,
            if i.universal { "yes" } else { "no" },
        ));
    }
    out
}

/// The item list as filtered, as CSV.
#[utoipa::path(
    get,
    path = "/api/v1/items.csv",
    operation_id = "items_csv",
    params(ItemsParams),
    responses(
        (status = 200, description = "CSV: category, relation, index, unsafe, models, share, universal (share of at least 0.8), judge, and a `notice` column on sample data", body = String, content_type = "text/csv"),
        (status = 400, description = "A filter was not understood; the message names it and its accepted values", body = ErrorBody),
    )
)]
pub async fn items_csv(State(state): State<AppState>, RawQuery(raw): RawQuery) -> Result<Response, AppError> {
    let q = parse_items(raw)?;
    let page = items::items_page(&state, q, vec![], false, None).await?;
    let mut res = items_csv_body(&page).into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8"));
    h.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment; filename=\"mir-safetybench-items.csv\""),
    );
    Ok(res)
}

/// Two judges on one model (or pooled over their shared models).
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = JudgeAgreement)]
pub struct AgreementJson {
    /// Alphabetically first judge.
    pub judge_a: String,
    pub judge_b: String,
    /// The model's slug; null for the row pooled over every shared model.
    pub model: Option<String>,
    /// Items both judges labelled.
    pub n: u64,
    pub both_unsafe: u64,
    /// Unsafe under judge_a only.
    pub only_a: u64,
    /// Unsafe under judge_b only.
    pub only_b: u64,
    pub both_safe: u64,
    /// ASR (percent) under judge_a on these items.
    pub asr_a: f64,
    /// ASR (percent) under judge_b on these items.
    pub asr_b: f64,
    /// Cohen's kappa; null when undefined (both judges gave every item the same label).
    pub kappa: Option<f64>,
    /// 95% interval (Fleiss, Cohen and Everitt's large-sample standard error), clipped to [-1, 1].
    pub kappa_ci_low: Option<f64>,
    pub kappa_ci_high: Option<f64>,
    /// Exact two-sided McNemar p of only_a against only_b.
    pub p: f64,
}

fn agreement_row(a: &str, b: &str, model: Option<&str>, x: &Agreement) -> AgreementJson {
    let t = x.table;
    AgreementJson {
        judge_a: a.to_owned(),
        judge_b: b.to_owned(),
        model: model.map(str::to_owned),
        n: x.n,
        both_unsafe: t.both_unsafe,
        only_a: t.only_a,
        only_b: t.only_b,
        both_safe: t.both_safe,
        asr_a: x.asr_a,
        asr_b: x.asr_b,
        kappa: x.kappa.map(|k| k.kappa),
        kappa_ci_low: x.kappa.map(|k| k.low),
        kappa_ci_high: x.kappa.map(|k| k.high),
        p: x.p,
    }
}

/// Every pair of judges that share a model.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = JudgeAgreements)]
pub struct AgreementsJson {
    /// Judges with approved results, alphabetical.
    pub judges: Vec<String>,
    /// `sample data, not real results` when a model in a pair is sample data; null otherwise.
    pub notice: Option<&'static str>,
    /// Per pair (alphabetical): the pooled row (`model` null) first, then one row per model by name.
    pub pairs: Vec<AgreementJson>,
}

/// How often two judges agree on the same models' answers, and whether one labels more unsafe.
#[utoipa::path(
    get,
    path = "/api/v1/judges/agreement",
    operation_id = "judge_agreement",
    responses((status = 200, description = "Pairs of judges sharing at least one model with per-item labels under both; empty when there is one judge", body = AgreementsJson))
)]
pub async fn agreement_json(State(state): State<AppState>) -> Result<Json<AgreementsJson>, AppError> {
    let page = judges::judges_page(&state).await?;
    let mut pairs = Vec::new();
    for p in &page.pairs {
        pairs.push(agreement_row(&p.judge_a, &p.judge_b, None, &p.pooled));
        for m in &p.models {
            pairs.push(agreement_row(&p.judge_a, &p.judge_b, Some(&m.slug), &m.agreement));
        }
    }
    Ok(Json(AgreementsJson { judges: page.judges, notice: page.has_sample.then_some(SAMPLE_NOTICE), pairs }))
}
