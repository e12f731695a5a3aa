//! Decisions about submissions and models: an uploader sends a draft for review, a maintainer
//! approves, rejects or withdraws, and sets capability scores. The rules themselves (which
//! state allows what, what a reason must be) are the domain's ([`crate::domain::moderation`]);
//! this module applies them for the web, the API and the command line alike.

use super::submissions::check_draft_key;
use crate::db::{self, DecisionError, Pool};
use crate::domain::model::{Capability, ModelName, Source};
use crate::domain::moderation::Reason;
use crate::error::AppError;

impl From<DecisionError> for AppError {
    fn from(e: DecisionError) -> Self {
        match e {
            DecisionError::NotFound(id) => AppError::NotFound(format!("submission #{id}")),
            DecisionError::DuplicateArchive(id) => super::submissions::already_submitted(id),
            e @ DecisionError::WrongState { .. } => AppError::Conflict(e.to_string()),
            DecisionError::Db(e) => e.into(),
        }
    }
}

/// The uploader, holding the draft's key, sends it for review.
pub async fn submit_draft(pool: &Pool, id: i64, key: &str, actor: &str) -> Result<(), AppError> {
    check_draft_key(pool, id, Some(key)).await?;
    Ok(db::submit_draft(pool, id, actor).await?)
}

/// A maintainer approves a pending submission (`verified` when the maintainers re-ran or
/// checked it).
pub async fn approve(pool: &Pool, id: i64, verified: bool, actor: &str) -> Result<Source, AppError> {
    let source = if verified { Source::Verified } else { Source::SelfReported };
    db::approve(pool, id, source, actor).await?;
    tracing::info!(id, source = source.as_str(), actor, "submission approved");
    Ok(source)
}

/// A maintainer rejects a pending submission or withdraws an approved one, with a public reason.
pub async fn reject(pool: &Pool, id: i64, reason: &str, actor: &str) -> Result<(), AppError> {
    let reason = Reason::parse(reason)?;
    db::reject(pool, id, &reason, actor).await?;
    tracing::info!(id, actor, "submission rejected");
    Ok(())
}

/// The model a maintainer names, by page slug or by exact name.
pub enum ModelRef<'a> {
    Slug(&'a str),
    Name(&'a ModelName),
}

/// Sets (or, with `None`, clears) a model's capability score.
pub async fn set_capability(pool: &Pool, model: ModelRef<'_>, capability: Option<&Capability>) -> Result<(), AppError> {
    let id = match model {
        ModelRef::Slug(slug) => db::model_by_slug(pool, slug)
            .await?
            .map(|(id, _)| id)
            .ok_or_else(|| AppError::NotFound(format!("model `{slug}`")))?,
        ModelRef::Name(name) => db::model_id_by_name(pool, name.as_str())
            .await?
            .ok_or_else(|| AppError::NotFound(format!("model `{name}`")))?,
    };
    db::set_capability(pool, id, capability).await?;
    Ok(())
}
