//! The view: what one URL shows of a ranked population. Every view is a shareable link, so the
//! query type here is the single source of truth for the page and the JSON/CSV exports, and
//! [`visible`] runs on both sides (the browser re-sorts with the code the server used).

use super::Entry;
use super::Population;
use crate::domain::model::Access;
use crate::domain::taxonomy::{Relation, RelationGroup, RiskCategory};
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;

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

    /// Every spelling [`SortKey::parse`] accepts (aliases included), for the API's documentation.
    pub fn spellings() -> Vec<String> {
        let fixed = ["rank", "overall", "asr", "model", "refusal_rate", "safe_without_refusal"].map(String::from);
        fixed
            .into_iter()
            .chain(Relation::ALL.map(|r| r.harness_name().to_owned()))
            .chain(RelationGroup::ALL.map(|g| g.name().to_owned()))
            .chain(RiskCategory::ALL.map(|c| c.harness_name().to_owned()))
            .collect()
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

/// Rows per page of a view. `All` is the documented way to get every row at once (the API
/// and the CSV page like the page does, so a big population never arrives as one huge answer
/// unless asked for).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PerPage {
    Rows(u32),
    All,
}

impl PerPage {
    pub const DEFAULT: u32 = 100;
    pub const MAX: u32 = 1000;

    fn param(self) -> String {
        match self {
            Self::Rows(n) => n.to_string(),
            Self::All => "all".into(),
        }
    }
}

/// One page of a view's rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageSpan {
    /// 1-based, clamped to the pages there are.
    pub page: u32,
    pub pages: u32,
    /// Row range `start..end` of the visible rows.
    pub start: usize,
    pub end: usize,
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
    /// 1-based page of the visible rows.
    pub page: u32,
    pub per_page: PerPage,
    /// The board as it stood at the end of this day (UTC); `None`: today.
    pub as_of: Option<crate::domain::day::Day>,
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
            page: 1,
            per_page: PerPage::Rows(PerPage::DEFAULT),
            as_of: None,
        }
    }
}

