//! Settings, read once at start from the environment. Every error names the variable.

use leptos::config::LeptosOptions;
use secrecy::SecretString;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use crate::ingest::archive::Limits;

pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/mir-leaderboard.db?mode=rwc";

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{var}: {message}")]
    Invalid { var: &'static str, message: String },
    #[error("reading the Leptos settings (LEPTOS_*): {0}")]
    Leptos(String),
}

/// Everything the server needs to run.
#[derive(Debug, Clone)]
pub struct Settings {
    pub database_url: String,
    pub max_db_connections: u32,
    /// The maintainers' sign-in token; without it, nobody can approve anything on the web.
    pub admin_token: Option<SecretString>,
    /// Largest accepted upload, in bytes (the compressed archive as sent).
    pub max_upload_bytes: u64,
    /// Where uploads are spooled while they are read (swept of stale files at start).
    pub upload_dir: PathBuf,
    /// Zip-bomb limits for what an archive expands to.
    pub archive_limits: Limits,
    /// Uploads per client per hour (web form and API together).
    pub uploads_per_hour: i64,
    /// Take the client address from `X-Forwarded-For` (only behind a trusted proxy).
    pub trust_proxy: bool,
    /// Mark the session cookie `Secure` (set when the site is served over HTTPS).
    pub cookie_secure: bool,
    /// The site is served over HTTPS: secure cookies and Strict-Transport-Security.
    pub https: bool,
    /// Timeouts and size limits at the HTTP edge.
    pub edge: EdgeLimits,
    /// The site's public origin (`https://host`, no trailing slash), for the absolute links a
    /// feed and a README badge need. Configured, never taken from a request's `Host`, so a
    /// forged header cannot put its links into cached responses.
    pub public_url: String,
    pub leptos: LeptosOptions,
}

/// What the HTTP edge allows a client: every limit that keeps one slow or greedy client from
/// holding the server's connections, tasks, memory or temp files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EdgeLimits {
    /// A request's headers must arrive within this (also the keep-alive idle timeout).
    pub header_timeout: Duration,
    /// Whole-request deadline for pages, reads and forms.
    pub request_timeout: Duration,
    /// Whole-request deadline for uploads (sending and validating).
    pub upload_timeout: Duration,
    /// A request body must deliver at least `min_body_bytes` in every `body_rate_window`.
    pub min_body_bytes: u64,
    pub body_rate_window: Duration,
    /// Largest body of any request that is not an upload (forms, server functions).
    pub max_body_bytes: u64,
    /// Open connections at most; further clients wait in the listen backlog.
    pub max_connections: usize,
    /// On shutdown, in-flight requests get this long to finish.
    pub shutdown_grace: Duration,
    /// Uploads validated at the same time at most; more wait up to `ingest_wait`, then get 503.
    pub max_concurrent_ingests: usize,
    pub ingest_wait: Duration,
}

impl Default for EdgeLimits {
    fn default() -> Self {
        Self {
            header_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(30),
            upload_timeout: Duration::from_secs(600),
            min_body_bytes: 10 * 1024,
            body_rate_window: Duration::from_secs(10),
            max_body_bytes: 64 * 1024,
            max_connections: 1024,
            shutdown_grace: Duration::from_secs(10),
            max_concurrent_ingests: std::thread::available_parallelism().map_or(2, |n| n.get()),
            ingest_wait: Duration::from_secs(5),
        }
    }
}

fn seconds(name: &'static str, default: Duration) -> Result<Duration, ConfigError> {
    let secs: u64 = parsed(name, default.as_secs())?;
    if secs == 0 {
        return Err(ConfigError::Invalid { var: name, message: "must be at least 1 second".into() });
    }
    Ok(Duration::from_secs(secs))
}

