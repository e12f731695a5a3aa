//! Writing results: models, submissions and their counts, in one transaction each.

use super::connection::{Pool, Tx, begin_write};
use super::sql::{bump_version, float_param, is_unique_violation, now, placeholders};
use crate::domain::labels::LabelBits;
use crate::domain::model::{Access, Capability, JudgeName, ModelMeta, ModelName, Source, Status};
use crate::domain::submission::{Aggregates, ItemLabel, ParsedResult};
use crate::domain::taxonomy::{Relation, RiskCategory};
use sqlx::Row;

/// Everything needed to store one submission.
#[derive(Debug)]
pub struct NewSubmission<'a> {
    pub model: &'a ModelName,
    pub meta: &'a ModelMeta,
    /// Only maintainers' imports set this: it overwrites the model's capability score.
    pub capability: Option<&'a Capability>,
    pub judge: &'a JudgeName,
    pub source: Source,
    pub status: Status,
    pub note: Option<&'a str>,
    pub archive_sha256: Option<&'a str>,
    pub archive_kind: Option<&'a str>,
    pub folder_name: Option<&'a str>,
    pub result: &'a ParsedResult,
    /// Who stored it: `cli`, `web`, `api`, `demo`. Approved submissions (maintainer imports)
    /// apply the model facts at once; the others only propose them.
    pub actor: &'a str,
}

/// What went wrong while storing, beyond plain database errors.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The same archive is already pending or approved.
    #[error("this archive was already submitted as submission #{0}")]
    DuplicateArchive(i64),
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

/// Stores a submission and all its counts in one transaction: either everything lands or
/// nothing does.
#[tracing::instrument(skip_all, fields(model = %s.model, judge = %s.judge, status = s.status.as_str()))]
pub async fn insert_submission(pool: &Pool, s: &NewSubmission<'_>) -> Result<i64, StoreError> {
    let mut tx = begin_write(pool).await?;
    let result = insert_in_tx(&mut tx, s).await;
    match result {
        Ok(id) => {
            tx.commit().await?;
            Ok(id)
        }
        Err(e) => {
            // Dropping the transaction rolls it back.
            drop(tx);
            match e {
                StoreError::Db(db) if is_unique_violation(&db) && s.archive_sha256.is_some() => {
                    match find_live_archive(pool, s.archive_sha256.unwrap_or_default()).await? {
                        Some(existing) => Err(StoreError::DuplicateArchive(existing)),
                        None => Err(StoreError::Db(db)),
                    }
                }
                other => Err(other),
            }
        }
    }
}

async fn insert_in_tx(tx: &mut Tx<'_>, s: &NewSubmission<'_>) -> Result<i64, StoreError> {
    let t = now();
    bump_version(tx).await?;
    let reviewed = s.status == Status::Approved;
    let model_id = ensure_model(tx, s.model, t, reviewed).await?;
    if reviewed {
        apply_model_facts(tx, model_id, s.meta).await?;
        claim_slug(tx, model_id).await?;
        if let Some(c) = s.capability {
            set_capability_tx(tx, model_id, Some(c)).await?;
        }
    }
    let summary = &s.result.summary;
    let warnings = serde_json::to_string(&summary.warnings).unwrap_or_else(|_| "[]".into());
    let draft_key = random_key();
    let id: i64 = sqlx::query(
        // language=SQL
        "INSERT INTO submissions (model_id, judge, source, status, granularity, draft_key, note,
            archive_sha256, archive_kind, folder_name, items_total, rule_set_version, warnings_json,
            proposed_organization, proposed_access, proposed_reasoning, proposed_parameters_b, proposed_link,
            submitted_at, decided_at, label_bits)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, CAST($17 AS DOUBLE PRECISION), $18, $19, $20, $21)
         RETURNING id",
    )
    .bind(model_id)
    .bind(s.judge.as_str())
    .bind(s.source.as_str())
    .bind(s.status.as_str())
    .bind(summary.granularity.as_str())
    .bind(&draft_key)
    .bind(s.note)
    .bind(s.archive_sha256)
    .bind(s.archive_kind)
    .bind(s.folder_name)
    .bind(summary.coverage.received as i64)
    .bind(summary.rule_set_version.as_deref())
    .bind(warnings)
    .bind(s.meta.organization.as_deref())
    .bind(s.meta.access.map(|a| a.as_str()))
    .bind(s.meta.reasoning.map(i32::from))
    .bind(float_param(s.meta.parameters_b))
    .bind(s.meta.link.as_deref())
    .bind(t)
    .bind((s.status == Status::Approved).then_some(t))
    .bind((!s.result.items.is_empty()).then(|| LabelBits::from_items(&s.result.items).encode()))
    .fetch_one(&mut **tx)
    .await?
    .try_get("id")?;

    insert_cells(tx, id, s.result).await?;
    insert_items(tx, id, &s.result.items).await?;
    if let Some(a) = &s.result.aggregates {
        insert_aggregates(tx, id, a).await?;
    }
    let kind = match s.status {
        Status::Draft => "validated",
        Status::Pending => "submitted",
        _ => "imported",
    };
    insert_event(tx, id, t, kind, s.actor, None).await?;
    Ok(id)
}

