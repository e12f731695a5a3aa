//! The wording of what a parse found: the stored-ASR check and the kinds of JSON error.

use crate::domain::submission::Problem;

/// statics.py ignores the stored ASR and so do we; a mismatch only hints at an edited file.
pub(super) fn stored_asr_warning(
    location: &str,
    stored: Option<f64>,
    unsafe_count: usize,
    n: usize,
) -> Option<Problem> {
    let stored = stored?;
    if n == 0 {
        return None;
    }
    let computed = unsafe_count as f64 / n as f64 * 100.0;
    ((stored - computed).abs() > 0.01).then(|| {
        Problem::new(
            location,
            format!("the stored `ASR` ({stored:.2}) differs from the labels ({computed:.2}); the labels count"),
            "nothing to do, unless the file was edited by hand",
        )
    })
}

/// serde_json's error category without its position (added separately) and without any
/// excerpt of the input.
pub(super) fn e_kind(e: &serde_json::Error) -> &'static str {
    use serde_json::error::Category;
    match e.classify() {
        Category::Io => "read error",
        Category::Syntax => "syntax error",
        Category::Data => "unexpected data",
        Category::Eof => "file ends too early",
    }
}
