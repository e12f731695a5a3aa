//! The leaderboard as plain data: from per-model counts to ranked entries, and from ranked
//! entries to the rows a given URL shows.
//!
//! This module runs on both sides. The server ranks a population (one judge, optionally only
//! open or closed weights, only reasoning models ...); the browser re-sorts and searches the
//! ranked rows instantly, with exactly the code the server used to render the same URL.

use super::metrics::{Counts, Score, pool};
use super::model::{Access, Capability, Granularity, Source};
use super::ranking::honest_ranks;
use super::taxonomy::{Relation, RelationGroup, RiskCategory};
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;

/// What the leaderboard shows about a model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelInfo {
    pub name: String,
    pub slug: String,
    pub organization: Option<String>,
    pub access: Option<Access>,
    pub reasoning: bool,
    pub parameters_b: Option<f64>,
    pub link: Option<String>,
    pub capability: Option<Capability>,
}

/// Provenance of the result shown for a model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubmissionInfo {
    pub id: i64,
    pub judge: String,
    pub source: Source,
    pub granularity: Granularity,
    /// Unix seconds.
    pub submitted_at: i64,
    /// `YYYY-MM-DD` (UTC) of `submitted_at`, formatted once on the server.
    pub date: String,
}

/// Every count a result has, by relation and by category. Arrays follow the order of
/// `Relation::ALL` and `RiskCategory::ALL`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Breakdown {
    pub overall: Counts,
    pub relations: [Option<Counts>; 9],
    pub categories: [Option<Counts>; 6],
}

impl Breakdown {
    /// Pools per-cell counts (category x relation) into every margin, as `statics.py` pools files.
    pub fn from_cells(cells: &[(RiskCategory, Relation, Counts)]) -> Self {
        let mut out = Breakdown::default();
        for (i, r) in Relation::ALL.into_iter().enumerate() {
            let part: Vec<Counts> = cells.iter().filter(|c| c.1 == r).map(|c| c.2).collect();
            out.relations[i] = (!part.is_empty()).then(|| pool(part));
        }
        for (i, cat) in RiskCategory::ALL.into_iter().enumerate() {
            let part: Vec<Counts> = cells.iter().filter(|c| c.0 == cat).map(|c| c.2).collect();
            out.categories[i] = (!part.is_empty()).then(|| pool(part));
        }
        out.overall = pool(cells.iter().map(|c| c.2));
        out
    }

    pub fn relation(&self, r: Relation) -> Option<Counts> {
        self.relations[relation_index(r)]
    }

    pub fn category(&self, c: RiskCategory) -> Option<Counts> {
        self.categories[category_index(c)]
    }

    /// A group's pooled counts, only when every relation of the group is present: pooling a
    /// partial group would present one relation's rate under the whole group's name.
    pub fn group(&self, g: RelationGroup) -> Option<Counts> {
        let parts: Option<Vec<Counts>> = g.relations().map(|r| self.relation(r)).collect();
        parts.map(pool)
    }
}

pub fn relation_index(r: Relation) -> usize {
    Relation::ALL.iter().position(|x| *x == r).expect("every relation is in ALL")
}

pub fn category_index(c: RiskCategory) -> usize {
    RiskCategory::ALL.iter().position(|x| *x == c).expect("every category is in ALL")
}

pub fn group_index(g: RelationGroup) -> usize {
    RelationGroup::ALL.iter().position(|x| *x == g).expect("every group is in ALL")
}

/// One model's latest approved result, before ranking.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EntryInput {
    pub model: ModelInfo,
    pub submission: SubmissionInfo,
    pub breakdown: Breakdown,
}

/// How a model compares with the safest model of the same view (paired test on shared items).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "verdict", rename_all = "snake_case")]
pub enum VsSafest {
    /// This is the safest model of the view (lowest overall ASR).
    Safest,
    /// McNemar on the items both answered, Holm-adjusted across the view: p >= 0.05.
    NotSignificant {
        p_holm: f64,
    },
    Significant {
        p_holm: f64,
    },
    /// One of the two has no per-item labels, so only the intervals can be compared.
    NotTestable,
}

/// A ranked row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    pub model: ModelInfo,
    pub submission: SubmissionInfo,
    pub rank: u32,
    pub overall: Score,
    pub relations: [Option<Score>; 9],
    pub groups: [Option<Score>; 4],
    pub categories: [Option<Score>; 6],
    pub vs_safest: VsSafest,
}

