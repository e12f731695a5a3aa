//! The aggregate CSV: published numbers transcribed from a paper's table, one row per
//! (model, relation or category or Overall). Documented in `docs/aggregate-csv.md`.
//!
//! A printed percentage and its n pin down a whole number of unsafe answers. We recover that
//! number and refuse any row whose percentage is not k/n for some whole k, which catches most
//! transcription slips; we never store a rate without its counts.

use crate::domain::leaderboard::Breakdown;
use crate::domain::metrics::{Counts, pool};
use crate::domain::model::{
    Access, Capability, FieldError, Granularity, JudgeName, ModelMeta, ModelName, parse_flag, parse_link,
    parse_organization, parse_parameters,
};
use crate::domain::submission::{Aggregates, Coverage, ParsedResult, Problem, Problems, Reported, ResultSummary};
use crate::domain::taxonomy::{Relation, RiskCategory, TOTAL_INSTANCES};
use std::collections::BTreeMap;

/// Columns that describe a row's figure.
const ROW_COLUMNS: [&str; 7] = ["model", "relation", "category", "asr_percent", "n", "judge", "notes"];

/// Columns that describe the model (or its whole submission): they may be left empty on all but
/// one of a model's rows, and must agree wherever they are given.
const MODEL_COLUMNS: [&str; 9] = [
    "source",
    "organization",
    "access",
    "reasoning",
    "parameters",
    "link",
    "capability_score",
    "capability_benchmark",
    "capability_source",
];

/// Columns the importer understands. Anything else is refused, so a typo (`asr` for
/// `asr_percent`) is caught rather than silently dropped.
fn is_known_column(h: &str) -> bool {
    ROW_COLUMNS.contains(&h) || MODEL_COLUMNS.contains(&h)
}

/// One model's published figures under one judge.
#[derive(Debug, Clone)]
pub struct TableModel {
    pub name: ModelName,
    pub judge: JudgeName,
    pub meta: ModelMeta,
    pub capability: Option<Capability>,
    /// Where in the paper the numbers come from (the `source` column, e.g. "Table 2").
    pub reference: Option<String>,
    pub result: ParsedResult,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Scope {
    Overall,
    Relation(Relation),
    Category(RiskCategory),
}

impl Scope {
    fn label(self) -> String {
        match self {
            Self::Overall => "Overall".into(),
            Self::Relation(r) => r.harness_name().into(),
            Self::Category(c) => c.harness_name().into(),
        }
    }
}

#[derive(Default)]
struct Group {
    first_line: usize,
    values: BTreeMap<Scope, Reported>,
    meta: BTreeMap<&'static str, (String, usize)>,
}

/// Most models one CSV may hold (the paper's table has a few dozen); more are refused, so a
/// file of millions of one-row models cannot build millions of groups.
pub const MAX_MODELS: usize = 1000;

/// Parses the whole file; returns every problem (the first [`Problems`] keeps, and a count of
/// the rest), or every model's figures.
pub fn parse_table(bytes: &[u8]) -> Result<Vec<TableModel>, Problems> {
    let text = decode(bytes)?;
    let mut reader = csv::ReaderBuilder::new().trim(csv::Trim::All).flexible(false).from_reader(text.as_bytes());
    let headers = read_header(&mut reader)?;
    let mut problems = Problems::new();
    let groups = read_rows(&mut reader, &headers, &mut problems);
    if groups.is_empty() && problems.is_empty() {
        problems.push(Problem::new("CSV", "no data rows", "add one row per model and relation, below the header"));
    }

    let mut models = Vec::new();
    for ((name, judge), group) in groups {
        match finish_group(&name, &judge, group) {
            Ok(m) => models.push(m),
            Err(p) => problems.extend(p),
        }
    }
    if problems.is_empty() { Ok(models) } else { Err(problems) }
}

/// The file as text, without a leading byte-order mark; anything but UTF-8 is refused.
fn decode(bytes: &[u8]) -> Result<&str, Vec<Problem>> {
    match std::str::from_utf8(bytes) {
        Ok(t) => Ok(t.trim_start_matches('\u{feff}')),
        Err(e) => Err(vec![Problem::new(
            "CSV",
            format!("not UTF-8 text (invalid byte at offset {})", e.valid_up_to()),
            "save the CSV as UTF-8",
        )]),
    }
}

/// The column names, lower-cased. Every header problem is reported at once, and before any
/// row is read: unknown columns, a missing `model` or `asr_percent`, and neither `relation`
/// nor `category`.
fn read_header(reader: &mut csv::Reader<&[u8]>) -> Result<Vec<String>, Vec<Problem>> {
    let headers: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(|h| h.to_ascii_lowercase()).collect(),
        Err(e) => {
            return Err(vec![Problem::new(
                "CSV line 1",
                format!("unreadable header: {e}"),
                "the first line names the columns",
            )]);
        }
    };
    let mut problems = Vec::new();
    for h in &headers {
        if !is_known_column(h) {
            problems.push(Problem::new(
                "CSV line 1",
                format!("unknown column `{h}`"),
                format!("known columns: {}, {}", ROW_COLUMNS.join(", "), MODEL_COLUMNS.join(", ")),
            ));
        }
    }
    for required in ["model", "asr_percent"] {
        if !headers.iter().any(|h| h == required) {
            problems.push(Problem::new(
                "CSV line 1",
                format!("missing column `{required}`"),
                "see docs/aggregate-csv.md for the format",
            ));
        }
    }
    if !headers.iter().any(|h| h == "relation" || h == "category") {
        problems.push(Problem::new(
            "CSV line 1",
            "needs a `relation` or a `category` column",
            "see docs/aggregate-csv.md",
        ));
    }
    if problems.is_empty() { Ok(headers) } else { Err(problems) }
}

