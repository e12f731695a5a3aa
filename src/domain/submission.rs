//! What an upload looks like after validation: its problems, or a preview of what it would add.
//! Plain data shared by the server (which computes it) and the browser (which shows it).

use super::leaderboard::{Breakdown, Entry};
use super::metrics::Counts;
use super::model::{Granularity, ModelMeta, Source, Status};
use super::taxonomy::{Relation, RiskCategory, TOTAL_INSTANCES};
use serde::{Deserialize, Serialize};

/// One thing wrong with an upload (or, as a warning, worth knowing): where, what, how to fix.
/// Never contains answer or question text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    /// Path inside the upload (`Violence/Analogy.json`), a CSV line (`line 4`), or a form field.
    pub location: String,
    /// 0-based position in `judge_result`, which is the harness's item index.
    pub item: Option<usize>,
    pub message: String,
    pub fix: String,
}

impl Problem {
    pub fn new(location: impl Into<String>, message: impl Into<String>, fix: impl Into<String>) -> Self {
        Self { location: location.into(), item: None, message: message.into(), fix: fix.into() }
    }

    pub fn at_item(mut self, item: usize) -> Self {
        self.item = Some(item);
        self
    }

    /// `file, item 3: message`, for the CLI and logs.
    pub fn headline(&self) -> String {
        match self.item {
            Some(i) => format!("{}, item {i}: {}", self.location, self.message),
            None if self.location.is_empty() => self.message.clone(),
            None => format!("{}: {}", self.location, self.message),
        }
    }
}

/// Every problem found in an upload (the whole upload is always checked, so one round trip
/// shows them all).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rejection {
    pub problems: Vec<Problem>,
    /// Problems beyond the listed ones (the list is capped to keep responses readable).
    pub more: usize,
}

impl Rejection {
    pub const MAX_LISTED: usize = 200;

    pub fn from_problems(mut problems: Vec<Problem>) -> Self {
        let more = problems.len().saturating_sub(Self::MAX_LISTED);
        problems.truncate(Self::MAX_LISTED);
        Self { problems, more }
    }

    pub fn single(p: Problem) -> Self {
        Self { problems: vec![p], more: 0 }
    }
}

impl std::fmt::Display for Rejection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for p in &self.problems {
            writeln!(f, "- {}\n  fix: {}", p.headline(), p.fix)?;
        }
        if self.more > 0 {
            writeln!(f, "... and {} more problems", self.more)?;
        }
        Ok(())
    }
}

/// Problems collected while reading an upload, capped as they arrive: the first
/// [`Rejection::MAX_LISTED`] (or a smaller cap) are kept, the rest only counted, so a file with
/// millions of bad items costs a counter, not a record per item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problems {
    listed: Vec<Problem>,
    more: usize,
    cap: usize,
}

impl Default for Problems {
    fn default() -> Self {
        Self::new()
    }
}

impl Problems {
    /// Keeps up to [`Rejection::MAX_LISTED`].
    pub fn new() -> Self {
        Self::with_cap(Rejection::MAX_LISTED)
    }

    /// Keeps up to `cap` (at least one), counting the rest.
    pub fn with_cap(cap: usize) -> Self {
        Self { listed: Vec::new(), more: 0, cap: cap.max(1) }
    }

    pub fn push(&mut self, problem: Problem) {
        self.push_with(|| problem);
    }

    /// Builds the problem only if it is going to be kept.
    pub fn push_with(&mut self, problem: impl FnOnce() -> Problem) {
        if self.listed.len() < self.cap {
            self.listed.push(problem());
        } else {
            self.more += 1;
        }
    }

    /// Takes over another collection's problems and its count of unlisted ones.
    pub fn append(&mut self, other: Problems) {
        self.more += other.more;
        self.extend(other.listed);
    }

