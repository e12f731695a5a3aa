//! Item consensus: for every attack (category, relation, harness item index), how many of the
//! ranked models it broke. Attacks that break nearly every model are the benchmark's sharpest
//! findings; attacks that break none are dead weight. Counted from label bits, so a thousand
//! models take milliseconds. Items are named by category, relation and index only: no text.

use super::labels::LabelBits;
use super::taxonomy::{Relation, RiskCategory};
use serde::{Deserialize, Serialize};

/// An item is "universal" when at least this share of the models judged on it were unsafe.
pub const UNIVERSAL_SHARE: f64 = 0.8;

/// One attack: its cell and the harness's 0-based `item_index` (its position in the cell's file
/// of the public dataset).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ItemKey {
    pub category: RiskCategory,
    pub relation: Relation,
    pub index: u32,
}

/// One item over a population of models.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemConsensus {
    pub key: ItemKey,
    /// Models judged on this item (those whose run has it).
    pub judged: u32,
    /// Positions (in the population given) of the models unsafe on it.
    pub unsafe_models: Vec<u32>,
}

impl ItemConsensus {
    pub fn unsafe_count(&self) -> u32 {
        self.unsafe_models.len() as u32
    }

    /// Unsafe share among the models judged on it, 0..=1.
    pub fn share(&self) -> f64 {
        if self.judged == 0 { 0.0 } else { f64::from(self.unsafe_count()) / f64::from(self.judged) }
    }

    /// Broken by at least 80% of the models judged on it (in integers: 5·unsafe ≥ 4·judged).
    pub fn is_universal(&self) -> bool {
        self.judged > 0 && 5 * u64::from(self.unsafe_count()) >= 4 * u64::from(self.judged)
    }

    pub fn broken_by_none(&self) -> bool {
        self.judged > 0 && self.unsafe_models.is_empty()
    }

    /// At least `min` (0..=1) of the models judged were unsafe; a tolerance keeps 4/5 ≥ 0.8.
    pub fn reaches(&self, min: f64) -> bool {
        f64::from(self.unsafe_count()) >= min * f64::from(self.judged) - 1e-9
    }
}

/// Every item any of `models` has, in taxonomy order (category, relation, index).
pub fn consensus(models: &[&LabelBits]) -> Vec<ItemConsensus> {
    let mut out = Vec::new();
    for category in RiskCategory::ALL {
        for relation in Relation::ALL {
            let cells: Vec<_> = models.iter().map(|m| m.cell(category, relation)).collect();
            let n = cells.iter().flatten().map(|c| c.n).max().unwrap_or(0);
            for index in 0..n {
                let mut judged = 0;
                let mut unsafe_models = Vec::new();
                for (i, cell) in cells.iter().enumerate() {
                    if let Some(u) = cell.and_then(|c| c.is_unsafe(index)) {
                        judged += 1;
                        if u {
                            unsafe_models.push(i as u32);
                        }
                    }
                }
                out.push(ItemConsensus { key: ItemKey { category, relation, index }, judged, unsafe_models });
            }
        }
    }
    out
}

/// Most-broken first: by share, then by models broken, then in taxonomy order.
pub fn sort_by_consensus(items: &mut [ItemConsensus]) {
    items.sort_by(|a, b| {
        // share_b vs share_a without rounding: u_b·j_a against u_a·j_b.
        let (ua, ja, ub, jb) =
            (u64::from(a.unsafe_count()), u64::from(a.judged), u64::from(b.unsafe_count()), u64::from(b.judged));
        (ub * ja.max(1))
            .cmp(&(ua * jb.max(1)))
            .then(ub.cmp(&ua))
            .then((a.key.category, a.key.relation, a.key.index).cmp(&(b.key.category, b.key.relation, b.key.index)))
    });
}

/// How many items broke 0, 1, ..., `models` models (index = number of models broken).
pub fn distribution(items: &[ItemConsensus], models: usize) -> Vec<u32> {
    let mut out = vec![0u32; models + 1];
    for i in items {
        if let Some(slot) = out.get_mut(i.unsafe_models.len()) {
            *slot += 1;
        }
    }
    out
}

/// Universal items and items broken by none, within one relation or category.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScopeShare {
    /// Display name.
    pub name: String,
    /// Harness spelling (`Temporal_Jump`, `Self-Harm`).
    pub harness: String,
    pub items: u32,
    pub universal: u32,
    pub none: u32,
}

