//! The upload use case, shared by the web form (which stores a draft to preview) and the
//! pipeline API (which stores it pending): validate the fields and the file completely,
//! report every problem at once, and store nothing unless everything is valid.

use super::submissions::{Provenance, Submitted, already_submitted, store};
use crate::db;
use crate::domain::model::{
    Access, JudgeName, ModelMeta, ModelName, Source, Status, parse_flag, parse_link, parse_note, parse_organization,
    parse_parameters,
};
use crate::domain::submission::{Problem, Rejection, UploadFields};
use crate::error::AppError;
use crate::ingest::{self, Ingested, TableModel};
use crate::state::AppState;

/// An uploaded file, streamed to a temporary file by the HTTP layer (never held in memory
/// whole). The file is removed when this is dropped.
pub struct Spooled {
    pub file: tempfile::NamedTempFile,
    pub size: u64,
    /// The upload was a folder's files, collected into a tar spool ([`ingest::archive::FolderTar`]).
    pub folder: bool,
}

/// A folder upload being collected, part by part, into a tar spool that the archive reader
/// then reads like any uploaded archive ([`ingest::archive::FolderTar`]).
pub struct FolderSpool {
    tar: ingest::archive::FolderTar,
    limits: ingest::archive::Limits,
}

impl FolderSpool {
    pub fn new(spool: std::fs::File, limits: ingest::archive::Limits) -> Self {
        Self { tar: ingest::archive::FolderTar::new(spool, limits), limits }
    }

    /// The part's file name checked as an archive entry name: its normalised path.
    pub fn check(&self, name: &str) -> Result<String, AppError> {
        self.tar.check(name).map_err(|e| AppError::Rejected(Rejection::single(ingest::archive_problem(&e))))
    }

    pub fn max_file_bytes(&self) -> u64 {
        self.limits.max_entry_bytes
    }

    /// The refusal of a part larger than one file may be, worded as for an archive entry.
    pub fn file_too_large(&self, name: &str) -> AppError {
        let e = ingest::archive::ArchiveError::EntryTooLarge {
            entry: name.to_owned(),
            limit: self.limits.max_entry_bytes,
            read: self.limits.max_entry_bytes + 1,
        };
        AppError::Rejected(Rejection::single(ingest::archive_problem(&e)))
    }

    /// Appends a spooled part (blocking I/O: call it on the blocking pool). The part's own
    /// temporary file is removed once it is in the spool.
    pub fn append(&mut self, path: &str, part: tempfile::NamedTempFile, size: u64) -> Result<(), AppError> {
        let mut content = part.reopen().map_err(|e| AppError::internal("reopening a folder part", &e))?;
        self.tar.append(path, &mut content, size).map_err(|e| AppError::internal("writing the folder spool", &e))
    }

    pub fn files(&self) -> u64 {
        self.tar.files()
    }

    /// Ends the spool (blocking I/O).
    pub fn finish(self) -> Result<(), AppError> {
        let file = self.tar.finish().map_err(|e| AppError::internal("writing the folder spool", &e))?;
        file.sync_all().map_err(|e| AppError::internal("writing the folder spool", &e))
    }
}

/// What a successful upload produced.
#[derive(Debug, Clone)]
pub struct Accepted {
    pub id: i64,
    pub status: Status,
    pub draft_key: Option<String>,
}

struct ParsedFields {
    model: ModelName,
    judge: JudgeName,
    meta: ModelMeta,
    note: Option<String>,
}

/// Every field is checked; all problems are reported together.
fn parse_fields(f: &UploadFields) -> Result<ParsedFields, Vec<Problem>> {
    let mut problems = Vec::new();
    let mut take = |r: Result<(), crate::domain::model::FieldError>| {
        if let Err(e) = r {
            problems.push(Problem::new(
                format!("field `{}`", e.field),
                e.message,
                "correct the field and upload again",
            ));
        }
    };
    let mut model = None;
    take(ModelName::parse(&f.model).map(|m| model = Some(m)));
    let mut judge = Some(JudgeName::default_judge());
    if !f.judge.trim().is_empty() {
        take(JudgeName::parse(&f.judge).map(|j| judge = Some(j)));
    }
    let mut meta = ModelMeta::default();
    take(parse_organization(&f.organization).map(|v| meta.organization = v));
    if !f.access.trim().is_empty() {
        take(Access::parse(&f.access).map(|a| meta.access = Some(a)));
    }
    take(parse_flag("reasoning", &f.reasoning).map(|v| meta.reasoning = v));
    take(parse_parameters(&f.parameters).map(|v| meta.parameters_b = v));
    take(parse_link(&f.link).map(|v| meta.link = v));
    let mut note = None;
    take(parse_note(&f.note).map(|v| note = v));
    match (model, judge) {
        (Some(model), Some(judge)) if problems.is_empty() => Ok(ParsedFields { model, judge, meta, note }),
        _ => Err(problems),
    }
}

