//! Building and running the server. `main` and the integration tests call the same functions,
//! so the tests exercise exactly the router users get.

use crate::app::{App, shell};
use crate::config::Settings;
use crate::http::edge::{self, serve::ServeLimits, serve::serve};
use crate::state::AppState;
use crate::{db, http};
use axum::Router;
use leptos_axum::{AxumRouteListing, LeptosRoutes, generate_route_list};
use std::sync::{Arc, OnceLock};
use std::time::Duration;
use tower_http::compression::CompressionLayer;
use tower_http::trace::TraceLayer;

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("cannot create the database folder {path}: {source}")]
    DataDir { path: String, source: std::io::Error },
    #[error(transparent)]
    Database(#[from] db::ConnectError),
}

/// Connects to the store (creating the SQLite file and its folder if needed) and migrates it.
pub async fn build_state(settings: Settings) -> Result<AppState, StartupError> {
    if let Some(dir) = settings.sqlite_dir() {
        std::fs::create_dir_all(&dir)
            .map_err(|source| StartupError::DataDir { path: dir.display().to_string(), source })?;
    }
    let pool = db::connect(&settings.database_url, settings.max_db_connections).await?;
    // Data written before a derived column existed gets it now, before anything reads it.
    db::backfill_label_bits(&pool).await.map_err(db::ConnectError::Connect)?;
    Ok(AppState {
        leptos_options: Arc::new(settings.leptos.clone()),
        pool,
        ingests: Arc::new(tokio::sync::Semaphore::new(settings.edge.max_concurrent_ingests)),
        settings: Arc::new(settings),
        cache: Default::default(),
        responses: Default::default(),
        versions: Default::default(),
    })
}

/// The site's routes, generated once per process. Generating renders the app with resource
/// loading switched off by a process-wide flag (leptos_server's `SuppressResourceLoad`), and a
/// resource first polled while that flag is up waits forever (leptos issue #4773). One
/// generation, finished before any router exists, can never overlap a request; a second one
/// (say, another server in the same test process) could stall a page of the first.
fn route_list() -> Vec<AxumRouteListing> {
    static ROUTES: OnceLock<Vec<AxumRouteListing>> = OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

/// The whole site: pages, server functions, the JSON API, charts, static files, behind the
/// edge's limits and security headers.
pub fn build_router(state: AppState) -> Router {
    use axum::middleware::from_fn_with_state;
    let routes = route_list();
    let options = (*state.leptos_options).clone();
    Router::new()
        .route("/submit/sample.zip", axum::routing::get(sample_archive))
        .merge(http::routes(&state))
        .leptos_routes_with_context(&state, routes, edge::headers::provide_request_nonce, move || {
            shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler_with_context::<AppState, _>(
            edge::headers::provide_request_nonce,
            shell,
        ))
        .layer(from_fn_with_state(state.clone(), http::cache::cached))
        .layer(axum::middleware::from_fn(edge::server_fn_status))
        .layer(CompressionLayer::new())
        .layer(from_fn_with_state(state.clone(), edge::limits))
        .layer(from_fn_with_state(state.clone(), edge::headers::security_headers))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// `GET /submit/sample.zip`: a fictional model's full harness run, made like
/// `mir-leaderboard sample-tree` (its folder and model are named as samples), so anyone can try
/// the upload without running the benchmark. Made once per process, on first request, off the
/// async runtime; the bytes never change within a process.
async fn sample_archive() -> axum::response::Response {
    use axum::http::{HeaderValue, StatusCode, header};
    use axum::response::IntoResponse;
    static ZIP: tokio::sync::OnceCell<bytes::Bytes> = tokio::sync::OnceCell::const_new();
    let made = ZIP
        .get_or_try_init(|| async {
            tokio::task::spawn_blocking(|| {
                let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
                let path = dir.path().join("sample.zip");
                crate::demo::write_sample_zip(&path, 0)?;
                std::fs::read(&path).map(bytes::Bytes::from).map_err(|e| e.to_string())
            })
            .await
            .map_err(|e| e.to_string())?
        })
        .await;
    match made {
        Ok(zip) => {
            let mut res = zip.clone().into_response();
            let h = res.headers_mut();
            h.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/zip"));
            h.insert(
                header::CONTENT_DISPOSITION,
                HeaderValue::from_static("attachment; filename=\"mir-safetybench-SAMPLE-run.zip\""),
            );
            h.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=86400"));
            res
        }
        Err(e) => {
            tracing::error!(error = %e, "making the sample archive failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "the sample archive could not be made").into_response()
        }
    }
}

/// Serves until Ctrl-C or SIGTERM (or `shutdown`), then lets in-flight requests finish within
/// the grace period. Stale upload spool files of a killed process are swept first.
pub async fn run(listener: tokio::net::TcpListener, state: AppState) -> std::io::Result<()> {
    run_until(listener, state, shutdown_signal()).await
}

/// [`run`] with the shutdown trigger given (tests stop servers this way).
pub async fn run_until(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()>,
) -> std::io::Result<()> {
    let edge = state.settings.edge;
    // No live upload is older than its deadline; anything older was left by a dead process.
    let stale_after = edge.upload_timeout * 2;
    match http::multipart::sweep_stale_spool(&state.settings.upload_dir, stale_after) {
        Ok(0) => {}
        Ok(n) => tracing::info!(files = n, "removed stale upload files"),
        Err(e) => {
            tracing::warn!(error = %e, dir = %state.settings.upload_dir.display(), "sweeping upload files failed")
        }
    }
    let pool = state.pool.clone();
    // Drafts nobody submitted expire after a day; every server sweeps, which is harmless.
    let sweeper = tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(3600));
        loop {
            tick.tick().await;
            if let Err(e) = db::purge_stale_drafts(&pool, db::now() - 24 * 3600).await {
                tracing::warn!(error = %e, "purging stale drafts failed");
            }
        }
    });
    let limits = ServeLimits {
        header_timeout: edge.header_timeout,
        max_connections: edge.max_connections,
        shutdown_grace: edge.shutdown_grace,
    };
    serve(listener, build_router(state), limits, shutdown).await;
    sweeper.abort();
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}

/// Logs to stderr; `RUST_LOG` overrides the default level.
pub fn init_tracing() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_http=info,hyper=warn"));
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).try_init();
}