/// Finds or creates the model row, without facts: facts reach a model only when a maintainer
/// approves them ([`apply_model_facts`]), so an unreviewed upload changes nothing the public
/// sees. A model first named by an unreviewed upload gets a provisional slug; a reviewed one
/// the slug of its name (`-2`, `-3`, ... on a clash).
async fn ensure_model(tx: &mut Tx<'_>, name: &ModelName, t: i64, reviewed: bool) -> Result<i64, sqlx::Error> {
    let base = name.slug();
    for attempt in 1..=50 {
        let slug = match (reviewed, attempt) {
            (false, _) => format!("unreviewed-{}", random_key()),
            (true, 1) => base.clone(),
            (true, n) => format!("{base}-{n}"),
        };
        sqlx::query(
            "INSERT INTO models (name, slug, slug_provisional, reasoning, created_at) VALUES ($1, $2, $3, 0, $4)
             ON CONFLICT DO NOTHING",
        )
        .bind(name.as_str())
        .bind(&slug)
        .bind(i32::from(!reviewed))
        .bind(t)
        .execute(&mut **tx)
        .await?;
        if let Some(row) =
            sqlx::query("SELECT id FROM models WHERE name = $1").bind(name.as_str()).fetch_optional(&mut **tx).await?
        {
            return row.try_get("id");
        }
        // The name is new but the slug belongs to another model: try the next slug.
    }
    Err(sqlx::Error::Protocol(format!("no free slug for model {name}")))
}

/// Gives a model with a provisional slug the slug of its name, once a result of it is
/// approved.
pub(super) async fn claim_slug(tx: &mut Tx<'_>, model_id: i64) -> Result<(), sqlx::Error> {
    let row = sqlx::query("SELECT name, slug_provisional FROM models WHERE id = $1")
        .bind(model_id)
        .fetch_one(&mut **tx)
        .await?;
    if row.try_get::<i64, _>("slug_provisional")? == 0 {
        return Ok(());
    }
    let name: String = row.try_get("name")?;
    let base = ModelName::parse(&name).map(|n| n.slug()).unwrap_or_else(|_| "model".into());
    for attempt in 1..=50 {
        let slug = if attempt == 1 { base.clone() } else { format!("{base}-{attempt}") };
        let taken =
            sqlx::query("SELECT 1 AS x FROM models WHERE slug = $1").bind(&slug).fetch_optional(&mut **tx).await?;
        if taken.is_none() {
            sqlx::query("UPDATE models SET slug = $2, slug_provisional = 0 WHERE id = $1")
                .bind(model_id)
                .bind(&slug)
                .execute(&mut **tx)
                .await?;
            return Ok(());
        }
    }
    Err(sqlx::Error::Protocol(format!("no free slug for model {name}")))
}

