//! Item consensus: which attacks broke how many of one judge's ranked models, from the label
//! bits of the models the leaderboard ranks (the same population and the same latest results
//! the site shows). Aggregate-only results have no items and are counted out, by name.

use super::leaderboard::leaderboard;
use crate::db;
use crate::domain::consensus::{self, ItemConsensus, ItemKey, ItemsQuery, sort_by_consensus};
use crate::domain::labels::LabelBits;
use crate::domain::leaderboard::{Entry, Population};
use crate::domain::model::Granularity;
use crate::domain::page_data::{ItemModel, ItemPage, ItemRow, ItemsPage, LeaderboardData, UniversalCount};
use crate::error::AppError;
use crate::state::AppState;
use std::sync::Arc;

/// A judge's ranked models split into those with per-item labels (with their bits, in board
/// order) and those without, and the consensus of every item over the first.
pub struct Consensus {
    pub board: Arc<LeaderboardData>,
    /// Positions in `board.entries` of the models with labels; `ItemConsensus::unsafe_models`
    /// indexes this list.
    pub labelled: Vec<usize>,
    /// The labels of the models in `labelled`, in the same order.
    pub bits: Vec<LabelBits>,
    pub left_out: Vec<String>,
    pub items: Vec<ItemConsensus>,
}

impl Consensus {
    pub fn entry(&self, model: u32) -> &Entry {
        &self.board.entries[self.labelled[model as usize]]
    }

    pub fn has_sample(&self) -> bool {
        self.labelled.iter().any(|i| self.board.entries[*i].is_sample())
    }
}

/// The consensus of every item under one judge (the benchmark's own by default).
pub async fn consensus(state: &AppState, judge: Option<&str>) -> Result<Consensus, AppError> {
    let board = leaderboard(state, judge, Population::default()).await?;
    let ids: Vec<i64> = board
        .entries
        .iter()
        .filter(|e| e.submission.granularity == Granularity::Items)
        .map(|e| e.submission.id)
        .collect();
    let mut bits = db::label_bits(&state.pool, &ids).await?;
    let mut labelled = Vec::new();
    let mut kept: Vec<LabelBits> = Vec::new();
    let mut left_out = Vec::new();
    for (i, e) in board.entries.iter().enumerate() {
        match bits.remove(&e.submission.id).filter(|_| e.submission.granularity == Granularity::Items) {
            Some(b) => {
                labelled.push(i);
                kept.push(b);
            }
            None => left_out.push(e.model.name.clone()),
        }
    }
    let refs: Vec<&LabelBits> = kept.iter().collect();
    let items = consensus::consensus(&refs);
    Ok(Consensus { board, labelled, bits: kept, left_out, items })
}

fn row(c: &Consensus, i: &ItemConsensus, with_models: bool) -> ItemRow {
    ItemRow {
        key: i.key,
        unsafe_count: i.unsafe_count(),
        judged: i.judged,
        share: i.share(),
        universal: i.is_universal(),
        unsafe_models: if with_models {
            i.unsafe_models.iter().map(|m| c.entry(*m).model.slug.clone()).collect()
        } else {
            vec![]
        },
    }
}

/// The item list for a query: every count, and the matching items most-broken first (at most
/// `limit` of them; each with the slugs of the models it broke when `with_models`).
pub async fn items_page(
    state: &AppState,
    q: ItemsQuery,
    problems: Vec<String>,
    with_models: bool,
    limit: Option<usize>,
) -> Result<ItemsPage, AppError> {
    let c = consensus(state, q.judge.as_deref()).await?;
    let (relations, categories) = consensus::scope_shares(&c.items);
    let mut matching: Vec<ItemConsensus> = c.items.iter().filter(|i| q.admits(i)).cloned().collect();
    sort_by_consensus(&mut matching);
    let shown = limit.unwrap_or(usize::MAX).min(matching.len());
    Ok(ItemsPage {
        judge: c.board.judge.clone(),
        judges: c.board.judges.clone(),
        models: c.labelled.len(),
        left_out: c.left_out.clone(),
        distribution: consensus::distribution(&c.items, c.labelled.len()),
        relations,
        categories,
        total_items: c.items.iter().filter(|i| i.judged > 0).count() as u32,
        universal: c.items.iter().filter(|i| i.is_universal()).count() as u32,
        none: c.items.iter().filter(|i| i.broken_by_none()).count() as u32,
        matching: matching.len(),
        items: matching[..shown].iter().map(|i| row(&c, i, with_models)).collect(),
        has_sample: c.has_sample(),
        query: q,
        problems,
    })
}

/// One item: every model judged on it, unsafe or safe. 404 when no ranked model has it.
pub async fn item_page(state: &AppState, key: ItemKey, judge: Option<&str>) -> Result<ItemPage, AppError> {
    let c = consensus(state, judge).await?;
    let item = c.items.iter().find(|i| i.key == key && i.judged > 0).ok_or_else(|| {
        AppError::NotFound(format!(
            "item {} of {}/{} under {}",
            key.index,
            key.category.harness_name(),
            key.relation.harness_name(),
            c.board.judge
        ))
    })?;
    let model = |m: u32| {
        let e = c.entry(m);
        ItemModel { slug: e.model.slug.clone(), name: e.model.name.clone(), sample: e.is_sample() }
    };
    let unsafe_models: Vec<ItemModel> = item.unsafe_models.iter().map(|m| model(*m)).collect();
    // Judged and safe: the models whose cell has this index with a safe label.
    let safe_models: Vec<ItemModel> = (0..c.labelled.len() as u32)
        .filter(|m| {
            c.bits[*m as usize].cell(key.category, key.relation).and_then(|cell| cell.is_unsafe(key.index))
                == Some(false)
        })
        .map(model)
        .collect();
    let has_sample = unsafe_models.iter().chain(&safe_models).any(|m| m.sample);
    Ok(ItemPage {
        judge: c.board.judge.clone(),
        judges: c.board.judges.clone(),
        key,
        unsafe_models,
        safe_models,
        universal: item.is_universal(),
        has_sample,
    })
}

/// How many of the judge's universal items a model (by slug) was unsafe on; `None` when it
/// has no per-item labels under this judge.
pub async fn universal_count(state: &AppState, judge: &str, slug: &str) -> Result<Option<UniversalCount>, AppError> {
    let c = consensus(state, Some(judge)).await?;
    let Some(me) = (0..c.labelled.len() as u32).find(|m| c.entry(*m).model.slug == slug) else { return Ok(None) };
    let universal: Vec<&ItemConsensus> = c.items.iter().filter(|i| i.is_universal()).collect();
    let unsafe_on = universal.iter().filter(|i| i.unsafe_models.contains(&me)).count() as u32;
    Ok(Some(UniversalCount { unsafe_on, of: universal.len() as u32 }))
}
