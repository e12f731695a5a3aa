//! The decision log read back: every approval, rejection and withdrawal, newest first.

use super::connection::Pool;
use super::reads::format_date;
use crate::domain::history::{Change, ChangeKind};
use crate::domain::metrics::Counts;
use crate::domain::model::Source;
use sqlx::Row;

/// Decisions of the public record: a result ranked (approved or imported), a submission
/// rejected; a rejection is a withdrawal when the submission had been ranked before it. The
/// overall counts come from the item cells, or for aggregate-only results from the published
/// overall figure.
const CHANGES: &str = "SELECT e.id AS event_id, e.at, e.kind, e.detail, s.id AS submission_id, s.judge, s.source,
        m.name AS model_name, m.slug AS model_slug,
        CASE WHEN EXISTS (SELECT 1 FROM submission_events p WHERE p.submission_id = s.id
                AND p.kind IN ('approved', 'imported') AND p.id < e.id) THEN 1 ELSE 0 END AS was_ranked,
        COALESCE((SELECT SUM(c.unsafe_count) FROM cell_counts c WHERE c.submission_id = s.id),
                 (SELECT a.unsafe_count FROM aggregate_counts a WHERE a.submission_id = s.id AND a.scope = 'overall')) AS unsafe_n,
        COALESCE((SELECT SUM(c.total) FROM cell_counts c WHERE c.submission_id = s.id),
                 (SELECT a.total FROM aggregate_counts a WHERE a.submission_id = s.id AND a.scope = 'overall')) AS total_n
    FROM submission_events e
    JOIN submissions s ON s.id = e.submission_id
    JOIN models m ON m.id = s.model_id
    WHERE e.kind IN ('approved', 'imported', 'rejected') AND ($1 = 0 OR s.model_id = $1)";

/// One page of decisions, newest first, of every model (`model_id` None) or one.
#[tracing::instrument(skip(pool))]
pub async fn changes(pool: &Pool, model_id: Option<i64>, limit: i64, offset: i64) -> Result<Vec<Change>, sqlx::Error> {
    let sql = format!("{CHANGES} ORDER BY e.at DESC, e.id DESC LIMIT $2 OFFSET $3");
    let rows = sqlx::query(&sql).bind(model_id.unwrap_or(0)).bind(limit).bind(offset).fetch_all(pool).await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in &rows {
        let kind: String = row.try_get("kind")?;
        let was_ranked = row.try_get::<i32, _>("was_ranked")? != 0;
        let Some(kind) = ChangeKind::of_event(&kind, was_ranked) else { continue };
        let source: String = row.try_get("source")?;
        let source = Source::parse(&source)
            .map_err(|_| sqlx::Error::Decode(format!("unknown source `{source}` in submissions").into()))?;
        let unsafe_n: Option<i64> = row.try_get("unsafe_n")?;
        let total_n: Option<i64> = row.try_get("total_n")?;
        let overall = match (unsafe_n, total_n) {
            (Some(u), Some(t)) => Counts::new(u as u32, t as u32, None).ok(),
            _ => None,
        };
        let at: i64 = row.try_get("at")?;
        let detail: Option<String> = row.try_get("detail")?;
        out.push(Change {
            event_id: row.try_get("event_id")?,
            at,
            date: format_date(at),
            kind,
            submission_id: row.try_get("submission_id")?,
            model: row.try_get("model_name")?,
            model_slug: row.try_get("model_slug")?,
            judge: row.try_get("judge")?,
            source,
            overall,
            // An approval's detail is its source; only rejections carry a public reason.
            reason: (kind != ChangeKind::Approved).then_some(detail).flatten(),
        });
    }
    Ok(out)
}

/// How many decisions there are, of every model or one.
#[tracing::instrument(skip(pool))]
pub async fn count_changes(pool: &Pool, model_id: Option<i64>) -> Result<i64, sqlx::Error> {
    let row = sqlx::query(
        "SELECT COUNT(*) AS n FROM submission_events e JOIN submissions s ON s.id = e.submission_id
         WHERE e.kind IN ('approved', 'imported', 'rejected') AND ($1 = 0 OR s.model_id = $1)",
    )
    .bind(model_id.unwrap_or(0))
    .fetch_one(pool)
    .await?;
    row.try_get("n")
}