/// Applies facts to a model: the given ones where known, the model's own elsewhere
/// ([`ModelMeta::over`], the one rule for applying facts).
pub(super) async fn apply_model_facts(tx: &mut Tx<'_>, model_id: i64, facts: &ModelMeta) -> Result<(), sqlx::Error> {
    let row = sqlx::query("SELECT organization, access, reasoning, parameters_b, link FROM models WHERE id = $1")
        .bind(model_id)
        .fetch_one(&mut **tx)
        .await?;
    let access: Option<String> = row.try_get("access")?;
    let current = ModelMeta {
        organization: row.try_get("organization")?,
        access: access.as_deref().and_then(|a| Access::parse(a).ok()),
        reasoning: Some(row.try_get::<i64, _>("reasoning")? == 1),
        parameters_b: row.try_get("parameters_b")?,
        link: row.try_get("link")?,
    };
    let merged = facts.over(&current);
    sqlx::query(
        "UPDATE models SET organization = $2, access = $3, reasoning = $4,
            parameters_b = CAST($5 AS DOUBLE PRECISION), link = $6
         WHERE id = $1",
    )
    .bind(model_id)
    .bind(merged.organization.as_deref())
    .bind(merged.access.map(|a| a.as_str()))
    .bind(i32::from(merged.reasoning.unwrap_or(false)))
    .bind(float_param(merged.parameters_b))
    .bind(merged.link.as_deref())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The model of a submission and the facts the submission proposes about it.
pub(super) async fn proposed_facts(tx: &mut Tx<'_>, id: i64) -> Result<(i64, ModelMeta), sqlx::Error> {
    let row = sqlx::query(
        "SELECT model_id, proposed_organization, proposed_access, proposed_reasoning, proposed_parameters_b,
                proposed_link
         FROM submissions WHERE id = $1",
    )
    .bind(id)
    .fetch_one(&mut **tx)
    .await?;
    let access: Option<String> = row.try_get("proposed_access")?;
    Ok((
        row.try_get("model_id")?,
        ModelMeta {
            organization: row.try_get("proposed_organization")?,
            access: access.as_deref().and_then(|a| Access::parse(a).ok()),
            reasoning: row.try_get::<Option<i64>, _>("proposed_reasoning")?.map(|r| r == 1),
            parameters_b: row.try_get("proposed_parameters_b")?,
            link: row.try_get("proposed_link")?,
        },
    ))
}

/// Sets or clears a model's capability score inside a write transaction.
pub(super) async fn set_capability_tx(
    tx: &mut Tx<'_>,
    model_id: i64,
    c: Option<&Capability>,
) -> Result<bool, sqlx::Error> {
    bump_version(tx).await?;
    let r = sqlx::query(
        "UPDATE models SET capability_score = CAST($2 AS DOUBLE PRECISION), capability_benchmark = $3, capability_source = $4
         WHERE id = $1",
    )
    .bind(model_id)
    .bind(float_param(c.map(|c| c.score)))
    .bind(c.map(|c| c.benchmark.as_str()))
    .bind(c.and_then(|c| c.source.as_deref()))
    .execute(&mut **tx)
    .await?;
    Ok(r.rows_affected() == 1)
}

async fn insert_cells(tx: &mut Tx<'_>, id: i64, result: &ParsedResult) -> Result<(), sqlx::Error> {
    let cells = &result.summary.cells;
    if cells.is_empty() {
        return Ok(());
    }
    let sql = format!(
        "INSERT INTO cell_counts (submission_id, category, relation, unsafe_count, total, refusals) VALUES {}",
        (0..cells.len()).map(|i| format!("({})", placeholders(i * 6 + 1, 6))).collect::<Vec<_>>().join(", ")
    );
    let mut q = sqlx::query(&sql);
    for (cat, rel, c) in cells {
        q = q
            .bind(id)
            .bind(cat.harness_name())
            .bind(rel.harness_name())
            .bind(c.unsafe_count as i64)
            .bind(c.total as i64)
            .bind(c.refusals.map(|r| r as i64));
    }
    q.execute(&mut **tx).await?;
    Ok(())
}

/// A run's item labels in one statement: the items as one JSON array of integers that the
/// store unpacks itself. Rows as parameters were slow: sqlx's SQLite driver finds each parameter
/// by name among all of the statement's, so binding costs the square of their number (a
/// 2,676-row statement took 0.8 s of a 0.9 s import). Rows as JSON arrays of five fields were
/// next: extracting each field re-parses its row (10 ms of a 28 ms import). Joining the names
/// in was slower still; a statement per cell cost a round trip to the driver's thread each (54
/// of them). A bare integer per item (see [`item_code`]) is read with no parsing beyond the
/// array's own, and the names come from a `CASE` over the taxonomy's fixed order.
async fn insert_items(tx: &mut Tx<'_>, id: i64, items: &[ItemLabel]) -> Result<(), sqlx::Error> {
    if items.is_empty() {
        return Ok(());
    }
    let postgres = tx.backend_name() == "PostgreSQL";
    let codes: Vec<u64> = items.iter().map(item_code).collect();
    let codes = serde_json::to_string(&codes).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
    sqlx::query(insert_items_sql(postgres)).bind(id).bind(codes).execute(&mut **tx).await?;
    Ok(())
}

/// The statement of [`insert_items`] for one backend, built once from the taxonomy.
fn insert_items_sql(postgres: bool) -> &'static str {
    use std::sync::OnceLock;
    static SQL: [OnceLock<String>; 2] = [OnceLock::new(), OnceLock::new()];
    SQL[usize::from(postgres)].get_or_init(|| {
        // `CASE (c >> shift) & 15 WHEN 0 THEN 'first name' ... END`
        fn names(code: &str, shift: u32, names: &[&str]) -> String {
            let arms: String = names
                .iter()
                .enumerate()
                .map(|(i, n)| format!(" WHEN {i} THEN '{}'", n.replace('\'', "''")))
                .collect();
            format!("CASE ({code} >> {shift}) & 15{arms} END")
        }
        let categories: Vec<&str> = RiskCategory::ALL.iter().map(|c| c.harness_name()).collect();
        let relations: Vec<&str> = Relation::ALL.iter().map(|r| r.harness_name()).collect();
        // Postgres wants the integer columns at their own widths; SQLite takes any integer.
        let cast = |expr: String, ty: &str| if postgres { format!("CAST({expr} AS {ty})") } else { expr };
        let c = if postgres { "c" } else { "value" };
        let columns = [
            names(c, CATEGORY_SHIFT, &categories),
            names(c, RELATION_SHIFT, &relations),
            cast(format!("({c} >> 3) & 4294967295"), "INTEGER"),
            cast(format!("{c} & 1"), "SMALLINT"),
            cast(format!("CASE ({c} >> 1) & 3 WHEN 1 THEN 0 WHEN 2 THEN 1 END"), "SMALLINT"),
        ]
        .join(", ");
        let head = "INSERT INTO item_labels (submission_id, category, relation, item_index, is_unsafe, is_refusal)";
        if postgres {
            format!(
                "{head} SELECT $1, {columns} FROM (SELECT CAST(e AS BIGINT) AS c FROM json_array_elements_text(CAST($2 AS JSON)) AS e) AS items"
            )
        } else {
            format!("{head} SELECT $1, {columns} FROM json_each($2)")
        }
    })
}