    /// Problems found, listed or not.
    pub fn len(&self) -> usize {
        self.listed.len() + self.more
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The kept problems, in the order found.
    pub fn listed(&self) -> &[Problem] {
        &self.listed
    }

    /// Problems counted but not kept.
    pub fn more(&self) -> usize {
        self.more
    }

    /// The kept problems (the count of the others is dropped).
    pub fn into_listed(self) -> Vec<Problem> {
        self.listed
    }
}

impl Extend<Problem> for Problems {
    fn extend<I: IntoIterator<Item = Problem>>(&mut self, problems: I) {
        for p in problems {
            self.push(p);
        }
    }
}

impl From<Vec<Problem>> for Problems {
    fn from(problems: Vec<Problem>) -> Self {
        let mut all = Problems::new();
        all.extend(problems);
        all
    }
}

impl From<Problems> for Rejection {
    fn from(problems: Problems) -> Self {
        let mut rejection = Rejection::from_problems(problems.listed);
        rejection.more += problems.more;
        rejection
    }
}

/// How much of the benchmark a result covers, per relation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Coverage {
    /// (relation, items received, items in the benchmark), in `Relation::ALL` order.
    pub relations: Vec<(Relation, u32, u32)>,
    pub received: u32,
    pub expected: u32,
}

impl Coverage {
    pub fn from_breakdown(b: &Breakdown) -> Self {
        let relations: Vec<(Relation, u32, u32)> =
            Relation::ALL.into_iter().map(|r| (r, b.relation(r).map_or(0, |c| c.total), r.instance_count())).collect();
        Self { received: relations.iter().map(|r| r.1).sum(), relations, expected: TOTAL_INSTANCES }
    }

    /// A partial run is allowed, but flagged wherever it is shown.
    pub fn is_complete(&self) -> bool {
        self.relations.iter().all(|(_, got, want)| got == want)
    }

    pub fn percent(&self) -> f64 {
        self.received as f64 / self.expected as f64 * 100.0
    }
}

/// A validated result, before or after it is stored: the computed table and its provenance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResultSummary {
    pub granularity: Granularity,
    pub breakdown: Breakdown,
    /// Per (category, relation) counts; empty for aggregate-only results.
    pub cells: Vec<(RiskCategory, Relation, Counts)>,
    pub coverage: Coverage,
    pub warnings: Vec<Problem>,
    pub rule_set_version: Option<String>,
}

/// One judged answer, reduced to what may be stored: where it sits and how it was labelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemLabel {
    pub category: RiskCategory,
    pub relation: Relation,
    /// Position in the harness's file, which is the item's index in the dataset.
    pub index: u32,
    pub is_unsafe: bool,
    /// For safe answers with text: explicit refusal or not. `None` for unsafe answers and when
    /// the upload carried no answer text.
    pub refusal: Option<bool>,
}

/// A published figure: the counts it stands for and the number exactly as printed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reported {
    pub counts: Counts,
    pub printed: String,
}

/// Aggregate-only figures (a paper table or a summary CSV).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Aggregates {
    pub overall: Option<Reported>,
    pub relations: Vec<(Relation, Reported)>,
    pub categories: Vec<(RiskCategory, Reported)>,
}

impl Aggregates {
    /// The breakdown these figures support. Overall is the printed overall when there is one,
    /// else the pool of all nine relations when all nine are present.
    pub fn breakdown(&self) -> Breakdown {
        let mut b = Breakdown::default();
        for (r, v) in &self.relations {
            b.relations[super::leaderboard::relation_index(*r)] = Some(v.counts);
        }
        for (c, v) in &self.categories {
            b.categories[super::leaderboard::category_index(*c)] = Some(v.counts);
        }
        b.overall = match &self.overall {
            Some(v) => v.counts,
            None if b.relations.iter().all(Option::is_some) => {
                super::metrics::pool(b.relations.iter().flatten().copied())
            }
            None => Counts::default(),
        };
        b
    }
}

/// A validated result ready to store: the summary plus either items or aggregates.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ParsedResult {
    pub summary: ResultSummary,
    pub items: Vec<ItemLabel>,
    pub aggregates: Option<Aggregates>,
}

/// The text fields of an upload, as sent.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct UploadFields {
    pub model: String,
    pub judge: String,
    pub organization: String,
    pub access: String,
    pub reasoning: String,
    pub parameters: String,
    pub link: String,
    pub note: String,
}