impl Entry {
    pub fn is_sample(&self) -> bool {
        self.submission.source == Source::Sample
    }

    pub fn relation(&self, r: Relation) -> Option<&Score> {
        self.relations[relation_index(r)].as_ref()
    }

    pub fn group(&self, g: RelationGroup) -> Option<&Score> {
        self.groups[group_index(g)].as_ref()
    }

    pub fn category(&self, c: RiskCategory) -> Option<&Score> {
        self.categories[category_index(c)].as_ref()
    }
}

/// Which models form the ranked population (the judge is chosen before this, by the store).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Population {
    pub access: Option<Access>,
    pub reasoning: Option<bool>,
}

impl Population {
    pub fn admits(&self, m: &ModelInfo) -> bool {
        self.access.is_none_or(|a| m.access == Some(a)) && self.reasoning.is_none_or(|r| m.reasoning == r)
    }
}

/// Ranks a population. Models without any judged item are left out: there is nothing to rank.
/// `vs_safest` starts as `NotTestable`; the server fills it in from paired counts
/// (see [`mark_vs_safest`]).
pub fn rank(inputs: Vec<EntryInput>) -> Vec<Entry> {
    let mut entries: Vec<Entry> = inputs
        .into_iter()
        .filter_map(|i| {
            let overall = Score::from_counts(i.breakdown.overall)?;
            let b = &i.breakdown;
            Some(Entry {
                relations: Relation::ALL.map(|r| b.relation(r).and_then(Score::from_counts)),
                groups: RelationGroup::ALL.map(|g| b.group(g).and_then(Score::from_counts)),
                categories: RiskCategory::ALL.map(|c| b.category(c).and_then(Score::from_counts)),
                model: i.model,
                submission: i.submission,
                rank: 0,
                overall,
                vs_safest: VsSafest::NotTestable,
            })
        })
        .collect();
    let intervals: Vec<(f64, f64)> = entries.iter().map(|e| (e.overall.ci_low, e.overall.ci_high)).collect();
    for (e, r) in entries.iter_mut().zip(honest_ranks(&intervals)) {
        e.rank = r;
    }
    entries.sort_by(default_order);
    entries
}

/// Rank, then lower ASR, then name: a total order, so every render lists ties the same way.
fn default_order(a: &Entry, b: &Entry) -> Ordering {
    a.rank.cmp(&b.rank).then(a.overall.asr.total_cmp(&b.overall.asr)).then_with(|| a.model.name.cmp(&b.model.name))
}

/// Index of the safest entry (lowest overall ASR; ties by name), if any.
pub fn safest(entries: &[Entry]) -> Option<usize> {
    entries
        .iter()
        .enumerate()
        .min_by(|(_, a), (_, b)| a.overall.asr.total_cmp(&b.overall.asr).then_with(|| a.model.name.cmp(&b.model.name)))
        .map(|(i, _)| i)
}

/// Fills `vs_safest` from paired discordant counts against the safest model.
/// `pairs[i]` is `Some((b, c))` when entry i and the safest share per-item labels (b: unsafe
/// only for the safest model, c: unsafe only for entry i). The tests form one family, so their
/// p-values are Holm-adjusted together.
pub fn mark_vs_safest(entries: &mut [Entry], safest_idx: usize, pairs: &[Option<(u64, u64)>]) {
    use super::stats::{holm, mcnemar_exact};
    let tested: Vec<(usize, f64)> = pairs
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != safest_idx)
        .filter_map(|(i, p)| p.map(|(b, c)| (i, mcnemar_exact(b, c))))
        .collect();
    let adjusted = holm(&tested.iter().map(|t| t.1).collect::<Vec<_>>());
    for e in entries.iter_mut() {
        e.vs_safest = VsSafest::NotTestable;
    }
    entries[safest_idx].vs_safest = VsSafest::Safest;
    for ((i, _), p_holm) in tested.into_iter().zip(adjusted) {
        entries[i].vs_safest =
            if p_holm < 0.05 { VsSafest::Significant { p_holm } } else { VsSafest::NotSignificant { p_holm } };
    }
}