/// Bits of an item's code: the flags (3), the index (32), the relation (4), the category (4).
const RELATION_SHIFT: u32 = 35;
const CATEGORY_SHIFT: u32 = 39;

/// One item's label as the integer [`insert_items`] stores: category and relation as their
/// positions in the taxonomy, the index, refusal (0 unknown, 1 no, 2 yes) and unsafe.
fn item_code(i: &ItemLabel) -> u64 {
    let refusal = match i.refusal {
        None => 0,
        Some(false) => 1,
        Some(true) => 2,
    };
    (u64::from(i.category.position()) << CATEGORY_SHIFT)
        | (u64::from(i.relation.position()) << RELATION_SHIFT)
        | (u64::from(i.index) << 3)
        | (refusal << 1)
        | u64::from(i.is_unsafe)
}

async fn insert_aggregates(tx: &mut Tx<'_>, id: i64, a: &Aggregates) -> Result<(), sqlx::Error> {
    let mut rows: Vec<(&str, &str, &crate::domain::submission::Reported)> = Vec::new();
    if let Some(o) = &a.overall {
        rows.push(("overall", "", o));
    }
    rows.extend(a.relations.iter().map(|(r, v)| ("relation", r.harness_name(), v)));
    rows.extend(a.categories.iter().map(|(c, v)| ("category", c.harness_name(), v)));
    for (scope, name, v) in rows {
        sqlx::query(
            "INSERT INTO aggregate_counts (submission_id, scope, name, unsafe_count, total, reported_asr)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(id)
        .bind(scope)
        .bind(name)
        .bind(v.counts.unsafe_count as i64)
        .bind(v.counts.total as i64)
        .bind(&v.printed)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

pub(super) async fn insert_event(
    tx: &mut Tx<'_>,
    id: i64,
    at: i64,
    kind: &str,
    actor: &str,
    detail: Option<&str>,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO submission_events (submission_id, at, kind, actor, detail) VALUES ($1, $2, $3, $4, $5)")
        .bind(id)
        .bind(at)
        .bind(kind)
        .bind(actor)
        .bind(detail)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// The pending or approved submission holding an archive with this SHA-256, if any.
#[tracing::instrument(skip(pool))]
pub async fn find_live_archive(pool: &Pool, sha256: &str) -> Result<Option<i64>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT id FROM submissions WHERE archive_sha256 = $1 AND status IN ('pending', 'approved') ORDER BY id LIMIT 1",
    )
    .bind(sha256)
    .fetch_optional(pool)
    .await?;
    row.map(|r| r.try_get("id")).transpose()
}

/// A rejected submission with the same archive: worth telling the uploader about.
#[tracing::instrument(skip(pool))]
pub async fn find_rejected_archive(pool: &Pool, sha256: &str) -> Result<Option<(i64, Option<String>)>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT id, reason FROM submissions WHERE archive_sha256 = $1 AND status = 'rejected' ORDER BY id DESC LIMIT 1",
    )
    .bind(sha256)
    .fetch_optional(pool)
    .await?;
    row.map(|r| Ok((r.try_get("id")?, r.try_get("reason")?))).transpose()
}

