//! What every request handler, server function and page render can reach: the settings, the
//! store, and what the process caches from the store.

use crate::config::Settings;
use crate::db::Pool;
use crate::domain::leaderboard::Population;
use crate::domain::page_data::LeaderboardData;
use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use std::collections::HashMap;
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

/// (judge, population)
pub type RankingKey = (String, Population);

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