/// A refused upload as the upload page shows it: a summary line and every problem.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UploadError {
    pub message: String,
    pub problems: Vec<Problem>,
    pub more: usize,
}

impl UploadError {
    /// The summary line of a refusal with problems.
    pub fn refused(problems: Vec<Problem>, more: usize) -> Self {
        let message = format!("The upload was refused: {} problem(s). Nothing was stored.", problems.len() + more);
        Self { message, problems, more }
    }

    /// A refusal that is one message (too large, rate limited, ...).
    pub fn message(text: impl std::fmt::Display) -> Self {
        Self { message: format!("{text}. Nothing was stored."), problems: vec![], more: 0 }
    }
}

/// What the server hands the upload page when it answers a refused upload made without
/// JavaScript: the fields as sent, so the form is filled in again, and the error.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PostedUpload {
    pub fields: UploadFields,
    pub error: UploadError,
}

/// One entry of a submission's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    pub at: i64,
    pub date: String,
    pub kind: String,
    pub actor: String,
    pub detail: Option<String>,
}

/// Everything public about a submission.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubmissionView {
    pub id: i64,
    pub model: String,
    pub model_slug: String,
    pub judge: String,
    pub source: Source,
    pub status: Status,
    pub note: Option<String>,
    pub archive_sha256: Option<String>,
    pub archive_kind: Option<String>,
    pub folder_name: Option<String>,
    pub proposed: ModelMeta,
    pub submitted_at: i64,
    pub submitted_date: String,
    pub decided_at: Option<i64>,
    pub reason: Option<String>,
    pub summary: ResultSummary,
    pub events: Vec<Event>,
    /// The row this result has (approved) or would have (otherwise) on the leaderboard of its
    /// judge, ranked against the approved results there.
    pub row: Option<Entry>,
}

/// A queue line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubmissionLine {
    pub id: i64,
    pub model: String,
    pub model_slug: String,
    pub judge: String,
    pub source: Source,
    pub status: Status,
    pub granularity: Granularity,
    pub items_total: u32,
    pub submitted_at: i64,
    pub submitted_date: String,
    pub decided_at: Option<i64>,
    pub decided_date: Option<String>,
    pub reason: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coverage_flags_partial_runs() {
        let mut b = Breakdown::default();
        b.relations[0] = Some(Counts::new(3, 317, None).unwrap());
        let cov = Coverage::from_breakdown(&b);
        assert_eq!(cov.received, 317);
        assert_eq!(cov.expected, 2676);
        assert!(!cov.is_complete());
        for (i, r) in Relation::ALL.into_iter().enumerate() {
            b.relations[i] = Some(Counts::new(0, r.instance_count(), None).unwrap());
        }
        assert!(Coverage::from_breakdown(&b).is_complete());
    }

    #[test]
    fn rejection_caps_the_list_but_counts_the_rest() {
        let problems: Vec<Problem> = (0..250).map(|i| Problem::new("f.json", "bad", "fix").at_item(i)).collect();
        let r = Rejection::from_problems(problems);
        assert_eq!(r.problems.len(), Rejection::MAX_LISTED);
        assert_eq!(r.more, 50);
        assert!(r.to_string().ends_with("... and 50 more problems\n"));
        assert_eq!(r.problems[3].headline(), "f.json, item 3: bad");
    }

    #[test]
    fn problems_are_capped_while_collected() {
        let mut problems = Problems::with_cap(3);
        let mut built = 0;
        for i in 0..10 {
            problems.push_with(|| {
                built += 1;
                Problem::new("f.json", "bad", "fix").at_item(i)
            });
        }
        assert_eq!((built, problems.listed().len(), problems.more(), problems.len()), (3, 3, 7, 10));
        let mut all = Problems::new();
        all.append(problems);
        all.push(Problem::new("g.json", "bad", "fix"));
        let r = Rejection::from(all);
        assert_eq!((r.problems.len(), r.more), (4, 7));
    }
}
