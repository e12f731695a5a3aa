//! Reading a multipart upload: the text fields and the `file` part, the file streamed to a
//! temporary file with the size limit enforced while streaming.

use crate::domain::submission::UploadFields;
use crate::domain::units::format_bytes;
use crate::error::AppError;
use crate::services::upload::Spooled;
use axum::extract::Multipart;
use axum::http::StatusCode;
use tokio::io::AsyncWriteExt;

/// Text fields are small; anything larger is not a form we sent.
const MAX_FIELD_BYTES: usize = 16 * 1024;

/// Reads the whole form. The file is never held in memory whole.
pub async fn read_multipart(
    mut multipart: Multipart,
    max_bytes: u64,
) -> Result<(UploadFields, Option<Spooled>), AppError> {
    let mut fields = UploadFields::default();
    let mut spooled = None;
    let too_large = || AppError::TooLarge(format_bytes(max_bytes));
    let broken = |e: axum::extract::multipart::MultipartError| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            AppError::TooLarge(format_bytes(max_bytes))
        } else {
            AppError::BadRequest(format!("the upload could not be read as multipart/form-data: {}", e.body_text()))
        }
    };
    while let Some(mut field) = multipart.next_field().await.map_err(broken)? {
        let name = field.name().unwrap_or("").to_owned();
        if name == "file" {
            let tmp = tempfile::NamedTempFile::new().map_err(|e| AppError::internal("creating a temp file", &e))?;
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
