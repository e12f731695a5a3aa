//! The read side's use cases: each loads from the store and shapes the data with the domain's
//! pure functions. Server functions, JSON endpoints and chart routes all go through here, so
//! a page, its export and its chart always show the same numbers.

use crate::db::{self, Pool};
use crate::domain::compare::compare_pair;
use crate::domain::leaderboard::{self, Entry, EntryInput, Population};
use crate::domain::metrics::Score;
use crate::domain::model::{Granularity, Status};
use crate::domain::ranking::honest_ranks;
use crate::domain::stats::spearman;
use crate::domain::submission::SubmissionView;
use crate::domain::taxonomy::DEFAULT_JUDGE;
use crate::domain::views::*;
use crate::error::AppError;
use crate::state::AppState;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

fn judge_or_default(judge: Option<&str>) -> String {
    judge.map(str::trim).filter(|j| !j.is_empty()).unwrap_or(DEFAULT_JUDGE).to_owned()
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
type RankingKey = (String, Population);

impl Cache {
    fn get(&self, key: &RankingKey, version: i64) -> Option<Arc<LeaderboardData>> {
        let map = self.rankings.lock().ok()?;
        map.get(key).filter(|(v, _)| *v == version).map(|(_, d)| d.clone())
    }

    fn put(&self, key: RankingKey, version: i64, data: Arc<LeaderboardData>) {
        if let Ok(mut map) = self.rankings.lock() {
            map.retain(|_, (v, _)| *v == version);
            map.insert(key, (version, data));
        }
    }
}

/// Ranks one judge's population and marks which models the safest one cannot be told apart
/// from (paired McNemar on shared items, Holm across the view).
pub async fn leaderboard(
    state: &AppState,
    judge: Option<&str>,
    population: Population,
) -> Result<Arc<LeaderboardData>, AppError> {
    let key = (judge_or_default(judge), population);
    let version = db::data_version(&state.pool).await?;
    if let Some(hit) = state.cache.get(&key, version) {
        return Ok(hit);
    }
    let pool = &state.pool;
    let judges = db::judges(pool).await?;
    let inputs: Vec<EntryInput> =
        db::leaderboard_inputs(pool, &key.0).await?.into_iter().filter(|i| population.admits(&i.model)).collect();
    let entries = rank_and_mark(pool, inputs).await?;
    let has_sample = entries.iter().any(Entry::is_sample);
    let data = Arc::new(LeaderboardData { judge: key.0.clone(), judges, entries, has_sample });
    state.cache.put(key, version, data.clone());
    Ok(data)
}

async fn rank_and_mark(pool: &Pool, inputs: Vec<EntryInput>) -> Result<Vec<Entry>, AppError> {
    let mut entries = leaderboard::rank(inputs);
    if let Some(s) = leaderboard::safest(&entries)
        && entries[s].submission.granularity == Granularity::Items
    {
        let base = entries[s].submission.id;
        let others: Vec<i64> = entries
            .iter()
            .enumerate()
            .filter(|(i, e)| *i != s && e.submission.granularity == Granularity::Items)
            .map(|(_, e)| e.submission.id)
            .collect();
        let counts = db::discordant_vs(pool, base, &others).await?;
        let pairs: Vec<Option<(u64, u64)>> =
            entries.iter().map(|e| counts.iter().find(|c| c.0 == e.submission.id).map(|c| (c.1, c.2))).collect();
        leaderboard::mark_vs_safest(&mut entries, s, &pairs);
    } else if let Some(s) = leaderboard::safest(&entries) {
        entries[s].vs_safest = leaderboard::VsSafest::Safest;
    }
    Ok(entries)
}

/// A model's page under one judge (the benchmark's own by default, else the model's first).
pub async fn model_page(state: &AppState, slug: &str, judge: Option<&str>) -> Result<ModelPage, AppError> {
    let pool = &state.pool;
    let (model_id, model) =
        db::model_by_slug(pool, slug).await?.ok_or_else(|| AppError::NotFound(format!("model `{slug}`")))?;
    let judges = db::model_judges(pool, model_id).await?;
    if judges.is_empty() {
        return Err(AppError::NotFound(format!("an approved result for model `{}`", model.name)));
    }
    let judge = match judge.map(str::trim).filter(|j| !j.is_empty()) {
        Some(j) => j.to_owned(),
        None if judges.iter().any(|j| j == DEFAULT_JUDGE) => DEFAULT_JUDGE.to_owned(),
        None => judges[0].clone(),
    };
    let board = leaderboard(state, Some(&judge), Population::default()).await?;
    let entry = board.entries.iter().find(|e| e.model.slug == slug).cloned();
    let (cells, rule_set_version, note) = match &entry {
        Some(e) => {
            let stored = db::submission(pool, e.submission.id).await?;
            let cells = db::submission_cells(pool, e.submission.id).await?;
            (cells, stored.as_ref().and_then(|s| s.summary.rule_set_version.clone()), stored.and_then(|s| s.note))
        }
        None => (vec![], None, None),
    };
    Ok(ModelPage {
        model,
        judge,
        judges,
        entry,
        ranked_models: board.entries.len(),
        cells,
        rule_set_version,
        note,
        history: db::model_submissions(pool, model_id).await?,
    })
}

/// Every model ranked on one relation or category, with ranks from that scope's intervals.
pub async fn scope_page(state: &AppState, scope: Scope, judge: Option<&str>) -> Result<ScopePage, AppError> {
    let board = leaderboard(state, judge, Population::default()).await?;
    let mut rows = Vec::new();
    let mut without_data = Vec::new();
    for e in &board.entries {
        let score = match scope {
            Scope::Relation(r) => e.relation(r),
            Scope::Category(c) => e.category(c),
        };
        match score {
            Some(s) => rows.push(ScopeRow { model: e.model.clone(), rank: 0, score: *s, sample: e.is_sample() }),
            None => without_data.push(e.model.name.clone()),
        }
    }
    let intervals: Vec<(f64, f64)> = rows.iter().map(|r| (r.score.ci_low, r.score.ci_high)).collect();
    for (row, rank) in rows.iter_mut().zip(honest_ranks(&intervals)) {
        row.rank = rank;
    }
    rows.sort_by(|a, b| {
        a.rank.cmp(&b.rank).then(a.score.asr.total_cmp(&b.score.asr)).then_with(|| a.model.name.cmp(&b.model.name))
    });
    let has_sample = rows.iter().any(|r| r.sample);
    Ok(ScopePage { scope, judge: board.judge.clone(), judges: board.judges.clone(), rows, without_data, has_sample })
}

/// 2 to 6 models side by side, with paired tests for every pair that has per-item labels.
pub async fn compare(state: &AppState, slugs: &[String], judge: Option<&str>) -> Result<ComparePage, AppError> {
    let pool = &state.pool;
    let board = leaderboard(state, judge, Population::default()).await?;
    let mut wanted: Vec<&str> = Vec::new();
    for s in slugs.iter().map(|s| s.trim()).filter(|s| !s.is_empty()) {
        if !wanted.contains(&s) {
            wanted.push(s);
        }
    }
    if wanted.len() > 6 {
        return Err(AppError::BadRequest(format!("{} models requested; compare 2 to 6 at a time", wanted.len())));
    }
    let mut models = Vec::new();
    let mut missing = Vec::new();
    for slug in &wanted {
        match board.entries.iter().find(|e| e.model.slug == *slug) {
            Some(e) => models.push(e.clone()),
            None => missing.push((*slug).to_owned()),
        }
    }
    let mut pairs = Vec::new();
    for i in 0..models.len() {
        for j in i + 1..models.len() {
            let (a, b) = (&models[i], &models[j]);
            let both_items =
                a.submission.granularity == Granularity::Items && b.submission.granularity == Granularity::Items;
            let comparison = if both_items {
                Some(compare_pair(&db::paired_cells(pool, a.submission.id, b.submission.id).await?))
            } else {
                None
            };
            pairs.push(PairView { a: a.model.name.clone(), b: b.model.name.clone(), comparison });
        }
    }
    let choices = board.entries.iter().map(|e| (e.model.slug.clone(), e.model.name.clone())).collect();
    let has_sample = models.iter().any(Entry::is_sample);
    Ok(ComparePage {
        judge: board.judge.clone(),
        judges: board.judges.clone(),
        models,
        pairs,
        missing,
        choices,
        has_sample,
    })
}

/// Capability against ASR, with Spearman's rho over the models scored on the most common
/// capability benchmark.
pub async fn capability(state: &AppState, judge: Option<&str>) -> Result<CapabilityPage, AppError> {
    let board = leaderboard(state, judge, Population::default()).await?;
    let mut points = Vec::new();
    for e in &board.entries {
        if let Some(c) = &e.model.capability {
            points.push(CapabilityPoint {
                model: e.model.name.clone(),
                slug: e.model.slug.clone(),
                capability: c.score,
                benchmark: c.benchmark.clone(),
                source: c.source.clone(),
                asr: e.overall.asr,
                sample: e.is_sample(),
            });
        }
    }
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

/// Everything public about a submission, with the row it has or would have on its judge's
/// leaderboard. Drafts are only visible with their key.
pub async fn submission_view(pool: &Pool, id: i64, draft_key: Option<&str>) -> Result<SubmissionView, AppError> {
    let s = db::submission(pool, id).await?.ok_or_else(|| AppError::NotFound(format!("submission #{id}")))?;
    if s.line.status == Status::Draft {
        let key = db::draft_key(pool, id).await?;
        if key.is_none() || key.as_deref() != draft_key {
            return Err(AppError::NotFound(format!("submission #{id}")));
        }
    }
    let judge = s.line.judge.clone();
    let mut inputs: Vec<EntryInput> =
        db::leaderboard_inputs(pool, &judge).await?.into_iter().filter(|i| i.model.slug != s.line.model_slug).collect();
    let mut model = s.model.clone();
    // Show the row with the facts this submission proposes, as approval would apply them.
    if s.line.status != Status::Approved {
        model.organization = s.proposed.organization.clone().or(model.organization);
        model.access = s.proposed.access.or(model.access);
        model.reasoning = s.proposed.reasoning.unwrap_or(model.reasoning);
        model.parameters_b = s.proposed.parameters_b.or(model.parameters_b);
        model.link = s.proposed.link.clone().or(model.link);
    }
    inputs.push(EntryInput {
        model,
        submission: crate::domain::leaderboard::SubmissionInfo {
            id,
            judge: judge.clone(),
            source: s.line.source,
            granularity: s.line.granularity,
            submitted_at: s.line.submitted_at,
            date: s.line.submitted_date.clone(),
        },
        breakdown: s.summary.breakdown.clone(),
    });
    let entries = leaderboard::rank(inputs);
    let row = entries.into_iter().find(|e| e.submission.id == id);
    Ok(SubmissionView {
        id,
        model: s.line.model.clone(),
        model_slug: s.line.model_slug.clone(),
        judge,
        source: s.line.source,
        status: s.line.status,
        note: s.note,
        archive_sha256: s.archive_sha256,
        archive_kind: s.archive_kind,
        folder_name: s.folder_name,
        proposed: s.proposed,
        submitted_at: s.line.submitted_at,
        submitted_date: s.line.submitted_date,
        decided_at: s.line.decided_at,
        reason: s.line.reason,
        summary: s.summary,
        events: s.events,
        row,
    })
}

/// A score's display for exports: `23.45` with two decimals, as the harness prints it.
pub fn pct(score: Option<&Score>) -> String {
    score.map(|s| crate::domain::metrics::format_pct(s.asr)).unwrap_or_default()
}