/// One data row's figure.
struct Row {
    model: ModelName,
    judge: JudgeName,
    scope: Scope,
    counts: Counts,
    printed: String,
}

/// Reads every data row into the group of its model and judge. Blank rows are skipped; a row
/// with a problem is reported and left out, so that one pass shows the problems of every row.
fn read_rows(
    reader: &mut csv::Reader<&[u8]>,
    headers: &[String],
    problems: &mut Problems,
) -> BTreeMap<(String, String), Group> {
    let col = |name: &str| headers.iter().position(|h| h == name);
    let mut groups: BTreeMap<(String, String), Group> = BTreeMap::new();
    for (row_no, record) in reader.records().enumerate() {
        let line = row_no + 2;
        let loc = format!("CSV line {line}");
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                problems.push_with(|| {
                    Problem::new(loc, format!("unreadable row: {e}"), "every row needs as many fields as the header")
                });
                continue;
            }
        };
        let get = |name: &str| col(name).and_then(|i| record.get(i)).unwrap_or("").to_owned();
        if record.iter().all(str::is_empty) {
            continue;
        }
        match parse_row(&get, &loc) {
            Ok(row) => add_row(&mut groups, row, line, &get, problems),
            Err(problem) => problems.push(problem),
        }
    }
    groups
}

/// One row's figure: whose it is (model and judge, the default judge when none is given),
/// what it covers (Overall, a relation or a category), and the whole count of unsafe answers
/// behind its percentage. The first thing wrong with the row is its problem.
fn parse_row(get: &dyn Fn(&str) -> String, loc: &str) -> Result<Row, Problem> {
    let model = ModelName::parse(&get("model")).map_err(|e| field_problem(loc, e))?;
    let judge_raw = get("judge");
    let judge = if judge_raw.is_empty() { Ok(JudgeName::default_judge()) } else { JudgeName::parse(&judge_raw) };
    let judge = judge.map_err(|e| field_problem(loc, e))?;
    let (relation, category) = (get("relation"), get("category"));
    let scope = match (relation.as_str(), category.as_str()) {
        (r, "") if r.eq_ignore_ascii_case("overall") => Scope::Overall,
        ("", "") => {
            return Err(Problem::new(
                loc,
                "neither `relation` nor `category` is given",
                "name a relation, a category, or `Overall`",
            ));
        }
        (r, "") => match Relation::parse(r) {
            Some(r) => Scope::Relation(r),
            None => {
                return Err(Problem::new(
                    loc,
                    format!("unknown relation `{r}`"),
                    format!("use one of {} or Overall", Relation::ALL.map(|r| r.harness_name()).join(", ")),
                ));
            }
        },
        ("", c) => match RiskCategory::parse(c) {
            Some(c) => Scope::Category(c),
            None => {
                return Err(Problem::new(
                    loc,
                    format!("unknown category `{c}`"),
                    format!("use one of {}", RiskCategory::ALL.map(|c| c.harness_name()).join(", ")),
                ));
            }
        },
        _ => {
            return Err(Problem::new(
                loc,
                "both `relation` and `category` are given",
                "one row holds one figure: fill one of the two",
            ));
        }
    };
    let n = parse_n(&get("n"), scope).map_err(|(message, fix)| Problem::new(loc, message, fix))?;
    let printed = get("asr_percent").trim_end_matches('%').trim().to_owned();
    let counts = counts_from_printed(&printed, n)
        .map_err(|(message, fix)| Problem::new(loc, format!("{}: {message}", scope.label()), fix))?;
    Ok(Row { model, judge, scope, counts, printed })
}

