//! The leaderboard as plain data: from per-model counts to ranked entries. What one URL shows
//! of a ranked population (search, sort, columns) is in [`query`].
//!
//! This module runs on both sides. The server ranks a population (one judge, optionally only
//! open or closed weights, only reasoning models ...); the browser re-sorts and searches the
//! ranked rows instantly, with exactly the code the server used to render the same URL.

pub mod query;

use super::metrics::{Counts, Score, pool};
use super::model::{Access, Capability, Granularity, ModelMeta, Source};
use super::ranking::honest_ranks;
use super::taxonomy::{Relation, RelationGroup, RiskCategory, Scope};
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

impl ModelInfo {
    /// The model's facts in the form submissions propose them.
    pub fn meta(&self) -> ModelMeta {
        ModelMeta {
            organization: self.organization.clone(),
            access: self.access,
            reasoning: Some(self.reasoning),
            parameters_b: self.parameters_b,
            link: self.link.clone(),
        }
    }

    /// Applies proposed facts as approval would ([`ModelMeta::over`]).
    pub fn apply(&mut self, proposed: &ModelMeta) {
        let m = proposed.over(&self.meta());
        self.organization = m.organization;
        self.access = m.access;
        self.reasoning = m.reasoning.unwrap_or(false);
        self.parameters_b = m.parameters_b;
        self.link = m.link;
    }
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

    /// The score on one relation or category.
    pub fn scope(&self, scope: Scope) -> Option<&Score> {
        match scope {
            Scope::Relation(r) => self.relation(r),
            Scope::Category(c) => self.category(c),
        }
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
pub(crate) fn default_order(a: &Entry, b: &Entry) -> Ordering {
    ranked_order((a.rank, a.overall.asr, &a.model.name), (b.rank, b.overall.asr, &b.model.name))
}

/// The one ordering of ranked rows, for any column: rank, then lower ASR, then name.
fn ranked_order(a: (u32, f64, &str), b: (u32, f64, &str)) -> Ordering {
    a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)).then_with(|| a.2.cmp(b.2))
}

/// Ranks entries on one relation or category alone: honest ranks from that scope's intervals,
/// in the ranked order. Entries without a figure for the scope are returned apart, by name
/// order of the input (they are neither safe nor unsafe there).
pub fn rank_scope(entries: &[Entry], scope: Scope) -> (Vec<(u32, &Entry, Score)>, Vec<&Entry>) {
    let mut scored = Vec::new();
    let mut without = Vec::new();
    for e in entries {
        match e.scope(scope) {
            Some(s) => scored.push((e, *s)),
            None => without.push(e),
        }
    }
    let intervals: Vec<(f64, f64)> = scored.iter().map(|(_, s)| (s.ci_low, s.ci_high)).collect();
    let mut rows: Vec<(u32, &Entry, Score)> =
        scored.into_iter().zip(honest_ranks(&intervals)).map(|((e, s), rank)| (rank, e, s)).collect();
    rows.sort_by(|a, b| ranked_order((a.0, a.2.asr, &a.1.model.name), (b.0, b.2.asr, &b.1.model.name)));
    (rows, without)
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

#[cfg(test)]
pub(crate) mod fixtures {
    //! Inputs shared by the ranking and query tests.
    use super::*;
    use crate::domain::metrics::Counts;
    use crate::domain::model::{Access, Granularity, Source};

    pub(crate) fn counts(u: u32, t: u32) -> Counts {
        Counts::new(u, t, None).unwrap()
    }

    pub(crate) fn input(
        name: &str,
        access: Access,
        reasoning: bool,
        cells: &[(RiskCategory, Relation, Counts)],
    ) -> EntryInput {
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

    pub(crate) fn uniform(name: &str, access: Access, unsafe_per_cell: u32, total_per_cell: u32) -> EntryInput {
        let mut cells = vec![];
        for c in RiskCategory::ALL {
            for r in Relation::ALL {
                cells.push((c, r, counts(unsafe_per_cell, total_per_cell)));
            }
        }
        input(name, access, false, &cells)
    }
}

#[cfg(test)]
mod tests {
    use super::fixtures::*;
    use super::*;
    use crate::domain::model::Access;

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

    #[test]
    fn scope_ranks_come_from_that_scope_alone() {
        use Relation::*;
        use RiskCategory::*;
        let c = |u, t| counts(u, t);
        // Overall, A is the safest; on Analogy alone B is clearly safer than A, and C has no
        // Analogy figure at all.
        let entries = rank(vec![
            input("A", Access::Open, false, &[(Violence, Analogy, c(60, 100)), (Violence, Causality, c(0, 400))]),
            input("B", Access::Open, false, &[(Violence, Analogy, c(5, 100)), (Violence, Causality, c(345, 400))]),
            input("C", Access::Open, false, &[(Violence, Causality, c(50, 100))]),
        ]);
        assert_eq!(entries[0].model.name, "A");
        let (rows, without) = rank_scope(&entries, Scope::Relation(Analogy));
        let got: Vec<(u32, &str)> = rows.iter().map(|(r, e, _)| (*r, e.model.name.as_str())).collect();
        assert_eq!(got, [(1, "B"), (2, "A")]);
        assert_eq!(rows[0].2.unsafe_count, 5);
        assert_eq!(without.iter().map(|e| e.model.name.as_str()).collect::<Vec<_>>(), ["C"]);
        // Overlapping intervals share a rank and then sort by ASR, then name.
        let (rows, _) = rank_scope(&entries, Scope::Category(Violence));
        let got: Vec<(u32, &str)> = rows.iter().map(|(r, e, _)| (*r, e.model.name.as_str())).collect();
        assert_eq!(got, [(1, "A"), (2, "C"), (3, "B")]);
    }
}
