//! Submissions: storing validated results, the upload flow shared by the web form and the
//! pipeline API, and the submission endpoints of the JSON API.

use super::{auth, queries};
use crate::db::{self, Pool, StoreError};
use crate::domain::metrics::Counts;
use crate::domain::model::{
    Access, Capability, JudgeName, ModelMeta, ModelName, Source, Status, parse_flag, parse_link, parse_note,
    parse_organization, parse_parameters,
};
use crate::domain::submission::{Problem, Rejection, SubmissionView, UploadFields};
use crate::domain::taxonomy::{Relation, RiskCategory};
use crate::error::AppError;
use crate::ingest::{self, HarnessTree, Ingested, TableModel, archive::SourceKind};
use crate::state::AppState;
use axum::Json;
use axum::extract::{ConnectInfo, Multipart, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use serde_json::{Value, json};
use std::net::SocketAddr;
use tokio::io::AsyncWriteExt;

/// A harness tree and what is said about it.
pub struct TreeSubmission<'a> {
    pub model: &'a ModelName,
    pub meta: &'a ModelMeta,
    pub capability: Option<&'a Capability>,
    pub judge: &'a JudgeName,
    pub source: Source,
    pub note: Option<&'a str>,
    pub tree: &'a HarnessTree,
    pub kind: SourceKind,
    pub sha256: Option<&'a str>,
}

fn kind_name(kind: SourceKind) -> &'static str {
    match kind {
        SourceKind::Directory => "directory",
        SourceKind::Zip => "zip",
        SourceKind::TarGz => "tar.gz",
        SourceKind::Tar => "tar",
    }
}

fn store_error(e: StoreError) -> AppError {
    match e {
        StoreError::DuplicateArchive(id) => AppError::Conflict(format!(
            "this archive was already submitted as submission #{id} (see /submissions/{id})"
        )),
        StoreError::Db(e) => e.into(),
    }
}

/// Stores a validated harness tree with the given status, in one transaction.
pub async fn store_tree(pool: &Pool, s: &TreeSubmission<'_>, status: Status, actor: &str) -> Result<i64, AppError> {
    db::insert_submission(
        pool,
        &db::NewSubmission {
            model: s.model,
            meta: s.meta,
            capability: s.capability,
            judge: s.judge,
            source: s.source,
            status,
            note: s.note,
            archive_sha256: s.sha256,
            archive_kind: Some(kind_name(s.kind)),
            folder_name: s.tree.folder_name.as_deref(),
            result: &s.tree.result,
            actor,
            apply_meta_now: status == Status::Approved,
        },
    )
    .await
    .map_err(store_error)
}

/// Stores a maintainer's table import: every model is validated before any is stored, and
/// each lands approved.
pub async fn store_table(
    pool: &Pool,
    models: &[TableModel],
    source: Source,
    actor: &str,
) -> Result<Vec<i64>, AppError> {
    let mut ids = Vec::new();
    for m in models {
        let note = m.reference.as_ref().map(|r| format!("Transcribed from {r}"));
        let id = db::insert_submission(
            pool,
            &db::NewSubmission {
                model: &m.name,
                meta: &m.meta,
                capability: m.capability.as_ref(),
                judge: &m.judge,
                source,
                status: Status::Approved,
                note: note.as_deref(),
                archive_sha256: None,
                archive_kind: Some("csv"),
                folder_name: None,
                result: &m.result,
                actor,
                apply_meta_now: true,
            },
        )
        .await
        .map_err(store_error)?;
        ids.push(id);
    }
    Ok(ids)
}

struct ParsedFields {
    model: ModelName,
    judge: JudgeName,
    meta: ModelMeta,
    note: Option<String>,
}

/// Every field is checked; all problems are reported together.
fn parse_fields(f: &UploadFields) -> Result<ParsedFields, Vec<Problem>> {
    let mut problems = Vec::new();
    let mut take = |r: Result<(), crate::domain::model::FieldError>| {
        if let Err(e) = r {
            problems.push(Problem::new(
                format!("field `{}`", e.field),
                e.message,
                "correct the field and upload again",
            ));
        }
    };
    let mut model = None;
    take(ModelName::parse(&f.model).map(|m| model = Some(m)));
    let mut judge = Some(JudgeName::default_judge());
    if !f.judge.trim().is_empty() {
        take(JudgeName::parse(&f.judge).map(|j| judge = Some(j)));
    }
    let mut meta = ModelMeta::default();
    take(parse_organization(&f.organization).map(|v| meta.organization = v));
    if !f.access.trim().is_empty() {
        take(Access::parse(&f.access).map(|a| meta.access = Some(a)));
    }
    take(parse_flag("reasoning", &f.reasoning).map(|v| meta.reasoning = v));
    take(parse_parameters(&f.parameters).map(|v| meta.parameters_b = v));
    take(parse_link(&f.link).map(|v| meta.link = v));
    let mut note = None;
    take(parse_note(&f.note).map(|v| note = v));
    match (model, judge) {
        (Some(model), Some(judge)) if problems.is_empty() => Ok(ParsedFields { model, judge, meta, note }),
        _ => Err(problems),
    }
}

