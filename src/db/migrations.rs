//! The schema migrations, embedded in the binary.
//!
//! `sqlx::migrate!` would embed them too, but it is a proc macro that builds sqlx's drivers, TLS
//! and tokio a second time for the host: minutes of a fresh build for eight `include_str!`s.
//! Each file here becomes the `Migration` sqlx's own folder reader makes of it (version and
//! description from the name, checksum of the text), so stores migrated by earlier builds see
//! the same checksums; a test holds this list to the folders.

use sqlx::error::BoxDynError;
use sqlx::migrate::{Migration, MigrationSource, MigrationType};
use std::borrow::Cow;
use std::future::Future;
use std::pin::Pin;

/// `(file name, SQL)` of each migration of both backends, oldest first. Both folders hold the
/// same file names (one schema history, two dialects), so each name is written once. A new
/// migration file is added here too (the test `embedded_migrations_equal_the_folders` fails
/// until it is).
macro_rules! embed {
    ($($file:literal),+ $(,)?) => {
        (
            &[$(($file, include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/sqlite/", $file)))),+],
            &[$(($file, include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/postgres/", $file)))),+],
        )
    };
}

type Files = &'static [(&'static str, &'static str)];

const BOTH: (Files, Files) = embed!(
    "20261128000001_schema.sql",
    "20261128000002_data_version.sql",
    "20261202000003_provisional_slugs.sql",
    "20261202000004_label_bits.sql",
);
const SQLITE: Files = BOTH.0;
const POSTGRES: Files = BOTH.1;

/// One backend's embedded migrations, as a source for `sqlx::migrate::Migrator::new`.
#[derive(Debug, Clone, Copy)]
pub struct Embedded(Files);

pub fn sqlite() -> Embedded {
    Embedded(SQLITE)
}

pub fn postgres() -> Embedded {
    Embedded(POSTGRES)
}

impl Embedded {
    /// The migrations as sqlx's folder reader makes them: `<version>_<description>.sql`, the
    /// description's underscores as spaces, `-- no-transaction` on the first line opting out.
    fn migrations(self) -> Result<Vec<Migration>, BoxDynError> {
        self.0
            .iter()
            .map(|(file, sql)| {
                let (version, rest) =
                    file.split_once('_').ok_or_else(|| format!("migration `{file}` has no version"))?;
                let version: i64 =
                    version.parse().map_err(|_| format!("migration `{file}`: version is not a number"))?;
                let kind = MigrationType::from_filename(rest);
                let description = rest.trim_end_matches(kind.suffix()).replace('_', " ");
                Ok(Migration::new(
                    version,
                    Cow::Owned(description),
                    kind,
                    Cow::Borrowed(*sql),
                    sql.starts_with("-- no-transaction"),
                ))
            })
            .collect()
    }
}

impl MigrationSource<'static> for Embedded {
    fn resolve(self) -> Pin<Box<dyn Future<Output = Result<Vec<Migration>, BoxDynError>> + Send + 'static>> {
        Box::pin(std::future::ready(self.migrations()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlx::migrate::Migrator;
    use std::path::Path;

    /// What sqlx reads from a folder (as `sqlx::migrate!` did at compile time) must equal what
    /// is embedded: same files, versions, descriptions, checksums.
    #[tokio::test]
    async fn embedded_migrations_equal_the_folders() {
        for (dir, embedded) in [("sqlite", sqlite()), ("postgres", postgres())] {
            let folder =
                Migrator::new(Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations").join(dir)).await.unwrap();
            let ours = Migrator::new(embedded).await.unwrap();
            let describe = |m: &Migrator| {
                m.iter()
                    .map(|x| (x.version, x.description.to_string(), x.checksum.to_vec(), x.no_tx, x.migration_type))
                    .collect::<Vec<_>>()
            };
            assert!(!describe(&folder).is_empty(), "{dir}: no migrations found");
            assert_eq!(
                describe(&ours),
                describe(&folder),
                "{dir}: embed every file of migrations/{dir}/ in db/migrations.rs"
            );
        }
    }

    #[test]
    fn a_name_without_a_version_is_an_error_not_a_panic() {
        let err = Embedded(&[("schema.sql", "SELECT 1")]).migrations().unwrap_err();
        assert!(err.to_string().contains("schema.sql"), "{err}");
    }
}
