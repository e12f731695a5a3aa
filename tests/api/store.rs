//! The store's own guarantees: the version counter that keeps every server's caches honest,
//! loud failures when the store is broken, and a store that creates itself.

use crate::helpers::*;
use crate::leaderboard::{reference_cells, reference_pattern};
use mir_leaderboard::config::Settings;
use mir_leaderboard::{db, startup};

async fn version(app: &TestApp) -> i64 {
    db::data_version(&app.pool).await.expect("version")
}

#[tokio::test]
async fn the_hourly_sweep_changes_the_version_only_when_it_removes_something() {
    let app = spawn_app().await;
    let tree = app.write_tree("m", &reference_cells(), &reference_pattern);
    let r = app.form_upload(&[("model", "Draft-VLM")], "m.zip", zip_dir(&tree, tree.parent().unwrap())).await;
    assert_eq!(r.status().as_u16(), 303, "the upload became a draft");

    let before = version(&app).await;
    assert_eq!(db::purge_stale_drafts(&app.pool, db::now() - 24 * 3600).await.expect("purge"), 0);
    assert_eq!(version(&app).await, before, "a sweep that removes nothing must not drop every server's caches");

    // The draft is older than the cut-off: removed, with its model, and the version moves.
    assert_eq!(db::purge_stale_drafts(&app.pool, db::now() + 60).await.expect("purge"), 1);
    assert!(version(&app).await > before);
    assert_eq!(app.store_counts().await[..2], [0, 0], "no model and no submission left");
}

#[tokio::test]
async fn a_missing_version_row_is_an_internal_error_not_a_missing_page() {
    let app = spawn_app().await;
    sqlx::query("DELETE FROM data_version").execute(&app.pool).await.expect("delete");
    let (status, json) = app.get_json("/api/v1/leaderboard").await;
    assert_eq!(status, 500, "{json}");
    assert_eq!(json["error"], "internal");
    let (status, html) = app.get_text("/").await;
    assert_eq!(status, 500);
    assert!(!html.contains("not found"), "the page must not claim that something was not found");
}