/// An uploaded file, streamed to a temporary file (never held in memory whole).
pub struct Spooled {
    file: tempfile::NamedTempFile,
    pub size: u64,
}

/// Reads a multipart upload: the text fields and the `file` part, enforcing the size limit
/// while streaming.
pub async fn read_multipart(
    mut multipart: Multipart,
    max_bytes: u64,
) -> Result<(UploadFields, Option<Spooled>), AppError> {
    let mut fields = UploadFields::default();
    let mut spooled = None;
    let too_large = || AppError::TooLarge(human_bytes(max_bytes));
    let broken = |e: axum::extract::multipart::MultipartError| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            AppError::TooLarge(human_bytes(max_bytes))
        } else {
            AppError::BadRequest(format!("the upload could not be read as multipart/form-data: {}", e.body_text()))
        }
    };
    while let Some(mut field) = multipart.next_field().await.map_err(broken)? {
        let name = field.name().unwrap_or("").to_owned();
        if name == "file" {
            let tmp = tempfile::NamedTempFile::new().map_err(|e| AppError::internal("creating a temp file", &e))?;
            let std_file = tmp.reopen().map_err(|e| AppError::internal("opening a temp file", &e))?;
            let mut out = tokio::fs::File::from_std(std_file);
            let mut size = 0u64;
            while let Some(chunk) = field.chunk().await.map_err(broken)? {
                size += chunk.len() as u64;
                if size > max_bytes {
                    return Err(too_large());
                }
                out.write_all(&chunk).await.map_err(|e| AppError::internal("writing the upload", &e))?;
            }
            out.flush().await.map_err(|e| AppError::internal("writing the upload", &e))?;
            if size > 0 {
                spooled = Some(Spooled { file: tmp, size });
            }
            continue;
        }
        // Text fields are small; anything large here is not a form we sent.
        let mut value = Vec::new();
        while let Some(chunk) = field.chunk().await.map_err(broken)? {
            value.extend_from_slice(&chunk);
            if value.len() > 16 * 1024 {
                return Err(AppError::BadRequest(format!("field `{name}` is longer than 16 KiB")));
            }
        }
        let value =
            String::from_utf8(value).map_err(|_| AppError::BadRequest(format!("field `{name}` is not UTF-8 text")))?;
        match name.as_str() {
            "model" => fields.model = value,
            "judge" => fields.judge = value,
            "organization" => fields.organization = value,
            "access" => fields.access = value,
            "reasoning" => fields.reasoning = value,
            "parameters" => fields.parameters = value,
            "link" => fields.link = value,
            "note" => fields.note = value,
            // Unknown fields are ignored so that future clients can send more.
            _ => {}
        }
    }
    Ok((fields, spooled))
}

pub fn human_bytes(n: u64) -> String {
    if n >= 1 << 30 {
        format!("{:.1} GiB", n as f64 / (1u64 << 30) as f64)
    } else if n >= 1 << 20 {
        format!("{} MiB", n >> 20)
    } else {
        format!("{} KiB", (n >> 10).max(1))
    }
}

/// What a successful upload produced.
#[derive(Debug, Clone)]
pub struct Accepted {
    pub id: i64,
    pub status: Status,
    pub draft_key: Option<String>,
}

