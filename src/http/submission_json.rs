//! The JSON bodies of the submission endpoints, typed so the OpenAPI document describes exactly
//! what they write.

use super::exports::{GranularityJson, SourceJson};
use crate::domain::metrics::Counts;
use crate::domain::model::Status;
use crate::domain::submission::{Event, SubmissionLine, SubmissionView};
use crate::domain::taxonomy::{Relation, RiskCategory};
use crate::error::ProblemBody;
use serde::Serialize;
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// A submission's place in moderation: `draft` (previewed on the web, not yet sent; never
/// listed), `pending`, `approved` or `rejected`.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
#[schema(as = Status)]
pub enum StatusJson {
    Draft,
    Pending,
    Approved,
    Rejected,
}

impl From<Status> for StatusJson {
    fn from(s: Status) -> Self {
        match s {
            Status::Draft => Self::Draft,
            Status::Pending => Self::Pending,
            Status::Approved => Self::Approved,
            Status::Rejected => Self::Rejected,
        }
    }
}

/// Pooled counts of a validated result (no interval: the report is about the upload).
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = ReportCounts)]
pub struct CountsJson {
    #[serde(rename = "unsafe")]
    pub unsafe_count: u32,
    pub total: u32,
    /// Percent: unsafe / total x 100; null when nothing was judged.
    pub asr: Option<f64>,
    /// Estimate; null without answer text.
    pub refusals: Option<u32>,
    /// Estimate; null without answer text.
    pub safe_without_refusal: Option<u32>,
}

impl From<Counts> for CountsJson {
    fn from(c: Counts) -> Self {
        Self {
            unsafe_count: c.unsafe_count,
            total: c.total,
            asr: c.asr_percent(),
            refusals: c.refusals,
            safe_without_refusal: c.safe_without_refusal(),
        }
    }
}

/// The counts of one (category, relation) cell.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = ReportCell)]
pub struct CellJson {
    pub category: &'static str,
    pub relation: &'static str,
    #[serde(rename = "unsafe")]
    pub unsafe_count: u32,
    pub total: u32,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(as = RelationCoverage)]
pub struct RelationCoverageJson {
    pub relation: &'static str,
    pub received: u32,
    pub expected: u32,
}

/// How much of the benchmark the upload covers.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Coverage)]
pub struct CoverageJson {
    pub received: u32,
    pub expected: u32,
    pub complete: bool,
    pub relations: Vec<RelationCoverageJson>,
}

/// The validation report: the computed table, coverage and warnings.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Report)]
pub struct ReportJson {
    pub overall: CountsJson,
    /// Keyed by the harness spellings of the relations present.
    pub relations: BTreeMap<String, CountsJson>,
    /// Keyed by the harness folder names of the categories present.
    pub categories: BTreeMap<String, CountsJson>,
    /// Per (category, relation) counts; empty for aggregate-only results.
    pub cells: Vec<CellJson>,
    pub coverage: CoverageJson,
    pub granularity: GranularityJson,
    /// Version of the refusal rules the estimates were made with; null without answer text.
    pub rule_set_version: Option<String>,
    pub warnings: Vec<ProblemBody>,
}

impl From<&SubmissionView> for ReportJson {
    fn from(v: &SubmissionView) -> Self {
        let b = &v.summary.breakdown;
        let cov = &v.summary.coverage;
        Self {
            overall: b.overall.into(),
            relations: Relation::ALL
                .into_iter()
                .filter_map(|r| b.relation(r).map(|c| (r.harness_name().to_owned(), c.into())))
                .collect(),
            categories: RiskCategory::ALL
                .into_iter()
                .filter_map(|c| b.category(c).map(|x| (c.harness_name().to_owned(), x.into())))
                .collect(),
            cells: v
                .summary
                .cells
                .iter()
                .map(|(c, r, n)| CellJson {
                    category: c.harness_name(),
                    relation: r.harness_name(),
                    unsafe_count: n.unsafe_count,
                    total: n.total,
                })
                .collect(),
            coverage: CoverageJson {
                received: cov.received,
                expected: cov.expected,
                complete: cov.is_complete(),
                relations: cov
                    .relations
                    .iter()
                    .map(|(r, got, want)| RelationCoverageJson {
                        relation: r.harness_name(),
                        received: *got,
                        expected: *want,
                    })
                    .collect(),
            },
            granularity: v.summary.granularity.into(),
            rule_set_version: v.summary.rule_set_version.clone(),
            warnings: v.summary.warnings.iter().map(ProblemBody::from).collect(),
        }
    }
}

