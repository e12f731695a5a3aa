//! Reading results back as domain data: leaderboard inputs, submissions, paired counts.
//! Nothing here writes.

use super::connection::Pool;
use super::sql::placeholders;
use crate::domain::labels::LabelBits;
use crate::domain::leaderboard::{Breakdown, EntryInput, ModelInfo, SubmissionInfo};
use crate::domain::metrics::Counts;
use crate::domain::model::{Access, Capability, Granularity, ModelMeta, Source, Status};
use crate::domain::submission::{Coverage, Event, Problem, ResultSummary, SubmissionLine};
use crate::domain::taxonomy::{Relation, RiskCategory};
use sqlx::Row;
use sqlx::any::AnyRow;
use std::collections::HashMap;

/// `YYYY-MM-DD` (UTC) of a unix time.
pub fn format_date(unix: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(unix)
        .map(|t| {
            let d = t.date();
            format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
        })
        .unwrap_or_else(|_| "unknown".into())
}

/// Columns shared by every query that reads a model (prefix `m.`).
const MODEL_COLUMNS: &str = "m.id AS model_id, m.name AS model_name, m.slug AS model_slug, m.organization, m.access,
    m.reasoning, m.parameters_b, m.link, m.capability_score, m.capability_benchmark, m.capability_source";

fn model_from_row(row: &AnyRow) -> Result<ModelInfo, sqlx::Error> {
    let access: Option<String> = row.try_get("access")?;
    let capability = match row.try_get::<Option<f64>, _>("capability_score")? {
        Some(score) => Some(Capability {
            score,
            benchmark: row.try_get::<Option<String>, _>("capability_benchmark")?.unwrap_or_default(),
            source: row.try_get("capability_source")?,
        }),
        None => None,
    };
    Ok(ModelInfo {
        name: row.try_get("model_name")?,
        slug: row.try_get("model_slug")?,
        organization: row.try_get("organization")?,
        access: access.as_deref().and_then(|a| Access::parse(a).ok()),
        reasoning: row.try_get::<i64, _>("reasoning")? == 1,
        parameters_b: row.try_get("parameters_b")?,
        link: row.try_get("link")?,
        capability,
    })
}

fn decode_err(what: &str, value: &str) -> sqlx::Error {
    sqlx::Error::Decode(format!("unexpected {what} `{value}` in the store").into())
}

fn submission_from_row(row: &AnyRow) -> Result<SubmissionInfo, sqlx::Error> {
    let source: String = row.try_get("source")?;
    let granularity: String = row.try_get("granularity")?;
    let submitted_at: i64 = row.try_get("submitted_at")?;
    Ok(SubmissionInfo {
        id: row.try_get("id")?,
        judge: row.try_get("judge")?,
        source: Source::parse(&source).map_err(|_| decode_err("source", &source))?,
        granularity: Granularity::parse(&granularity).ok_or_else(|| decode_err("granularity", &granularity))?,
        submitted_at,
        date: format_date(submitted_at),
    })
}

/// The judges that have at least one approved result, in name order.
#[tracing::instrument(skip(pool))]
pub async fn judges(pool: &Pool, as_of: Option<i64>) -> Result<Vec<String>, sqlx::Error> {
    let sql = format!("SELECT DISTINCT s.judge FROM submissions s WHERE {} ORDER BY s.judge", live_at(as_of, 1));
    let mut q = sqlx::query(&sql);
    if let Some(t) = as_of {
        q = q.bind(t);
    }
    q.fetch_all(pool).await?.iter().map(|r| r.try_get("judge")).collect()
}

/// The condition "submission `s` was ranked at time `$n`": approved now, or, as of a past
/// time, approved (or imported approved) by then and not rejected (withdrawn) by then, as its
/// events record. Nothing is ever approved again after a rejection.
fn live_at(as_of: Option<i64>, n: usize) -> String {
    match as_of {
        None => "s.status = 'approved'".to_owned(),
        Some(_) => format!(
            "EXISTS (SELECT 1 FROM submission_events e WHERE e.submission_id = s.id AND e.kind IN ('approved', 'imported') AND e.at <= ${n})
             AND NOT EXISTS (SELECT 1 FROM submission_events e WHERE e.submission_id = s.id AND e.kind = 'rejected' AND e.at <= ${n})"
        ),
    }
}

