//! What every request handler, server function and page render can reach: the settings, the
//! store, and what the process caches from the store.

use crate::config::Settings;
use crate::db::Pool;
use crate::domain::leaderboard::Population;
use crate::domain::page_data::LeaderboardData;
use axum::body::Bytes;
use axum::extract::FromRef;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use leptos::config::LeptosOptions;
use std::collections::HashMap;
use std::num::NonZeroUsize;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// axum holds several items in its state through `FromRef`; Leptos finds its options the same
/// way, and `leptos_routes` provides this whole state as context to renders and server
/// functions (`use_context::<AppState>()`).
#[derive(Clone, FromRef)]
pub struct AppState {
    /// Behind an `Arc`: the state is cloned for every middleware of every request, and cloning
    /// the options themselves (their strings) took 6% of serving a cached page in a profile.
    #[from_ref(skip)]
    pub leptos_options: Arc<LeptosOptions>,
    pub pool: Pool,
    pub settings: Arc<Settings>,
    /// Rankings computed from the store, valid while its change counter stays the same.
    pub cache: Arc<Cache>,
    /// Rendered public responses, valid for one store version (see `http::cache`).
    pub responses: Arc<ResponseCache>,
    /// Reads of the store's change counter, shared by requests that arrive together.
    pub versions: Arc<VersionReads>,
    /// Permits for validating uploads: parsing is CPU and memory work on the blocking pool, so
    /// only so many run at once, whatever arrives.
    pub ingests: Arc<tokio::sync::Semaphore>,
}

/// Leptos' handlers take their options from the state.
impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        (*state.leptos_options).clone()
    }
}

/// Rankings by (judge, population), each with the store version it was computed from.
///
/// Ranking is cheap, but marking the models that cannot be told apart from the safest one
/// pairs every model's items with the safest model's (tens of thousands of rows), which costs
/// far more than rendering a page. The result only changes when the store does, so it is kept
/// until the store's change counter moves; every app server checks that counter (one tiny
/// query) on each request, so servers behind a load balancer never serve stale rankings.
#[derive(Default)]
pub struct Cache {
    rankings: Mutex<HashMap<RankingKey, (i64, Arc<LeaderboardData>)>>,
}

/// (judge, population, as of)
pub type RankingKey = (String, Population, Option<crate::domain::day::Day>);

impl Cache {
    pub fn ranking(&self, key: &RankingKey, version: i64) -> Option<Arc<LeaderboardData>> {
        let map = self.rankings.lock().ok()?;
        map.get(key).filter(|(v, _)| *v == version).map(|(_, d)| d.clone())
    }

    /// Stores a ranking; entries of other versions are dropped, so the map never outgrows the
    /// (judge, population) combinations of one store version.
    pub fn put_ranking(&self, key: RankingKey, version: i64, data: Arc<LeaderboardData>) {
        if let Ok(mut map) = self.rankings.lock() {
            map.retain(|_, (v, _)| *v == version);
            map.insert(key, (version, data));
        }
    }
}

/// Reads of the store's change counter, shared. Every cached answer is checked against the
/// counter, so it is read for every request; under load, the requests that arrive while one
/// read is under way share the next one instead of each queueing its own on the pool. A request
/// shares only a read that *began after it arrived*, so whatever any server committed before
/// a request came in is seen by it: an approval shows on the very next request everywhere.
#[derive(Default)]
pub struct VersionReads {
    /// One read at a time; waiters queue in order (tokio's mutex is fair).
    turn: tokio::sync::Mutex<()>,
    /// Reads begun so far.
    begun: AtomicU64,
    /// The latest finished read: its number and the version it found.
    latest: Mutex<Option<(u64, i64)>>,
}

impl VersionReads {
    pub async fn current(&self, pool: &Pool) -> Result<i64, sqlx::Error> {
        let arrived = self.begun.load(Ordering::SeqCst);
        let _turn = self.turn.lock().await;
        let latest = *self.latest.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((n, version)) = latest
            && n > arrived
        {
            return Ok(version);
        }
        let n = self.begun.fetch_add(1, Ordering::SeqCst) + 1;
        let version = crate::db::data_version(pool).await?;
        *self.latest.lock().unwrap_or_else(|e| e.into_inner()) = Some((n, version));
        Ok(version)
    }

    /// Reads actually sent to the store (for tests).
    pub fn reads(&self) -> u64 {
        self.begun.load(Ordering::SeqCst)
    }
}

/// Entries at most, and bytes at most.
const MAX_ENTRIES: usize = 4096;
const MAX_BYTES: usize = 64 * 1024 * 1024;

#[derive(Clone, PartialEq, Eq, Hash)]
pub struct ResponseKey {
    pub version: i64,
    pub method_head: bool,
    pub path: String,
    pub query: String,
}

pub struct CachedResponse {
    pub status: StatusCode,
    pub headers: HeaderMap,
    /// The body split at the nonce it was rendered with (one part when it has none).
    pub parts: Vec<Bytes>,
    pub etag: HeaderValue,
    pub size: usize,
}

/// Rendered public responses of one app server, valid for one store version; the HTTP layer
/// (`http::cache`) decides what goes in and how it is served.
pub struct ResponseCache {
    inner: Mutex<Inner>,
}

struct Inner {
    entries: lru::LruCache<ResponseKey, Arc<CachedResponse>>,
    bytes: usize,
    version: i64,
}

impl Default for ResponseCache {
    fn default() -> Self {
        Self {
            inner: Mutex::new(Inner {
                entries: lru::LruCache::new(NonZeroUsize::new(MAX_ENTRIES).expect("non-zero")),
                bytes: 0,
                version: i64::MIN,
            }),
        }
    }
}

impl ResponseCache {
    pub fn get(&self, key: &ResponseKey) -> Option<Arc<CachedResponse>> {
        self.inner.lock().ok()?.entries.get(key).cloned()
    }

    pub fn put(&self, key: ResponseKey, entry: CachedResponse) {
        let Ok(mut inner) = self.inner.lock() else { return };
        if key.version != inner.version {
            // A new store version makes every older entry dead weight.
            inner.entries.clear();
            inner.bytes = 0;
            inner.version = key.version;
        }
        inner.bytes += entry.size;
        if let Some(old) = inner.entries.put(key, Arc::new(entry)) {
            inner.bytes -= old.size;
        }
        while inner.bytes > MAX_BYTES {
            match inner.entries.pop_lru() {
                Some((_, e)) => inner.bytes -= e.size,
                None => break,
            }
        }
    }

    /// Entries kept now (for tests and the benchmark's report).
    pub fn len(&self) -> usize {
        self.inner.lock().map(|i| i.entries.len()).unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn requests_arriving_together_share_one_read_and_later_ones_read_again() {
        let pool = crate::db::connect("sqlite::memory:", 1).await.expect("store");
        let reads = VersionReads::default();
        let first = reads.current(&pool).await.expect("read");
        assert_eq!(reads.reads(), 1);
        // Arriving after the first read finished, a request must not reuse it.
        assert_eq!(reads.current(&pool).await.expect("read"), first);
        assert_eq!(reads.reads(), 2);

        // Fifty at once: the first reads; all others arrived during that read, so they share
        // the one that begins after it.
        let together = futures_util::future::join_all((0..50).map(|_| reads.current(&pool))).await;
        assert!(together.iter().all(|v| v.as_ref().ok() == Some(&first)));
        assert_eq!(reads.reads(), 4, "two reads for fifty requests");
    }
}
