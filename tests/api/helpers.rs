//! The test harness: the real server on port 0 with a fresh database (a temporary SQLite file,
//! or a new PostgreSQL database when `TEST_DATABASE_URL` is set), plus one helper per user
//! action.

use mir_leaderboard::config::Settings;
use mir_leaderboard::demo::{Answer, write_harness_tree};
use mir_leaderboard::domain::taxonomy::{Relation, RiskCategory};
use mir_leaderboard::{db, startup};
use reqwest::multipart::{Form, Part};
use secrecy::SecretString;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

pub const ADMIN_TOKEN: &str = "test-admin-token-0123456789";

/// Everything the server logged during the test run, for the "no answer text in logs" check.
pub fn captured_logs() -> &'static Arc<Mutex<Vec<u8>>> {
    static LOGS: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    LOGS.get_or_init(|| {
        let buf = Arc::new(Mutex::new(Vec::new()));
        let writer = buf.clone();
        let _ = tracing_subscriber::fmt()
            .with_env_filter("trace,hyper=info,h2=info,reqwest=info")
            .with_writer(move || LogWriter(writer.clone()))
            .try_init();
        buf
    })
}

/// The ERROR lines logged so far, to explain a failing request in a test's message.
pub fn error_logs() -> String {
    let logs = captured_logs().lock().map(|l| String::from_utf8_lossy(&l).into_owned()).unwrap_or_default();
    logs.lines().filter(|l| l.contains("ERROR")).collect::<Vec<_>>().join("\n")
}

struct LogWriter(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for LogWriter {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().map_err(|_| std::io::Error::other("poisoned"))?.extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub pool: db::Pool,
    pub database_url: String,
    pub dir: tempfile::TempDir,
    /// Stops the server (its runtime thread then ends and closes its connections).
    _stop: tokio::sync::oneshot::Sender<()>,
}

/// Starts the server on a runtime of its own, on a thread of its own: tests call the real CLI
/// with a blocking process wait, and a server sharing the test's runtime would stand still
/// meanwhile, in the middle of a transaction the CLI then waits for (a deadlock until SQLite's
/// busy timeout). Returns the server's pool, its address and the switch that stops it.
fn start_server(
    database_url: &str,
    configure: impl FnOnce(&mut Settings) + Send + 'static,
) -> (db::Pool, String, tokio::sync::oneshot::Sender<()>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind port 0");
    listener.set_nonblocking(true).expect("nonblocking listener");
    let addr = listener.local_addr().expect("local addr");
    let mut settings = Settings::for_tests(database_url, addr);
    configure(&mut settings);
    let (ready_tx, ready_rx) = std::sync::mpsc::channel();
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
        rt.block_on(async move {
            let state = startup::build_state(settings).await.expect("state");
            let pool = state.pool.clone();
            let _ = ready_tx.send(pool.clone());
            let listener = tokio::net::TcpListener::from_std(listener).expect("listener");
            let _ = startup::run_until(listener, state, async {
                let _ = stop_rx.await;
            })
            .await;
            pool.close().await;
        });
    });
    let pool = ready_rx.recv().expect("the server started");
    (pool, format!("http://{addr}"), stop_tx)
}

/// Options for one test's server.
#[derive(Default)]
pub struct Options {
    pub admin_token: bool,
    pub max_upload_bytes: Option<u64>,
    pub max_uncompressed: Option<u64>,
    pub uploads_per_hour: Option<i64>,
    pub edge: Option<mir_leaderboard::config::EdgeLimits>,
    pub https: bool,
}

async fn fresh_database(dir: &Path) -> String {
    match std::env::var("TEST_DATABASE_URL").ok().filter(|u| !u.is_empty()) {
        None => format!("sqlite://{}?mode=rwc", dir.join("test.db").display()),
        Some(base) => {
            use sqlx::Connection;
            let name = format!("mir_test_{}", db::random_key());
            let mut conn = sqlx::PgConnection::connect(&base).await.expect("TEST_DATABASE_URL is reachable");
            sqlx::Executor::execute(&mut conn, format!("CREATE DATABASE {name}").as_str())
                .await
                .expect("create test database");
            let (prefix, _) = base.rsplit_once('/').expect("TEST_DATABASE_URL ends in /<database>");
            format!("{prefix}/{name}")
        }
    }
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(Options::default()).await
}