/// When the first result was ranked (approved or imported), if ever.
#[tracing::instrument(skip(pool))]
pub async fn first_approval_at(pool: &Pool) -> Result<Option<i64>, sqlx::Error> {
    let row = sqlx::query("SELECT MIN(at) AS t FROM submission_events WHERE kind IN ('approved', 'imported')")
        .fetch_one(pool)
        .await?;
    row.try_get("t")
}

/// Every model's latest approved result under one judge, with all its counts.
#[tracing::instrument(skip(pool))]
pub async fn leaderboard_inputs(pool: &Pool, judge: &str, as_of: Option<i64>) -> Result<Vec<EntryInput>, sqlx::Error> {
    let sql = format!(
        "WITH live AS (SELECT s.id, s.model_id FROM submissions s WHERE s.judge = $1 AND {}),
              latest AS (SELECT MAX(id) AS id FROM live GROUP BY model_id)
         SELECT s.id, s.judge, s.source, s.granularity, s.submitted_at, {MODEL_COLUMNS}
         FROM latest l JOIN submissions s ON s.id = l.id JOIN models m ON m.id = s.model_id
         ORDER BY m.name",
        live_at(as_of, 2)
    );
    let mut q = sqlx::query(&sql).bind(judge);
    if let Some(t) = as_of {
        q = q.bind(t);
    }
    let rows = q.fetch_all(pool).await?;
    let mut heads = Vec::with_capacity(rows.len());
    for row in &rows {
        heads.push((model_from_row(row)?, submission_from_row(row)?));
    }
    let ids: Vec<i64> = heads.iter().map(|h| h.1.id).collect();
    let mut breakdowns = breakdowns(pool, &ids).await?;
    Ok(heads
        .into_iter()
        .map(|(model, submission)| {
            let breakdown = breakdowns.remove(&submission.id).unwrap_or_default();
            EntryInput { model, submission, breakdown }
        })
        .collect())
}

/// Per-submission breakdowns, from cell counts (per-item results) or published aggregates.
async fn breakdowns(pool: &Pool, ids: &[i64]) -> Result<HashMap<i64, Breakdown>, sqlx::Error> {
    let mut out = HashMap::new();
    if ids.is_empty() {
        return Ok(out);
    }
    let cells = cells_for(pool, ids).await?;
    for (id, c) in &cells {
        out.insert(*id, Breakdown::from_cells(c));
    }
    let aggregates = aggregates_for(pool, ids).await?;
    for (id, a) in aggregates {
        out.insert(id, a.breakdown());
    }
    Ok(out)
}

pub type CellList = Vec<(RiskCategory, Relation, Counts)>;

async fn cells_for(pool: &Pool, ids: &[i64]) -> Result<HashMap<i64, CellList>, sqlx::Error> {
    let sql = format!(
        "SELECT submission_id, category, relation, unsafe_count, total, refusals FROM cell_counts
         WHERE submission_id IN ({})",
        placeholders(1, ids.len())
    );
    let mut q = sqlx::query(&sql);
    for id in ids {
        q = q.bind(*id);
    }
    let mut out: HashMap<i64, CellList> = HashMap::new();
    for row in q.fetch_all(pool).await? {
        let category: String = row.try_get("category")?;
        let relation: String = row.try_get("relation")?;
        let counts = counts_from_row(&row)?;
        out.entry(row.try_get("submission_id")?).or_default().push((
            RiskCategory::from_harness_name(&category).ok_or_else(|| decode_err("category", &category))?,
            Relation::from_harness_name(&relation).ok_or_else(|| decode_err("relation", &relation))?,
            counts,
        ));
    }
    for cells in out.values_mut() {
        cells.sort_by_key(|c| (c.0, c.1));
    }
    Ok(out)
}

