//! One error type for every boundary the user can reach (pages, server functions, the JSON
//! API). Its messages are safe to show: internal causes are logged with their whole chain and
//! replaced by a generic message before they leave the server.

use crate::domain::model::FieldError;
use crate::domain::submission::Rejection;
use serde::{Deserialize, Serialize};
use server_fn::codec::JsonEncoding;
use server_fn::error::{FromServerFnError, ServerFnErrorErr};

#[derive(Debug, Clone, PartialEq, thiserror::Error, Serialize, Deserialize)]
pub enum AppError {
    /// A form field or query parameter that could not be parsed.
    #[error("{0}")]
    Field(FieldError),
    /// An upload with problems; every one is listed.
    #[error("the upload has {count} problem(s):\n{rejection}", count = .0.problems.len() + .0.more, rejection = .0)]
    Rejected(Rejection),
    #[error("{0}")]
    BadRequest(String),
    #[error("{0} not found")]
    NotFound(String),
    /// A state change that clashes with the current state (already decided, duplicate ...).
    #[error("{0}")]
    Conflict(String),
    /// The caller must sign in (or signed in with a wrong token).
    #[error("{0}")]
    Unauthorized(String),
    /// The caller may not do this whoever they are: a cross-site request, a stale form token.
    #[error("{0}")]
    Forbidden(String),
    #[error("too many requests: {0}")]
    RateLimited(String),
    #[error("the upload is larger than the limit of {0}")]
    TooLarge(String),
    /// The client was too slow (a body below the minimum rate, a request past its deadline).
    #[error("{0}")]
    TimedOut(String),
    /// The server is at capacity for this kind of work; try again shortly.
    #[error("{0}")]
    Busy(String),
    /// Something broke on our side; the details are in the server log, not here.
    #[error("internal error; the maintainers can find the cause in the server log")]
    Internal,
    /// The request never reached our code (network, decoding) on its way to a server function.
    #[error("request failed: {0}")]
    Transport(String),
}

impl AppError {
    pub fn status_code(&self) -> u16 {
        match self {
            Self::Field(_) | Self::BadRequest(_) => 400,
            Self::Rejected(_) => 422,
            Self::NotFound(_) => 404,
            Self::Conflict(_) => 409,
            Self::Unauthorized(_) => 401,
            Self::Forbidden(_) => 403,
            Self::RateLimited(_) => 429,
            Self::TooLarge(_) => 413,
            Self::TimedOut(_) => 408,
            Self::Busy(_) => 503,
            Self::Internal | Self::Transport(_) => 500,
        }
    }

    /// Logs `err` with its full cause chain and returns the opaque [`AppError::Internal`].
    #[cfg(feature = "ssr")]
    pub fn internal(context: &str, err: &(dyn std::error::Error + 'static)) -> Self {
        let mut chain = err.to_string();
        let mut source = err.source();
        while let Some(cause) = source {
            chain.push_str(": ");
            chain.push_str(&cause.to_string());
            source = cause.source();
        }
        tracing::error!(error.chain = %chain, "{context}");
        Self::Internal
    }
}

impl From<FieldError> for AppError {
    fn from(e: FieldError) -> Self {
        Self::Field(e)
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        // On the server these mean the caller sent a call we cannot decode (a missing field, a
        // body that is not what the function takes, or one cut off at the size limit): the
        // caller's mistake, answered 400. In the browser they mean the request never arrived.
        #[cfg(feature = "ssr")]
        if matches!(
            value,
            ServerFnErrorErr::Args(_)
                | ServerFnErrorErr::MissingArg(_)
                | ServerFnErrorErr::Deserialization(_)
                | ServerFnErrorErr::Request(_)
        ) {
            return Self::BadRequest(format!("this call could not be read: {value}"));
        }
        Self::Transport(value.to_string())
    }
}

/// Every store error is ours, never the user's: "not found" is decided by the use cases from
/// `Option`s, so a row that must exist and does not (say, the store's version counter) fails
/// loudly as an internal error instead of showing "not found" on every page.
#[cfg(feature = "ssr")]
impl From<sqlx::Error> for AppError {
    fn from(e: sqlx::Error) -> Self {
        Self::internal("database error", &e)
    }
}

// What `IntoResponse` below writes, typed so the OpenAPI document describes exactly that (its
// doc comment is the schema's description).
/// The body of every API error: `error`, a stable kind, and `message`. `field` comes only with
/// kind `invalid`; `problems` and `more_problems` only with kind `rejected`. Absent fields are
/// left out, never null.
#[cfg(feature = "ssr")]
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// A stable machine-readable kind.
    #[schema(schema_with = error_kind_schema)]
    pub error: &'static str,
    /// What was wrong and, where it helps, how to fix it.
    pub message: String,
    /// The form field or query parameter at fault (kind `invalid`).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub field: Option<String>,
    /// Every problem of a refused upload (kind `rejected`), at most 200.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub problems: Option<Vec<ProblemBody>>,
    /// Problems beyond the listed ones (kind `rejected`).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub more_problems: Option<usize>,
}