/// Fills `label_bits` of per-item submissions stored before the column existed (idempotent,
/// so servers starting together may both run it). Returns how many were filled.
pub async fn backfill_label_bits(pool: &Pool) -> Result<usize, sqlx::Error> {
    let ids: Vec<i64> = sqlx::query("SELECT id FROM submissions WHERE granularity = 'items' AND label_bits IS NULL")
        .fetch_all(pool)
        .await?
        .iter()
        .map(|r| r.try_get("id"))
        .collect::<Result<_, _>>()?;
    for id in &ids {
        let rows =
            sqlx::query("SELECT category, relation, item_index, is_unsafe FROM item_labels WHERE submission_id = $1")
                .bind(id)
                .fetch_all(pool)
                .await?;
        let mut items = Vec::with_capacity(rows.len());
        for r in rows {
            let (c, rel): (String, String) = (r.try_get("category")?, r.try_get("relation")?);
            let bad =
                |what: &str, v: &str| sqlx::Error::Decode(format!("unexpected {what} `{v}` in item_labels").into());
            items.push(ItemLabel {
                category: RiskCategory::from_harness_name(&c).ok_or_else(|| bad("category", &c))?,
                relation: Relation::from_harness_name(&rel).ok_or_else(|| bad("relation", &rel))?,
                index: r.try_get::<i64, _>("item_index")? as u32,
                is_unsafe: r.try_get::<i64, _>("is_unsafe")? == 1,
                refusal: None,
            });
        }
        sqlx::query("UPDATE submissions SET label_bits = $2 WHERE id = $1 AND label_bits IS NULL")
            .bind(id)
            .bind(LabelBits::from_items(&items).encode())
            .execute(pool)
            .await?;
    }
    if !ids.is_empty() {
        tracing::info!(submissions = ids.len(), "filled the item label bits of older submissions");
    }
    Ok(ids.len())
}

/// Whether anything at all has been stored (the demo fills only an empty store).
#[tracing::instrument(skip(pool))]
pub async fn store_is_empty(pool: &Pool) -> Result<bool, sqlx::Error> {
    let row = sqlx::query("SELECT COUNT(*) AS n FROM submissions").fetch_one(pool).await?;
    Ok(row.try_get::<i64, _>("n")? == 0)
}

/// A random 128-bit hex key (drafts, sessions, CSRF tokens).
pub fn random_key() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}