// ---------------------------------------------------------------------------------------------
// The view: what one URL shows of a ranked population.

/// A sortable column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SortKey {
    Rank,
    Model,
    Relation(Relation),
    Group(RelationGroup),
    Category(RiskCategory),
    RefusalRate,
    Superficial,
}

impl SortKey {
    /// The URL spelling: harness names for relations and categories, as in the JSON API.
    pub fn as_param(self) -> String {
        match self {
            Self::Rank => "rank".into(),
            Self::Model => "model".into(),
            Self::Relation(r) => r.harness_name().into(),
            Self::Group(g) => g.name().into(),
            Self::Category(c) => c.harness_name().into(),
            Self::RefusalRate => "refusal_rate".into(),
            Self::Superficial => "safe_without_refusal".into(),
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "rank" | "overall" | "asr" => Some(Self::Rank),
            "model" => Some(Self::Model),
            "refusal_rate" => Some(Self::RefusalRate),
            "safe_without_refusal" => Some(Self::Superficial),
            other => Relation::from_harness_name(other)
                .map(Self::Relation)
                .or_else(|| RelationGroup::ALL.into_iter().find(|g| g.name() == other).map(Self::Group))
                .or_else(|| RiskCategory::from_harness_name(other).map(Self::Category)),
        }
    }
}

/// Optional column blocks; the rank, model and overall columns are always shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Columns {
    pub relations: bool,
    pub groups: bool,
    pub categories: bool,
    /// The superficial-safety estimate (refusal rate and safe-without-refusal share).
    pub safety: bool,
}

impl Default for Columns {
    fn default() -> Self {
        Self { relations: true, groups: true, categories: false, safety: false }
    }
}

impl Columns {
    pub const NAMES: [&'static str; 4] = ["relations", "groups", "categories", "safety"];

    pub fn get(&self, name: &str) -> bool {
        match name {
            "relations" => self.relations,
            "groups" => self.groups,
            "categories" => self.categories,
            "safety" => self.safety,
            _ => false,
        }
    }

    fn set(&mut self, name: &str, on: bool) -> bool {
        match name {
            "relations" => self.relations = on,
            "groups" => self.groups = on,
            "categories" => self.categories = on,
            "safety" => self.safety = on,
            _ => return false,
        }
        true
    }

    fn param(&self) -> String {
        let on: Vec<&str> = Self::NAMES.into_iter().filter(|n| self.get(n)).collect();
        if on.is_empty() { "none".into() } else { on.join(",") }
    }
}

/// Everything a leaderboard URL can say. Every view is a shareable link, so this type is the
/// single source of truth for both the page and the JSON/CSV exports.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LeaderboardQuery {
    /// `None` means the benchmark's own judge.
    pub judge: Option<String>,
    pub population: Population,
    pub search: String,
    pub sort: SortKey,
    pub descending: bool,
    pub columns: Columns,
}

impl Default for LeaderboardQuery {
    fn default() -> Self {
        Self {
            judge: None,
            population: Population::default(),
            search: String::new(),
            sort: SortKey::Rank,
            descending: false,
            columns: Columns::default(),
        }
    }
}

