//! The data each page receives, as the server assembles it (and, for islands, the browser).

use super::agreement::Agreement;
use super::compare::PairComparison;
use super::consensus::{ItemKey, ItemsQuery, ScopeShare};
use super::day::Day;
use super::leaderboard::{Entry, ModelInfo, Population};
use super::metrics::{Counts, Score};
use super::submission::SubmissionLine;
use super::taxonomy::{Relation, RiskCategory, Scope};
use serde::{Deserialize, Serialize};

/// Heatmap cells with fewer items than this are shown as "too few", not as a colour: a rate
/// from a handful of answers would look as certain as any other.
pub const MIN_CELL_N: u32 = 10;

/// The notice every page, chart and export carries while sample rows are shown.
pub const SAMPLE_NOTICE: &str = "sample data, not real results";

/// The ranked population of one judge.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LeaderboardData {
    pub judge: String,
    /// Judges with at least one approved result; the view never mixes them.
    pub judges: Vec<String>,
    pub entries: Vec<Entry>,
    pub has_sample: bool,
    /// The day the board is as of (`None`: now).
    pub as_of: Option<Day>,
    /// The day the first result was ranked, if any: a board as of an earlier day is empty.
    pub first_ranked: Option<Day>,
}

/// A model's page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelPage {
    pub model: ModelInfo,
    pub judge: String,
    /// Judges under which this model has approved results.
    pub judges: Vec<String>,
    /// The model's row on its judge's leaderboard, ranked against every other model there.
    pub entry: Option<Entry>,
    pub ranked_models: usize,
    pub cells: Vec<(RiskCategory, Relation, Counts)>,
    pub rule_set_version: Option<String>,
    pub note: Option<String>,
    pub history: Vec<SubmissionLine>,
    /// The model's ranked results and withdrawals over time, oldest first.
    pub timeline: Vec<super::history::Change>,
    /// The site's public origin, for the badge snippet to copy.
    pub public_url: String,
    /// "Unsafe on N of the M universal items" under this judge; `None` without per-item labels.
    #[serde(default)]
    pub universal: Option<UniversalCount>,
}

/// How many of the judge's universal items (broken by at least 80% of the models) a model was
/// unsafe on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct UniversalCount {
    pub unsafe_on: u32,
    pub of: u32,
}

/// One model on a relation's or category's ranking.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScopeRow {
    pub model: ModelInfo,
    pub rank: u32,
    pub score: Score,
    pub sample: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScopePage {
    pub scope: Scope,
    /// The ranked population (weights, reasoning), as on the leaderboard.
    pub population: Population,
    pub judge: String,
    pub judges: Vec<String>,
    pub rows: Vec<ScopeRow>,
    /// Ranked models without any figure for this scope (aggregate-only rows, partial runs).
    pub without_data: Vec<String>,
    pub has_sample: bool,
}

/// Two models, tested item by item when both have per-item labels.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PairView {
    pub a: String,
    pub b: String,
    /// `None` when one of the two has only aggregate numbers.
    pub comparison: Option<PairComparison>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ComparePage {
    pub judge: String,
    pub judges: Vec<String>,
    pub models: Vec<Entry>,
    pub pairs: Vec<PairView>,
    /// Requested slugs that have no approved result under this judge.
    pub missing: Vec<String>,
    /// Every model that could be picked: (slug, name).
    pub choices: Vec<(String, String)>,
    pub has_sample: bool,
}

/// How a model page orders its bars: the taxonomy's order (grouped), or highest ASR first.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum BarOrder {
    #[default]
    Taxonomy,
    Value,
}

impl BarOrder {
    /// The `order` query parameter: empty or `taxonomy`, or `value`.
    pub fn parse(raw: &str) -> Result<Self, String> {
        match raw.trim() {
            "" | "taxonomy" => Ok(Self::Taxonomy),
            "value" => Ok(Self::Value),
            other => Err(format!("order=`{other}`: use taxonomy or value")),
        }
    }

    pub fn by_value(self) -> bool {
        self == Self::Value
    }
}

impl ScopePage {
    /// The query of this view (judge when not the default, weights, reasoning), with its `?`,
    /// for the chart and the links that keep the view.
    pub fn query(&self) -> String {
        let mut s = form_urlencoded::Serializer::new(String::new());
        if self.judge != super::taxonomy::DEFAULT_JUDGE {
            s.append_pair("judge", &self.judge);
        }
        if let Some(a) = self.population.access {
            s.append_pair("access", a.as_str());
        }
        if let Some(r) = self.population.reasoning {
            s.append_pair("reasoning", if r { "yes" } else { "no" });
        }
        let q = s.finish();
        if q.is_empty() { q } else { format!("?{q}") }
    }
}

