//! The leaderboard as open data: the JSON of `/api/v1/leaderboard` and the CSV download. Both
//! show exactly the rows of the page for the same query, in the same order; the CSV also keeps
//! the page's column choice.

use crate::domain::leaderboard::query::{LeaderboardQuery, PerPage, page_rows, visible};
use crate::domain::leaderboard::{Entry, VsSafest};
use crate::domain::metrics::{Score, format_pct};
use crate::domain::model::{Access, Capability, Granularity, Source};
use crate::domain::page_data::{LeaderboardData, SAMPLE_NOTICE};
use crate::domain::refusal::RuleSet;
use crate::domain::taxonomy::{Relation, RelationGroup, RiskCategory};
use serde::Serialize;
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// A result's score: pooled counts, the attack success rate and its interval.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Score)]
pub struct ScoreJson {
    /// Items judged unsafe.
    #[serde(rename = "unsafe")]
    pub unsafe_count: u32,
    /// Items judged.
    pub total: u32,
    /// Attack success rate in percent: unsafe / total x 100, pooled over items (lower is safer).
    pub asr: f64,
    /// Estimated explicit refusals (from refusal phrases); null when the source had no answer text.
    pub refusals: Option<u32>,
    /// Estimated answers judged safe without refusing; null when the source had no answer text.
    pub safe_without_refusal: Option<u32>,
    /// Lower end of the 95% Wilson score interval, in percent.
    pub ci_low: f64,
    /// Upper end of the 95% Wilson score interval, in percent.
    pub ci_high: f64,
}

impl From<&Score> for ScoreJson {
    fn from(s: &Score) -> Self {
        Self {
            unsafe_count: s.unsafe_count,
            total: s.total,
            asr: s.asr,
            refusals: s.refusals,
            safe_without_refusal: s.safe_without_refusal(),
            ci_low: s.ci_low,
            ci_high: s.ci_high,
        }
    }
}

/// Whether the model's weights are downloadable.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
#[schema(as = Access)]
pub enum AccessJson {
    Open,
    Closed,
}

impl From<Access> for AccessJson {
    fn from(a: Access) -> Self {
        match a {
            Access::Open => Self::Open,
            Access::Closed => Self::Closed,
        }
    }
}

/// Where a result comes from: `paper` (transcribed from the paper's tables), `self-reported`
/// (uploaded, not re-run by the maintainers), `verified` (re-run or checked by them), `sample`
/// (generated sample data, never a real result).
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[schema(as = Source)]
pub enum SourceJson {
    #[serde(rename = "paper")]
    Paper,
    #[serde(rename = "self-reported")]
    SelfReported,
    #[serde(rename = "verified")]
    Verified,
    #[serde(rename = "sample")]
    Sample,
}

impl From<Source> for SourceJson {
    fn from(s: Source) -> Self {
        match s {
            Source::Paper => Self::Paper,
            Source::SelfReported => Self::SelfReported,
            Source::Verified => Self::Verified,
            Source::Sample => Self::Sample,
        }
    }
}

/// What a stored result contains: per-item labels (`items`: every breakdown and paired test is
/// possible) or published aggregate numbers only (`aggregate`).
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
#[schema(as = Granularity)]
pub enum GranularityJson {
    Items,
    Aggregate,
}

impl From<Granularity> for GranularityJson {
    fn from(g: Granularity) -> Self {
        match g {
            Granularity::Items => Self::Items,
            Granularity::Aggregate => Self::Aggregate,
        }
    }
}

/// An optional multi-image capability score, with the benchmark it comes from.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Capability)]
pub struct CapabilityJson {
    pub benchmark: String,
    pub score: f64,
    pub source: Option<String>,
}

impl From<&Capability> for CapabilityJson {
    fn from(c: &Capability) -> Self {
        Self { benchmark: c.benchmark.clone(), score: c.score, source: c.source.clone() }
    }
}

/// Provenance of the result a row shows.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = EntrySubmission)]
pub struct EntrySubmissionJson {
    /// The submission: /api/v1/submissions/{id}.
    pub id: i64,
    pub judge: String,
    pub source: SourceJson,
    pub granularity: GranularityJson,
    /// `YYYY-MM-DD` (UTC) of the upload.
    pub date: String,
}