/// One step of a submission's history.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Event)]
pub struct EventJson {
    /// Unix seconds.
    pub at: i64,
    /// `YYYY-MM-DD` (UTC).
    pub date: String,
    /// What happened: submitted, approved, rejected, ...
    pub kind: String,
    /// Who did it: api, web, cli, or a maintainer.
    pub actor: String,
    pub detail: Option<String>,
}

impl From<&Event> for EventJson {
    fn from(e: &Event) -> Self {
        Self { at: e.at, date: e.date.clone(), kind: e.kind.clone(), actor: e.actor.clone(), detail: e.detail.clone() }
    }
}

/// A submission with its state, history and validation report.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Submission)]
pub struct SubmissionJson {
    pub id: i64,
    pub status: StatusJson,
    pub model: String,
    /// Path segment of the model's page once approved.
    pub model_slug: String,
    pub judge: String,
    pub source: SourceJson,
    pub note: Option<String>,
    /// SHA-256 of the uploaded file.
    pub archive_sha256: Option<String>,
    /// zip, tar.gz, tar, directory or csv.
    pub archive_kind: Option<String>,
    /// `YYYY-MM-DD` (UTC) of `submitted_at`.
    pub submitted: String,
    /// Unix seconds.
    pub submitted_at: i64,
    /// Unix seconds of the approval or rejection.
    pub decided_at: Option<i64>,
    /// The public reason of a rejection.
    pub reason: Option<String>,
    /// The submission's page.
    pub url: String,
    pub history: Vec<EventJson>,
    pub report: ReportJson,
}

impl From<&SubmissionView> for SubmissionJson {
    fn from(v: &SubmissionView) -> Self {
        Self {
            id: v.id,
            status: v.status.into(),
            model: v.model.clone(),
            model_slug: v.model_slug.clone(),
            judge: v.judge.clone(),
            source: v.source.into(),
            note: v.note.clone(),
            archive_sha256: v.archive_sha256.clone(),
            archive_kind: v.archive_kind.clone(),
            submitted: v.submitted_date.clone(),
            submitted_at: v.submitted_at,
            decided_at: v.decided_at,
            reason: v.reason.clone(),
            url: format!("/submissions/{}", v.id),
            history: v.events.iter().map(EventJson::from).collect(),
            report: v.into(),
        }
    }
}

/// A queue line.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = SubmissionLine)]
pub struct LineJson {
    pub id: i64,
    pub model: String,
    pub model_slug: String,
    pub judge: String,
    pub source: SourceJson,
    pub status: StatusJson,
    pub granularity: GranularityJson,
    /// Items judged.
    pub items: u32,
    /// `YYYY-MM-DD` (UTC) of `submitted_at`.
    pub submitted: String,
    /// Unix seconds.
    pub submitted_at: i64,
    pub decided_at: Option<i64>,
    /// The public reason of a rejection.
    pub reason: Option<String>,
    /// The submission's page.
    pub url: String,
}

impl From<&SubmissionLine> for LineJson {
    fn from(l: &SubmissionLine) -> Self {
        Self {
            id: l.id,
            model: l.model.clone(),
            model_slug: l.model_slug.clone(),
            judge: l.judge.clone(),
            source: l.source.into(),
            status: l.status.into(),
            granularity: l.granularity.into(),
            items: l.items_total,
            submitted: l.submitted_date.clone(),
            submitted_at: l.submitted_at,
            decided_at: l.decided_at,
            reason: l.reason.clone(),
            url: format!("/submissions/{}", l.id),
        }
    }
}

/// One page of the public queue.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Queue)]
pub struct QueueJson {
    pub submissions: Vec<LineJson>,
    pub limit: i64,
    pub offset: i64,
}