impl LeaderboardQuery {
    /// Parses a query string (without `?`). Unknown values are reported, not guessed: the API
    /// answers them with 400, the page shows them above the default view.
    pub fn parse(query: &str) -> (Self, Vec<String>) {
        let mut q = Self::default();
        let mut problems = Vec::new();
        let mut explicit_columns: Option<Columns> = None;
        for (key, value) in form_urlencoded::parse(query.trim_start_matches('?').as_bytes()) {
            let value = value.trim();
            match key.as_ref() {
                "judge" => q.judge = (!value.is_empty()).then(|| value.to_owned()),
                "access" => match value {
                    "" | "all" => q.population.access = None,
                    "open" => q.population.access = Some(Access::Open),
                    "closed" => q.population.access = Some(Access::Closed),
                    other => problems.push(format!("access=`{other}`: use open, closed or all")),
                },
                "reasoning" => match value {
                    "" | "all" => q.population.reasoning = None,
                    "yes" | "true" => q.population.reasoning = Some(true),
                    "no" | "false" => q.population.reasoning = Some(false),
                    other => problems.push(format!("reasoning=`{other}`: use yes, no or all")),
                },
                "q" => q.search = value.chars().take(100).collect(),
                "sort" => match SortKey::parse(value) {
                    Some(k) => q.sort = k,
                    None if value.is_empty() => {}
                    None => problems.push(format!(
                        "sort=`{value}`: use rank, model, a relation or category as spelled in the API (e.g. Temporal_Jump, Self-Harm), a group (Temporal), refusal_rate or safe_without_refusal"
                    )),
                },
                "dir" => match value {
                    "" | "asc" => q.descending = false,
                    "desc" => q.descending = true,
                    other => problems.push(format!("dir=`{other}`: use asc or desc")),
                },
                "cols" => {
                    let cols = explicit_columns.get_or_insert(Columns {
                        relations: false,
                        groups: false,
                        categories: false,
                        safety: false,
                    });
                    for name in value.split(',').map(str::trim).filter(|n| !n.is_empty() && *n != "none") {
                        if !cols.set(name, true) {
                            problems.push(format!("cols=`{name}`: use relations, groups, categories, safety or none"));
                        }
                    }
                }
                // Unknown keys are ignored: links from elsewhere may carry tracking parameters.
                _ => {}
            }
        }
        if let Some(c) = explicit_columns {
            q.columns = c;
        }
        (q, problems)
    }

    /// The canonical query string (no `?`), listing only what differs from the default, so
    /// the plain `/` stays the plain `/`.
    pub fn to_query_string(&self) -> String {
        let mut s = form_urlencoded::Serializer::new(String::new());
        if let Some(j) = &self.judge {
            s.append_pair("judge", j);
        }
        if let Some(a) = self.population.access {
            s.append_pair("access", a.as_str());
        }
        if let Some(r) = self.population.reasoning {
            s.append_pair("reasoning", if r { "yes" } else { "no" });
        }
        if !self.search.is_empty() {
            s.append_pair("q", &self.search);
        }
        if self.sort != SortKey::Rank {
            s.append_pair("sort", &self.sort.as_param());
        }
        if self.descending {
            s.append_pair("dir", "desc");
        }
        if self.columns != Columns::default() {
            s.append_pair("cols", &self.columns.param());
        }
        s.finish()
    }

    /// `?query` or the empty string.
    pub fn href_suffix(&self) -> String {
        let q = self.to_query_string();
        if q.is_empty() { q } else { format!("?{q}") }
    }

    /// The query after clicking a column header: a new column sorts ascending (safest first),
    /// the current column flips direction.
    pub fn toggled_sort(&self, key: SortKey) -> Self {
        let mut next = self.clone();
        if self.sort == key {
            next.descending = !self.descending;
        } else {
            next.sort = key;
            next.descending = false;
        }
        next
    }
}

fn sort_value(e: &Entry, key: SortKey) -> Option<f64> {
    match key {
        SortKey::Rank | SortKey::Model => Some(e.overall.asr),
        SortKey::Relation(r) => e.relation(r).map(|s| s.asr),
        SortKey::Group(g) => e.group(g).map(|s| s.asr),
        SortKey::Category(c) => e.category(c).map(|s| s.asr),
        SortKey::RefusalRate => e.overall.refusal_rate(),
        SortKey::Superficial => e.overall.superficial_rate(),
    }
}