/// Adds a row's figure to the group of its model and judge, which remembers the line it was
/// first seen on. A second figure for the same scope is a problem, and so is a model column
/// whose value differs from the one an earlier row of the group gave.
fn add_row(
    groups: &mut BTreeMap<(String, String), Group>,
    row: Row,
    line: usize,
    get: &dyn Fn(&str) -> String,
    problems: &mut Problems,
) {
    let Row { model, judge, scope, counts, printed } = row;
    let key = (model.as_str().to_owned(), judge.as_str().to_owned());
    if groups.len() >= MAX_MODELS && !groups.contains_key(&key) {
        problems.push_with(|| {
            Problem::new(
                format!("CSV line {line}"),
                format!("more than {MAX_MODELS} models (with their judges) in one CSV"),
                "split the CSV",
            )
        });
        return;
    }
    let group = groups.entry(key).or_insert_with(|| Group { first_line: line, ..Default::default() });
    if group.values.insert(scope, Reported { counts, printed }).is_some() {
        problems.push(Problem::new(
            format!("CSV line {line}"),
            format!("second row for {} / {} / {}", model, scope.label(), judge),
            "keep one row per model, judge and relation (or category)",
        ));
    }
    for key in MODEL_COLUMNS {
        let v = get(key);
        if v.is_empty() {
            continue;
        }
        match group.meta.get(key) {
            Some((old, old_line)) if *old != v => problems.push(Problem::new(
                format!("CSV line {line}"),
                format!("`{key}` is `{v}` here but `{old}` on line {old_line} for the same model"),
                "give each model one value per column",
            )),
            Some(_) => {}
            None => {
                group.meta.insert(key, (v, line));
            }
        }
    }
}

fn field_problem(loc: &str, e: FieldError) -> Problem {
    Problem::new(loc, format!("{}: {}", e.field, e.message), "correct the value")
}

/// n defaults to the benchmark's own count for relations and overall. Category counts were
/// never published in a form we could check, so category rows must state n.
fn parse_n(raw: &str, scope: Scope) -> Result<u32, (String, String)> {
    if raw.is_empty() {
        return match scope {
            Scope::Overall => Ok(TOTAL_INSTANCES),
            Scope::Relation(r) => Ok(r.instance_count()),
            Scope::Category(c) => Err((
                format!("{}: `n` is required for category rows", c.harness_name()),
                "give the number of items the percentage is computed over".into(),
            )),
        };
    }
    match raw.parse::<u32>() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err((format!("n `{raw}` is not a positive whole number"), "write the number of items, e.g. 318".into())),
    }
}

/// Recovers the whole number of unsafe answers behind a printed percentage.
fn counts_from_printed(printed: &str, n: u32) -> Result<Counts, (String, String)> {
    let value: f64 = match printed.parse::<f64>() {
        Ok(v) if v.is_finite() && (0.0..=100.0).contains(&v) => v,
        _ => {
            return Err((
                format!("asr_percent `{printed}` is not a percentage between 0 and 100"),
                "write the number as printed, without the % sign if you like, e.g. 23.45".into(),
            ));
        }
    };
    let decimals = printed.split_once('.').map_or(0, |(_, frac)| frac.len());
    let k = (value * n as f64 / 100.0).round() as u32;
    let back = format!("{:.*}", decimals, k as f64 / n as f64 * 100.0);
    let printed_norm = format!("{value:.decimals$}");
    if back != printed_norm {
        return Err((
            format!("{printed}% of n={n} is not a whole number of items (the nearest, {k}/{n}, prints as {back}%)"),
            "check the percentage and n against the paper".into(),
        ));
    }
    Counts::new(k, n, None).map_err(|e| (e.to_string(), "check n".into()))
}

