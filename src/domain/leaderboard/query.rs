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
            SortKey::Rank => super::default_order(a, b),
            SortKey::Model => a.model.name.to_lowercase().cmp(&b.model.name.to_lowercase()),
            key => match (sort_value(a, key), sort_value(b, key)) {
                (Some(x), Some(y)) => x.total_cmp(&y),
                (Some(_), None) => return Ordering::Less,
                (None, Some(_)) => return Ordering::Greater,
                (None, None) => Ordering::Equal,
            },
        };
        let primary = if q.descending { primary.reverse() } else { primary };
        primary.then_with(|| super::default_order(a, b))
    });
    rows
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
}
