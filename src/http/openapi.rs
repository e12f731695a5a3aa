//! The OpenAPI document, generated from the handlers: each JSON API route is registered through
//! utoipa-axum's `routes!`, which takes the path and method from the handler's own
//! `#[utoipa::path]`, so the router cannot serve an operation the document lacks or the other way
//! round. Parameters, bodies and statuses are still written in those attributes; schemathesis
//! (scripts/test.sh) checks them against the running server, and tests/api/openapi.rs checks
//! that every API route is in the document.

use crate::error::AppError;
use axum::Extension;
use axum::http::header;
use axum::response::IntoResponse;
use bytes::Bytes;
use utoipa::openapi::path::{Operation, Parameter, ParameterBuilder, ParameterIn};
use utoipa::openapi::response::{Response, ResponseBuilder};
use utoipa::openapi::{ContentBuilder, HeaderBuilder, Object, ObjectBuilder, OpenApi, RefOr, Required, Schema, Type};

#[derive(utoipa::OpenApi)]
#[openapi(info(
    title = "MIR-SafetyBench leaderboard API",
    version = "1",
    description = "Open data and submissions for the MIR-SafetyBench leaderboard. ASR values are percentages (lower is safer), pooled over items exactly as the benchmark's statics.py computes them; each comes with its 95% Wilson score interval, and a model's rank is 1 + the number of models whose whole interval lies below its own. Rows whose `sample` is true are generated sample data, not real results; the document's `notice` says so. Refusal counts are an estimate from refusal phrases (see /about#refusal-estimate), null when the source had no answer text.\n\nEvery error is JSON of one shape, `ErrorBody`: `error` (a stable kind) and `message`, plus `field` or `problems` where they apply. Query parameters that are not listed are ignored (links may carry tracking parameters)."
))]
pub struct ApiDoc;

/// A query parameter (optional unless the caller says otherwise).
pub fn query_param(name: &str, description: &str, schema: impl Into<RefOr<Schema>>) -> Parameter {
    ParameterBuilder::new()
        .name(name)
        .parameter_in(ParameterIn::Query)
        .required(Required::False)
        .description(Some(description))
        .schema(Some(schema))
        .build()
}

/// A string that is exactly one of `values`.
pub fn string_enum<I: IntoIterator<Item = V>, V: Into<serde_json::Value>>(values: I) -> Object {
    ObjectBuilder::new().schema_type(Type::String).enum_values(Some(values)).build()
}

/// Any 64-bit signed integer, with the bounds spelled out: a number beyond them is refused with a
/// 400 (it cannot be an id or an offset here), and a schema without them would promise more.
pub fn int64() -> Object {
    ObjectBuilder::new()
        .schema_type(Type::Integer)
        .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(utoipa::openapi::KnownFormat::Int64)))
        .minimum(Some(i64::MIN as isize))
        .maximum(Some(i64::MAX as isize))
        .build()
}

fn error_response(description: &str, retry_after: bool) -> Response {
    let content = ContentBuilder::new().schema(Some(RefOr::Ref(utoipa::openapi::Ref::from_schema_name("ErrorBody"))));
    let mut r = ResponseBuilder::new().description(description).content("application/json", content.build());
    if retry_after {
        let h = HeaderBuilder::new()
            .schema(Some(ObjectBuilder::new().schema_type(Type::Integer).minimum(Some(0)).build()))
            .description(Some("Seconds to wait before trying again"));
        r = r.header("Retry-After", h.build());
    }
    r.build()
}

/// Statuses the edge can answer on any route, before or around its handler
/// ([`super::edge::limits`]): a body above the limit, a request past its deadline, and our own
/// failure. Added here once rather than in every attribute; an operation that describes one of
/// them itself keeps its own description.
fn add_edge_responses(op: &mut Operation) {
    let edge = [
        ("413", "The request body is larger than the limit (routes that take no body allow only a small one)", false),
        ("500", "Something broke on our side; the cause is in the server log", false),
        ("503", "The request ran past its deadline, or the server is at capacity; try again shortly", true),
    ];
    for (status, description, retry) in edge {
        op.responses.responses.entry(status.to_owned()).or_insert_with(|| RefOr::T(error_response(description, retry)));
    }
}

/// The finished document: the edge's statuses on every operation. (The schemas, `ErrorBody`
/// among them, are collected by `routes!` from the types the attributes name.)
pub fn finish(mut doc: OpenApi) -> OpenApi {
    for item in doc.paths.paths.values_mut() {
        for op in
            [&mut item.get, &mut item.post, &mut item.put, &mut item.delete, &mut item.patch].into_iter().flatten()
        {
            add_edge_responses(op);
        }
    }
    doc
}

/// The document as served, serialised once at start.
#[derive(Clone)]
pub struct ServedSpec(pub Bytes);

/// This document.
#[utoipa::path(
    get,
    path = "/api/v1/openapi.json",
    operation_id = "openapi",
    responses((status = 200, description = "This OpenAPI document", body = inline(Object), content_type = "application/json"))
)]
pub async fn openapi(Extension(spec): Extension<ServedSpec>) -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], spec.0)
}

/// Any other path under `/api`: the API's JSON 404, not the site's HTML page.
pub async fn api_not_found(uri: axum::http::Uri) -> AppError {
    AppError::NotFound(format!("API route {} (see /api/v1/openapi.json)", uri.path()))
}