fn counts_from_row(row: &AnyRow) -> Result<Counts, sqlx::Error> {
    let u: i64 = row.try_get("unsafe_count")?;
    let t: i64 = row.try_get("total")?;
    let r: Option<i64> = row.try_get("refusals")?;
    Counts::new(u as u32, t as u32, r.map(|r| r as u32)).map_err(|e| sqlx::Error::Decode(Box::new(e)))
}

async fn aggregates_for(
    pool: &Pool,
    ids: &[i64],
) -> Result<HashMap<i64, crate::domain::submission::Aggregates>, sqlx::Error> {
    use crate::domain::submission::{Aggregates, Reported};
    let sql = format!(
        "SELECT submission_id, scope, name, unsafe_count, total, reported_asr, NULL AS refusals FROM aggregate_counts
         WHERE submission_id IN ({})",
        placeholders(1, ids.len())
    );
    let mut q = sqlx::query(&sql);
    for id in ids {
        q = q.bind(*id);
    }
    let mut out: HashMap<i64, Aggregates> = HashMap::new();
    for row in q.fetch_all(pool).await? {
        let scope: String = row.try_get("scope")?;
        let name: String = row.try_get("name")?;
        let u: i64 = row.try_get("unsafe_count")?;
        let t: i64 = row.try_get("total")?;
        let value = Reported {
            counts: Counts::new(u as u32, t as u32, None).map_err(|e| sqlx::Error::Decode(Box::new(e)))?,
            printed: row.try_get("reported_asr")?,
        };
        let agg = out.entry(row.try_get("submission_id")?).or_default();
        match scope.as_str() {
            "overall" => agg.overall = Some(value),
            "relation" => agg
                .relations
                .push((Relation::from_harness_name(&name).ok_or_else(|| decode_err("relation", &name))?, value)),
            "category" => agg
                .categories
                .push((RiskCategory::from_harness_name(&name).ok_or_else(|| decode_err("category", &name))?, value)),
            other => return Err(decode_err("scope", other)),
        }
    }
    for a in out.values_mut() {
        a.relations.sort_by_key(|r| r.0);
        a.categories.sort_by_key(|c| c.0);
    }
    Ok(out)
}

/// The per-item labels, as bits, of the given submissions (those that have them).
#[tracing::instrument(skip(pool, ids), fields(n = ids.len()))]
pub async fn label_bits(pool: &Pool, ids: &[i64]) -> Result<HashMap<i64, LabelBits>, sqlx::Error> {
    let mut out = HashMap::new();
    if ids.is_empty() {
        return Ok(out);
    }
    for chunk in ids.chunks(10_000) {
        let sql = format!(
            "SELECT id, label_bits FROM submissions WHERE label_bits IS NOT NULL AND id IN ({})",
            placeholders(1, chunk.len())
        );
        let mut q = sqlx::query(&sql);
        for id in chunk {
            q = q.bind(*id);
        }
        for row in q.fetch_all(pool).await? {
            let bytes: Vec<u8> = row.try_get("label_bits")?;
            out.insert(row.try_get("id")?, LabelBits::decode(&bytes).map_err(|e| sqlx::Error::Decode(Box::new(e)))?);
        }
    }
    Ok(out)
}

/// A model by its page slug, with its id.
#[tracing::instrument(skip(pool))]
pub async fn model_by_slug(pool: &Pool, slug: &str) -> Result<Option<(i64, ModelInfo)>, sqlx::Error> {
    let sql = format!("SELECT {MODEL_COLUMNS} FROM models m WHERE m.slug = $1");
    let row = sqlx::query(&sql).bind(slug).fetch_optional(pool).await?;
    row.map(|r| Ok((r.try_get("model_id")?, model_from_row(&r)?))).transpose()
}

