//! The use cases: every read and every state change of the site, one module per concern.
//! The pages' server functions, the JSON API and the command line all call these, so the web,
//! pipelines and maintainers' tools follow the same rules and see the same numbers. Each use
//! case takes parsed inputs, talks to the store (`db`) and the ingest, and returns domain data
//! or an [`AppError`](crate::error::AppError).

pub mod auth;
pub mod compare;
pub mod history;
pub mod items;
pub mod judges;
pub mod leaderboard;
pub mod models;
pub mod moderation;
pub mod submissions;
pub mod upload;

use crate::db::{self, Pool};
use crate::error::AppError;

/// Whether the store answers: the health check's one question.
pub async fn store_answers(pool: &Pool) -> Result<(), AppError> {
    db::data_version(pool).await?;
    Ok(())
}

/// The store's version: what every cache of this server is valid for. Current as of the
/// call: never a version read before it (see [`crate::state::VersionReads`]).
pub async fn store_version(state: &crate::state::AppState) -> Result<i64, AppError> {
    Ok(state.versions.current(&state.pool).await?)
}