/// The rows a query shows, in order: search by name or organisation, then sort. Rows with no
/// value in the sorted column go last in either direction, since "no data" is neither safe
/// nor unsafe.
pub fn visible<'a>(entries: &'a [Entry], q: &LeaderboardQuery) -> Vec<&'a Entry> {
    let needle = q.search.to_lowercase();
    let mut rows: Vec<&Entry> = entries
        .iter()
        .filter(|e| {
            needle.is_empty()
                || e.model.name.to_lowercase().contains(&needle)
                || e.model.organization.as_deref().is_some_and(|o| o.to_lowercase().contains(&needle))
        })
        .collect();
    rows.sort_by(|a, b| {
        let primary = match q.sort {
            SortKey::Rank => default_order(a, b),
            SortKey::Model => a.model.name.to_lowercase().cmp(&b.model.name.to_lowercase()),
            key => match (sort_value(a, key), sort_value(b, key)) {
                (Some(x), Some(y)) => x.total_cmp(&y),
                (Some(_), None) => return Ordering::Less,
                (None, Some(_)) => return Ordering::Greater,
                (None, None) => Ordering::Equal,
            },
        };
        let primary = if q.descending { primary.reverse() } else { primary };
        primary.then_with(|| default_order(a, b))
    });
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(u: u32, t: u32) -> Counts {
        Counts::new(u, t, None).unwrap()
    }

    fn input(name: &str, access: Access, reasoning: bool, cells: &[(RiskCategory, Relation, Counts)]) -> EntryInput {
        EntryInput {
            model: ModelInfo {
                name: name.into(),
                slug: name.to_lowercase(),
                organization: Some(format!("{name} Lab")),
                access: Some(access),
                reasoning,
                parameters_b: None,
                link: None,
                capability: None,
            },
            submission: SubmissionInfo {
                id: 1,
                judge: "j".into(),
                source: Source::SelfReported,
                granularity: Granularity::Items,
                submitted_at: 0,
                date: "1970-01-01".into(),
            },
            breakdown: Breakdown::from_cells(cells),
        }
    }

    fn uniform(name: &str, access: Access, unsafe_per_cell: u32, total_per_cell: u32) -> EntryInput {
        let mut cells = vec![];
        for c in RiskCategory::ALL {
            for r in Relation::ALL {
                cells.push((c, r, counts(unsafe_per_cell, total_per_cell)));
            }
        }
        input(name, access, false, &cells)
    }

    #[test]
    fn breakdown_pools_cells_into_every_margin() {
        use Relation::*;
        use RiskCategory::*;
        let b = Breakdown::from_cells(&[
            (HateSpeech, Analogy, counts(1, 4)),
            (Violence, Analogy, counts(3, 6)),
            (Violence, TemporalJump, counts(2, 10)),
        ]);
        assert_eq!(b.relation(Analogy), Some(counts(4, 10)));
        assert_eq!(b.relation(TemporalJump), Some(counts(2, 10)));
        assert_eq!(b.relation(Causality), None);
        assert_eq!(b.category(Violence), Some(counts(5, 16)));
        assert_eq!(b.category(Privacy), None);
        assert_eq!(b.overall, counts(6, 20));
        // Temporal lacks Continuity, so no group figure is claimed.
        assert_eq!(b.group(RelationGroup::Temporal), None);
    }

    #[test]
    fn ranking_shares_ranks_between_overlapping_models() {
        let entries = rank(vec![
            uniform("C", Access::Open, 5, 10),  // 50%
            uniform("A", Access::Open, 1, 10),  // 10%
            uniform("B", Access::Closed, 1, 9), // 11.1%, overlaps A
        ]);
        let order: Vec<(&str, u32)> = entries.iter().map(|e| (e.model.name.as_str(), e.rank)).collect();
        assert_eq!(order, [("A", 1), ("B", 1), ("C", 3)]);
    }

    #[test]
    fn population_filters_before_ranking() {
        let all = vec![uniform("A", Access::Open, 1, 10), uniform("B", Access::Closed, 5, 10)];
        let closed = Population { access: Some(Access::Closed), reasoning: None };
        let ranked = rank(all.into_iter().filter(|i| closed.admits(&i.model)).collect());
        assert_eq!(ranked.len(), 1);
        assert_eq!((ranked[0].model.name.as_str(), ranked[0].rank), ("B", 1));
    }

    #[test]
    fn query_round_trips_and_defaults_stay_out_of_the_url() {
        let (q, problems) = LeaderboardQuery::parse("");
        assert!(problems.is_empty());
        assert_eq!(q, LeaderboardQuery::default());
        assert_eq!(q.to_query_string(), "");

        let (q, problems) = LeaderboardQuery::parse(
            "?access=open&reasoning=yes&q=gpt%204&sort=Temporal_Jump&dir=desc&cols=relations,safety",
        );
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(q.population, Population { access: Some(Access::Open), reasoning: Some(true) });
        assert_eq!(q.search, "gpt 4");
        assert_eq!(q.sort, SortKey::Relation(Relation::TemporalJump));
        assert!(q.descending);
        assert_eq!(q.columns, Columns { relations: true, groups: false, categories: false, safety: true });
        let (again, _) = LeaderboardQuery::parse(&q.to_query_string());
        assert_eq!(again, q);
    }

    #[test]
    fn checkbox_forms_can_switch_every_column_off() {
        // The no-JS column picker sends `cols=none` plus one `cols=` per ticked box.
        let (q, _) = LeaderboardQuery::parse("cols=none&cols=categories");
        assert_eq!(q.columns, Columns { relations: false, groups: false, categories: true, safety: false });
        let (q, _) = LeaderboardQuery::parse("cols=none");
        assert_eq!(q.columns.param(), "none");
    }

    #[test]
    fn bad_parameters_are_reported_with_the_fix() {
        let (_, problems) = LeaderboardQuery::parse("sort=speed&access=semi&dir=up&cols=pictures");
        assert_eq!(problems.len(), 4);
        assert!(problems[0].starts_with("sort=`speed`: use rank, model"));
        assert_eq!(problems[1], "access=`semi`: use open, closed or all");
        assert_eq!(problems[2], "dir=`up`: use asc or desc");
        assert!(problems[3].starts_with("cols=`pictures`"));
    }

    #[test]
    fn sort_toggle_flips_only_the_current_column() {
        let q = LeaderboardQuery::default();
        let by_jump = q.toggled_sort(SortKey::Relation(Relation::TemporalJump));
        assert!(!by_jump.descending);
        assert!(by_jump.toggled_sort(SortKey::Relation(Relation::TemporalJump)).descending);
        assert!(!by_jump.toggled_sort(SortKey::Model).descending);
    }

    #[test]
    fn visible_rows_search_then_sort_with_missing_values_last() {
        use Relation::*;
        use RiskCategory::*;
        let entries = rank(vec![
            input(
                "Alpha",
                Access::Open,
                false,
                &[(Violence, Analogy, counts(9, 10)), (Violence, Causality, counts(1, 10))],
            ),
            input(
                "Beta",
                Access::Open,
                false,
                &[(Violence, Analogy, counts(1, 10)), (Violence, Causality, counts(9, 10))],
            ),
            input("Gamma", Access::Open, false, &[(Violence, Causality, counts(5, 10))]),
        ]);
        let names =
            |q: &LeaderboardQuery| visible(&entries, q).iter().map(|e| e.model.name.clone()).collect::<Vec<_>>();
        let mut q = LeaderboardQuery { sort: SortKey::Relation(Analogy), ..Default::default() };
        assert_eq!(names(&q), ["Beta", "Alpha", "Gamma"]);
        q.descending = true;
        assert_eq!(names(&q), ["Alpha", "Beta", "Gamma"], "no data stays last when descending");
        q.search = "BET".into();
        assert_eq!(names(&q), ["Beta"]);
        q.search = "gamma lab".into();
        assert_eq!(names(&q), ["Gamma"], "organisation is searched too");
    }

    #[test]
    fn vs_safest_uses_holm_across_the_view() {
        let mut entries = rank(vec![
            uniform("A", Access::Open, 1, 10),
            uniform("B", Access::Open, 2, 10),
            uniform("C", Access::Open, 5, 10),
        ]);
        let s = safest(&entries).unwrap();
        assert_eq!(entries[s].model.name, "A");
        // B: 1 vs 8 discordant -> p = 2*P[X<=1], X~Bin(9,1/2) = 2*10/512 = 0.0390625; two tests, so
        // Holm makes it min(1, 2*0.0390625) = 0.078125 unless C's p is smaller.
        // C: 0 vs 30 -> p = 2/2^30, tiny; Holm: 2*tiny for C, max(that, 1*0.0390625) for B.
        let pairs = vec![None, Some((1, 8)), Some((0, 30))];
        mark_vs_safest(&mut entries, s, &pairs);
        assert_eq!(entries[0].vs_safest, VsSafest::Safest);
        match entries[1].vs_safest {
            VsSafest::Significant { p_holm } => assert!((p_holm - 0.0390625).abs() < 1e-12, "{p_holm}"),
            other => panic!("{other:?}"),
        }
        assert!(matches!(entries[2].vs_safest, VsSafest::Significant { .. }));
        let mut entries2 = entries.clone();
        mark_vs_safest(&mut entries2, s, &[None, Some((3, 5)), None]);
        assert!(matches!(entries2[1].vs_safest, VsSafest::NotSignificant { .. }));
        assert_eq!(entries2[2].vs_safest, VsSafest::NotTestable);
    }
}
