//! The server's HTTP surface beyond the pages: the versioned JSON API, the CSV export, chart
//! images and the upload endpoints. Handlers read the request, call a use case in
//! [`crate::services`], and shape its answer (JSON, CSV, SVG, a redirect).

pub mod api;
pub mod cache;
pub mod charts;
pub mod edge;
pub mod exports;
pub mod multipart;
pub mod submissions;

use crate::state::AppState;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};

/// Routes of the API, the charts and the upload form (pages are added by `startup`).
pub fn routes(state: &AppState) -> Router<AppState> {
    let upload_limit = DefaultBodyLimit::max(state.settings.upload_body_limit());
    Router::new()
        .route("/api/v1/leaderboard", get(api::leaderboard_json))
        .route("/api/v1/leaderboard.csv", get(api::leaderboard_csv))
        .route("/api/v1/submissions", get(submissions::api_list).post(submissions::api_create).layer(upload_limit))
        .route("/api/v1/submissions/{id}", get(submissions::api_get))
        .route("/api/v1/compare", get(api::compare_json))
        .route("/api/v1/openapi.json", get(api::openapi))
        .route("/healthz", get(api::health))
        .route("/submit", post(submissions::post_form).layer(upload_limit))
        .route("/charts/leaderboard.svg", get(charts::leaderboard_chart_route))
        .route("/charts/models/{slug}/{chart}", get(charts::model_chart))
        .route("/charts/relations/{name}", get(charts::relation_chart))
        .route("/charts/categories/{name}", get(charts::category_chart))
        .route("/charts/compare/{chart}", get(charts::compare_chart_route))
        .route("/charts/capability.svg", get(charts::capability_chart))
}