/// Validates an upload completely and stores it with `status` (`draft` for the web form's
/// preview step, `pending` for the API). Nothing is stored unless everything is valid.
pub async fn accept_upload(
    state: &AppState,
    fields: &UploadFields,
    file: Option<Spooled>,
    status: Status,
    actor: &str,
) -> Result<Accepted, AppError> {
    let parsed_fields = parse_fields(fields);
    let mut problems = parsed_fields.as_ref().err().cloned().unwrap_or_default();
    let Some(file) = file else {
        problems.push(Problem::new(
            "field `file`",
            "no file was uploaded",
            "attach results/harmbench/<model>/ as .zip or .tar.gz, or the aggregate CSV",
        ));
        return Err(AppError::Rejected(Rejection::from_problems(problems)));
    };
    let limits = state.settings.archive_limits;
    let std_file = file.file.reopen().map_err(|e| AppError::internal("reopening the upload", &e))?;
    // Parse even when the fields are wrong, so one round trip reports every problem.
    let ingested = tokio::task::spawn_blocking(move || {
        let result = ingest::read_file(std_file, &limits);
        drop(file);
        result
    })
    .await
    .map_err(|e| AppError::internal("the validation task failed", &e))?;
    let ingested = match ingested {
        Ok(i) => Some(i),
        Err(r) => {
            problems.extend(r.problems);
            None
        }
    };
    let (parsed, ingested) = match (parsed_fields, ingested) {
        (Ok(p), Some(i)) if problems.is_empty() => (p, i),
        _ => return Err(AppError::Rejected(Rejection::from_problems(problems))),
    };
    let source = Source::SelfReported;
    let pool = &state.pool;
    let (id, sha) = match ingested {
        Ingested::Tree { tree, kind, sha256 } => {
            if let Some(existing) = db::find_live_archive(pool, sha256.as_deref().unwrap_or_default()).await? {
                return Err(AppError::Conflict(format!(
                    "this archive was already submitted as submission #{existing} (see /submissions/{existing})"
                )));
            }
            let mut tree = tree;
            if let Some(sha) = &sha256
                && let Some((old, reason)) = db::find_rejected_archive(pool, sha).await?
            {
                tree.result.summary.warnings.push(Problem::new(
                    "",
                    format!(
                        "an identical archive was rejected before as submission #{old}{}",
                        reason.map(|r| format!(": {r}")).unwrap_or_default()
                    ),
                    "make sure the reason for that rejection no longer applies",
                ));
            }
            let id = store_tree(
                pool,
                &TreeSubmission {
                    model: &parsed.model,
                    meta: &parsed.meta,
                    capability: None,
                    judge: &parsed.judge,
                    source,
                    note: parsed.note.as_deref(),
                    tree: &tree,
                    kind,
                    sha256: sha256.as_deref(),
                },
                status,
                actor,
            )
            .await?;
            (id, sha256)
        }
        Ingested::Table { models, sha256 } => {
            let m = single_table_model(models, &parsed)?;
            if let Some(existing) = db::find_live_archive(pool, sha256.as_deref().unwrap_or_default()).await? {
                return Err(AppError::Conflict(format!(
                    "this file was already submitted as submission #{existing} (see /submissions/{existing})"
                )));
            }
            // The form's facts win; the CSV's fill the gaps.
            let meta = ModelMeta {
                organization: parsed.meta.organization.clone().or(m.meta.organization.clone()),
                access: parsed.meta.access.or(m.meta.access),
                reasoning: parsed.meta.reasoning.or(m.meta.reasoning),
                parameters_b: parsed.meta.parameters_b.or(m.meta.parameters_b),
                link: parsed.meta.link.clone().or(m.meta.link.clone()),
            };
            let judge = if fields.judge.trim().is_empty() { m.judge.clone() } else { parsed.judge.clone() };
            let id = db::insert_submission(
                pool,
                &db::NewSubmission {
                    model: &parsed.model,
                    meta: &meta,
                    capability: None,
                    judge: &judge,
                    source,
                    status,
                    note: parsed.note.as_deref(),
                    archive_sha256: sha256.as_deref(),
                    archive_kind: Some("csv"),
                    folder_name: None,
                    result: &m.result,
                    actor,
                    apply_meta_now: false,
                },
            )
            .await
            .map_err(store_error)?;
            (id, sha256)
        }
    };
    tracing::info!(id, status = status.as_str(), sha256 = sha.as_deref().unwrap_or(""), actor, "upload stored");
    let draft_key = if status == Status::Draft { db::draft_key(pool, id).await? } else { None };
    Ok(Accepted { id, status, draft_key })
}

fn single_table_model(models: Vec<TableModel>, parsed: &ParsedFields) -> Result<TableModel, AppError> {
    let names: Vec<String> = models.iter().map(|m| format!("{} ({})", m.name, m.judge)).collect();
    let mut models = models;
    if models.len() != 1 {
        return Err(AppError::Rejected(Rejection::single(Problem::new(
            "CSV",
            format!(
                "the CSV holds {} results ({}); an upload carries one model under one judge",
                names.len(),
                names.join(", ")
            ),
            "split the CSV, one model per upload",
        ))));
    }
    let m = models.remove(0);
    if !m.name.as_str().eq_ignore_ascii_case(parsed.model.as_str()) {
        return Err(AppError::Rejected(Rejection::single(Problem::new(
            "CSV",
            format!("the CSV is about `{}` but the form names `{}`", m.name, parsed.model),
            "use the same model name in both",
        ))));
    }
    Ok(m)
}

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
    let client = auth::client_key(&state.settings, &headers, Some(peer));
    auth::check_upload_rate(&state.pool, &state.settings, &client).await?;
    let (fields, file) = read_multipart(multipart, state.settings.max_upload_bytes).await?;
    let accepted = accept_upload(&state, &fields, file, Status::Pending, "api").await?;
    let view = queries::submission_view(&state.pool, accepted.id, None).await?;
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
    let status = match q.status.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => Some(
            Status::parse(s)
                .filter(|s| *s != Status::Draft)
                .ok_or_else(|| AppError::BadRequest(format!("status=`{s}`: use pending, approved or rejected")))?,
        ),
    };
    let limit = q.limit.unwrap_or(100).clamp(1, 500);
    let offset = q.offset.unwrap_or(0).max(0);
    let lines = db::list_submissions(&state.pool, status, limit, offset).await?;
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
    let view = queries::submission_view(&state.pool, id, None).await?;
    Ok(Json(submission_json(&view)))
}