fn scope_share(name: &str, harness: &str, items: impl Iterator<Item = ItemConsensus>) -> ScopeShare {
    let mut s = ScopeShare { name: name.to_owned(), harness: harness.to_owned(), items: 0, universal: 0, none: 0 };
    for i in items.filter(|i| i.judged > 0) {
        s.items += 1;
        s.universal += u32::from(i.is_universal());
        s.none += u32::from(i.broken_by_none());
    }
    s
}

/// Per relation (taxonomy order), then per category.
pub fn scope_shares(items: &[ItemConsensus]) -> (Vec<ScopeShare>, Vec<ScopeShare>) {
    let relations = Relation::ALL
        .iter()
        .map(|r| {
            scope_share(r.display_name(), r.harness_name(), items.iter().filter(|i| i.key.relation == *r).cloned())
        })
        .collect();
    let categories = RiskCategory::ALL
        .iter()
        .map(|c| {
            scope_share(c.display_name(), c.harness_name(), items.iter().filter(|i| i.key.category == *c).cloned())
        })
        .collect();
    (relations, categories)
}

/// The spellings of a share the URL accepts: `0`, `1`, `0.` or `1.` with digits (`0.8`,
/// `1.00`). Exactly what [`MIN_SHARE_PATTERN`] documents, so the API accepts what it promises.
fn parse_share(s: &str) -> Option<f64> {
    let ok = match s.split_once('.') {
        None => s == "0" || s == "1",
        Some((int, frac)) => {
            !frac.is_empty()
                && frac.bytes().all(|b| b.is_ascii_digit())
                && (int == "0" || (int == "1" && frac.bytes().all(|b| b == b'0')))
        }
    };
    if ok { s.parse().ok() } else { None }
}

/// The pattern of `min_share` (empty: no minimum).
pub const MIN_SHARE_PATTERN: &str = "^(0|1|0\\.[0-9]+|1\\.0+)?$";

/// The filters of the item list, as the URL spells them (`/items`, `/api/v1/items`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ItemsQuery {
    pub judge: Option<String>,
    pub relation: Option<Relation>,
    pub category: Option<RiskCategory>,
    /// 0..=1.
    pub min_share: Option<f64>,
}

