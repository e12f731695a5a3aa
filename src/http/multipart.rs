//! Reading a multipart upload: the text fields and the `file` part, the file streamed to a
//! temporary file with the size limit enforced while streaming.

use crate::domain::submission::{Problem, Rejection, UploadFields};
use crate::domain::units::format_bytes;
use crate::error::AppError;
use crate::services::upload::{FolderSpool, Spooled};
use crate::state::AppState;
use axum::extract::Multipart;
use axum::http::StatusCode;
use std::path::Path;
use std::time::{Duration, SystemTime};
use tokio::io::AsyncWriteExt;

/// Spool files are named so the sweep can tell them from anything else in the folder.
const SPOOL_PREFIX: &str = "upload-";

fn spool_file(dir: &Path) -> Result<tempfile::NamedTempFile, AppError> {
    std::fs::create_dir_all(dir).map_err(|e| AppError::internal("creating the upload folder", &e))?;
    tempfile::Builder::new()
        .prefix(SPOOL_PREFIX)
        .tempfile_in(dir)
        .map_err(|e| AppError::internal("creating a temp file", &e))
}

/// Removes spool files older than `max_age`: what a killed process left behind (a live upload
/// removes its own file when it ends, and none lives longer than the upload timeout). Returns
/// how many were removed. Every app server sweeps at start; a file of another server on the
/// same host is younger than `max_age` and is left alone.
pub fn sweep_stale_spool(dir: &Path, max_age: Duration) -> std::io::Result<usize> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(e),
    };
    let now = SystemTime::now();
    let mut removed = 0;
    for entry in entries {
        let entry = entry?;
        let is_spool = entry.file_name().to_str().is_some_and(|n| n.starts_with(SPOOL_PREFIX));
        let meta = entry.metadata()?;
        let old = meta.modified().ok().and_then(|m| now.duration_since(m).ok()).is_some_and(|age| age > max_age);
        if is_spool && meta.is_file() && old {
            std::fs::remove_file(entry.path())?;
            removed += 1;
        }
    }
    Ok(removed)
}

/// Text fields are small; anything larger is not a form we sent.
const MAX_FIELD_BYTES: usize = 16 * 1024;

/// Streams one part into `out`, at most `cap` bytes (else `over()`); returns its size.
async fn spool_part(
    field: &mut axum::extract::multipart::Field<'_>,
    out: &mut tokio::fs::File,
    cap: u64,
    over: impl Fn() -> AppError,
    broken: impl Fn(axum::extract::multipart::MultipartError) -> AppError,
) -> Result<u64, AppError> {
    let mut size = 0u64;
    while let Some(chunk) = field.chunk().await.map_err(&broken)? {
        size += chunk.len() as u64;
        if size > cap {
            return Err(over());
        }
        out.write_all(&chunk).await.map_err(|e| AppError::internal("writing the upload", &e))?;
    }
    out.flush().await.map_err(|e| AppError::internal("writing the upload", &e))?;
    Ok(size)
}

/// A folder's files as they arrive: each part spooled alone, then appended to the tar spool.
struct FolderUpload {
    spool: tempfile::NamedTempFile,
    tar: Option<FolderSpool>,
    size: u64,
}

/// An upload with both an archive and a folder: which one counts would be a guess. A problem
/// of the upload's content (422, with the other problems' shape), not of its encoding.
fn both_kinds() -> AppError {
    AppError::Rejected(Rejection::single(Problem::new(
        "fields `file` and `files`",
        "the upload has both an archive (`file`) and a folder's files (`files`)",
        "send either one archive as `file` or the folder's files as `files`",
    )))
}