/// Validates an upload completely and stores it with `status` (`draft` for the web form's
/// preview step, `pending` for the API). Nothing is stored unless everything is valid.
pub async fn accept_upload(
    state: &AppState,
    fields: &UploadFields,
    file: Option<Spooled>,
    status: Status,
    actor: &str,
) -> Result<Accepted, AppError> {
    let parsed_fields = parse_fields(fields);
    let mut problems = parsed_fields.as_ref().err().cloned().unwrap_or_default();
    let Some(file) = file else {
        problems.push(Problem::new(
            "field `file`",
            "no file was uploaded",
            "attach results/harmbench/<model>/ as .zip or .tar.gz (or pick the folder itself), or the aggregate CSV",
        ));
        return Err(AppError::Rejected(Rejection::from_problems(problems)));
    };
    let limits = state.settings.archive_limits;
    let std_file = file.file.reopen().map_err(|e| AppError::internal("reopening the upload", &e))?;
    let folder = file.folder;
    let wait = state.settings.edge.ingest_wait;
    let permit = tokio::time::timeout(wait, state.ingests.clone().acquire_owned())
        .await
        .map_err(|_| {
            AppError::Busy(
                "the server is validating as many uploads as it can; send yours again in a few seconds".into(),
            )
        })?
        .map_err(|e| AppError::internal("the upload queue is closed", &e))?;
    // Parse even when the fields are wrong, so one round trip reports every problem. If the
    // client goes away, axum drops this future: the guard then stops the parse on the blocking
    // pool at its next read, instead of letting it run to the end for nobody.
    let cancel = ingest::Cancel::new();
    let _stop_when_dropped = CancelOnDrop(cancel.clone());
    let ingested = tokio::task::spawn_blocking(move || {
        let result = ingest::read_file(std_file, &limits, &cancel);
        drop(file);
        drop(permit);
        result
    })
    .await
    .map_err(|e| AppError::internal("the validation task failed", &e))?;
    // The ingest's own count of problems it did not list is kept.
    let mut unlisted = 0;
    let ingested = match ingested {
        Ok(i) => Some(i),
        Err(r) => {
            problems.extend(r.problems);
            unlisted = r.more;
            None
        }
    };
    let (parsed, ingested) = match (parsed_fields, ingested) {
        (Ok(p), Some(i)) if problems.is_empty() => (p, i),
        _ => {
            let mut rejection = Rejection::from_problems(problems);
            rejection.more += unlisted;
            return Err(AppError::Rejected(rejection));
        }
    };
    let pool = &state.pool;
    let who = |meta, judge, note| Submitted {
        model: &parsed.model,
        meta,
        capability: None,
        judge,
        source: Source::SelfReported,
        note,
        status,
        actor,
    };
    let (id, sha) = match ingested {
        Ingested::Tree { mut tree, kind, sha256 } => {
            let kind = if folder { ingest::archive::SourceKind::Directory } else { kind };
            refuse_live_duplicate(pool, sha256.as_deref()).await?;
            if let Some(sha) = &sha256
                && let Some((old, reason)) = db::find_rejected_archive(pool, sha).await?
            {
                tree.result.summary.warnings.push(Problem::new(
                    "",
                    format!(
                        "an identical archive was rejected before as submission #{old}{}",
                        reason.map(|r| format!(": {r}")).unwrap_or_default()
                    ),
                    "make sure the reason for that rejection no longer applies",
                ));
            }
            let submitted = who(&parsed.meta, &parsed.judge, parsed.note.as_deref());
            let id = store(pool, &submitted, &tree.result, Provenance::tree(&tree, kind, sha256.as_deref())).await?;
            (id, sha256)
        }
        Ingested::Table { models, sha256 } => {
            let m = single_table_model(models, &parsed)?;
            refuse_live_duplicate(pool, sha256.as_deref()).await?;
            // The form's facts win; the CSV's fill the gaps.
            let meta = parsed.meta.over(&m.meta);
            let judge = if fields.judge.trim().is_empty() { m.judge.clone() } else { parsed.judge.clone() };
            let submitted = who(&meta, &judge, parsed.note.as_deref());
            let id = store(pool, &submitted, &m.result, Provenance::csv(sha256.as_deref())).await?;
            (id, sha256)
        }
    };
    tracing::info!(id, status = status.as_str(), sha256 = sha.as_deref().unwrap_or(""), actor, "upload stored");
    let draft_key = if status == Status::Draft { db::draft_key(pool, id).await? } else { None };
    Ok(Accepted { id, status, draft_key })
}

/// Cancels an ingest when dropped: when the request's future is dropped (client gone) or done.
/// After a finished ingest, cancelling changes nothing.
struct CancelOnDrop(ingest::Cancel);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        self.0.cancel();
    }
}

/// A file already pending or approved is refused before anything is stored (the store's
/// unique index would refuse it too, but only after a draft's preview).
async fn refuse_live_duplicate(pool: &db::Pool, sha256: Option<&str>) -> Result<(), AppError> {
    match sha256 {
        Some(sha) => match db::find_live_archive(pool, sha).await? {
            Some(existing) => Err(already_submitted(existing)),
            None => Ok(()),
        },
        None => Ok(()),
    }
}

fn single_table_model(models: Vec<TableModel>, parsed: &ParsedFields) -> Result<TableModel, AppError> {
    let names: Vec<String> = models.iter().map(|m| format!("{} ({})", m.name, m.judge)).collect();
    let mut models = models;
    if models.len() != 1 {
        return Err(AppError::Rejected(Rejection::single(Problem::new(
            "CSV",
            format!(
                "the CSV holds {} results ({}); an upload carries one model under one judge",
                names.len(),
                names.join(", ")
            ),
            "split the CSV, one model per upload",
        ))));
    }
    let m = models.remove(0);
    if !m.name.as_str().eq_ignore_ascii_case(parsed.model.as_str()) {
        return Err(AppError::Rejected(Rejection::single(Problem::new(
            "CSV",
            format!("the CSV is about `{}` but the form names `{}`", m.name, parsed.model),
            "use the same model name in both",
        ))));
    }
    Ok(m)
}
