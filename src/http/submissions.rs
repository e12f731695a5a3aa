//! The submission endpoints: `POST /submit` (the upload form, with or without JavaScript) and
//! `POST/GET /api/v1/submissions` (pipelines), with the JSON shapes they answer.

use super::edge::headers::{CspNonce, provide_request_nonce};
use super::extract::{ApiMultipart, ApiPath, ApiQuery};
use super::multipart::read_multipart;
use super::openapi::{int64, query_param, string_enum};
use super::submission_json::{LineJson, QueueJson, StatusJson, SubmissionJson};
use crate::domain::model::Status;
use crate::domain::submission::{PostedUpload, UploadError, UploadFields};
use crate::error::{AppError, ErrorBody};
use crate::services::auth::{self, Caller};
use crate::services::{submissions, upload};
use crate::state::AppState;
use axum::body::Body;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{ConnectInfo, Multipart, State};
use axum::http::{HeaderMap, Request, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Json};
use leptos::prelude::provide_context;
use serde::Serialize;
use std::net::SocketAddr;
use utoipa::openapi::Required;
use utoipa::openapi::path::{Parameter, ParameterIn};
use utoipa::{IntoParams, ToSchema};

// Documentation only: the handler streams the parts itself (`read_multipart`), so nothing is
// deserialised into this type. `deny_unknown_fields` makes the schema say "only these parts"
// (`additionalProperties: false`); the server still ignores parts with other names, so that an
// older server takes a newer client's upload.
/// The upload form: one part per field. Parts with other names are ignored.
#[derive(ToSchema)]
#[schema(as = UploadForm)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)] // read by the ToSchema derive only
pub struct UploadForm {
    /// The model's display name, e.g. Qwen2.5-VL-7B-Instruct: one line of visible characters.
    #[schema(min_length = 1, max_length = 100)]
    model: String,
    /// The judge that labelled the answers (default: HarmBench-Llama-2-13b-cls); one line, at most 100 characters.
    #[schema(max_length = 100)]
    judge: Option<String>,
    /// The model's developer; one line, at most 100 characters.
    #[schema(max_length = 100)]
    organization: Option<String>,
    /// Whether the weights are downloadable; letter case and surrounding spaces are ignored.
    #[schema(schema_with = upload_access)]
    access: Option<String>,
    /// Whether it is a reasoning model; letter case and surrounding spaces are ignored (`on` is what a checkbox sends).
    #[schema(schema_with = upload_reasoning)]
    reasoning: Option<String>,
    /// Parameter count in billions, e.g. 7, 7B, 0.5B, 1.2T or 500M.
    parameters: Option<String>,
    /// The model card: an absolute http(s) URL of at most 500 characters.
    #[schema(max_length = 500)]
    link: Option<String>,
    /// A note for the maintainers; several lines allowed.
    #[schema(max_length = 2000)]
    note: Option<String>,
    /// One model's harness judge output (results/harmbench/<model>/ or the whole results/ folder) as .zip or .tar.gz, or the aggregate CSV. Send this or `files`, not both.
    #[schema(value_type = Option<String>, format = Binary)]
    file: Option<Vec<u8>>,
    /// The results folder itself, one part per file, each part's file name its path relative to the folder's parent (e.g. `qwen2_5_VL_7B/Hate_Speech/Analogy.json`): read exactly like an archive of the folder, with the same limits on files and bytes.
    #[schema(value_type = Option<Vec<String>>, format = Binary)]
    files: Option<Vec<Vec<u8>>>,
}

fn upload_access() -> utoipa::openapi::Object {
    string_enum(["", "open", "closed"])
}

fn upload_reasoning() -> utoipa::openapi::Object {
    string_enum(["", "true", "false", "yes", "no", "on", "off", "1", "0"])
}