/// A model's id by its exact name.
#[tracing::instrument(skip(pool))]
pub async fn model_id_by_name(pool: &Pool, name: &str) -> Result<Option<i64>, sqlx::Error> {
    let row = sqlx::query("SELECT id FROM models WHERE name = $1").bind(name).fetch_optional(pool).await?;
    row.map(|r| r.try_get("id")).transpose()
}

const LINE_COLUMNS: &str = "s.id, s.judge, s.source, s.status, s.granularity, s.items_total, s.submitted_at,
    s.decided_at, s.reason, m.name AS model_name, m.slug AS model_slug";

fn line_from_row(row: &AnyRow) -> Result<SubmissionLine, sqlx::Error> {
    let source: String = row.try_get("source")?;
    let status: String = row.try_get("status")?;
    let granularity: String = row.try_get("granularity")?;
    let submitted_at: i64 = row.try_get("submitted_at")?;
    let decided_at: Option<i64> = row.try_get("decided_at")?;
    Ok(SubmissionLine {
        id: row.try_get("id")?,
        model: row.try_get("model_name")?,
        model_slug: row.try_get("model_slug")?,
        judge: row.try_get("judge")?,
        source: Source::parse(&source).map_err(|_| decode_err("source", &source))?,
        status: Status::parse(&status).ok_or_else(|| decode_err("status", &status))?,
        granularity: Granularity::parse(&granularity).ok_or_else(|| decode_err("granularity", &granularity))?,
        items_total: row.try_get::<i64, _>("items_total")? as u32,
        submitted_at,
        submitted_date: format_date(submitted_at),
        decided_at,
        decided_date: decided_at.map(format_date),
        reason: row.try_get("reason")?,
    })
}

/// The public queue: every non-draft submission, newest first, optionally of one status.
#[tracing::instrument(skip(pool))]
pub async fn list_submissions(
    pool: &Pool,
    status: Option<Status>,
    limit: i64,
    offset: i64,
) -> Result<Vec<SubmissionLine>, sqlx::Error> {
    let sql = format!(
        "SELECT {LINE_COLUMNS} FROM submissions s JOIN models m ON m.id = s.model_id
         WHERE s.status <> 'draft' AND ($1 = '' OR s.status = $1)
         ORDER BY s.id DESC LIMIT $2 OFFSET $3"
    );
    let rows =
        sqlx::query(&sql).bind(status.map_or("", |s| s.as_str())).bind(limit).bind(offset).fetch_all(pool).await?;
    rows.iter().map(line_from_row).collect()
}

/// All of a model's non-draft submissions, newest first.
#[tracing::instrument(skip(pool))]
pub async fn model_submissions(pool: &Pool, model_id: i64) -> Result<Vec<SubmissionLine>, sqlx::Error> {
    let sql = format!(
        "SELECT {LINE_COLUMNS} FROM submissions s JOIN models m ON m.id = s.model_id
         WHERE s.model_id = $1 AND s.status <> 'draft' ORDER BY s.id DESC"
    );
    let rows = sqlx::query(&sql).bind(model_id).fetch_all(pool).await?;
    rows.iter().map(line_from_row).collect()
}

/// A stored submission, everything public about it (the draft key is never returned).
#[derive(Debug, Clone)]
pub struct StoredSubmission {
    pub line: SubmissionLine,
    pub model: ModelInfo,
    pub note: Option<String>,
    pub archive_sha256: Option<String>,
    pub archive_kind: Option<String>,
    pub folder_name: Option<String>,
    pub proposed: ModelMeta,
    pub summary: ResultSummary,
    pub events: Vec<Event>,
}