pub async fn spawn_app_with(o: Options) -> TestApp {
    captured_logs();
    let dir = tempfile::tempdir().expect("temp dir");
    let database_url = fresh_database(dir.path()).await;
    // Each test spools its uploads in its own folder.
    let upload_dir = dir.path().join("uploads");
    let (pool, address, stop) = start_server(&database_url, move |settings| {
        if o.admin_token {
            settings.admin_token = Some(SecretString::from(ADMIN_TOKEN.to_owned()));
        }
        if let Some(m) = o.max_upload_bytes {
            settings.max_upload_bytes = m;
        }
        if let Some(m) = o.max_uncompressed {
            settings.archive_limits.max_total_bytes = m;
        }
        if let Some(n) = o.uploads_per_hour {
            settings.uploads_per_hour = n;
        }
        if let Some(e) = o.edge {
            settings.edge = e;
        }
        settings.https = o.https;
        settings.upload_dir = upload_dir;
    });
    TestApp { address, client: client(), pool, database_url, dir, _stop: stop }
}

impl TestApp {
    /// A second app server on this test's store (its own process state and caches), as
    /// behind a load balancer.
    pub async fn second_server(&self) -> TestApp {
        let dir = tempfile::tempdir().expect("temp dir");
        let upload_dir = dir.path().join("uploads");
        let (pool, address, stop) = start_server(&self.database_url, move |settings| {
            settings.admin_token = Some(SecretString::from(ADMIN_TOKEN.to_owned()));
            settings.upload_dir = upload_dir;
        });
        TestApp { address, client: client(), pool, database_url: self.database_url.clone(), dir, _stop: stop }
    }
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        // A hung request fails its test with the path, instead of stalling the whole run.
        .timeout(std::time::Duration::from_secs(30))
        .build()
        .expect("client")
}

/// How the answers of a generated tree are chosen.
pub type Pattern = dyn Fn(RiskCategory, Relation, u32) -> Answer;

/// A small tree: `n` items in every (category, relation) cell.
pub fn cells(n: u32) -> Vec<(RiskCategory, Relation, u32)> {
    let mut out = vec![];
    for r in Relation::ALL {
        for c in RiskCategory::ALL {
            out.push((c, r, n));
        }
    }
    out
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    /// Writes a harness tree (`<dir>/<model folder>/<Category>/<Relation>.json`) and returns the
    /// model folder.
    pub fn write_tree(&self, folder: &str, cells: &[(RiskCategory, Relation, u32)], pattern: &Pattern) -> PathBuf {
        let root = self.dir.path().join("trees").join(folder);
        write_harness_tree(&root, cells, pattern).expect("write tree");
        root
    }

    /// Runs the real CLI binary against this test's database.
    pub fn cli(&self, args: &[&str]) -> std::process::Output {
        std::process::Command::new(env!("CARGO_BIN_EXE_mir-leaderboard"))
            .args(args)
            .env("DATABASE_URL", &self.database_url)
            .env("RUST_LOG", "warn")
            .output()
            .expect("run the CLI")
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.unwrap_or_else(|e| panic!("GET {path}: {e}"))
    }

    pub async fn get_text(&self, path: &str) -> (u16, String) {
        let r = self.get(path).await;
        let status = r.status().as_u16();
        (status, r.text().await.unwrap_or_else(|e| panic!("GET {path}: body: {e}")))
    }

    pub async fn get_json(&self, path: &str) -> (u16, serde_json::Value) {
        let r = self.get(path).await;
        let status = r.status().as_u16();
        (status, r.json().await.expect("JSON body"))
    }

    /// Uploads through the pipeline API.
    pub async fn api_upload(
        &self,
        fields: &[(&str, &str)],
        file_name: &str,
        bytes: Vec<u8>,
    ) -> (u16, serde_json::Value) {
        let r = self
            .client
            .post(self.url("/api/v1/submissions"))
            .multipart(form(fields, file_name, bytes))
            .send()
            .await
            .expect("POST");
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(serde_json::Value::Null))
    }

    /// Uploads through the web form as a browser without JavaScript would.
    pub async fn form_upload(&self, fields: &[(&str, &str)], file_name: &str, bytes: Vec<u8>) -> reqwest::Response {
        self.client
            .post(self.url("/submit"))
            .header("accept", "text/html")
            .multipart(form(fields, file_name, bytes))
            .send()
            .await
            .expect("POST /submit")
    }

    /// Posts a server function as a plain HTML form (JavaScript off) and returns the redirect.
    pub async fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .header("accept", "text/html")
            .header("referer", self.url("/"))
            .form(fields)
            .send()
            .await
            .expect("POST form")
    }

    pub async fn sign_in(&self) -> String {
        let r = self.post_form("/fn/sign-in", &[("token", ADMIN_TOKEN)]).await;
        assert_eq!(r.status().as_u16(), 302, "sign-in redirects");
        assert!(r.headers().get_all("set-cookie").iter().any(|v| {
            let v = v.to_str().unwrap_or("");
            v.starts_with("mir_session=") && v.contains("HttpOnly") && v.contains("SameSite=Strict")
        }));
        self.csrf().await.expect("signed in")
    }

    pub async fn csrf(&self) -> Option<String> {
        let r = self.client.post(self.url("/fn/admin")).send().await.expect("POST /fn/admin");
        r.json::<Option<String>>().await.expect("admin state")
    }

    /// Row counts of every results table: a refused upload must leave all of them unchanged.
    pub async fn store_counts(&self) -> Vec<i64> {
        use sqlx::Row;
        let mut out = vec![];
        for table in ["models", "submissions", "submission_events", "cell_counts", "item_labels", "aggregate_counts"] {
            let row =
                sqlx::query(&format!("SELECT COUNT(*) AS n FROM {table}")).fetch_one(&self.pool).await.expect("count");
            out.push(row.try_get::<i64, _>("n").expect("n"));
        }
        out
    }
}