/// Reads the whole form, spooling the file into `dir`. The file is never held in memory
/// whole, and exactly one `file` part is accepted: with two, which one counts would be a
/// guess. A folder arrives instead as repeated `files` parts (file names carrying the relative
/// paths), collected into a tar spool that the archive reader then reads like any archive, with
/// the same names, limits and errors.
pub async fn read_multipart(
    mut multipart: Multipart,
    state: &AppState,
) -> Result<(UploadFields, Option<Spooled>), AppError> {
    let (max_bytes, dir) = (state.settings.max_upload_bytes, state.settings.upload_dir.as_path());
    let mut fields = UploadFields::default();
    let mut spooled = None;
    let mut folder: Option<FolderUpload> = None;
    let mut files = 0;
    let too_large = || AppError::TooLarge(format_bytes(max_bytes));
    let broken = |e: axum::extract::multipart::MultipartError| {
        if super::edge::min_rate::is_too_slow(&e) {
            AppError::TimedOut(
                "the upload arrived too slowly and was stopped; check the connection and send it again".into(),
            )
        } else if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            AppError::TooLarge(format_bytes(max_bytes))
        } else {
            AppError::BadRequest(format!("the upload could not be read as multipart/form-data: {}", e.body_text()))
        }
    };
    while let Some(mut field) = multipart.next_field().await.map_err(broken)? {
        let name = field.name().unwrap_or("").to_owned();
        if name == "files" {
            // An empty folder input still sends one nameless, empty part (a form posted without
            // JavaScript always does): that is no folder.
            if field.file_name().unwrap_or("").is_empty() {
                while field.chunk().await.map_err(broken)?.is_some() {}
                continue;
            }
            if files > 0 {
                return Err(both_kinds());
            }
            if folder.is_none() {
                let spool = spool_file(dir)?;
                let std_file = spool.reopen().map_err(|e| AppError::internal("opening a temp file", &e))?;
                folder = Some(FolderUpload {
                    spool,
                    tar: Some(FolderSpool::new(std_file, state.settings.archive_limits)),
                    size: 0,
                });
            }
            let Some(f) = folder.as_mut() else { continue };
            let Some(tar) = f.tar.take() else { continue };
            let raw_name = field.file_name().unwrap_or("").to_owned();
            let path = tar.check(&raw_name)?;
            let part = spool_file(dir)?;
            let mut out =
                tokio::fs::File::from_std(part.reopen().map_err(|e| AppError::internal("opening a temp file", &e))?);
            // The tighter of the per-file limit and what is left of the upload's.
            let left = max_bytes.saturating_sub(f.size);
            let per_file = tar.max_file_bytes();
            let over = || if per_file < left { tar.file_too_large(&raw_name) } else { too_large() };
            let size = spool_part(&mut field, &mut out, per_file.min(left), over, broken).await?;
            f.size += size;
            let appended = tokio::task::spawn_blocking(move || {
                let mut tar = tar;
                tar.append(&path, part, size).map(|()| tar)
            })
            .await
            .map_err(|e| AppError::internal("the folder spool task failed", &e))??;
            f.tar = Some(appended);
            continue;
        }
        if name == "file" {
            if folder.is_some() {
                return Err(both_kinds());
            }
            files += 1;
            if files > 1 {
                return Err(AppError::BadRequest(
                    "the upload has two `file` parts; send exactly one file (a .zip or .tar.gz of the results folder)"
                        .into(),
                ));
            }
            let tmp = spool_file(dir)?;
            let std_file = tmp.reopen().map_err(|e| AppError::internal("opening a temp file", &e))?;
            let mut out = tokio::fs::File::from_std(std_file);
            let size = spool_part(&mut field, &mut out, max_bytes, too_large, broken).await?;
            if size > 0 {
                spooled = Some(Spooled { file: tmp, size, folder: false });
            }
            continue;
        }
        let mut value = Vec::new();
        while let Some(chunk) = field.chunk().await.map_err(broken)? {
            value.extend_from_slice(&chunk);
            if value.len() > MAX_FIELD_BYTES {
                return Err(AppError::BadRequest(format!(
                    "field `{name}` is longer than {}",
                    format_bytes(MAX_FIELD_BYTES as u64)
                )));
            }
        }
        let value =
            String::from_utf8(value).map_err(|_| AppError::BadRequest(format!("field `{name}` is not UTF-8 text")))?;
        match name.as_str() {
            "model" => fields.model = value,
            "judge" => fields.judge = value,
            "organization" => fields.organization = value,
            "access" => fields.access = value,
            "reasoning" => fields.reasoning = value,
            "parameters" => fields.parameters = value,
            "link" => fields.link = value,
            "note" => fields.note = value,
            // Unknown fields are ignored so that future clients can send more.
            _ => {}
        }
    }
    if let Some(FolderUpload { spool, tar: Some(tar), size }) = folder
        && tar.files() > 0
    {
        tokio::task::spawn_blocking(move || tar.finish())
            .await
            .map_err(|e| AppError::internal("the folder spool task failed", &e))??;
        spooled = Some(Spooled { file: spool, size, folder: true });
    }
    Ok((fields, spooled))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sweep_removes_only_old_spool_files() {
        let dir = tempfile::tempdir().unwrap();
        let old = dir.path().join("upload-old");
        let fresh = dir.path().join("upload-fresh");
        let other = dir.path().join("notes.txt");
        for p in [&old, &fresh, &other] {
            std::fs::write(p, b"x").unwrap();
        }
        let hour_ago = SystemTime::now() - Duration::from_secs(3600);
        for p in [&old, &other] {
            std::fs::File::options().write(true).open(p).unwrap().set_modified(hour_ago).unwrap();
        }
        assert_eq!(sweep_stale_spool(dir.path(), Duration::from_secs(600)).unwrap(), 1);
        assert!(!old.exists() && fresh.exists() && other.exists());
        assert_eq!(sweep_stale_spool(&dir.path().join("missing"), Duration::from_secs(1)).unwrap(), 0);
    }
}
