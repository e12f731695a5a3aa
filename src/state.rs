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
use std::sync::{Arc, Mutex};

/// axum holds several items in its state through `FromRef`; Leptos finds its options the same
/// way, and `leptos_routes` provides this whole state as context to renders and server
/// functions (`use_context::<AppState>()`).
#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub pool: Pool,
    pub settings: Arc<Settings>,
    /// Rankings computed from the store, valid while its change counter stays the same.
    pub cache: Arc<Cache>,
    /// Rendered public responses, valid for one store version (see `http::cache`).
    pub responses: Arc<ResponseCache>,
    /// Permits for validating uploads: parsing is CPU and memory work on the blocking pool, so
    /// only so many run at once, whatever arrives.
    pub ingests: Arc<tokio::sync::Semaphore>,
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
