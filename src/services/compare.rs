//! Paired comparisons of 2 to 6 models on the items they share.

use super::leaderboard::leaderboard;
use crate::db;
use crate::domain::compare::compare_pair;
use crate::domain::leaderboard::{Entry, Population};
use crate::domain::model::Granularity;
use crate::domain::page_data::{ComparePage, PairView};
use crate::error::AppError;
use crate::state::AppState;

/// At most this many models side by side (15 pairs).
pub const MAX_MODELS: usize = 6;

/// The distinct slugs of a request, in the order given (a repeated slug counts once: a model
/// is never compared with itself).
pub fn distinct_slugs(slugs: &[String]) -> Vec<&str> {
    let mut wanted: Vec<&str> = Vec::new();
    for s in slugs.iter().map(|s| s.trim()).filter(|s| !s.is_empty()) {
        if !wanted.contains(&s) {
            wanted.push(s);
        }
    }
    wanted
}

/// Checks the 2-to-6 rule on distinct models, for callers that need a full comparison (the
/// JSON API; the page shows its picker instead when fewer are chosen).
pub fn require_pairable(slugs: &[String]) -> Result<(), AppError> {
    let n = distinct_slugs(slugs).len();
    if !(2..=MAX_MODELS).contains(&n) {
        return Err(AppError::BadRequest(format!(
            "models=a,b: name 2 to {MAX_MODELS} different model slugs, separated by commas ({n} given)"
        )));
    }
    Ok(())
}

/// 2 to 6 models side by side, with paired tests for every pair that has per-item labels.
pub async fn compare(state: &AppState, slugs: &[String], judge: Option<&str>) -> Result<ComparePage, AppError> {
    let pool = &state.pool;
    let wanted = distinct_slugs(slugs);
    if wanted.len() > MAX_MODELS {
        return Err(AppError::BadRequest(format!(
            "{} models requested; compare 2 to {MAX_MODELS} at a time",
            wanted.len()
        )));
    }
    let board = leaderboard(state, judge, Population::default()).await?;
    let mut models = Vec::new();
    let mut missing = Vec::new();
    for slug in &wanted {
        match board.entries.iter().find(|e| e.model.slug == *slug) {
            Some(e) => models.push(e.clone()),
            None => missing.push((*slug).to_owned()),
        }
    }
    let ids: Vec<i64> = models.iter().map(|e| e.submission.id).collect();
    let bits = db::label_bits(pool, &ids).await?;
    let mut pairs = Vec::new();
    for i in 0..models.len() {
        for j in i + 1..models.len() {
            let (a, b) = (&models[i], &models[j]);
            let both_items =
                a.submission.granularity == Granularity::Items && b.submission.granularity == Granularity::Items;
            let comparison = match (bits.get(&a.submission.id), bits.get(&b.submission.id)) {
                (Some(x), Some(y)) if both_items => Some(compare_pair(&x.paired_cells(y))),
                _ => None,
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

#[cfg(test)]
mod tests {
    use super::*;

    fn owned(s: &[&str]) -> Vec<String> {
        s.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn a_model_repeated_counts_once() {
        assert_eq!(distinct_slugs(&owned(&["a", " a", "b", "", "a"])), ["a", "b"]);
        assert!(require_pairable(&owned(&["a", "a"])).is_err(), "a model is never compared with itself");
        assert!(require_pairable(&owned(&["a", "b", "a"])).is_ok());
        assert!(require_pairable(&owned(&["a", "b", "c", "d", "e", "f", "g"])).is_err());
    }
}
