//! What a parse comes to: a file's labels, or the problems that say why it was refused.

use super::guard::{Fault, MAX_DEPTH, MAX_STRING_BYTES};
use super::{FileLabels, ListSeen, Parsed, State, Top};
use crate::domain::submission::{Problem, Problems};

pub(super) fn read_failure(location: &str) -> Problem {
    Problem::new(location, "could not be read to its end", "the archive is damaged; create it again and re-upload it")
}

/// The parse's outcome as labels or problems.
pub(super) fn conclude(
    location: &str,
    state: State<'_>,
    top: Result<Top, serde_json::Error>,
    fault: Option<Fault>,
) -> Parsed {
    let problem = |message: String, fix: &str| Problem::new(location, message, fix);
    let top = match top {
        Ok(top) => top,
        Err(e) => {
            let problem = match fault {
                Some(Fault::NotUtf8 { offset }) => problem(
                    format!("not UTF-8 text (invalid byte at offset {offset})"),
                    "the harness writes UTF-8 JSON; re-export the file as UTF-8",
                ),
                Some(Fault::LongString) => {
                    let p = problem(
                        format!("holds a JSON string longer than {} MiB", MAX_STRING_BYTES / (1024 * 1024)),
                        "answers of real runs are far shorter; check that this is the judge's output",
                    );
                    match state.in_item {
                        Some(i) => p.at_item(i),
                        None => p,
                    }
                }
                Some(Fault::TooDeep) => problem(
                    format!("the JSON is nested deeper than {MAX_DEPTH} levels"),
                    "judge files are an object holding a list of flat objects; restore the original",
                ),
                None if e.is_io() => read_failure(location),
                None => problem(
                    format!("not valid JSON: {} at line {}, column {}", e_kind(&e), e.line(), e.column()),
                    "the file is damaged or was edited by hand; re-run the judge step or restore the original",
                ),
            };
            let mut problems = Problems::with_cap(state.cap);
            problems.push(problem);
            return Parsed::Unreadable(problems);
        }
    };
    let (asr, list) = match top {
        Top::List => {
            return unreadable(problem(
                "this is a JSON list, as in inference output (results/infer/), not a judge file".into(),
                "upload the judge output results/harmbench/<model>/, whose files are objects with `judge_result`",
            ));
        }
        Top::Other => {
            return unreadable(problem(
                "the JSON is not an object".into(),
                "judge files are objects with a `judge_result` list",
            ));
        }
        Top::Object { asr, list } => (asr, list),
    };
    match list {
        ListSeen::Missing => {
            return unreadable(problem(
                "no `judge_result` key".into(),
                "judge files written by harmbench_judge.py have `ASR` and `judge_result`; re-run the judge step",
            ));
        }
        ListSeen::NotList => {
            return unreadable(problem(
                "`judge_result` is not a list".into(),
                "it must be a list of {question, answer, label} objects",
            ));
        }
        ListSeen::List => {}
    }
    if !state.problems.is_empty() {
        return Parsed::Unreadable(state.problems);
    }
    let warnings = stored_asr_warning(location, asr, state.unsafe_count, state.items).into_iter().collect();
    Parsed::Labels(FileLabels {
        unsafe_flags: state.unsafe_flags,
        items: state.items,
        refusals: state.has_text.then_some(state.refusals),
        warnings,
    })
}

pub(super) fn unreadable(problem: Problem) -> Parsed {
    Parsed::Unreadable(Problems::from(vec![problem]))
}

/// statics.py ignores the stored ASR and so do we; a mismatch only hints at an edited file.
fn stored_asr_warning(location: &str, stored: Option<f64>, unsafe_count: usize, n: usize) -> Option<Problem> {
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
fn e_kind(e: &serde_json::Error) -> &'static str {
    use serde_json::error::Category;
    match e.classify() {
        Category::Io => "read error",
        Category::Syntax => "syntax error",
        Category::Data => "unexpected data",
        Category::Eof => "file ends too early",
    }
}
