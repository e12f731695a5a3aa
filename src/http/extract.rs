//! Extractors for the JSON API that answer a malformed request with the API's one error shape
//! ([`AppError`]'s JSON) instead of axum's plain-text rejections. Each wraps axum's own
//! extractor and keeps axum's message, which already says what was wrong (`limit: invalid digit
//! found in string`, ``Cannot parse `xyz` to a `i64` ``).

use crate::error::AppError;
use axum::extract::multipart::MultipartRejection;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Multipart, Request};

/// `Query<T>` whose rejection is a JSON 400.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(AppError))]
pub struct ApiQuery<T>(pub T);

/// `Path<T>` whose rejection is a JSON 400 (a segment that is not a `T`, such as an id beyond
/// the 64-bit range).
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(AppError))]
pub struct ApiPath<T>(pub T);

/// `Multipart` whose rejection (a request that is not `multipart/form-data` with a boundary) is
/// a JSON 400. axum's `via(...)` only wraps extractors generic over their content, so this one
/// is written out.
pub struct ApiMultipart(pub Multipart);

impl<S: Send + Sync> FromRequest<S> for ApiMultipart {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, AppError> {
        Multipart::from_request(req, state).await.map(ApiMultipart).map_err(AppError::from)
    }
}

/// A rejection as the API reports it: the client's mistakes (4xx) keep axum's message as a
/// `bad_request`; axum's own 5xx (a route declared with the wrong extractor) is ours, logged
/// and answered as the opaque internal error.
fn rejected(status: axum::http::StatusCode, text: String, err: &(dyn std::error::Error + 'static)) -> AppError {
    if status.is_client_error() { AppError::BadRequest(text) } else { AppError::internal("extractor", err) }
}

impl From<QueryRejection> for AppError {
    fn from(r: QueryRejection) -> Self {
        rejected(r.status(), r.body_text(), &r)
    }
}

impl From<PathRejection> for AppError {
    fn from(r: PathRejection) -> Self {
        rejected(r.status(), r.body_text(), &r)
    }
}

impl From<MultipartRejection> for AppError {
    fn from(r: MultipartRejection) -> Self {
        let text = format!("the upload could not be read as multipart/form-data: {}", r.body_text());
        rejected(r.status(), text, &r)
    }
}