impl LeaderboardQuery {
    /// Every spelling of `access`, `reasoning` and `dir` that [`LeaderboardQuery::parse`]
    /// accepts (the empty value is the default), for the API's documentation.
    pub const ACCESS_VALUES: [&'static str; 4] = ["", "all", "open", "closed"];
    pub const REASONING_VALUES: [&'static str; 6] = ["", "all", "yes", "no", "true", "false"];
    pub const DIR_VALUES: [&'static str; 3] = ["", "asc", "desc"];

    /// Parses a query string (without `?`). Unknown values are reported, not guessed: the API
    /// answers them with 400, the page shows them above the default view. Free text (`judge`,
    /// `q`) is trimmed; the other values are taken exactly as spelled, so the API's
    /// documentation can list every value that is accepted.
    pub fn parse(query: &str) -> (Self, Vec<String>) {
        let mut q = Self::default();
        let mut problems = Vec::new();
        let mut explicit_columns: Option<Columns> = None;
        for (key, value) in form_urlencoded::parse(query.trim_start_matches('?').as_bytes()) {
            let value = value.as_ref();
            match key.as_ref() {
                "judge" => q.judge = Some(value.trim()).filter(|v| !v.is_empty()).map(str::to_owned),
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
                "q" => q.search = value.trim().chars().take(100).collect(),
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
                "as_of" => match value {
                    "" => q.as_of = None,
                    day => match crate::domain::day::Day::parse(day) {
                        Ok(d) => q.as_of = Some(d),
                        Err(e) => problems.push(format!("as_of={e}")),
                    },
                },
                // Exactly what the API documents: digits without a leading zero; a page past the
                // end shows the last one, so a huge number is no error.
                "page" => match value {
                    "" => {}
                    v if v.len() <= 18 && !v.starts_with('0') && v.bytes().all(|b| b.is_ascii_digit()) => {
                        q.page = v.parse::<u64>().map_or(u32::MAX, |n| n.min(u64::from(u32::MAX)) as u32);
                    }
                    _ => problems.push(format!("page=`{value}`: use a page number from 1")),
                },
                "per_page" => match value {
                    "" => {}
                    "all" => q.per_page = PerPage::All,
                    n => match n.parse::<u32>() {
                        Ok(n) if (1..=PerPage::MAX).contains(&n) => q.per_page = PerPage::Rows(n),
                        _ => problems.push(format!(
                            "per_page=`{value}`: use 1 to {} rows, or `all` for every row",
                            PerPage::MAX
                        )),
                    },
                },
                "cols" => {
                    let cols = explicit_columns.get_or_insert(Columns {
                        relations: false,
                        groups: false,
                        categories: false,
                        safety: false,
                    });
                    for name in value.split(',').filter(|n| !n.is_empty() && *n != "none") {
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
        if let Some(d) = self.as_of {
            s.append_pair("as_of", &d.to_string());
        }
        if self.page != 1 {
            s.append_pair("page", &self.page.to_string());
        }
        if self.per_page != PerPage::Rows(PerPage::DEFAULT) {
            s.append_pair("per_page", &self.per_page.param());
        }
        s.finish()
    }

    /// The rows of this query's page among `total` visible rows.
    pub fn span(&self, total: usize) -> PageSpan {
        let per = match self.per_page {
            PerPage::All => total.max(1),
            PerPage::Rows(n) => n as usize,
        };
        let pages = total.div_ceil(per).max(1) as u32;
        let page = self.page.clamp(1, pages);
        let start = ((page - 1) as usize * per).min(total);
        PageSpan { page, pages, start, end: (start + per).min(total) }
    }

    /// This query on another page.
    pub fn on_page(&self, page: u32) -> Self {
        Self { page, ..self.clone() }
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
        // A new order starts at its first page.
        next.page = 1;
        if self.sort == key {
            next.descending = !self.descending;
        } else {
            next.sort = key;
            next.descending = false;
        }
        next
    }
}

/// What the view's search and sort need of a row. The server's ranked entries and the
/// browser's table rows both provide it, so both order and rank rows with this one code.
pub trait ViewRow {
    /// The overall honest rank.
    fn rank(&self) -> u32;
    fn overall_asr(&self) -> f64;
    fn name(&self) -> &str;
    fn organization(&self) -> Option<&str>;
    /// The value the row is sorted by under `key` (ASR, or a rate for the estimates).
    fn value(&self, key: SortKey) -> Option<f64>;
    /// The 95% interval of the column `key` sorts by, where it has one.
    fn interval(&self, key: SortKey) -> Option<(f64, f64)>;
}

impl ViewRow for Entry {
    fn rank(&self) -> u32 {
        self.rank
    }

    fn overall_asr(&self) -> f64 {
        self.overall.asr
    }

    fn name(&self) -> &str {
        &self.model.name
    }

    fn organization(&self) -> Option<&str> {
        self.model.organization.as_deref()
    }

    fn value(&self, key: SortKey) -> Option<f64> {
        match key {
            SortKey::Rank | SortKey::Model => Some(self.overall.asr),
            SortKey::RefusalRate => self.overall.refusal_rate(),
            SortKey::Superficial => self.overall.superficial_rate(),
            key => self.score(key).map(|s| s.asr),
        }
    }

    fn interval(&self, key: SortKey) -> Option<(f64, f64)> {
        self.score(key).map(|s| (s.ci_low, s.ci_high))
    }
}

impl Entry {
    /// The score of a column with intervals (overall, a relation, group or category).
    pub fn score(&self, key: SortKey) -> Option<&super::Score> {
        match key {
            SortKey::Rank | SortKey::Model => Some(&self.overall),
            SortKey::Relation(r) => self.relation(r),
            SortKey::Group(g) => self.group(g),
            SortKey::Category(c) => self.category(c),
            SortKey::RefusalRate | SortKey::Superficial => None,
        }
    }
}

impl SortKey {
    /// Whether sorting by this column also ranks by it: relations, groups and categories have
    /// intervals of their own; rank, model and the estimates keep the overall ranks.
    pub fn ranks_by_column(self) -> bool {
        matches!(self, Self::Relation(_) | Self::Group(_) | Self::Category(_))
    }

    /// How people read the column's name.
    pub fn label(self) -> String {
        match self {
            Self::Rank => "overall ASR".into(),
            Self::Model => "model".into(),
            Self::Relation(r) => r.display_name().into(),
            Self::Group(g) => format!("{} relations", g.name()),
            Self::Category(c) => c.display_name().into(),
            Self::RefusalRate => "refusal rate (estimate)".into(),
            Self::Superficial => "safe without refusal (estimate)".into(),
        }
    }
}

fn ranked_order<R: ViewRow>(a: &R, b: &R) -> Ordering {
    a.rank().cmp(&b.rank()).then(a.overall_asr().total_cmp(&b.overall_asr())).then_with(|| a.name().cmp(b.name()))
}

/// Whether a row matches the search (model or organisation, case-insensitive).
pub fn matches_search<R: ViewRow>(row: &R, needle_lower: &str) -> bool {
    needle_lower.is_empty()
        || row.name().to_lowercase().contains(needle_lower)
        || row.organization().is_some_and(|o| o.to_lowercase().contains(needle_lower))
}

/// The rows a query shows, in order: search by name or organisation, then sort. Rows with no
/// value in the sorted column go last in either direction, since "no data" is neither safe
/// nor unsafe.
pub fn visible<'a, R: ViewRow>(entries: &'a [R], q: &LeaderboardQuery) -> Vec<&'a R> {
    let needle = q.search.to_lowercase();
    let mut rows: Vec<&R> = entries.iter().filter(|e| matches_search(*e, &needle)).collect();
    rows.sort_by(|a, b| {
        let primary = match q.sort {
            SortKey::Rank => ranked_order(*a, *b),
            SortKey::Model => a.name().to_lowercase().cmp(&b.name().to_lowercase()),
            key => match (a.value(key), b.value(key)) {
                (Some(x), Some(y)) => x.total_cmp(&y),
                (Some(_), None) => return Ordering::Less,
                (None, Some(_)) => return Ordering::Greater,
                (None, None) => Ordering::Equal,
            },
        };
        let primary = if q.descending { primary.reverse() } else { primary };
        primary.then_with(|| ranked_order(*a, *b))
    });
    rows
}

/// One page of a view: its rows in order, each with the rank shown (see [`column_ranks`]),
/// and where the page sits among the visible rows.
pub fn page_rows<'a, R: ViewRow>(population: &'a [R], q: &LeaderboardQuery) -> (Vec<(&'a R, Option<u32>)>, PageSpan) {
    let matching = visible(population, q);
    let span = q.span(matching.len());
    let shown = &matching[span.start..span.end];
    let ranks = column_ranks(population, shown, q.sort);
    (shown.iter().copied().zip(ranks).collect(), span)
}

/// The rank of each row on the sorted column, when the sort ranks by column
/// ([`SortKey::ranks_by_column`]): 1 + the number of rows (of the whole population, not
/// only those shown) whose interval on that column lies wholly below. `None` for rows without
/// a figure there; `rows`' overall ranks otherwise.
pub fn column_ranks<R: ViewRow>(population: &[R], shown: &[&R], key: SortKey) -> Vec<Option<u32>> {
    if !key.ranks_by_column() {
        return shown.iter().map(|r| Some(r.rank())).collect();
    }
    let highs: Vec<f64> = population.iter().filter_map(|r| r.interval(key)).map(|(_, high)| high).collect();
    shown.iter().map(|r| r.interval(key).map(|(low, _)| crate::domain::ranking::rank_against(low, &highs))).collect()
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::*;
    use super::super::rank;
    use super::*;
    use crate::domain::leaderboard::Population;
    use crate::domain::model::Access;

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
    fn the_documented_spellings_are_exactly_the_accepted_ones() {
        let ok = |query: String| {
            let (_, problems) = LeaderboardQuery::parse(&query);
            assert!(problems.is_empty(), "{query}: {problems:?}");
        };
        let refused = |query: String| {
            let (_, problems) = LeaderboardQuery::parse(&query);
            assert_eq!(problems.len(), 1, "{query} should be refused");
        };
        let documented = [
            ("access", LeaderboardQuery::ACCESS_VALUES.map(String::from).to_vec()),
            ("reasoning", LeaderboardQuery::REASONING_VALUES.map(String::from).to_vec()),
            ("dir", LeaderboardQuery::DIR_VALUES.map(String::from).to_vec()),
            ("sort", SortKey::spellings()),
            ("cols", Columns::NAMES.into_iter().chain(["none", ""]).map(String::from).collect()),
        ];
        for (key, values) in documented {
            for v in values {
                let enc: String = form_urlencoded::byte_serialize(v.as_bytes()).collect();
                ok(format!("{key}={enc}"));
                if !v.is_empty() {
                    // Neither padded nor re-cased spellings are guessed at.
                    refused(format!("{key}=%20{enc}"));
                    refused(format!("{key}={}", enc.to_uppercase()));
                }
            }
        }
        ok("cols=relations,,groups".into());
        ok("judge=%20x%20&q=%20anything%20at%20all".into());
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
    fn pages_split_the_visible_rows_and_stay_in_the_url() {
        let (q, problems) = LeaderboardQuery::parse("page=3&per_page=10");
        assert!(problems.is_empty());
        assert_eq!((q.page, q.per_page), (3, PerPage::Rows(10)));
        assert_eq!(q.to_query_string(), "page=3&per_page=10");
        assert_eq!(q.span(25), PageSpan { page: 3, pages: 3, start: 20, end: 25 });
        assert_eq!(q.span(5), PageSpan { page: 1, pages: 1, start: 0, end: 5 }, "a page past the end shows the last");
        assert_eq!(q.span(0), PageSpan { page: 1, pages: 1, start: 0, end: 0 });
        let (all, _) = LeaderboardQuery::parse("per_page=all");
        assert_eq!(all.span(1234), PageSpan { page: 1, pages: 1, start: 0, end: 1234 });
        assert_eq!(LeaderboardQuery::default().to_query_string(), "", "page 1 of 100 rows is the default");
        assert_eq!(q.toggled_sort(SortKey::Model).page, 1, "a new order starts at page 1");
        let (_, problems) = LeaderboardQuery::parse("page=0&per_page=5000");
        assert_eq!(problems.len(), 2);
        assert!(problems[1].contains("or `all`"));
        for bad in ["01", "+2", "-1", "1.0", " 3"] {
            assert_eq!(LeaderboardQuery::parse(&format!("page={bad}")).1.len(), 1, "page={bad}");
        }
        assert_eq!(LeaderboardQuery::parse("page=99999999999999").0.page, u32::MAX, "far past the end: the last page");
    }

    #[test]
    fn sorting_by_a_relation_ranks_by_its_intervals() {
        use Relation::*;
        use RiskCategory::*;
        let entries = rank(vec![
            // Overall A is safest; on Analogy B is clearly safer and C has no figure.
            input(
                "A",
                Access::Open,
                false,
                &[(Violence, Analogy, counts(60, 100)), (Violence, Causality, counts(0, 400))],
            ),
            input(
                "B",
                Access::Open,
                false,
                &[(Violence, Analogy, counts(5, 100)), (Violence, Causality, counts(300, 400))],
            ),
            input("C", Access::Open, false, &[(Violence, Causality, counts(50, 100))]),
        ]);
        let q = LeaderboardQuery { sort: SortKey::Relation(Analogy), ..Default::default() };
        let shown = visible(&entries, &q);
        assert_eq!(shown.iter().map(|e| e.model.name.as_str()).collect::<Vec<_>>(), ["B", "A", "C"]);
        assert_eq!(column_ranks(&entries, &shown, q.sort), [Some(1), Some(2), None]);
        // Sorting by the model name keeps the overall ranks.
        let by_name = LeaderboardQuery { sort: SortKey::Model, ..Default::default() };
        let shown = visible(&entries, &by_name);
        let overall: Vec<Option<u32>> = shown.iter().map(|e| Some(e.rank)).collect();
        assert_eq!(column_ranks(&entries, &shown, by_name.sort), overall);
    }
}