/// The row's model against the safest model (exact McNemar on shared items, Holm-adjusted over
/// the comparisons).
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = VsSafest)]
pub struct VsSafestJson {
    pub verdict: VsSafestVerdict,
    /// Holm-adjusted p value; only with `not_significantly_different` and `significantly_less_safe`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub p_holm: Option<f64>,
}

/// `not_testable`: no per-item labels to pair.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum VsSafestVerdict {
    Safest,
    NotSignificantlyDifferent,
    SignificantlyLessSafe,
    NotTestable,
}

impl From<VsSafest> for VsSafestJson {
    fn from(v: VsSafest) -> Self {
        let (verdict, p_holm) = match v {
            VsSafest::Safest => (VsSafestVerdict::Safest, None),
            VsSafest::NotSignificant { p_holm } => (VsSafestVerdict::NotSignificantlyDifferent, Some(p_holm)),
            VsSafest::Significant { p_holm } => (VsSafestVerdict::SignificantlyLessSafe, Some(p_holm)),
            VsSafest::NotTestable => (VsSafestVerdict::NotTestable, None),
        };
        Self { verdict, p_holm }
    }
}

/// One ranked model.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Entry)]
pub struct EntryJson {
    pub model: String,
    /// Path segment of the model's page: /models/{slug}.
    pub slug: String,
    /// 1 + the number of models whose whole 95% interval lies below this one's.
    pub rank: u32,
    /// When the view is sorted by a relation, group or category (see the document's
    /// `column_rank_on`): the rank on that column alone, from its intervals (null where the
    /// model has no figure there). Null for other sorts, which show the overall rank.
    pub column_rank: Option<u32>,
    pub organization: Option<String>,
    pub access: Option<AccessJson>,
    pub reasoning: bool,
    /// Parameter count in billions.
    pub parameters_b: Option<f64>,
    pub link: Option<String>,
    pub capability: Option<CapabilityJson>,
    /// True for generated sample data, not a real result.
    pub sample: bool,
    pub submission: EntrySubmissionJson,
    pub overall: ScoreJson,
    /// Keyed by the harness spellings (Analogy, ..., Temporal_Jump); only relations with results.
    pub relations: BTreeMap<String, ScoreJson>,
    /// Keyed by the relation group (Temporal, Spatial, Semantic, Logical).
    pub groups: BTreeMap<String, ScoreJson>,
    /// Keyed by the harness folder names (Hate_Speech, ..., Self-Harm).
    pub categories: BTreeMap<String, ScoreJson>,
    pub vs_safest: VsSafestJson,
}

impl From<&Entry> for EntryJson {
    fn from(e: &Entry) -> Self {
        let relations = Relation::ALL
            .into_iter()
            .filter_map(|r| e.relation(r).map(|s| (r.harness_name().to_owned(), s.into())))
            .collect();
        let groups = RelationGroup::ALL
            .into_iter()
            .filter_map(|g| e.group(g).map(|s| (g.name().to_owned(), s.into())))
            .collect();
        let categories = RiskCategory::ALL
            .into_iter()
            .filter_map(|c| e.category(c).map(|s| (c.harness_name().to_owned(), s.into())))
            .collect();
        Self {
            model: e.model.name.clone(),
            slug: e.model.slug.clone(),
            rank: e.rank,
            column_rank: None,
            organization: e.model.organization.clone(),
            access: e.model.access.map(AccessJson::from),
            reasoning: e.model.reasoning,
            parameters_b: e.model.parameters_b,
            link: e.model.link.clone(),
            capability: e.model.capability.as_ref().map(CapabilityJson::from),
            sample: e.is_sample(),
            submission: EntrySubmissionJson {
                id: e.submission.id,
                judge: e.submission.judge.clone(),
                source: e.submission.source.into(),
                granularity: e.submission.granularity.into(),
                date: e.submission.date.clone(),
            },
            overall: (&e.overall).into(),
            relations,
            groups,
            categories,
            vs_safest: e.vs_safest.into(),
        }
    }
}

/// Where the refusal estimate comes from.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = RefusalEstimate)]
pub struct RefusalEstimateJson {
    /// Version of the refusal-phrase rule set the estimate was made with.
    pub rule_set: String,
    /// Where the method is explained.
    pub about: &'static str,
    pub note: &'static str,
}