/// One problem of an upload (or, in a report, a warning): where, what, how to fix. Never
/// contains answer or question text.
#[cfg(feature = "ssr")]
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = Problem)]
pub struct ProblemBody {
    /// Path inside the upload (`Violence/Analogy.json`), a CSV line (`line 4`), or a form field.
    pub location: String,
    /// 0-based position in `judge_result`, the harness's item index.
    pub item: Option<usize>,
    pub message: String,
    pub fix: String,
}

#[cfg(feature = "ssr")]
impl From<&crate::domain::submission::Problem> for ProblemBody {
    fn from(p: &crate::domain::submission::Problem) -> Self {
        Self { location: p.location.clone(), item: p.item, message: p.message.clone(), fix: p.fix.clone() }
    }
}

#[cfg(feature = "ssr")]
fn error_kind_schema() -> utoipa::openapi::Object {
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::Type::String)
        .enum_values(Some(AppError::KINDS))
        .build()
}

#[cfg(feature = "ssr")]
impl AppError {
    /// The body this error answers with.
    pub fn body(&self) -> ErrorBody {
        let mut body = ErrorBody {
            error: self.kind(),
            message: self.to_string(),
            field: None,
            problems: None,
            more_problems: None,
        };
        match self {
            Self::Rejected(r) => {
                body.problems = Some(r.problems.iter().map(ProblemBody::from).collect());
                body.more_problems = Some(r.more);
            }
            Self::Field(f) => {
                body.field = Some(f.field.clone());
                body.message = f.message.clone();
            }
            _ => {}
        }
        body
    }
}

#[cfg(feature = "ssr")]
impl axum::response::IntoResponse for AppError {
    fn into_response(self) -> axum::response::Response {
        use axum::http::StatusCode;
        let status = StatusCode::from_u16(self.status_code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut res = (status, axum::Json(self.body())).into_response();
        if matches!(self, Self::Busy(_) | Self::RateLimited(_)) {
            // Busy clears in seconds; a rate limit later, but a client that retries sooner is
            // only refused again.
            let after = if matches!(self, Self::Busy(_)) { "5" } else { "60" };
            res.headers_mut().insert(axum::http::header::RETRY_AFTER, axum::http::HeaderValue::from_static(after));
        }
        res
    }
}

impl AppError {
    /// Every value [`AppError::kind`] can take, for the API's documentation.
    pub const KINDS: [&'static str; 13] = [
        "invalid",
        "rejected",
        "bad_request",
        "not_found",
        "conflict",
        "unauthorized",
        "forbidden",
        "rate_limited",
        "too_large",
        "timed_out",
        "busy",
        "internal",
        "transport",
    ];

    /// A stable machine-readable name for API clients.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Field(_) => "invalid",
            Self::Rejected(_) => "rejected",
            Self::BadRequest(_) => "bad_request",
            Self::NotFound(_) => "not_found",
            Self::Conflict(_) => "conflict",
            Self::Unauthorized(_) => "unauthorized",
            Self::Forbidden(_) => "forbidden",
            Self::RateLimited(_) => "rate_limited",
            Self::TooLarge(_) => "too_large",
            Self::TimedOut(_) => "timed_out",
            Self::Busy(_) => "busy",
            Self::Internal => "internal",
            Self::Transport(_) => "transport",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn who_is_calling_and_what_they_may_do_have_their_own_statuses() {
        assert_eq!(AppError::Unauthorized("sign in".into()).status_code(), 401);
        assert_eq!(AppError::Forbidden("cross-site".into()).status_code(), 403);
        assert_eq!(AppError::Internal.status_code(), 500);
    }

    #[test]
    fn every_kind_is_documented() {
        use crate::domain::model::FieldError;
        let all = [
            AppError::Field(FieldError::new("f", "m")),
            AppError::Rejected(Rejection::from_problems(vec![])),
            AppError::BadRequest(String::new()),
            AppError::NotFound(String::new()),
            AppError::Conflict(String::new()),
            AppError::Unauthorized(String::new()),
            AppError::Forbidden(String::new()),
            AppError::RateLimited(String::new()),
            AppError::TooLarge(String::new()),
            AppError::TimedOut(String::new()),
            AppError::Busy(String::new()),
            AppError::Internal,
            AppError::Transport(String::new()),
        ];
        // A new variant fails to compile here until it is added to the list above.
        for e in &all {
            match e {
                AppError::Field(_)
                | AppError::Rejected(_)
                | AppError::BadRequest(_)
                | AppError::NotFound(_)
                | AppError::Conflict(_)
                | AppError::Unauthorized(_)
                | AppError::Forbidden(_)
                | AppError::RateLimited(_)
                | AppError::TooLarge(_)
                | AppError::TimedOut(_)
                | AppError::Busy(_)
                | AppError::Internal
                | AppError::Transport(_) => {}
            }
        }
        let kinds: Vec<&str> = all.iter().map(AppError::kind).collect();
        assert_eq!(kinds, AppError::KINDS);
    }
}