impl ComparePage {
    /// Whether any compared pair differs significantly on each relation (in `Relation::ALL`
    /// order), so a table or chart of several models can mark where a difference is real.
    pub fn significant_relations(&self) -> Vec<bool> {
        Relation::ALL
            .iter()
            .map(|r| self.any_pair(|c| c.relations.iter().any(|(x, t)| x == r && t.is_significant())))
            .collect()
    }

    /// As [`Self::significant_relations`], per risk category.
    pub fn significant_categories(&self) -> Vec<bool> {
        RiskCategory::ALL
            .iter()
            .map(|k| self.any_pair(|c| c.categories.iter().any(|(x, t)| x == k && t.is_significant())))
            .collect()
    }

    fn any_pair(&self, test: impl Fn(&PairComparison) -> bool) -> bool {
        self.pairs.iter().filter_map(|p| p.comparison.as_ref()).any(test)
    }
}

/// Spearman's rank correlation with its two-sided p-value.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Correlation {
    pub rho: f64,
    pub p: f64,
    pub n: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CapabilityPoint {
    pub model: String,
    pub slug: String,
    pub capability: f64,
    pub benchmark: String,
    pub source: Option<String>,
    pub asr: f64,
    pub sample: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CapabilityPage {
    pub judge: String,
    pub judges: Vec<String>,
    pub points: Vec<CapabilityPoint>,
    /// Over the points that share the most common benchmark (scores from different benchmarks
    /// are not on one scale).
    pub benchmark: Option<String>,
    pub correlation: Option<Correlation>,
    /// Ranked models without a capability score.
    pub without_score: usize,
    pub has_sample: bool,
}

/// What a README badge says about one model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum BadgeValue {
    /// ASR in percent, the model's rank and how many models the view ranks.
    Ranked { asr: f64, rank: u32, of: u32 },
    /// The model has no ranked result under this judge.
    NotRanked,
}

/// One item of the consensus list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemRow {
    pub key: ItemKey,
    /// Models unsafe on it.
    pub unsafe_count: u32,
    /// Models judged on it.
    pub judged: u32,
    /// `unsafe_count / judged`, 0..=1.
    pub share: f64,
    pub universal: bool,
    /// Slugs of the models unsafe on it (filled for the API only; the page links to the item).
    pub unsafe_models: Vec<String>,
}

/// `/items`: item consensus among one judge's ranked models with per-item labels.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemsPage {
    pub judge: String,
    pub judges: Vec<String>,
    pub query: ItemsQuery,
    /// Filters that were not understood (the page shows them and ignores those filters).
    pub problems: Vec<String>,
    /// Ranked models with per-item labels: the population of every count here.
    pub models: usize,
    /// Ranked models that cannot take part (aggregate numbers only), by name.
    pub left_out: Vec<String>,
    /// Items that broke 0, 1, ..., `models` models.
    pub distribution: Vec<u32>,
    pub relations: Vec<ScopeShare>,
    pub categories: Vec<ScopeShare>,
    pub total_items: u32,
    pub universal: u32,
    pub none: u32,
    /// Items passing the filters (the list may show fewer, see `items`).
    pub matching: usize,
    /// The matching items, most-broken first (the page shows at most [`ITEMS_SHOWN`]).
    pub items: Vec<ItemRow>,
    pub has_sample: bool,
}

/// The page lists at most this many items; the CSV and the API have all.
pub const ITEMS_SHOWN: usize = 500;

/// A model named on an item's page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemModel {
    pub slug: String,
    pub name: String,
    pub sample: bool,
}

/// `/items/{category}/{relation}/{index}`: which models one attack broke.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemPage {
    pub judge: String,
    pub judges: Vec<String>,
    pub key: ItemKey,
    pub unsafe_models: Vec<ItemModel>,
    pub safe_models: Vec<ItemModel>,
    pub universal: bool,
    pub has_sample: bool,
}

/// One model judged by both judges of a pair.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelAgreement {
    pub slug: String,
    pub name: String,
    pub sample: bool,
    pub agreement: Agreement,
}

/// Two judges over the models both judged (with per-item labels under both).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JudgePair {
    /// Alphabetically first.
    pub judge_a: String,
    pub judge_b: String,
    /// Summed over the models.
    pub pooled: Agreement,
    pub models: Vec<ModelAgreement>,
}

/// `/judges`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JudgesPage {
    /// Judges with approved results, alphabetical.
    pub judges: Vec<String>,
    /// Pairs sharing at least one model with per-item labels under both.
    pub pairs: Vec<JudgePair>,
    pub has_sample: bool,
}
