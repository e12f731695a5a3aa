//! Submissions: the one way a validated result is stored (uploads, maintainer imports and the
//! sample data all go through [`store`]), and everything public about a stored one.

use crate::db::{self, Pool, StoreError};
use crate::domain::leaderboard::{self, EntryInput, SubmissionInfo};
use crate::domain::model::{Capability, JudgeName, ModelMeta, ModelName, Source, Status};
use crate::domain::submission::{ParsedResult, SubmissionLine, SubmissionView};
use crate::error::AppError;
use crate::ingest::archive::SourceKind;
use crate::ingest::{HarnessTree, TableModel};

/// Who submits what about which model: everything about a submission but its result.
#[derive(Debug, Clone, Copy)]
pub struct Submitted<'a> {
    pub model: &'a ModelName,
    pub meta: &'a ModelMeta,
    /// Only maintainers' imports set this: it overwrites the model's capability score.
    pub capability: Option<&'a Capability>,
    pub judge: &'a JudgeName,
    pub source: Source,
    pub note: Option<&'a str>,
    /// `draft` (web preview), `pending` (API), `approved` (maintainer imports, sample data).
    pub status: Status,
    /// Who stored it: `cli`, `web`, `api`, `demo`.
    pub actor: &'a str,
}

/// Where a result came from.
#[derive(Debug, Clone, Copy, Default)]
pub struct Provenance<'a> {
    pub sha256: Option<&'a str>,
    pub kind: Option<&'a str>,
    pub folder_name: Option<&'a str>,
}

impl<'a> Provenance<'a> {
    pub fn tree(tree: &'a HarnessTree, kind: SourceKind, sha256: Option<&'a str>) -> Self {
        Self { sha256, kind: Some(kind_name(kind)), folder_name: tree.folder_name.as_deref() }
    }

    pub fn csv(sha256: Option<&'a str>) -> Self {
        Self { sha256, kind: Some("csv"), folder_name: None }
    }
}

/// The name an upload's format is recorded under.
pub fn kind_name(kind: SourceKind) -> &'static str {
    match kind {
        SourceKind::Directory => "directory",
        SourceKind::Zip => "zip",
        SourceKind::TarGz => "tar.gz",
        SourceKind::Tar => "tar",
    }
}

/// The conflict of an archive that is already live as another submission.
pub fn already_submitted(id: i64) -> AppError {
    AppError::Conflict(format!("this archive was already submitted as submission #{id} (see /submissions/{id})"))
}

/// Stores a validated result in one transaction: everything lands or nothing does. Maintainer
/// imports (approved at once) apply the model facts now; uploads only propose them.
pub async fn store(
    pool: &Pool,
    who: &Submitted<'_>,
    result: &ParsedResult,
    from: Provenance<'_>,
) -> Result<i64, AppError> {
    db::insert_submission(
        pool,
        &db::NewSubmission {
            model: who.model,
            meta: who.meta,
            capability: who.capability,
            judge: who.judge,
            source: who.source,
            status: who.status,
            note: who.note,
            archive_sha256: from.sha256,
            archive_kind: from.kind,
            folder_name: from.folder_name,
            result,
            actor: who.actor,
        },
    )
    .await
    .map_err(|e| match e {
        StoreError::DuplicateArchive(id) => already_submitted(id),
        StoreError::Db(e) => e.into(),
    })
}

/// Stores a maintainer's table import: every model was validated before any is stored, and
/// each lands approved.
pub async fn store_table(
    pool: &Pool,
    models: &[TableModel],
    source: Source,
    actor: &str,
) -> Result<Vec<i64>, AppError> {
    let mut ids = Vec::new();
    for m in models {
        let note = m.reference.as_ref().map(|r| format!("Transcribed from {r}"));
        let who = Submitted {
            model: &m.name,
            meta: &m.meta,
            capability: m.capability.as_ref(),
            judge: &m.judge,
            source,
            note: note.as_deref(),
            status: Status::Approved,
            actor,
        };
        ids.push(store(pool, &who, &m.result, Provenance::csv(None)).await?);
    }
    Ok(ids)
}

/// Whether anything at all has been stored (the sample data fills only an empty store).
pub async fn store_is_empty(pool: &Pool) -> Result<bool, AppError> {
    Ok(db::store_is_empty(pool).await?)
}

/// The public queue: every submission sent for review, newest first, optionally of one status.
pub async fn queue(
    pool: &Pool,
    status: Option<&str>,
    limit: i64,
    offset: i64,
) -> Result<Vec<SubmissionLine>, AppError> {
    // Taken as spelled (the API documents exactly these values); empty means every status.
    let status = match status.filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => Some(
            Status::parse(s)
                .filter(|s| *s != Status::Draft)
                .ok_or_else(|| AppError::BadRequest(format!("status=`{s}`: use pending, approved or rejected")))?,
        ),
    };
    Ok(db::list_submissions(pool, status, limit, offset).await?)
}

/// Everything public about a submission, with the row it has or would have on its judge's
/// leaderboard. Drafts are only visible with their key.
pub async fn submission_view(pool: &Pool, id: i64, draft_key: Option<&str>) -> Result<SubmissionView, AppError> {
    let not_found = || AppError::NotFound(format!("submission #{id}"));
    let s = db::submission(pool, id).await?.ok_or_else(not_found)?;
    if s.line.status == Status::Draft {
        check_draft_key(pool, id, draft_key).await?;
    }
    let judge = s.line.judge.clone();
    let mut inputs: Vec<EntryInput> = db::leaderboard_inputs(pool, &judge, None)
        .await?
        .into_iter()
        .filter(|i| i.model.slug != s.line.model_slug)
        .collect();
    let mut model = s.model.clone();
    // Show the row with the facts this submission proposes, as approval would apply them.
    if s.line.status != Status::Approved {
        model.apply(&s.proposed);
    }
    inputs.push(EntryInput {
        model,
        submission: SubmissionInfo {
            id,
            judge: judge.clone(),
            source: s.line.source,
            granularity: s.line.granularity,
            submitted_at: s.line.submitted_at,
            date: s.line.submitted_date.clone(),
        },
        breakdown: s.summary.breakdown.clone(),
    });
    let row = leaderboard::rank(inputs).into_iter().find(|e| e.submission.id == id);
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

/// A draft is visible, and can be sent, only with its key. A wrong key looks exactly like a
/// missing draft, and the comparison takes the same time wherever the keys differ.
pub async fn check_draft_key(pool: &Pool, id: i64, key: Option<&str>) -> Result<(), AppError> {
    let stored = db::draft_key(pool, id).await?;
    match (stored, key) {
        (Some(stored), Some(given)) if super::auth::secrets_match(&stored, given) => Ok(()),
        _ => Err(AppError::NotFound(format!("submission #{id}"))),
    }
}
