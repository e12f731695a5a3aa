//! What every query module shares: the version bump, the clock, and the two pieces of
//! portable SQL we build (placeholders, float parameters).

use super::connection::{Pool, Tx};

/// Marks the store as changed. Every write transaction that changes anything calls this, and
/// calls it first unless its first statement is already a write: the cache learns of the
/// change, and SQLite takes its write lock before the transaction reads anything, so
/// concurrent writers queue on the lock instead of failing on a stale snapshot.
pub(super) async fn bump_version(tx: &mut Tx<'_>) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE data_version SET version = version + 1 WHERE id = 1").execute(&mut **tx).await?;
    Ok(())
}

/// The store's change counter (see the `data_version` migration).
#[tracing::instrument(skip(pool))]
pub async fn data_version(pool: &Pool) -> Result<i64, sqlx::Error> {
    use sqlx::Row;
    sqlx::query("SELECT version FROM data_version WHERE id = 1").fetch_one(pool).await?.try_get("version")
}

/// Seconds since the Unix epoch; the store's only notion of time.
pub fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
}

/// `$first, $first+1, ...` for `n` values: the only dynamic SQL we build, and it contains
/// nothing but placeholders.
pub(super) fn placeholders(first: usize, n: usize) -> String {
    (first..first + n).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
}

/// Floats travel as text and are cast in SQL (`CAST($n AS DOUBLE PRECISION)`), because sqlx
/// 0.8.6's Any driver sends a NULL `f64` to PostgreSQL typed as `real` (float4): a statement
/// first prepared with a NULL then rejects a later `f64` ("incorrect binary data format").
/// `{:?}` prints the shortest text that parses back to the same `f64`.
pub(super) fn float_param(v: Option<f64>) -> Option<String> {
    v.filter(|x| x.is_finite()).map(|x| format!("{x:?}"))
}

/// True when a database error is a unique-constraint violation (both backends report it
/// through the same sqlx kind).
pub fn is_unique_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(d) if d.kind() == sqlx::error::ErrorKind::UniqueViolation)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_round_trip_through_text() {
        for x in [7.0, 0.1, 1.0 / 3.0, 61.55, 1e-7] {
            assert_eq!(float_param(Some(x)).unwrap().parse::<f64>().unwrap(), x);
        }
        assert_eq!(float_param(None), None);
        assert_eq!(float_param(Some(f64::NAN)), None);
    }

    #[test]
    fn placeholders_number_from_first() {
        assert_eq!(placeholders(2, 3), "$2, $3, $4");
        assert_eq!(placeholders(1, 0), "");
    }
}
