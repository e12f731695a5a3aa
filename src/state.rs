//! What every request handler, server function and page render can reach.

use crate::config::Settings;
use crate::db::Pool;
use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use std::sync::Arc;

/// axum holds several items in its state through `FromRef`; Leptos finds its options the same
/// way, and `leptos_routes` provides this whole state as context to renders and server
/// functions (`use_context::<AppState>()`).
#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub pool: Pool,
    pub settings: Arc<Settings>,
    /// Rankings computed from the store, valid while its change counter stays the same.
    pub cache: Arc<crate::api::queries::Cache>,
}
