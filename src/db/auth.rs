//! Maintainer sessions and per-client rate limits. Both live in the store, not in memory, so
//! any number of app servers behind a load balancer agree on them.

use super::connection::{Pool, begin_write};
use super::sql::now;
use sqlx::Row;

/// A signed-in maintainer's session, found by the SHA-256 of its cookie value (the cookie
/// itself is never stored, so a copy of the database does not hand out sessions).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub csrf_token: String,
    pub expires_at: i64,
}

#[tracing::instrument(skip_all)]
pub async fn insert_session(pool: &Pool, token_hash: &str, csrf_token: &str, ttl_secs: i64) -> Result<(), sqlx::Error> {
    let t = now();
    let mut tx = begin_write(pool).await?;
    sqlx::query("INSERT INTO admin_sessions (token_hash, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4)")
        .bind(token_hash)
        .bind(csrf_token)
        .bind(t)
        .bind(t + ttl_secs)
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM admin_sessions WHERE expires_at < $1").bind(t).execute(&mut *tx).await?;
    tx.commit().await
}

#[tracing::instrument(skip_all)]
pub async fn session(pool: &Pool, token_hash: &str) -> Result<Option<Session>, sqlx::Error> {
    let row =
        sqlx::query("SELECT csrf_token, expires_at FROM admin_sessions WHERE token_hash = $1 AND expires_at >= $2")
            .bind(token_hash)
            .bind(now())
            .fetch_optional(pool)
            .await?;
    row.map(|r| Ok(Session { csrf_token: r.try_get("csrf_token")?, expires_at: r.try_get("expires_at")? })).transpose()
}

#[tracing::instrument(skip_all)]
pub async fn delete_session(pool: &Pool, token_hash: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM admin_sessions WHERE token_hash = $1").bind(token_hash).execute(pool).await?;
    Ok(())
}

/// Counts one hit for `bucket` in the fixed window containing now and returns the window's
/// total so far. One statement, so concurrent hits never lose an increment.
#[tracing::instrument(skip(pool))]
pub async fn hit_rate_limit(pool: &Pool, bucket: &str, window_secs: i64) -> Result<i64, sqlx::Error> {
    let t = now();
    let window_start = t - t.rem_euclid(window_secs.max(1));
    let row = sqlx::query(
        "INSERT INTO rate_limits (bucket, window_start, hits) VALUES ($1, $2, 1)
         ON CONFLICT (bucket, window_start) DO UPDATE SET hits = rate_limits.hits + 1
         RETURNING hits",
    )
    .bind(bucket)
    .bind(window_start)
    .fetch_one(pool)
    .await?;
    // Old windows are dead weight; dropping them here keeps the table tiny without a job.
    sqlx::query("DELETE FROM rate_limits WHERE window_start < $1")
        .bind(window_start - window_secs)
        .execute(pool)
        .await?;
    row.try_get::<i64, _>("hits")
}