impl EdgeLimits {
    fn from_env() -> Result<Self, ConfigError> {
        let d = Self::default();
        let window = seconds("MIR_BODY_RATE_WINDOW_SECS", d.body_rate_window)?;
        let per_second: u64 = parsed("MIR_MIN_BODY_BYTES_PER_SEC", d.min_body_bytes / d.body_rate_window.as_secs())?;
        Ok(Self {
            header_timeout: seconds("MIR_HEADER_TIMEOUT_SECS", d.header_timeout)?,
            request_timeout: seconds("MIR_REQUEST_TIMEOUT_SECS", d.request_timeout)?,
            upload_timeout: seconds("MIR_UPLOAD_TIMEOUT_SECS", d.upload_timeout)?,
            min_body_bytes: per_second * window.as_secs(),
            body_rate_window: window,
            max_body_bytes: parsed("MIR_MAX_BODY_BYTES", d.max_body_bytes)?,
            max_connections: parsed("MIR_MAX_CONNECTIONS", d.max_connections)?.max(1),
            shutdown_grace: seconds("MIR_SHUTDOWN_GRACE_SECS", d.shutdown_grace)?,
            max_concurrent_ingests: parsed("MIR_MAX_CONCURRENT_INGESTS", d.max_concurrent_ingests)?.max(1),
            ingest_wait: seconds("MIR_INGEST_WAIT_SECS", d.ingest_wait)?,
        })
    }
}

