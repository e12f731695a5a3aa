//! One module per route: the page component, its private pieces, and its server functions.
//! Server functions are public HTTP endpoints under `/fn/`; each parses its input and calls
//! a use case in `services`. Pages hold views and these thin shims only.

pub mod about;
pub mod admin;
pub mod changes;
pub mod compare;
pub mod insights;
pub mod items;
pub mod judges;
pub mod leaderboard;
pub mod model;
pub mod scope;
pub mod submissions;
pub mod submit;

#[cfg(feature = "ssr")]
pub(crate) mod ssr {
    use crate::error::AppError;
    use crate::state::AppState;
    use leptos::prelude::use_context;

    /// The server's state, which `leptos_routes` provides to every render and server function.
    pub fn state() -> Result<AppState, AppError> {
        use_context::<AppState>().ok_or_else(|| {
            tracing::error!("AppState missing from the Leptos context");
            AppError::Internal
        })
    }

    /// Who is calling this server function (address, session cookie, Origin).
    pub async fn caller(state: &AppState) -> Result<crate::services::auth::Caller, AppError> {
        use axum::extract::ConnectInfo;
        use std::net::SocketAddr;
        let headers =
            leptos_axum::extract::<axum::http::HeaderMap>().await.map_err(|e| AppError::Transport(e.to_string()))?;
        let peer = leptos_axum::extract::<ConnectInfo<SocketAddr>>().await.ok().map(|c| c.0);
        Ok(crate::services::auth::Caller::from_headers(&state.settings, &headers, peer))
    }
}