#[tracing::instrument(skip(pool))]
pub async fn submission(pool: &Pool, id: i64) -> Result<Option<StoredSubmission>, sqlx::Error> {
    let sql = format!(
        "SELECT {LINE_COLUMNS}, {MODEL_COLUMNS}, s.note, s.archive_sha256, s.archive_kind, s.folder_name,
                s.rule_set_version, s.warnings_json, s.proposed_organization, s.proposed_access,
                s.proposed_reasoning, s.proposed_parameters_b, s.proposed_link
         FROM submissions s JOIN models m ON m.id = s.model_id WHERE s.id = $1"
    );
    let Some(row) = sqlx::query(&sql).bind(id).fetch_optional(pool).await? else {
        return Ok(None);
    };
    let line = line_from_row(&row)?;
    let proposed_access: Option<String> = row.try_get("proposed_access")?;
    let proposed = ModelMeta {
        organization: row.try_get("proposed_organization")?,
        access: proposed_access.as_deref().and_then(|a| Access::parse(a).ok()),
        reasoning: row.try_get::<Option<i64>, _>("proposed_reasoning")?.map(|r| r == 1),
        parameters_b: row.try_get("proposed_parameters_b")?,
        link: row.try_get("proposed_link")?,
    };
    let warnings: Vec<Problem> = serde_json::from_str(&row.try_get::<String, _>("warnings_json")?).unwrap_or_default();
    let cells = cells_for(pool, &[id]).await?.remove(&id).unwrap_or_default();
    let breakdown = match line.granularity {
        Granularity::Items => Breakdown::from_cells(&cells),
        Granularity::Aggregate => aggregates_for(pool, &[id]).await?.remove(&id).unwrap_or_default().breakdown(),
    };
    let summary = ResultSummary {
        granularity: line.granularity,
        coverage: Coverage::from_breakdown(&breakdown),
        breakdown,
        cells,
        warnings,
        rule_set_version: row.try_get("rule_set_version")?,
    };
    Ok(Some(StoredSubmission {
        model: model_from_row(&row)?,
        note: row.try_get("note")?,
        archive_sha256: row.try_get("archive_sha256")?,
        archive_kind: row.try_get("archive_kind")?,
        folder_name: row.try_get("folder_name")?,
        proposed,
        summary,
        events: events(pool, id).await?,
        line,
    }))
}

/// Per-cell counts of one submission (empty for aggregate-only results).
#[tracing::instrument(skip(pool))]
pub async fn submission_cells(pool: &Pool, id: i64) -> Result<CellList, sqlx::Error> {
    Ok(cells_for(pool, &[id]).await?.remove(&id).unwrap_or_default())
}

/// Judges under which a model has approved results.
#[tracing::instrument(skip(pool))]
pub async fn model_judges(pool: &Pool, model_id: i64) -> Result<Vec<String>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT DISTINCT judge FROM submissions WHERE model_id = $1 AND status = 'approved' ORDER BY judge",
    )
    .bind(model_id)
    .fetch_all(pool)
    .await?;
    rows.iter().map(|r| r.try_get("judge")).collect()
}

/// The draft key of a draft, for the uploader's own preview link.
#[tracing::instrument(skip(pool))]
pub async fn draft_key(pool: &Pool, id: i64) -> Result<Option<String>, sqlx::Error> {
    let row = sqlx::query("SELECT draft_key FROM submissions WHERE id = $1 AND status = 'draft'")
        .bind(id)
        .fetch_optional(pool)
        .await?;
    row.map(|r| r.try_get("draft_key")).transpose()
}

async fn events(pool: &Pool, id: i64) -> Result<Vec<Event>, sqlx::Error> {
    let rows =
        sqlx::query("SELECT at, kind, actor, detail FROM submission_events WHERE submission_id = $1 ORDER BY at, id")
            .bind(id)
            .fetch_all(pool)
            .await?;
    rows.iter()
        .map(|r| {
            let at: i64 = r.try_get("at")?;
            Ok(Event {
                at,
                date: format_date(at),
                kind: r.try_get("kind")?,
                actor: r.try_get("actor")?,
                detail: r.try_get("detail")?,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::format_date;

    #[test]
    fn dates_are_utc_days() {
        assert_eq!(format_date(0), "1970-01-01");
        assert_eq!(format_date(1_795_219_200), "2026-11-21");
        assert_eq!(format_date(1_795_219_199), "2026-11-20");
    }
}