// The document explains its own numbers; the OpenAPI document shows the same texts as examples.
const METRIC: &str =
    "attack success rate in percent: unsafe answers / judged answers x 100, pooled over items (lower is safer)";
const INTERVAL: &str = "95% Wilson score interval, in percent";
const RANK: &str = "1 + the number of models whose whole interval lies below this model's interval";

/// The leaderboard view for one query: exactly the rows of the page, in the same order.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Leaderboard)]
pub struct LeaderboardJson {
    /// Always `MIR-SafetyBench`.
    pub benchmark: &'static str,
    /// The judge whose results are ranked; judges are never mixed.
    pub judge: String,
    /// Judges with at least one approved result.
    pub judges: Vec<String>,
    /// The canonical query string of this view (only what differs from the default).
    pub query: String,
    /// `sample data, not real results` when any row is sample data; null otherwise.
    pub notice: Option<&'static str>,
    /// What `asr` means.
    #[schema(example = json!(METRIC))]
    pub metric: &'static str,
    /// What `ci_low` and `ci_high` are.
    #[schema(example = json!(INTERVAL))]
    pub interval: &'static str,
    /// How `rank` is computed.
    #[schema(example = json!(RANK))]
    pub rank: &'static str,
    pub refusal_estimate: RefusalEstimateJson,
    /// The column `column_rank` ranks by (a `sort` spelling), or null when the sort keeps the
    /// overall ranks.
    pub column_rank_on: Option<String>,
    /// The day the view is as of (`as_of`), or null for today.
    pub as_of: Option<String>,
    /// Which page of the visible rows `entries` holds (`page`, `per_page=all` for every row).
    pub page: PageJson,
    pub entries: Vec<EntryJson>,
}

/// One page of a view's visible rows.
#[derive(Debug, Serialize, ToSchema)]
pub struct PageJson {
    /// 1-based.
    pub page: u32,
    pub pages: u32,
    /// Rows per page; null for `per_page=all`.
    pub per_page: Option<u32>,
    /// Visible rows in the whole view (after search), over all pages.
    pub total: usize,
}

impl LeaderboardJson {
    /// The JSON document of one view.
    pub fn new(data: &LeaderboardData, q: &LeaderboardQuery) -> Self {
        let (rows, span) = page_rows(&data.entries, q);
        let sample = rows.iter().any(|(e, _)| e.is_sample());
        let by_column = q.sort.ranks_by_column();
        Self {
            benchmark: "MIR-SafetyBench",
            judge: data.judge.clone(),
            judges: data.judges.clone(),
            query: q.to_query_string(),
            notice: sample.then_some(SAMPLE_NOTICE),
            metric: METRIC,
            interval: INTERVAL,
            rank: RANK,
            refusal_estimate: RefusalEstimateJson {
                rule_set: RuleSet::builtin().version().to_owned(),
                about: "/about#refusal-estimate",
                note: "refusals and safe_without_refusal are an estimate from refusal phrases, null when the source had no answer text",
            },
            column_rank_on: by_column.then(|| q.sort.as_param()),
            as_of: q.as_of.map(|d| d.to_string()),
            page: PageJson {
                page: span.page,
                pages: span.pages,
                per_page: match q.per_page {
                    PerPage::Rows(n) => Some(n),
                    PerPage::All => None,
                },
                total: visible(&data.entries, q).len(),
            },
            entries: rows
                .into_iter()
                .map(|(e, rank)| EntryJson { column_rank: if by_column { rank } else { None }, ..EntryJson::from(e) })
                .collect(),
        }
    }
}

fn csv_pct(s: Option<&Score>) -> String {
    s.map(|s| format_pct(s.asr)).unwrap_or_default()
}

fn csv_n(s: Option<&Score>) -> String {
    s.map(|s| s.total.to_string()).unwrap_or_default()
}

/// A free-text cell as spreadsheet programs cannot mistake it for a formula (OWASP's CSV
/// injection advice): a cell that begins with `=`, `+`, `-`, `@`, a tab or a carriage return
/// gets a leading apostrophe, which spreadsheets show as text and hide.
fn text_cell(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{s}") } else { s.to_owned() }
}