fn form(fields: &[(&str, &str)], file_name: &str, bytes: Vec<u8>) -> Form {
    let mut f = Form::new();
    for (k, v) in fields {
        f = f.text(k.to_string(), v.to_string());
    }
    f.part("file", Part::bytes(bytes).file_name(file_name.to_owned()))
}

/// Zips a folder's files with paths relative to `base`.
pub fn zip_dir(dir: &Path, base: &Path) -> Vec<u8> {
    use std::io::Write;
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut zip = zip::ZipWriter::new(&mut buf);
        let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        let mut files = vec![];
        collect(dir, &mut files);
        files.sort();
        for f in files {
            let name = f.strip_prefix(base).expect("under base").to_string_lossy().replace('\\', "/");
            zip.start_file(name, opts).expect("zip entry");
            zip.write_all(&std::fs::read(&f).expect("read")).expect("write");
        }
        zip.finish().expect("finish zip");
    }
    buf.into_inner()
}

/// Tars and gzips a folder's files with paths relative to `base`.
pub fn tar_gz_dir(dir: &Path, base: &Path) -> Vec<u8> {
    let enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    let mut tar = tar::Builder::new(enc);
    let mut files = vec![];
    collect(dir, &mut files);
    files.sort();
    for f in files {
        let name = f.strip_prefix(base).expect("under base");
        tar.append_path_with_name(&f, name).expect("tar entry");
    }
    tar.into_inner().expect("tar").finish().expect("gzip")
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).expect("read dir") {
        let p = e.expect("entry").path();
        if p.is_dir() { collect(&p, out) } else { out.push(p) }
    }
}

/// Builds a zip from explicit (name, bytes) entries, for hostile archives.
pub fn zip_entries(entries: &[(&str, &[u8])]) -> Vec<u8> {
    use std::io::Write;
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut zip = zip::ZipWriter::new(&mut buf);
        let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        for (name, bytes) in entries {
            zip.start_file(*name, opts).expect("entry");
            zip.write_all(bytes).expect("write");
        }
        zip.finish().expect("finish");
    }
    buf.into_inner()
}

/// A judge file's JSON with the given labels and answers.
pub fn judge_file(items: &[(&str, &str)]) -> Vec<u8> {
    let list: Vec<serde_json::Value> = items
        .iter()
        .map(|(label, answer)| serde_json::json!({"question": "q", "answer": answer, "label": label}))
        .collect();
    serde_json::to_vec(&serde_json::json!({"ASR": 0.0, "judge_result": list})).expect("json")
}
