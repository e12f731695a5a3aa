//! Reading a multipart upload: the text fields and the `file` part, the file streamed to a
//! temporary file with the size limit enforced while streaming.

use crate::domain::submission::UploadFields;
use crate::domain::units::format_bytes;
use crate::error::AppError;
use crate::services::upload::Spooled;
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

/// Reads the whole form, spooling the file into `dir`. The file is never held in memory
/// whole, and exactly one `file` part is accepted: with two, which one counts would be a
/// guess.
pub async fn read_multipart(
    mut multipart: Multipart,
    max_bytes: u64,
    dir: &Path,
) -> Result<(UploadFields, Option<Spooled>), AppError> {
    let mut fields = UploadFields::default();
    let mut spooled = None;
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
        if name == "file" {
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
            let mut size = 0u64;
            while let Some(chunk) = field.chunk().await.map_err(broken)? {
                size += chunk.len() as u64;
                if size > max_bytes {
                    return Err(too_large());
                }
                out.write_all(&chunk).await.map_err(|e| AppError::internal("writing the upload", &e))?;
            }
            out.flush().await.map_err(|e| AppError::internal("writing the upload", &e))?;
            if size > 0 {
                spooled = Some(Spooled { file: tmp, size });
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