/// The CSV of one view: the rows on screen, the columns on screen (each ASR with its n), and a
/// `notice` column that says "sample data, not real results" on every sample row.
pub fn to_csv(data: &LeaderboardData, q: &LeaderboardQuery) -> String {
    let (rows, _) = page_rows(&data.entries, q);
    let by_column = q.sort.ranks_by_column();
    let mut header: Vec<String> = [
        "rank",
        "model",
        "organization",
        "access",
        "reasoning",
        "source",
        "judge",
        "date",
        "overall_asr",
        "overall_ci_low",
        "overall_ci_high",
        "overall_unsafe",
        "overall_n",
        // Added after the columns older consumers read by position.
        "column_rank",
    ]
    .map(String::from)
    .to_vec();
    if q.columns.relations {
        for r in Relation::ALL {
            header.push(format!("{}_asr", r.harness_name()));
            header.push(format!("{}_n", r.harness_name()));
        }
    }
    if q.columns.groups {
        for g in RelationGroup::ALL {
            header.push(format!("{}_asr", g.name()));
            header.push(format!("{}_n", g.name()));
        }
    }
    if q.columns.categories {
        for c in RiskCategory::ALL {
            header.push(format!("{}_asr", c.harness_name()));
            header.push(format!("{}_n", c.harness_name()));
        }
    }
    if q.columns.safety {
        header.extend(
            [
                "refusal_rate_estimate",
                "safe_without_refusal_rate_estimate",
                "refusals_estimate",
                "safe_without_refusal_estimate",
            ]
            .map(String::from),
        );
    }
    header.push("vs_safest".into());
    header.push("notice".into());

    let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
    let _ = w.write_record(&header);
    for (e, column_rank) in rows {
        let o = &e.overall;
        let mut rec: Vec<String> = vec![
            e.rank.to_string(),
            text_cell(&e.model.name),
            text_cell(e.model.organization.as_deref().unwrap_or_default()),
            e.model.access.map(|a| a.as_str().to_owned()).unwrap_or_default(),
            e.model.reasoning.to_string(),
            e.submission.source.as_str().to_owned(),
            text_cell(&e.submission.judge),
            e.submission.date.clone(),
            format_pct(o.asr),
            format_pct(o.ci_low),
            format_pct(o.ci_high),
            o.unsafe_count.to_string(),
            o.total.to_string(),
            if by_column { column_rank.map(|r| r.to_string()).unwrap_or_default() } else { String::new() },
        ];
        if q.columns.relations {
            for r in Relation::ALL {
                rec.push(csv_pct(e.relation(r)));
                rec.push(csv_n(e.relation(r)));
            }
        }
        if q.columns.groups {
            for g in RelationGroup::ALL {
                rec.push(csv_pct(e.group(g)));
                rec.push(csv_n(e.group(g)));
            }
        }
        if q.columns.categories {
            for c in RiskCategory::ALL {
                rec.push(csv_pct(e.category(c)));
                rec.push(csv_n(e.category(c)));
            }
        }
        if q.columns.safety {
            rec.push(o.refusal_rate().map(format_pct).unwrap_or_default());
            rec.push(o.superficial_rate().map(format_pct).unwrap_or_default());
            rec.push(o.refusals.map(|r| r.to_string()).unwrap_or_default());
            rec.push(o.safe_without_refusal().map(|r| r.to_string()).unwrap_or_default());
        }
        rec.push(
            match e.vs_safest {
                VsSafest::Safest => "safest",
                VsSafest::NotSignificant { .. } => "not significantly different",
                VsSafest::Significant { .. } => "significantly less safe",
                VsSafest::NotTestable => "not testable",
            }
            .to_owned(),
        );
        rec.push(if e.is_sample() { SAMPLE_NOTICE.to_owned() } else { String::new() });
        let _ = w.write_record(&rec);
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::text_cell;

    #[test]
    fn formula_like_cells_are_neutralised() {
        for bad in ["=HYPERLINK(\"x\")", "+1", "-2+3", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(text_cell(bad), format!("'{bad}"));
        }
        assert_eq!(text_cell("Qwen2.5-VL-7B"), "Qwen2.5-VL-7B");
        assert_eq!(text_cell(""), "");
    }
}
