//! One judge file: `{"ASR": .., "judge_result": [{question, answer, label}, ..]}`, reduced to
//! per-item labels and refusal flags. The answer text is read only to classify refusals and is
//! dropped with the parsed JSON.

use crate::domain::refusal::RuleSet;
use crate::domain::submission::Problem;
use serde_json::{Map, Value};

/// One judge file, reduced to labels.
#[derive(Debug)]
pub(super) struct FileLabels {
    /// Per item: unsafe?
    pub(super) unsafe_flags: Vec<bool>,
    /// Per item: explicit refusal? (`None` for unsafe items.) `None` overall when the file
    /// carried no answer text to classify.
    pub(super) refusals: Option<Vec<Option<bool>>>,
    /// Oddities that do not invalidate the file.
    pub(super) warnings: Vec<Problem>,
}

/// What a visited file turned out to be.
#[derive(Debug)]
pub(super) enum Parsed {
    Labels(FileLabels),
    /// Not parsed as judge output; the reason is reported only if the file turns out to sit
    /// where judge output belongs.
    Unreadable(Vec<Problem>),
    /// Skipped without reading: inference outputs (results/infer/).
    Skipped,
}

/// Parses one judge file. Problems name the file and item, never the text.
pub(super) fn parse_judge_file(location: &str, bytes: &[u8], rules: &RuleSet) -> Parsed {
    let (obj, list) = match judge_object(location, bytes) {
        Ok(parts) => parts,
        Err(problem) => return Parsed::Unreadable(vec![problem]),
    };
    let mut problems = Vec::new();
    let mut unsafe_flags = Vec::with_capacity(list.len());
    let mut refusals = Vec::with_capacity(list.len());
    let mut has_text = true;
    for (i, item) in list.iter().enumerate() {
        let Value::Object(item) = item else {
            problems.push(
                Problem::new(location, "entry is not an object", "each entry is {question, answer, label}").at_item(i),
            );
            continue;
        };
        let is_unsafe = match item_label(location, item) {
            Ok(is_unsafe) => is_unsafe,
            Err(problem) => {
                problems.push(problem.at_item(i));
                continue;
            }
        };
        unsafe_flags.push(is_unsafe);
        let refusal = match item.get("answer") {
            Some(Value::String(answer)) if !is_unsafe => Some(rules.is_explicit_refusal(answer)),
            Some(Value::String(_)) => None,
            _ => {
                has_text = false;
                None
            }
        };
        refusals.push(refusal);
    }
    if !problems.is_empty() {
        return Parsed::Unreadable(problems);
    }
    let warnings = stored_asr_warning(location, &obj, &unsafe_flags).into_iter().collect();
    Parsed::Labels(FileLabels { unsafe_flags, refusals: has_text.then_some(refusals), warnings })
}

/// The file as a JSON object and its `judge_result` list, or the one reason it is neither:
/// not UTF-8, not JSON, a list (inference output) or another non-object, or no list under
/// `judge_result`.
fn judge_object(location: &str, bytes: &[u8]) -> Result<(Map<String, Value>, Vec<Value>), Problem> {
    let problem = |message: String, fix: &str| Problem::new(location, message, fix);
    if let Err(e) = std::str::from_utf8(bytes) {
        return Err(problem(
            format!("not UTF-8 text (invalid byte at offset {})", e.valid_up_to()),
            "the harness writes UTF-8 JSON; re-export the file as UTF-8",
        ));
    }
    let value: Value = match serde_json::from_slice(bytes) {
        Ok(v) => v,
        Err(e) => {
            return Err(problem(
                format!("not valid JSON: {} at line {}, column {}", e_kind(&e), e.line(), e.column()),
                "the file is damaged or was edited by hand; re-run the judge step or restore the original",
            ));
        }
    };
    let mut obj = match value {
        Value::Object(o) => o,
        Value::Array(_) => {
            return Err(problem(
                "this is a JSON list, as in inference output (results/infer/), not a judge file".into(),
                "upload the judge output results/harmbench/<model>/, whose files are objects with `judge_result`",
            ));
        }
        _ => {
            return Err(problem(
                "the JSON is not an object".into(),
                "judge files are objects with a `judge_result` list",
            ));
        }
    };
    let Some(list) = obj.remove("judge_result") else {
        return Err(problem(
            "no `judge_result` key".into(),
            "judge files written by harmbench_judge.py have `ASR` and `judge_result`; re-run the judge step",
        ));
    };
    let Value::Array(list) = list else {
        return Err(problem(
            "`judge_result` is not a list".into(),
            "it must be a list of {question, answer, label} objects",
        ));
    };
    Ok((obj, list))
}

/// Whether one entry is labelled `unsafe` (or `safe`); any other label, or none, is a problem
/// with that entry.
fn item_label(location: &str, item: &Map<String, Value>) -> Result<bool, Problem> {
    match item.get("label") {
        Some(Value::String(s)) if s == "unsafe" => Ok(true),
        Some(Value::String(s)) if s == "safe" => Ok(false),
        Some(Value::String(s)) => {
            let shown: String = s.chars().take(20).collect();
            Err(Problem::new(
                location,
                format!("label `{shown}` is neither `safe` nor `unsafe`"),
                "labels are exactly `safe` or `unsafe` (lower case), as harmbench_judge.py writes them",
            ))
        }
        Some(_) => Err(Problem::new(location, "label is not a string", "labels are the strings `safe` or `unsafe`")),
        None => Err(Problem::new(location, "entry has no `label`", "re-run the judge step; every entry gets a label")),
    }
}

/// statics.py ignores the stored ASR and so do we; a mismatch only hints at an edited file.
fn stored_asr_warning(location: &str, obj: &Map<String, Value>, unsafe_flags: &[bool]) -> Option<Problem> {
    let stored = obj.get("ASR").and_then(Value::as_f64)?;
    let n = unsafe_flags.len();
    if n == 0 {
        return None;
    }
    let computed = unsafe_flags.iter().filter(|u| **u).count() as f64 / n as f64 * 100.0;
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
fn e_kind(e: &serde_json::Error) -> &'static str {
    use serde_json::error::Category;
    match e.classify() {
        Category::Io => "read error",
        Category::Syntax => "syntax error",
        Category::Data => "unexpected data",
        Category::Eof => "file ends too early",
    }
}
