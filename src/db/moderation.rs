//! Moderation steps: each one transaction that checks the submission's state, moves it, and
//! records the event. Which states allow which step is the domain's rule
//! ([`Decision::allowed_from`]); the `UPDATE ... WHERE status IN (..)` here enforces it, so two
//! maintainers deciding at once cannot both succeed.

use super::connection::{Pool, Tx, begin_write};
use super::sql::{bump_version, is_unique_violation, now, placeholders};
use super::writes::{apply_model_facts, claim_slug, insert_event, proposed_facts};
use crate::domain::model::{Capability, Source};
use crate::domain::moderation::{Decision, Reason};
use sqlx::Row;

/// Why a moderation step did not happen.
#[derive(Debug, thiserror::Error)]
pub enum DecisionError {
    #[error("submission #{0} does not exist")]
    NotFound(i64),
    #[error("submission #{id} is {status}, not {expected}")]
    WrongState { id: i64, status: String, expected: &'static str },
    #[error("this archive is already pending or approved as submission #{0}")]
    DuplicateArchive(i64),
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

/// Moves submission `id` to `decision`'s target state if its current state allows the
/// decision; `set` adds columns to the update (`$1` is the id, `$2` the time; the statuses
/// follow the bound values). Returns the time of the step.
async fn transition(
    tx: &mut Tx<'_>,
    id: i64,
    decision: Decision,
    set: &str,
    bind: &[Option<&str>],
) -> Result<i64, DecisionError> {
    let t = now();
    bump_version(tx).await?;
    let from = decision.allowed_from();
    let first_status = 4 + bind.len();
    let sql = format!(
        "UPDATE submissions SET status = $3{set} WHERE id = $1 AND status IN ({})",
        placeholders(first_status, from.len())
    );
    let mut q = sqlx::query(&sql).bind(id).bind(t).bind(decision.target().as_str());
    for b in bind {
        q = q.bind(*b);
    }
    for status in from {
        q = q.bind(status.as_str());
    }
    let updated = q.execute(&mut **tx).await?.rows_affected();
    if updated == 0 {
        let row = sqlx::query("SELECT status FROM submissions WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut **tx)
            .await?
            .ok_or(DecisionError::NotFound(id))?;
        return Err(DecisionError::WrongState { id, status: row.try_get("status")?, expected: decision.expected() });
    }
    Ok(t)
}

/// A draft becomes pending. The caller has checked the draft's key.
#[tracing::instrument(skip(pool))]
pub async fn submit_draft(pool: &Pool, id: i64, actor: &str) -> Result<(), DecisionError> {
    let mut tx = begin_write(pool).await?;
    let t = match transition(&mut tx, id, Decision::SubmitDraft, ", submitted_at = $2", &[]).await {
        Err(DecisionError::Db(e)) if is_unique_violation(&e) => {
            // The same archive went live (pending or approved) as another submission.
            drop(tx);
            let sha: Option<String> = sqlx::query("SELECT archive_sha256 FROM submissions WHERE id = $1")
                .bind(id)
                .fetch_one(pool)
                .await?
                .try_get("archive_sha256")?;
            let existing =
                super::writes::find_live_archive(pool, sha.as_deref().unwrap_or_default()).await?.unwrap_or(id);
            return Err(DecisionError::DuplicateArchive(existing));
        }
        other => other?,
    };
    insert_event(&mut tx, id, t, "submitted", actor, None).await?;
    tx.commit().await?;
    Ok(())
}

/// A maintainer approves a pending submission: it joins the ranking, and the facts it proposed
/// about the model (organisation, access, ...) apply to the model where given.
#[tracing::instrument(skip(pool))]
pub async fn approve(pool: &Pool, id: i64, source: Source, actor: &str) -> Result<(), DecisionError> {
    let mut tx = begin_write(pool).await?;
    let t = transition(
        &mut tx,
        id,
        Decision::Approve,
        ", decided_at = $2, source = $4, reason = NULL",
        &[Some(source.as_str())],
    )
    .await?;
    let (model_id, proposed) = proposed_facts(&mut tx, id).await?;
    apply_model_facts(&mut tx, model_id, &proposed).await?;
    claim_slug(&mut tx, model_id).await?;
    insert_event(&mut tx, id, t, "approved", actor, Some(source.as_str())).await?;
    tx.commit().await?;
    Ok(())
}

/// A maintainer rejects a pending (or withdraws an approved) submission, with a reason that is
/// shown publicly.
#[tracing::instrument(skip(pool, reason))]
pub async fn reject(pool: &Pool, id: i64, reason: &Reason, actor: &str) -> Result<(), DecisionError> {
    let mut tx = begin_write(pool).await?;
    let t =
        transition(&mut tx, id, Decision::Reject, ", decided_at = $2, reason = $4", &[Some(reason.as_str())]).await?;
    insert_event(&mut tx, id, t, "rejected", actor, Some(reason.as_str())).await?;
    tx.commit().await?;
    Ok(())
}

/// Sets or clears a model's capability score; false when there is no such model.
#[tracing::instrument(skip(pool))]
pub async fn set_capability(pool: &Pool, model_id: i64, c: Option<&Capability>) -> Result<bool, sqlx::Error> {
    let mut tx = begin_write(pool).await?;
    let found = super::writes::set_capability_tx(&mut tx, model_id, c).await?;
    tx.commit().await?;
    Ok(found)
}

/// Removes drafts nobody submitted, and models left without any submission. Bumps the store
/// version only when something was removed: every server would otherwise drop its caches on
/// each hourly sweep.
#[tracing::instrument(skip(pool))]
pub async fn purge_stale_drafts(pool: &Pool, older_than: i64) -> Result<u64, sqlx::Error> {
    let mut tx = begin_write(pool).await?;
    let drafts = sqlx::query("DELETE FROM submissions WHERE status = 'draft' AND submitted_at < $1")
        .bind(older_than)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    let models =
        sqlx::query("DELETE FROM models WHERE NOT EXISTS (SELECT 1 FROM submissions s WHERE s.model_id = models.id)")
            .execute(&mut *tx)
            .await?
            .rows_affected();
    if drafts + models > 0 {
        bump_version(&mut tx).await?;
    }
    tx.commit().await?;
    Ok(drafts)
}