/// Validate an upload and, when valid, store it as a pending submission.
///
/// One model's harness judge output (results/harmbench/<model>/ or the whole results/ folder) as
/// .zip or .tar.gz, or the aggregate CSV. Validation is complete: a refusal lists every problem.
/// Uploads are rate-limited per client and nothing is ranked before a maintainer approves it.
#[utoipa::path(
    post,
    path = "/api/v1/submissions",
    operation_id = "upload",
    request_body(content = UploadForm, content_type = "multipart/form-data"),
    responses(
        (status = 201, description = "Stored as pending", body = SubmissionJson),
        (status = 400, description = "The request is not a readable multipart form (no boundary, two `file` parts, a field over 16 KiB or not UTF-8)", body = ErrorBody),
        (status = 403, description = "Sent from a web page of another site (a foreign `Origin`)", body = ErrorBody),
        (status = 408, description = "The body arrived too slowly and was stopped", body = ErrorBody),
        (status = 409, description = "The same archive is already pending or approved", body = ErrorBody),
        (status = 413, description = "The upload is larger than the limit", body = ErrorBody),
        (status = 422, description = "The upload has problems; `problems` lists each with where, what and how to fix it", body = ErrorBody),
        (status = 429, description = "Too many uploads from this client", body = ErrorBody,
            headers(("Retry-After" = u32, description = "Seconds to wait before trying again"))),
        (status = 503, description = "The server is validating as many uploads as it can, or the request ran past its deadline", body = ErrorBody,
            headers(("Retry-After" = u32, description = "Seconds to wait before trying again"))),
    )
)]
pub async fn api_create(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    ApiMultipart(multipart): ApiMultipart,
) -> Result<(StatusCode, Json<SubmissionJson>), AppError> {
    let caller = Caller::from_headers(&state.settings, &headers, Some(peer));
    // Pipelines send no Origin; a browser on another site's page does, and must not be able
    // to upload in its visitor's name.
    caller.require_same_origin()?;
    auth::check_upload_rate(&state.pool, &state.settings, &caller).await?;
    let (fields, file) = read_multipart(multipart, &state).await?;
    let accepted = upload::accept_upload(&state, &fields, file, Status::Pending, "api").await?;
    let view = submissions::submission_view(&state.pool, accepted.id, None).await?;
    Ok((StatusCode::CREATED, Json(SubmissionJson::from(&view))))
}

#[derive(serde::Deserialize)]
pub struct ListQuery {
    status: Option<String>,
    limit: Option<i64>,
    offset: Option<i64>,
}

impl IntoParams for ListQuery {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        vec![
            query_param(
                "status",
                "Only submissions in this state; empty for all of them (drafts are never listed).",
                string_enum(["", "pending", "approved", "rejected"]),
            ),
            query_param(
                "limit",
                "How many (default 100); clamped to 1..500, and the answer's `limit` is the one used.",
                int64(),
            ),
            query_param(
                "offset",
                "How many of the newest to skip (default 0); a negative offset counts as 0.",
                int64(),
            ),
        ]
    }
}

/// The public queue, newest first.
#[utoipa::path(
    get,
    path = "/api/v1/submissions",
    operation_id = "submissions",
    params(ListQuery),
    responses(
        (status = 200, description = "Submissions with their states", body = QueueJson),
        (status = 400, description = "A parameter was not understood (an unknown status, a number that is not a 64-bit integer)", body = ErrorBody),
    )
)]
pub async fn api_list(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Json<QueueJson>, AppError> {
    let limit = q.limit.unwrap_or(100).clamp(1, 500);
    let offset = q.offset.unwrap_or(0).max(0);
    let lines = submissions::queue(&state.pool, q.status.as_deref(), limit, offset).await?;
    Ok(Json(QueueJson { submissions: lines.iter().map(LineJson::from).collect(), limit, offset }))
}

/// The id of `GET /api/v1/submissions/{id}`: any 64-bit integer; one that names no visible
/// submission is a 404.
pub struct SubmissionId;

impl IntoParams for SubmissionId {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        let mut id = query_param("id", "The submission's number", int64());
        id.parameter_in = ParameterIn::Path;
        id.required = Required::True;
        vec![id]
    }
}

/// One submission with its state, history and validation report.
#[utoipa::path(
    get,
    path = "/api/v1/submissions/{id}",
    operation_id = "submission",
    params(SubmissionId),
    responses(
        (status = 200, description = "The submission", body = SubmissionJson),
        (status = 400, description = "The id is not a 64-bit integer", body = ErrorBody),
        (status = 404, description = "No such submission (drafts are visible only with their key, on the web)", body = ErrorBody),
    )
)]
pub async fn api_get(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<SubmissionJson>, AppError> {
    let view = submissions::submission_view(&state.pool, id, None).await?;
    Ok(Json(SubmissionJson::from(&view)))
}

/// What the enhanced upload form receives for a stored draft.
#[derive(Debug, Serialize)]
struct DraftCreated {
    id: i64,
    status: StatusJson,
    preview_url: String,
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
        let (f, file) = read_multipart(multipart, &state).await?;
        fields = f.clone();
        upload::accept_upload(&state, &f, file, Status::Draft, "web").await
    }
    .await;
    match result {
        Ok(a) => {
            let url = format!("/submit/preview/{}?key={}", a.id, a.draft_key.unwrap_or_default());
            if wants_json {
                let body = DraftCreated { id: a.id, status: StatusJson::Draft, preview_url: url };
                (StatusCode::CREATED, Json(body)).into_response()
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
    let options = (*state.leptos_options).clone();
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