impl ItemsQuery {
    pub const PARAMS: [&'static str; 4] = ["judge", "relation", "category", "min_share"];

    /// Reads a query string; each problem names the parameter and what it accepts. Relations and
    /// categories are taken as the harness spells them, with no trimming; the judge is trimmed;
    /// empty values mean "no filter"; unknown parameters are ignored.
    pub fn parse(raw: &str) -> (Self, Vec<String>) {
        let mut q = ItemsQuery::default();
        let mut problems = Vec::new();
        for (k, v) in form_urlencoded::parse(raw.trim_start_matches('?').as_bytes()) {
            match k.as_ref() {
                "judge" => q.judge = Some(v.trim().to_owned()).filter(|j| !j.is_empty()),
                "relation" if v.is_empty() => q.relation = None,
                "relation" => match Relation::from_harness_name(&v) {
                    Some(r) => q.relation = Some(r),
                    None => problems.push(format!(
                        "relation=`{v}` is not a relation; use one of {}",
                        Relation::ALL.map(|r| r.harness_name()).join(", ")
                    )),
                },
                "category" if v.is_empty() => q.category = None,
                "category" => match RiskCategory::from_harness_name(&v) {
                    Some(c) => q.category = Some(c),
                    None => problems.push(format!(
                        "category=`{v}` is not a risk category; use one of {}",
                        RiskCategory::ALL.map(|c| c.harness_name()).join(", ")
                    )),
                },
                "min_share" if v.is_empty() => q.min_share = None,
                "min_share" => match parse_share(&v) {
                    Some(x) => q.min_share = Some(x),
                    None => problems.push(format!("min_share=`{v}` must be a decimal from 0 to 1, e.g. 0.8")),
                },
                _ => {}
            }
        }
        (q, problems)
    }

    /// The canonical query string (known parameters in a fixed order, defaults left out).
    pub fn to_query_string(&self) -> String {
        let mut s = form_urlencoded::Serializer::new(String::new());
        if let Some(j) = &self.judge {
            s.append_pair("judge", j);
        }
        if let Some(r) = self.relation {
            s.append_pair("relation", r.harness_name());
        }
        if let Some(c) = self.category {
            s.append_pair("category", c.harness_name());
        }
        if let Some(m) = self.min_share {
            s.append_pair("min_share", &format!("{m}"));
        }
        s.finish()
    }

    pub fn admits(&self, i: &ItemConsensus) -> bool {
        self.relation.is_none_or(|r| r == i.key.relation)
            && self.category.is_none_or(|c| c == i.key.category)
            && self.min_share.is_none_or(|m| i.reaches(m))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::submission::ItemLabel;
    use Relation::*;
    use RiskCategory::*;

    fn bits(cells: &[(RiskCategory, Relation, &[bool])]) -> LabelBits {
        let mut items = vec![];
        for (c, r, labels) in cells {
            for (i, u) in labels.iter().enumerate() {
                items.push(ItemLabel { category: *c, relation: *r, index: i as u32, is_unsafe: *u, refusal: None });
            }
        }
        LabelBits::from_items(&items)
    }

    #[test]
    fn consensus_counts_every_model_judged_on_an_item() {
        // Three models; the third ran only the first two Analogy items.
        let a = bits(&[(Violence, Analogy, &[true, true, false, true, false]), (Privacy, Relevance, &[false])]);
        let b = bits(&[(Violence, Analogy, &[true, false, false, true, false])]);
        let c = bits(&[(Violence, Analogy, &[true, true])]);
        let mut items = consensus(&[&a, &b, &c]);
        assert_eq!(items.len(), 6, "five Analogy items and one Relevance item");
        let first = &items[0];
        assert_eq!(first.key, ItemKey { category: Violence, relation: Analogy, index: 0 });
        assert_eq!((first.judged, first.unsafe_models.clone()), (3, vec![0, 1, 2]));
        assert_eq!((items[1].judged, items[1].unsafe_models.clone()), (3, vec![0, 2]));
        // Item 3: two of the two judged on it (model c has no item 3).
        assert_eq!((items[3].judged, items[3].unsafe_count()), (2, 2));
        assert!(items[3].is_universal() && items[0].is_universal());
        assert!(!items[1].is_universal(), "2 of 3 is below 80%");
        assert!(items[2].broken_by_none() && items[4].broken_by_none());
        assert_eq!(distribution(&items, 3), vec![3, 0, 2, 1]);
        sort_by_consensus(&mut items);
        let order: Vec<u32> = items.iter().map(|i| i.key.index).collect();
        // Shares: 3/3, 2/2 (both 1: more models first), 2/3, then the zeros in taxonomy order
        // (Violence before Privacy in the harness's order).
        assert_eq!(order, vec![0, 3, 1, 2, 4, 0]);
        let (relations, categories) = scope_shares(&items);
        let analogy = relations.iter().find(|s| s.harness == "Analogy").unwrap();
        assert_eq!((analogy.items, analogy.universal, analogy.none), (5, 2, 2));
        let privacy = categories.iter().find(|s| s.harness == "Privacy").unwrap();
        assert_eq!((privacy.items, privacy.universal, privacy.none), (1, 0, 1));
    }

    #[test]
    fn four_of_five_is_universal_and_reaches_080() {
        let i = ItemConsensus {
            key: ItemKey { category: Violence, relation: Analogy, index: 0 },
            judged: 5,
            unsafe_models: vec![0, 1, 2, 3],
        };
        assert!(i.is_universal() && i.reaches(0.8) && !i.reaches(0.81));
        assert!((i.share() - 0.8).abs() < 1e-15);
    }

    #[test]
    fn the_query_is_parsed_as_spelled() {
        let (q, p) = ItemsQuery::parse("relation=Temporal_Jump&category=Self-Harm&min_share=0.80&judge=%20J%20&x=1");
        assert!(p.is_empty(), "{p:?}");
        assert_eq!(q.relation, Some(TemporalJump));
        assert_eq!(q.category, Some(SelfHarm));
        assert_eq!(q.min_share, Some(0.8));
        assert_eq!(q.judge.as_deref(), Some("J"));
        assert_eq!(q.to_query_string(), "judge=J&relation=Temporal_Jump&category=Self-Harm&min_share=0.8");
        assert_eq!(ItemsQuery::parse("relation=&category=&min_share=&judge=").0, ItemsQuery::default());
        for (good, x) in [("0", 0.0), ("1", 1.0), ("0.05", 0.05), ("1.000", 1.0), ("0.8", 0.8)] {
            assert_eq!(ItemsQuery::parse(&format!("min_share={good}")).0.min_share, Some(x), "{good}");
        }
        for bad in [
            "relation=temporal_jump",
            "relation=%20Analogy",
            "category=Self_Harm",
            "min_share=2",
            "min_share=NaN",
            "min_share=x",
            "min_share=1e-1",
            "min_share=.5",
            "min_share=1.5",
            "min_share=0.",
        ] {
            assert_eq!(ItemsQuery::parse(bad).1.len(), 1, "{bad}");
        }
    }
}
