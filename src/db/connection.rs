//! Opening the store: the pool, the backend a URL names, and the migrations run at start.

use super::migrations;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, ConnectOptions, Executor};
use std::str::FromStr;
use std::time::Duration;

pub type Pool = AnyPool;
pub type Tx<'c> = sqlx::Transaction<'c, sqlx::Any>;

/// Begins a transaction that will write. On SQLite it takes the write lock at once (`BEGIN
/// IMMEDIATE`): a deferred transaction that reads before it writes cannot wait for the lock
/// (SQLite answers "database is locked" at once when another writer committed in between), so
/// a write transaction that ever reads first stays correct beside the CLI or a second server.
pub async fn begin_write(pool: &Pool) -> Result<Tx<'static>, sqlx::Error> {
    if pool.connect_options().database_url.scheme() == "sqlite" {
        pool.begin_with("BEGIN IMMEDIATE").await
    } else {
        pool.begin().await
    }
}

/// Which database a URL points at; the two have separate migration folders.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn from_url(url: &str) -> Option<Self> {
        if url.starts_with("sqlite:") {
            Some(Self::Sqlite)
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Some(Self::Postgres)
        } else {
            None
        }
    }
}

/// Why the store could not be opened; each stops the server with its own message.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error("DATABASE_URL must start with sqlite: or postgres: (got `{0}`)")]
    UnknownBackend(String),
    #[error("cannot connect to the database: {0}")]
    Connect(#[source] sqlx::Error),
    #[error("cannot migrate the database: {0}")]
    Migrate(#[source] sqlx::migrate::MigrateError),
}

/// An SQLite URL that names no `mode` opens an existing file only, and a missing file then
/// fails with "unable to open database file". The store creates its file on first start, as
/// the README promises, whatever the URL says (an explicit `mode=ro` or `mode=rw` is kept).
fn with_sqlite_create_mode(url: &str) -> String {
    let has_mode = url.split_once('?').is_some_and(|(_, q)| q.split('&').any(|kv| kv.starts_with("mode=")));
    if has_mode || url.contains(":memory:") {
        url.to_owned()
    } else if url.contains('?') {
        format!("{url}&mode=rwc")
    } else {
        format!("{url}?mode=rwc")
    }
}

/// Opens the pool and brings the schema up to date. Any failure here must stop the server:
/// serving from a half-migrated store would show wrong numbers.
#[tracing::instrument(skip(url), fields(backend))]
pub async fn connect(url: &str, max_connections: u32) -> Result<Pool, ConnectError> {
    sqlx::any::install_default_drivers();
    let backend = Backend::from_url(url).ok_or_else(|| ConnectError::UnknownBackend(redact(url)))?;
    tracing::Span::current().record("backend", format!("{backend:?}"));
    let url = match backend {
        Backend::Sqlite => with_sqlite_create_mode(url),
        Backend::Postgres => url.to_owned(),
    };
    let options = AnyConnectOptions::from_str(&url)
        .map_err(ConnectError::Connect)?
        .log_statements(tracing::log::LevelFilter::Trace)
        // A slow statement is worth a debug line, not a warning quoting thousands of placeholders.
        .log_slow_statements(tracing::log::LevelFilter::Debug, Duration::from_secs(1));
    let pool = AnyPoolOptions::new()
        .max_connections(max_connections)
        .acquire_timeout(Duration::from_secs(10))
        .after_connect(move |conn, _meta| {
            Box::pin(async move {
                if backend == Backend::Sqlite {
                    // WAL lets readers proceed while an upload is being written; the busy
                    // timeout makes concurrent writers queue instead of failing.
                    conn.execute("PRAGMA journal_mode = WAL").await?;
                    conn.execute("PRAGMA busy_timeout = 15000").await?;
                    conn.execute("PRAGMA foreign_keys = ON").await?;
                    conn.execute("PRAGMA synchronous = NORMAL").await?;
                }
                Ok(())
            })
        })
        .connect_with(options)
        .await
        .map_err(ConnectError::Connect)?;
    let migrations = match backend {
        Backend::Sqlite => migrations::sqlite(),
        Backend::Postgres => migrations::postgres(),
    };
    let migrator = sqlx::migrate::Migrator::new(migrations).await.map_err(ConnectError::Migrate)?;
    migrator.run(&pool).await.map_err(ConnectError::Migrate)?;
    Ok(pool)
}

/// A database URL without its password, for messages.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let userinfo = &url[scheme_end + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme_end + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backends_from_urls() {
        assert_eq!(Backend::from_url("sqlite://data/x.db?mode=rwc"), Some(Backend::Sqlite));
        assert_eq!(Backend::from_url("postgres://u@h/db"), Some(Backend::Postgres));
        assert_eq!(Backend::from_url("postgresql://u@h/db"), Some(Backend::Postgres));
        assert_eq!(Backend::from_url("mysql://x"), None);
    }

    #[test]
    fn sqlite_urls_always_create_their_file() {
        assert_eq!(with_sqlite_create_mode("sqlite://data/x.db"), "sqlite://data/x.db?mode=rwc");
        assert_eq!(with_sqlite_create_mode("sqlite:x.db?cache=shared"), "sqlite:x.db?cache=shared&mode=rwc");
        assert_eq!(with_sqlite_create_mode("sqlite://x.db?mode=ro"), "sqlite://x.db?mode=ro");
        assert_eq!(with_sqlite_create_mode("sqlite::memory:"), "sqlite::memory:");
    }

    #[test]
    fn passwords_stay_out_of_messages() {
        assert_eq!(redact("postgres://u:secret@h/db"), "postgres://u:***@h/db");
        assert_eq!(redact("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(redact("mysql://x"), "mysql://x");
    }
}
