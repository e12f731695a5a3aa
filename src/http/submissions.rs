//! The submission endpoints: `POST /submit` (the upload form, with or without JavaScript) and
//! `POST/GET /api/v1/submissions` (pipelines), with the JSON shapes they answer.

use super::edge::headers::{CspNonce, provide_request_nonce};
use super::multipart::read_multipart;
use crate::domain::metrics::Counts;
use crate::domain::model::Status;
use crate::domain::submission::{PostedUpload, SubmissionView, UploadError, UploadFields};
use crate::domain::taxonomy::{Relation, RiskCategory};
use crate::error::AppError;
use crate::services::auth::{self, Caller};
use crate::services::{submissions, upload};
use crate::state::AppState;
use axum::body::Body;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{ConnectInfo, Multipart, Path, Query, State};
use axum::http::{HeaderMap, Request, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Json};
use leptos::prelude::provide_context;
use serde_json::{Value, json};
use std::net::SocketAddr;

/// The validation report the API returns: the computed table, coverage and warnings.
pub fn report_json(v: &SubmissionView) -> Value {
    let counts = |c: Counts| {
        json!({
            "unsafe": c.unsafe_count,
            "total": c.total,
            "asr": c.asr_percent(),
            "refusals": c.refusals,
            "safe_without_refusal": c.safe_without_refusal(),
        })
    };
    let b = &v.summary.breakdown;
    let relations: serde_json::Map<String, Value> = Relation::ALL
        .into_iter()
        .filter_map(|r| b.relation(r).map(|c| (r.harness_name().to_owned(), counts(c))))
        .collect();
    let categories: serde_json::Map<String, Value> = RiskCategory::ALL
        .into_iter()
        .filter_map(|c| b.category(c).map(|x| (c.harness_name().to_owned(), counts(x))))
        .collect();
    let cov = &v.summary.coverage;
    json!({
        "overall": counts(b.overall),
        "relations": relations,
        "categories": categories,
        "cells": v.summary.cells.iter().map(|(c, r, n)| json!({
            "category": c.harness_name(), "relation": r.harness_name(), "unsafe": n.unsafe_count, "total": n.total,
        })).collect::<Vec<_>>(),
        "coverage": {
            "received": cov.received,
            "expected": cov.expected,
            "complete": cov.is_complete(),
            "relations": cov.relations.iter().map(|(r, got, want)| json!({"relation": r.harness_name(), "received": got, "expected": want})).collect::<Vec<_>>(),
        },
        "granularity": v.summary.granularity,
        "rule_set_version": v.summary.rule_set_version,
        "warnings": v.summary.warnings,
    })
}

/// A submission as the API shows it.
pub fn submission_json(v: &SubmissionView) -> Value {
    json!({
        "id": v.id,
        "status": v.status,
        "model": v.model,
        "model_slug": v.model_slug,
        "judge": v.judge,
        "source": v.source,
        "note": v.note,
        "archive_sha256": v.archive_sha256,
        "archive_kind": v.archive_kind,
        "submitted": v.submitted_date,
        "submitted_at": v.submitted_at,
        "decided_at": v.decided_at,
        "reason": v.reason,
        "url": format!("/submissions/{}", v.id),
        "history": v.events,
        "report": report_json(v),
    })
}

/// `POST /api/v1/submissions`: validate and, when valid, store a pending submission.
pub async fn api_create(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    multipart: Multipart,
) -> Result<(StatusCode, Json<Value>), AppError> {
    let caller = Caller::from_headers(&state.settings, &headers, Some(peer));
    // Pipelines send no Origin; a browser on another site's page does, and must not be able
    // to upload in its visitor's name.
    caller.require_same_origin()?;
    auth::check_upload_rate(&state.pool, &state.settings, &caller).await?;
    let (fields, file) = read_multipart(multipart, state.settings.max_upload_bytes, &state.settings.upload_dir).await?;
    let accepted = upload::accept_upload(&state, &fields, file, Status::Pending, "api").await?;
    let view = submissions::submission_view(&state.pool, accepted.id, None).await?;
    Ok((StatusCode::CREATED, Json(submission_json(&view))))
}

