//! A model's page: its row on its judge's leaderboard, its cells, and its history.

use super::leaderboard::leaderboard;
use crate::db;
use crate::domain::leaderboard::Population;
use crate::domain::page_data::{BadgeValue, ModelPage};
use crate::domain::taxonomy::DEFAULT_JUDGE;
use crate::error::AppError;
use crate::state::AppState;

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
    let universal = match &entry {
        Some(_) => super::items::universal_count(state, &judge, slug).await?,
        None => None,
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
        timeline: super::history::model_history(pool, model_id).await?,
        public_url: state.settings.public_url.clone(),
        universal,
    })
}

/// What a model's README badge says: its ASR, rank and the population of the default view
/// of the judge (the benchmark's own unless given), or that it is not ranked there.
pub async fn badge(state: &AppState, slug: &str, judge: Option<&str>) -> Result<(BadgeValue, String, bool), AppError> {
    let pool = &state.pool;
    let (_, model) =
        db::model_by_slug(pool, slug).await?.ok_or_else(|| AppError::NotFound(format!("model `{slug}`")))?;
    let board = leaderboard(state, judge, Population::default()).await?;
    let entry = board.entries.iter().find(|e| e.model.slug == model.slug);
    let value = match entry {
        Some(e) => BadgeValue::Ranked { asr: e.overall.asr, rank: e.rank, of: board.entries.len() as u32 },
        None => BadgeValue::NotRanked,
    };
    Ok((value, board.judge.clone(), entry.is_some_and(|e| e.is_sample())))
}
