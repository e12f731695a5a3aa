//! Rankings: one judge's population ranked with intervals, the models the safest one cannot be
//! told apart from, the per-scope rankings and the capability view built on them. Pages, JSON
//! and CSV exports and charts all read rankings through here, so they always agree.

use crate::db::{self, Pool};
use crate::domain::day::Day;
use crate::domain::leaderboard::query::{LeaderboardQuery, page_rows};
use crate::domain::leaderboard::{self, Entry, EntryInput, Population, rank_scope};
use crate::domain::model::Granularity;
use crate::domain::page_data::{CapabilityPage, CapabilityPoint, Correlation, LeaderboardData, ScopePage, ScopeRow};
use crate::domain::stats::spearman;
use crate::domain::taxonomy::{DEFAULT_JUDGE, Scope};
use crate::error::AppError;
use crate::state::AppState;
use std::sync::Arc;

/// The judge a view asks for, or the benchmark's own.
pub fn judge_or_default(judge: Option<&str>) -> String {
    judge.map(str::trim).filter(|j| !j.is_empty()).unwrap_or(DEFAULT_JUDGE).to_owned()
}

/// Ranks one judge's population as it stands now (see [`view`] for a URL's board, which may be
/// as of a past day).
pub async fn leaderboard(
    state: &AppState,
    judge: Option<&str>,
    population: Population,
) -> Result<Arc<LeaderboardData>, AppError> {
    ranked(state, judge, population, None).await
}

/// The board a leaderboard URL asks for: its judge, its population, and its day. A day in the
/// future is refused: nobody knows that board yet.
pub async fn view(state: &AppState, q: &LeaderboardQuery) -> Result<Arc<LeaderboardData>, AppError> {
    if let Some(day) = q.as_of {
        let today = Day::of_unix(db::now());
        if day > today {
            return Err(AppError::BadRequest(format!(
                "as_of=`{day}` is in the future; the leaderboard is known up to today ({today})"
            )));
        }
    }
    ranked(state, q.judge.as_deref(), q.population, q.as_of).await
}

/// The ranking picture of a view: the rows of its page, as the board and the CSV show them.
/// Drawn inline on `/` and served on its own at `/charts/leaderboard.svg`.
pub fn ranking_chart(data: &LeaderboardData, q: &LeaderboardQuery) -> String {
    let (rows, _) = page_rows(&data.entries, q);
    let sample = rows.iter().any(|(e, _)| e.is_sample());
    crate::charts::figures::leaderboard_chart(&rows, q.sort, &data.judge, sample)
}

/// Ranks one judge's population (as of the end of a day, or now) and marks which models the
/// safest one cannot be told apart from (paired McNemar on shared items, Holm across the
/// view). Cached per store version.
async fn ranked(
    state: &AppState,
    judge: Option<&str>,
    population: Population,
    as_of: Option<Day>,
) -> Result<Arc<LeaderboardData>, AppError> {
    let key = (judge_or_default(judge), population, as_of);
    let version = super::store_version(state).await?;
    if let Some(hit) = state.cache.ranking(&key, version) {
        return Ok(hit);
    }
    let pool = &state.pool;
    let at = as_of.map(Day::end_unix);
    let judges = db::judges(pool, at).await?;
    let inputs: Vec<EntryInput> =
        db::leaderboard_inputs(pool, &key.0, at).await?.into_iter().filter(|i| population.admits(&i.model)).collect();
    let entries = rank_and_mark(pool, inputs).await?;
    let has_sample = entries.iter().any(Entry::is_sample);
    let first_ranked = db::first_approval_at(pool).await?.map(Day::of_unix);
    let data = Arc::new(LeaderboardData { judge: key.0.clone(), judges, entries, has_sample, as_of, first_ranked });
    state.cache.put_ranking(key, version, data.clone());
    Ok(data)
}

async fn rank_and_mark(pool: &Pool, inputs: Vec<EntryInput>) -> Result<Vec<Entry>, AppError> {
    let mut entries = leaderboard::rank(inputs);
    let Some(s) = leaderboard::safest(&entries) else { return Ok(entries) };
    if entries[s].submission.granularity != Granularity::Items {
        entries[s].vs_safest = leaderboard::VsSafest::Safest;
        return Ok(entries);
    }
    let ids: Vec<i64> =
        entries.iter().filter(|e| e.submission.granularity == Granularity::Items).map(|e| e.submission.id).collect();
    let bits = db::label_bits(pool, &ids).await?;
    let Some(base) = bits.get(&entries[s].submission.id) else {
        entries[s].vs_safest = leaderboard::VsSafest::Safest;
        return Ok(entries);
    };
    // Pairing every model with the safest one counts bits: a thousand runs take milliseconds.
    let pairs: Vec<Option<(u64, u64)>> = entries
        .iter()
        .enumerate()
        .map(|(i, e)| if i == s { None } else { bits.get(&e.submission.id).map(|b| base.discordant(b)) })
        .collect();
    leaderboard::mark_vs_safest(&mut entries, s, &pairs);
    Ok(entries)
}

/// Every model ranked on one relation or category, with ranks from that scope's intervals.
pub async fn scope_page(
    state: &AppState,
    scope: Scope,
    judge: Option<&str>,
    population: Population,
) -> Result<ScopePage, AppError> {
    let board = leaderboard(state, judge, population).await?;
    let (ranked, without) = rank_scope(&board.entries, scope);
    let rows: Vec<ScopeRow> = ranked
        .into_iter()
        .map(|(rank, e, score)| ScopeRow { model: e.model.clone(), rank, score, sample: e.is_sample() })
        .collect();
    let has_sample = rows.iter().any(|r| r.sample);
    Ok(ScopePage {
        scope,
        population,
        judge: board.judge.clone(),
        judges: board.judges.clone(),
        rows,
        without_data: without.into_iter().map(|e| e.model.name.clone()).collect(),
        has_sample,
    })
}

/// Capability against ASR, with Spearman's rho over the models scored on the most common
/// capability benchmark.
pub async fn capability(state: &AppState, judge: Option<&str>) -> Result<CapabilityPage, AppError> {
    let board = leaderboard(state, judge, Population::default()).await?;
    let points: Vec<CapabilityPoint> = board
        .entries
        .iter()
        .filter_map(|e| {
            let c = e.model.capability.as_ref()?;
            Some(CapabilityPoint {
                model: e.model.name.clone(),
                slug: e.model.slug.clone(),
                capability: c.score,
                benchmark: c.benchmark.clone(),
                source: c.source.clone(),
                asr: e.overall.asr,
                sample: e.is_sample(),
            })
        })
        .collect();
    let mut counts: Vec<(String, usize)> = Vec::new();
    for p in &points {
        match counts.iter_mut().find(|c| c.0 == p.benchmark) {
            Some(c) => c.1 += 1,
            None => counts.push((p.benchmark.clone(), 1)),
        }
    }
    counts.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let benchmark = counts.first().map(|c| c.0.clone());
    let correlation = benchmark.as_ref().and_then(|b| {
        let (x, y): (Vec<f64>, Vec<f64>) =
            points.iter().filter(|p| &p.benchmark == b).map(|p| (p.capability, p.asr)).unzip();
        spearman(&x, &y).map(|s| Correlation { rho: s.rho, p: s.p, n: s.n })
    });
    let has_sample = points.iter().any(|p| p.sample);
    let without_score = board.entries.len() - points.len();
    Ok(CapabilityPage {
        judge: board.judge.clone(),
        judges: board.judges.clone(),
        points,
        benchmark,
        correlation,
        without_score,
        has_sample,
    })
}