fn var(name: &'static str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

fn parsed<T: std::str::FromStr>(name: &'static str, default: T) -> Result<T, ConfigError>
where
    T::Err: std::fmt::Display,
{
    match var(name) {
        None => Ok(default),
        Some(raw) => raw
            .trim()
            .parse()
            .map_err(|e| ConfigError::Invalid { var: name, message: format!("`{raw}` is not valid: {e}") }),
    }
}

fn flag(name: &'static str) -> Result<bool, ConfigError> {
    match var(name).as_deref().map(str::to_ascii_lowercase).as_deref() {
        None | Some("0" | "false" | "no" | "off") => Ok(false),
        Some("1" | "true" | "yes" | "on") => Ok(true),
        Some(other) => Err(ConfigError::Invalid { var: name, message: format!("`{other}` is not true or false") }),
    }
}

/// The site build (scripts/build-site.sh) names its assets by content hash and lists the hashes
/// in `<site root>/hash.txt`; when that file is there, the pages ask for the hashed names, which
/// are then served as immutable. Without it (a development build) the plain names are used.
/// `LEPTOS_HASH_FILES` set explicitly wins.
fn with_hashed_assets(mut options: LeptosOptions) -> LeptosOptions {
    if std::env::var_os("LEPTOS_HASH_FILES").is_some() {
        return options;
    }
    let hash_file = PathBuf::from(options.site_root.as_ref()).join("hash.txt");
    if hash_file.is_file() {
        let absolute = std::env::current_dir().map(|d| d.join(&hash_file)).unwrap_or(hash_file);
        options.hash_files = true;
        options.hash_file = absolute.to_string_lossy().into_owned().into();
    }
    options
}

/// `MIR_PUBLIC_URL`: an http(s) origin, optionally with a path prefix; default the listen address.
fn public_url(site_addr: SocketAddr) -> Result<String, ConfigError> {
    let Some(raw) = var("MIR_PUBLIC_URL") else { return Ok(format!("http://{site_addr}")) };
    let url = raw.trim().trim_end_matches('/');
    let rest = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://"));
    match rest {
        Some(host) if !host.is_empty() && !url.contains(['?', '#', ' ', '"', '<', '>']) => Ok(url.to_owned()),
        _ => Err(ConfigError::Invalid {
            var: "MIR_PUBLIC_URL",
            message: format!("`{raw}` is not an http(s) origin; write e.g. https://leaderboard.example.org"),
        }),
    }
}

fn default_upload_dir() -> PathBuf {
    std::env::temp_dir().join("mir-leaderboard-uploads")
}

impl Settings {
    /// Reads `DATABASE_URL`, `MIR_*` and `LEPTOS_*` variables.
    pub fn from_env() -> Result<Self, ConfigError> {
        let conf = leptos::config::get_configuration(None).map_err(|e| ConfigError::Leptos(e.to_string()))?;
        let admin_token = match var("MIR_ADMIN_TOKEN") {
            None => None,
            Some(t) if t.trim().len() < 16 => {
                return Err(ConfigError::Invalid {
                    var: "MIR_ADMIN_TOKEN",
                    message: "is shorter than 16 characters; use a long random value, e.g. `openssl rand -hex 24`"
                        .into(),
                });
            }
            Some(t) => Some(SecretString::from(t.trim().to_owned())),
        };
        let defaults = Limits::default();
        let https = flag("MIR_HTTPS")?;
        Ok(Self {
            database_url: var("DATABASE_URL").unwrap_or_else(|| DEFAULT_DATABASE_URL.to_owned()),
            max_db_connections: parsed("MIR_DB_MAX_CONNECTIONS", 8)?,
            admin_token,
            max_upload_bytes: parsed("MIR_MAX_UPLOAD_BYTES", 256 * 1024 * 1024)?,
            upload_dir: var("MIR_UPLOAD_DIR").map(PathBuf::from).unwrap_or_else(default_upload_dir),
            archive_limits: Limits {
                max_entries: parsed("MIR_MAX_ARCHIVE_ENTRIES", defaults.max_entries)?,
                max_total_bytes: parsed("MIR_MAX_UNCOMPRESSED_BYTES", defaults.max_total_bytes)?,
                max_entry_bytes: parsed("MIR_MAX_FILE_BYTES", defaults.max_entry_bytes)?,
            },
            uploads_per_hour: parsed("MIR_UPLOADS_PER_HOUR", 30)?,
            trust_proxy: flag("MIR_TRUST_PROXY")?,
            cookie_secure: flag("MIR_COOKIE_SECURE")? || https,
            https,
            edge: EdgeLimits::from_env()?,
            public_url: public_url(conf.leptos_options.site_addr)?,
            leptos: with_hashed_assets(conf.leptos_options),
        })
    }

    /// Settings for tests and tools: a given database and address, everything else default.
    pub fn for_tests(database_url: &str, site_addr: SocketAddr) -> Self {
        Self {
            database_url: database_url.to_owned(),
            max_db_connections: 8,
            admin_token: None,
            max_upload_bytes: 256 * 1024 * 1024,
            upload_dir: default_upload_dir(),
            archive_limits: Limits::default(),
            uploads_per_hour: 1000,
            trust_proxy: false,
            cookie_secure: false,
            https: false,
            edge: EdgeLimits::default(),
            public_url: format!("http://{site_addr}"),
            leptos: LeptosOptions::builder()
                .output_name("mir-leaderboard")
                .site_addr(site_addr)
                .site_root("target/site")
                .build(),
        }
    }

    pub fn site_addr(&self) -> SocketAddr {
        self.leptos.site_addr
    }

    /// The folder an SQLite URL's file lives in, so it can be created before connecting.
    pub fn sqlite_dir(&self) -> Option<PathBuf> {
        let rest = self.database_url.strip_prefix("sqlite://").or_else(|| self.database_url.strip_prefix("sqlite:"))?;
        let path = rest.split('?').next()?;
        if path.is_empty() || path == ":memory:" {
            return None;
        }
        PathBuf::from(path).parent().map(PathBuf::from).filter(|p| !p.as_os_str().is_empty())
    }

    /// The largest request body an upload route accepts: the file itself plus room for the
    /// multipart framing and the text fields.
    pub fn upload_body_limit(&self) -> usize {
        usize::try_from(self.max_upload_bytes).unwrap_or(usize::MAX).saturating_add(1024 * 1024)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_dir_is_the_parent_of_the_file() {
        let mut s = Settings::for_tests(DEFAULT_DATABASE_URL, "127.0.0.1:0".parse().unwrap());
        assert_eq!(s.sqlite_dir(), Some(PathBuf::from("data")));
        s.database_url = "sqlite:x.db".into();
        assert_eq!(s.sqlite_dir(), None);
        s.database_url = "postgres://localhost/test".into();
        assert_eq!(s.sqlite_dir(), None);
    }
}
