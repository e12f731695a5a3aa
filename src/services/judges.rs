//! Judge agreement: for every pair of judges that labelled the same models' answers, how often
//! they agree and whether one calls more answers unsafe. Each judge's models are the ones its
//! leaderboard ranks (their latest approved result under that judge); a model takes part in a
//! pair when it has per-item labels under both.

use super::leaderboard::leaderboard;
use crate::db;
use crate::domain::agreement::{Agreement, Joint};
use crate::domain::leaderboard::{Entry, Population};
use crate::domain::model::Granularity;
use crate::domain::page_data::{JudgePair, JudgesPage, LeaderboardData, ModelAgreement};
use crate::error::AppError;
use crate::state::AppState;
use std::sync::Arc;

/// Every pair of judges sharing at least one model with per-item labels under both, judges in
/// alphabetical order within a pair and pairs in that order; models by name within a pair.
pub async fn judges_page(state: &AppState) -> Result<JudgesPage, AppError> {
    let mut judges = db::judges(&state.pool, None).await?;
    // Alphabetical as Rust orders strings, whatever the database's collation.
    judges.sort();
    let mut boards: Vec<Arc<LeaderboardData>> = Vec::with_capacity(judges.len());
    for j in &judges {
        boards.push(leaderboard(state, Some(j), Population::default()).await?);
    }
    let items = |b: &Arc<LeaderboardData>| -> Vec<Entry> {
        b.entries.iter().filter(|e| e.submission.granularity == Granularity::Items).cloned().collect()
    };
    let per_judge: Vec<Vec<Entry>> = boards.iter().map(items).collect();
    let ids: Vec<i64> = per_judge.iter().flatten().map(|e| e.submission.id).collect();
    let bits = db::label_bits(&state.pool, &ids).await?;
    let mut pairs = Vec::new();
    for a in 0..judges.len() {
        for b in a + 1..judges.len() {
            let mut models = Vec::new();
            for ea in &per_judge[a] {
                let Some(eb) = per_judge[b].iter().find(|e| e.model.slug == ea.model.slug) else { continue };
                let (Some(x), Some(y)) = (bits.get(&ea.submission.id), bits.get(&eb.submission.id)) else { continue };
                let table = x.joint(y);
                if table.n() == 0 {
                    continue;
                }
                models.push(ModelAgreement {
                    slug: ea.model.slug.clone(),
                    name: ea.model.name.clone(),
                    sample: ea.is_sample() || eb.is_sample(),
                    agreement: Agreement::of(table),
                });
            }
            if models.is_empty() {
                continue;
            }
            models.sort_by(|x, y| x.name.cmp(&y.name));
            let pooled = models.iter().fold(Joint::default(), |t, m| t.plus(m.agreement.table));
            pairs.push(JudgePair {
                judge_a: judges[a].clone(),
                judge_b: judges[b].clone(),
                pooled: Agreement::of(pooled),
                models,
            });
        }
    }
    let has_sample = pairs.iter().flat_map(|p| &p.models).any(|m| m.sample);
    Ok(JudgesPage { judges, pairs, has_sample })
}
