//! The server's HTTP surface beyond the pages: the versioned JSON API, the CSV export, chart
//! images and the upload endpoints. Handlers read the request, call a use case in
//! [`crate::services`], and shape its answer (JSON, CSV, SVG, a redirect).

pub mod api;
pub mod cache;
pub mod charts;
pub mod edge;
pub mod exports;
pub mod extract;
pub mod feed;
pub mod multipart;
pub mod openapi;
pub mod research;
pub mod submission_json;
pub mod submissions;

use crate::state::AppState;
use axum::extract::DefaultBodyLimit;
use axum::routing::{any, get, post};
use axum::{Extension, Router};
use utoipa::OpenApi as _;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The JSON API and its OpenAPI document. Every operation is registered through `routes!`, so
/// it is in the document with the path and method it is served under; only the JSON 404 for
/// other `/api` paths is a plain route (it is not an operation).
pub fn api_routes(state: &AppState) -> (Router<AppState>, utoipa::openapi::OpenApi) {
    let upload_limit = DefaultBodyLimit::max(state.settings.upload_body_limit());
    let (upload_schemas, upload_paths, upload) = routes!(submissions::api_create);
    let (router, doc) = OpenApiRouter::with_openapi(openapi::ApiDoc::openapi())
        .routes(routes!(api::leaderboard_json))
        .routes(routes!(api::leaderboard_csv))
        .routes(routes!(api::compare_json))
        .routes(routes!(research::items_json))
        .routes(routes!(research::items_csv))
        .routes(routes!(research::agreement_json))
        .routes(routes!(submissions::api_list))
        // The upload alone gets the larger body limit.
        .routes((upload_schemas, upload_paths, upload.layer(upload_limit)))
        .routes(routes!(submissions::api_get))
        .routes(routes!(openapi::openapi))
        .routes(routes!(api::health))
        .split_for_parts();
    let doc = openapi::finish(doc);
    let served = openapi::ServedSpec(serde_json::to_vec(&doc).unwrap_or_default().into());
    let router = router
        .route("/api", any(openapi::api_not_found))
        .route("/api/{*rest}", any(openapi::api_not_found))
        .layer(Extension(served));
    (router, doc)
}

/// Routes of the API, the charts and the upload form (pages are added by `startup`).
pub fn routes(state: &AppState) -> Router<AppState> {
    let upload_limit = DefaultBodyLimit::max(state.settings.upload_body_limit());
    api_routes(state)
        .0
        .route("/submit", post(submissions::post_form).layer(upload_limit))
        .route("/charts/leaderboard.svg", get(charts::leaderboard_chart_route))
        .route("/charts/models/{slug}/{chart}", get(charts::model_chart))
        .route("/charts/relations/{name}", get(charts::relation_chart))
        .route("/charts/categories/{name}", get(charts::category_chart))
        .route("/charts/compare/{chart}", get(charts::compare_chart_route))
        .route("/charts/capability.svg", get(charts::capability_chart))
        .route("/badges/{name}", get(charts::badge))
        .route("/feed.xml", get(feed::feed_xml))
        .route("/charts/items.svg", get(charts::items_chart))
        .route("/charts/judges.svg", get(charts::judges_chart))
}
