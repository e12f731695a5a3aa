//! The HTTP edge: what every request passes before the site's own code sees it. Timeouts,
//! body limits and the minimum body rate ([`limits`]), security headers and the CSP nonce
//! ([`headers`]), and the accept loop with its header deadline and connection cap ([`serve`]).
//! Every value comes from [`crate::config::EdgeLimits`].

pub mod headers;
pub mod min_rate;
pub mod serve;

use crate::domain::units::format_bytes;
use crate::error::AppError;
use crate::state::AppState;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use min_rate::MinRateBody;

/// The routes that take uploads, and with them the larger body limit and the longer deadline.
pub fn is_upload(method: &Method, path: &str) -> bool {
    method == Method::POST && (path == "/submit" || path == "/api/v1/submissions")
}

/// Bounds every request: its body's size (refused at once when the declared length is too
/// large, cut when the body grows past it), its body's rate, and its total time.
pub async fn limits(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let e = state.settings.edge;
    let upload = is_upload(req.method(), req.uri().path());
    let (deadline, max_body) = if upload {
        (e.upload_timeout, state.settings.upload_body_limit() as u64)
    } else {
        (e.request_timeout, e.max_body_bytes)
    };
    let declared = req.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    if declared.is_some_and(|n| n > max_body) {
        let shown = if upload { state.settings.max_upload_bytes } else { max_body };
        return too_large(upload, shown).into_response();
    }
    let req = req.map(|body| {
        let paced = MinRateBody::new(body, e.body_rate_window, e.min_body_bytes);
        Body::new(http_body_util::Limited::new(paced, usize::try_from(max_body).unwrap_or(usize::MAX)))
    });
    match tokio::time::timeout(deadline, next.run(req)).await {
        Ok(res) => res,
        Err(_) => {
            AppError::Busy(format!("the request took longer than {} s and was stopped; try again", deadline.as_secs()))
                .into_response()
        }
    }
}

fn too_large(upload: bool, max: u64) -> AppError {
    if upload {
        AppError::TooLarge(format_bytes(max))
    } else {
        AppError::TooLarge(format!("{} for a request of this kind", format_bytes(max)))
    }
}

/// Server functions answer every error with 500 (server_fn's `error_response`), whatever it
/// was. The error itself travels in the body as our own [`AppError`], so its status is known:
/// a call that could not be decoded is a 400, a missing maintainer session a 401, and so on.
pub async fn server_fn_status(req: Request, next: Next) -> Response {
    if !req.uri().path().starts_with("/fn/") {
        return next.run(req).await;
    }
    let res = next.run(req).await;
    if !res.headers().contains_key(server_fn::error::SERVER_FN_ERROR_HEADER) {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    // Error bodies are a short JSON value; anything larger is not ours to reinterpret.
    let Ok(bytes) = axum::body::to_bytes(body, 64 * 1024).await else {
        parts.status = axum::http::StatusCode::INTERNAL_SERVER_ERROR;
        return Response::from_parts(parts, Body::empty());
    };
    if let Ok(err) = serde_json::from_slice::<AppError>(&bytes)
        && let Ok(status) = axum::http::StatusCode::from_u16(err.status_code())
    {
        parts.status = status;
    }
    Response::from_parts(parts, Body::from(bytes))
}
