//! The leaderboard's history: the decision log (/changes and the Atom feed) and one model's
//! results over time.

use crate::db::{self, Pool};
use crate::domain::history::{Change, ChangeKind, ChangesPage};
use crate::domain::model::Source;
use crate::error::AppError;

/// Decisions per page of /changes.
pub const PER_PAGE: u32 = 50;

/// Entries in the feed: enough for a reader that polls daily, few enough to stay small.
pub const FEED_ENTRIES: i64 = 50;

/// One page (1-based) of every decision, newest first. A page past the end is a 404, so a
/// stale link says so instead of showing an empty list.
pub async fn changes_page(pool: &Pool, page: u32) -> Result<ChangesPage, AppError> {
    let total = db::count_changes(pool, None).await?;
    let pages = (total as u32).div_ceil(PER_PAGE).max(1);
    if page == 0 || page > pages {
        return Err(AppError::NotFound(format!("page {page} of the changes does not exist; there are {pages}")));
    }
    let changes = db::changes(pool, None, i64::from(PER_PAGE), i64::from((page - 1) * PER_PAGE)).await?;
    let has_sample = changes.iter().any(|c| c.source == Source::Sample);
    Ok(ChangesPage { changes, page, pages, has_sample })
}

/// The newest results that joined or left the ranking, for the feed.
pub async fn feed(pool: &Pool) -> Result<Vec<Change>, AppError> {
    // Rejections of never-ranked uploads are left out, so read a margin and cut.
    let mut changes = db::changes(pool, None, FEED_ENTRIES * 4, 0).await?;
    changes.retain(|c| c.kind.in_feed());
    changes.truncate(FEED_ENTRIES as usize);
    Ok(changes)
}

/// A model's approved results and withdrawals, oldest first (for its history chart and list).
pub async fn model_history(pool: &Pool, model_id: i64) -> Result<Vec<Change>, AppError> {
    let mut changes = db::changes(pool, Some(model_id), 1_000, 0).await?;
    changes.retain(|c| c.kind != ChangeKind::Rejected);
    changes.reverse();
    Ok(changes)
}