#[derive(serde::Deserialize)]
pub struct ListQuery {
    status: Option<String>,
    limit: Option<i64>,
    offset: Option<i64>,
}

/// `GET /api/v1/submissions`: the public queue, newest first.
pub async fn api_list(State(state): State<AppState>, Query(q): Query<ListQuery>) -> Result<Json<Value>, AppError> {
    let limit = q.limit.unwrap_or(100).clamp(1, 500);
    let offset = q.offset.unwrap_or(0).max(0);
    let lines = submissions::queue(&state.pool, q.status.as_deref(), limit, offset).await?;
    Ok(Json(json!({
        "submissions": lines.iter().map(|l| json!({
            "id": l.id,
            "model": l.model,
            "model_slug": l.model_slug,
            "judge": l.judge,
            "source": l.source,
            "status": l.status,
            "granularity": l.granularity,
            "items": l.items_total,
            "submitted": l.submitted_date,
            "submitted_at": l.submitted_at,
            "decided_at": l.decided_at,
            "reason": l.reason,
            "url": format!("/submissions/{}", l.id),
        })).collect::<Vec<_>>(),
        "limit": limit,
        "offset": offset,
    })))
}

/// `GET /api/v1/submissions/{id}`.
pub async fn api_get(State(state): State<AppState>, Path(id): Path<i64>) -> Result<Json<Value>, AppError> {
    let view = submissions::submission_view(&state.pool, id, None).await?;
    Ok(Json(submission_json(&view)))
}

/// `POST /submit`: validates; on success stores a draft and shows its preview (303 for a
/// plain form, JSON for the enhanced one); on failure shows every problem and stores nothing.
/// Without JavaScript the refusal is the upload page itself, rendered with the errors and the
/// fields as sent.
pub async fn post_form(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    nonce: Option<Extension<CspNonce>>,
    headers: HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
) -> Response {
    let wants_json =
        headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains("application/json"));
    let mut fields = UploadFields::default();
    let result = async {
        let caller = Caller::from_headers(&state.settings, &headers, Some(peer));
        caller.require_same_origin()?;
        auth::check_upload_rate(&state.pool, &state.settings, &caller).await?;
        let multipart = multipart
            .map_err(|e| AppError::BadRequest(format!("the form must be sent as multipart/form-data: {e}")))?;
        let (f, file) = read_multipart(multipart, state.settings.max_upload_bytes, &state.settings.upload_dir).await?;
        fields = f.clone();
        upload::accept_upload(&state, &f, file, Status::Draft, "web").await
    }
    .await;
    match result {
        Ok(a) => {
            let url = format!("/submit/preview/{}?key={}", a.id, a.draft_key.unwrap_or_default());
            if wants_json {
                (StatusCode::CREATED, Json(json!({"id": a.id, "status": "draft", "preview_url": url}))).into_response()
            } else {
                Redirect::to(&url).into_response()
            }
        }
        Err(e) if wants_json => e.into_response(),
        Err(e) => render_refusal(state, nonce.map(|n| n.0), PostedUpload { fields, error: upload_error(&e) }, e).await,
    }
}

/// A refusal as the upload page shows it.
fn upload_error(e: &AppError) -> UploadError {
    match e {
        AppError::Rejected(r) => UploadError::refused(r.problems.clone(), r.more),
        other => UploadError::message(other),
    }
}

/// Renders `/submit` with the refusal in its context, under the refusal's status code.
async fn render_refusal(state: AppState, nonce: Option<CspNonce>, posted: PostedUpload, e: AppError) -> Response {
    let status = StatusCode::from_u16(e.status_code()).unwrap_or(StatusCode::BAD_REQUEST);
    let options = state.leptos_options.clone();
    let render = leptos_axum::render_app_to_stream_with_context(
        move || {
            provide_context(state.clone());
            provide_context(posted.clone());
            provide_request_nonce();
        },
        move || crate::app::shell(options.clone()),
    );
    match Request::builder().uri("/submit").header(header::ACCEPT, "text/html").body(Body::empty()) {
        Ok(mut req) => {
            if let Some(n) = nonce {
                req.extensions_mut().insert(n);
            }
            let mut res = render(req).await;
            *res.status_mut() = status;
            res
        }
        Err(_) => e.into_response(),
    }
}