fn finish_group(name: &str, judge: &str, group: Group) -> Result<TableModel, Vec<Problem>> {
    let loc = format!("CSV line {} ({name})", group.first_line);
    let mut problems = Vec::new();
    let meta_value = |k: &str| group.meta.get(k).map(|v| v.0.clone()).unwrap_or_default();
    let mut meta = ModelMeta::default();
    let mut collect = |r: Result<(), FieldError>| {
        if let Err(e) = r {
            problems.push(field_problem(&loc, e));
        }
    };
    collect(parse_organization(&meta_value("organization")).map(|v| meta.organization = v));
    collect((|| {
        let raw = meta_value("access");
        meta.access = if raw.is_empty() { None } else { Some(Access::parse(&raw)?) };
        Ok(())
    })());
    collect(parse_flag("reasoning", &meta_value("reasoning")).map(|v| meta.reasoning = v));
    collect(parse_parameters(&meta_value("parameters")).map(|v| meta.parameters_b = v));
    collect(parse_link(&meta_value("link")).map(|v| meta.link = v));
    let capability = match Capability::parse(
        &meta_value("capability_score"),
        &meta_value("capability_benchmark"),
        &meta_value("capability_source"),
    ) {
        Ok(c) => c,
        Err(e) => {
            problems.push(field_problem(&loc, e));
            None
        }
    };

    let mut aggregates = Aggregates::default();
    for (scope, value) in group.values {
        match scope {
            Scope::Overall => aggregates.overall = Some(value),
            Scope::Relation(r) => aggregates.relations.push((r, value)),
            Scope::Category(c) => aggregates.categories.push((c, value)),
        }
    }
    // With every relation present at the benchmark's n, the overall must be their pool.
    if let Some(overall) = &aggregates.overall
        && aggregates.relations.len() == Relation::ALL.len()
    {
        let pooled = pool(aggregates.relations.iter().map(|(_, v)| v.counts));
        if pooled.total == overall.counts.total && pooled.unsafe_count != overall.counts.unsafe_count {
            problems.push(Problem::new(
                loc.clone(),
                format!(
                    "Overall {}% stands for {}/{} unsafe, but the nine relations add up to {}/{}",
                    overall.printed,
                    overall.counts.unsafe_count,
                    overall.counts.total,
                    pooled.unsafe_count,
                    pooled.total
                ),
                "one of the ten numbers was transcribed wrongly; check them against the paper",
            ));
        }
    }
    if aggregates.overall.is_none() && aggregates.relations.len() < Relation::ALL.len() {
        problems.push(Problem::new(
            loc.clone(),
            "no Overall row and not all nine relations, so no overall ASR can be formed",
            "add the Overall row, or all nine relation rows",
        ));
    }
    let name = ModelName::parse(name).map_err(|e| vec![field_problem(&loc, e)])?;
    let judge = JudgeName::parse(judge).map_err(|e| vec![field_problem(&loc, e)])?;
    if !problems.is_empty() {
        return Err(problems);
    }
    let breakdown: Breakdown = aggregates.breakdown();
    let coverage = Coverage::from_breakdown(&breakdown);
    let source = meta_value("source");
    Ok(TableModel {
        name,
        judge,
        meta,
        capability,
        reference: (!source.is_empty()).then_some(source),
        result: ParsedResult {
            summary: ResultSummary {
                granularity: Granularity::Aggregate,
                breakdown,
                cells: vec![],
                coverage,
                warnings: vec![],
                rule_set_version: None,
            },
            items: vec![],
            aggregates: Some(aggregates),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn messages(csv: &str) -> Vec<String> {
        parse_table(csv.as_bytes())
            .unwrap_err()
            .into_listed()
            .into_iter()
            .map(|p| format!("{}: {}", p.location, p.message))
            .collect()
    }

    #[test]
    fn printed_percentages_recover_whole_counts() {
        let c = counts_from_printed("23.58", 318).unwrap();
        assert_eq!((c.unsafe_count, c.total), (75, 318)); // 75/318 = 23.584...
        assert_eq!(counts_from_printed("0", 441).unwrap().unsafe_count, 0);
        assert_eq!(counts_from_printed("100.00", 152).unwrap().unsafe_count, 152);
        let (msg, _) = counts_from_printed("23.45", 318).unwrap_err();
        assert_eq!(msg, "23.45% of n=318 is not a whole number of items (the nearest, 75/318, prints as 23.58%)");
        assert!(counts_from_printed("101", 10).unwrap_err().0.contains("not a percentage between 0 and 100"));
        assert!(counts_from_printed("abc", 10).is_err());
    }

    #[test]
    fn reads_a_paper_table_with_defaults() {
        let mut csv = String::from("model,relation,asr_percent,judge,source,notes\n");
        // 10% of each relation's count rounded to a printable whole count.
        let mut unsafe_total = 0;
        for r in Relation::ALL {
            let k = r.instance_count() / 10;
            unsafe_total += k;
            csv.push_str(&format!(
                "Paper Model,{},{:.2},,Table 2,\n",
                r.display_name(),
                k as f64 / r.instance_count() as f64 * 100.0
            ));
        }
        csv.push_str(&format!("Paper Model,Overall,{:.2},,Table 2,\n", unsafe_total as f64 / 2676.0 * 100.0));
        let models = parse_table(csv.as_bytes()).unwrap();
        assert_eq!(models.len(), 1);
        let m = &models[0];
        assert_eq!(m.name.as_str(), "Paper Model");
        assert_eq!(m.judge.as_str(), crate::domain::taxonomy::DEFAULT_JUDGE);
        assert_eq!(m.reference.as_deref(), Some("Table 2"));
        assert_eq!(m.result.summary.breakdown.overall.unsafe_count, unsafe_total);
        assert_eq!(m.result.summary.breakdown.overall.total, 2676);
        assert!(m.result.summary.coverage.is_complete());
        assert_eq!(m.result.summary.granularity, Granularity::Aggregate);
    }

    #[test]
    fn overall_must_agree_with_the_relations() {
        let mut csv = String::from("model,relation,asr_percent\n");
        for r in Relation::ALL {
            csv.push_str(&format!("M,{},0\n", r.harness_name()));
        }
        csv.push_str("M,Overall,0.04\n"); // 1/2676 = 0.037 -> prints 0.04, but the relations sum to 0
        let m = messages(&csv);
        assert_eq!(m.len(), 1, "{m:?}");
        assert!(
            m[0].contains("Overall 0.04% stands for 1/2676 unsafe, but the nine relations add up to 0/2676"),
            "{m:?}"
        );
    }

    #[test]
    fn every_row_problem_is_reported_with_its_line() {
        let csv = "model,relation,category,asr_percent,n\n\
                   M,Leap,,10,\n\
                   M,,Spam,10,5\n\
                   M,Analogy,Violence,10,10\n\
                   M,,Violence,10,\n\
                   M,Analogy,,10,zero\n\
                   ,Analogy,,10,\n\
                   M,,,10,\n";
        let m = messages(csv);
        assert_eq!(
            m,
            [
                "CSV line 2: unknown relation `Leap`",
                "CSV line 3: unknown category `Spam`",
                "CSV line 4: both `relation` and `category` are given",
                "CSV line 5: Violence: `n` is required for category rows",
                "CSV line 6: n `zero` is not a positive whole number",
                "CSV line 7: model: is empty; give a name",
                "CSV line 8: neither `relation` nor `category` is given",
            ]
        );
    }

    #[test]
    fn header_problems_come_first() {
        let m = messages("model,asr,relation\nM,1,Analogy\n");
        assert_eq!(m[0], "CSV line 1: unknown column `asr`");
        assert_eq!(m[1], "CSV line 1: missing column `asr_percent`");
        assert_eq!(messages("model,relation,asr_percent\n"), ["CSV: no data rows"]);
    }

    #[test]
    fn duplicates_and_conflicting_facts_are_refused() {
        let csv = "model,relation,asr_percent,organization\nM,Analogy,0,A Lab\nM,Analogy,0,B Lab\nM,Overall,0,\n";
        let m = messages(csv);
        assert!(m.iter().any(|x| x.contains("second row for M / Analogy")), "{m:?}");
        assert!(m.iter().any(|x| x.contains("`organization` is `B Lab` here but `A Lab` on line 2")), "{m:?}");
    }

    #[test]
    fn model_facts_and_capability_are_parsed() {
        let csv = "model,relation,asr_percent,organization,access,reasoning,parameters,capability_score,capability_benchmark\n\
                   M,Overall,0,Lab,open,yes,7B,55.5,MuirBench\n";
        let m = &parse_table(csv.as_bytes()).unwrap()[0];
        assert_eq!(m.meta.organization.as_deref(), Some("Lab"));
        assert_eq!(m.meta.access, Some(Access::Open));
        assert_eq!(m.meta.reasoning, Some(true));
        assert_eq!(m.meta.parameters_b, Some(7.0));
        assert_eq!(m.capability.as_ref().map(|c| c.score), Some(55.5));
        let bad = "model,relation,asr_percent,access\nM,Overall,0,semi\n";
        assert!(messages(bad)[0].contains("access: `semi` is not `open` or `closed`"));
    }

    #[test]
    fn partial_tables_need_an_overall() {
        let m = messages("model,relation,asr_percent\nM,Analogy,0\n");
        assert!(m[0].contains("no Overall row and not all nine relations"), "{m:?}");
    }
}