#[tokio::test]
async fn an_sqlite_url_without_a_mode_creates_the_store() {
    if std::env::var("TEST_DATABASE_URL").is_ok_and(|u| !u.is_empty()) {
        return; // about SQLite files only
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("fresh").join("store.db");
    let url = format!("sqlite://{}", file.display());
    let state = startup::build_state(Settings::for_tests(&url, "127.0.0.1:0".parse().unwrap()))
        .await
        .expect("a URL without ?mode=rwc opens (and creates) the file");
    assert!(file.exists());
    assert_eq!(db::data_version(&state.pool).await.expect("migrated"), 0);
}

/// A managed PostgreSQL is reached over TLS with its certificate checked. This machine's
/// PostgreSQL serves Debian's self-signed "snakeoil" certificate for `localhost`, which
/// `sslrootcert` makes the one trusted root.
#[tokio::test]
async fn postgres_connections_can_verify_tls() {
    let Some(base) = std::env::var("TEST_DATABASE_URL").ok().filter(|u| !u.is_empty()) else { return };
    let cert = "/etc/ssl/certs/ssl-cert-snakeoil.pem";
    if !std::path::Path::new(cert).exists() {
        return;
    }
    let url = format!(
        "{}?sslmode=verify-full&sslrootcert={cert}",
        base.replacen("127.0.0.1", "localhost", 1).split('?').next().unwrap()
    );
    // A plain connection (not `db::connect`, which would migrate the shared database).
    use sqlx::{Connection, Row};
    let mut conn = sqlx::PgConnection::connect(&url).await.expect("a verified TLS connection");
    let row =
        sqlx::query("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()").fetch_one(&mut conn).await.unwrap();
    assert!(row.try_get::<bool, _>("ssl").unwrap(), "the connection is encrypted");
    // A certificate that is not for the host asked for is refused.
    let wrong_host = url.replacen("localhost", "127.0.0.1", 1);
    assert!(sqlx::PgConnection::connect(&wrong_host).await.is_err(), "verify-full checks the host name");
}

#[tokio::test]
async fn label_bits_of_older_submissions_are_filled_at_start() {
    let app = spawn_app().await;
    let tree = app.write_tree("m", &reference_cells(), &reference_pattern);
    assert!(app.cli(&["import", tree.to_str().unwrap(), "--model", "Old-VLM"]).status.success());
    let other = app.write_tree("o", &reference_cells(), &|_, _, _| mir_leaderboard::demo::Answer::Refusal);
    assert!(app.cli(&["import", other.to_str().unwrap(), "--model", "Safe-VLM"]).status.success());
    let (_, before) = app.get_json("/api/v1/compare?models=old-vlm,safe-vlm").await;
    // As a store written before the column existed.
    sqlx::query("UPDATE submissions SET label_bits = NULL").execute(&app.pool).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut settings = Settings::for_tests(&app.database_url, "127.0.0.1:0".parse().unwrap());
    settings.upload_dir = dir.path().join("uploads");
    let pool = startup::build_state(settings).await.expect("a second start").pool;
    use sqlx::Row;
    let missing: i64 = sqlx::query("SELECT COUNT(*) AS n FROM submissions WHERE label_bits IS NULL")
        .fetch_one(&pool)
        .await
        .unwrap()
        .get("n");
    assert_eq!(missing, 0);
    sqlx::query("UPDATE data_version SET version = version + 1").execute(&pool).await.unwrap();
    let (_, after) = app.get_json("/api/v1/compare?models=old-vlm,safe-vlm").await;
    assert_eq!(before["pairs"], after["pairs"]);
    assert!(before["pairs"][0]["overall"]["b"].as_u64().unwrap() > 0);
}

/// Every item row lands in its own cell: per (category, relation), the item labels the store
/// unpacked add up to the cell counts stored beside them, and re-deriving `label_bits` from the
/// rows (as the start-up backfill does for old stores) gives back the bits stored at import.
#[tokio::test]
async fn item_labels_match_their_cells_and_the_stored_label_bits() {
    use sqlx::Row;
    let app = spawn_app().await;
    let tree = app.write_tree("t", &reference_cells(), &reference_pattern);
    assert!(app.cli(&["import", tree.to_str().unwrap(), "--model", "Cells-VLM"]).status.success());
    let sums = |sql: &'static str| {
        let pool = app.pool.clone();
        async move {
            let rows = sqlx::query(sql).fetch_all(&pool).await.unwrap();
            rows.iter()
                .map(|r| {
                    let n = |c: &str| r.get::<Option<i64>, _>(c);
                    (r.get::<String, _>("category"), r.get::<String, _>("relation"), n("total"), n("bad"), n("refused"))
                })
                .collect::<Vec<_>>()
        }
    };
    let from_items = sums(
        "SELECT category, relation, CAST(COUNT(*) AS BIGINT) AS total, CAST(SUM(is_unsafe) AS BIGINT) AS bad,
                CAST(SUM(is_refusal) AS BIGINT) AS refused
         FROM item_labels GROUP BY category, relation ORDER BY category, relation",
    )
    .await;
    let from_cells = sums(
        "SELECT category, relation, CAST(total AS BIGINT) AS total, CAST(unsafe_count AS BIGINT) AS bad,
                CAST(refusals AS BIGINT) AS refused
         FROM cell_counts ORDER BY category, relation",
    )
    .await;
    assert_eq!(from_items.len(), 54, "one group per category and relation");
    assert_eq!(from_items, from_cells);

    let bits = |pool: db::Pool| async move {
        sqlx::query("SELECT label_bits FROM submissions").fetch_one(&pool).await.unwrap().get::<Vec<u8>, _>(0)
    };
    let stored = bits(app.pool.clone()).await;
    sqlx::query("UPDATE submissions SET label_bits = NULL").execute(&app.pool).await.unwrap();
    assert_eq!(db::backfill_label_bits(&app.pool).await.unwrap(), 1);
    assert_eq!(bits(app.pool.clone()).await, stored);
}
