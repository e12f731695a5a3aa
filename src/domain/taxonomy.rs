//! The benchmark's fixed vocabulary: 9 relation types in 4 groups and 6 risk categories.
//!
//! The harness spells relations and categories as file and folder names
//! (`Temporal_Jump.json` inside `Self-Harm/`). Those spellings are the keys of the public API
//! and of the database, so they must never change; the display names are for people.
//! Instance counts per relation come from the benchmark (they sum to 2,676); the per-category
//! counts were not published in a form we could verify, so none are claimed here.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Total number of attack instances in MIR-SafetyBench.
pub const TOTAL_INSTANCES: u32 = 2676;

/// The judge the benchmark itself uses; the leaderboard's default view.
pub const DEFAULT_JUDGE: &str = "HarmBench-Llama-2-13b-cls";

/// The four families of relations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum RelationGroup {
    Temporal,
    Spatial,
    Semantic,
    Logical,
}

impl RelationGroup {
    pub const ALL: [RelationGroup; 4] = [Self::Temporal, Self::Spatial, Self::Semantic, Self::Logical];

    pub fn name(self) -> &'static str {
        match self {
            Self::Temporal => "Temporal",
            Self::Spatial => "Spatial",
            Self::Semantic => "Semantic",
            Self::Logical => "Logical",
        }
    }

    /// The group's relations, in the benchmark's order.
    pub fn relations(self) -> impl Iterator<Item = Relation> {
        Relation::ALL.into_iter().filter(move |r| r.group() == self)
    }

    pub fn instance_count(self) -> u32 {
        self.relations().map(Relation::instance_count).sum()
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|g| g.name().eq_ignore_ascii_case(s.trim()))
    }
}

impl fmt::Display for RelationGroup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The nine multi-image relation types an attack can hide behind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Relation {
    TemporalContinuity,
    TemporalJump,
    SpatialJuxtaposition,
    SpatialEmbedding,
    Relevance,
    Complementarity,
    Analogy,
    Causality,
    Decomposition,
}

impl Relation {
    /// In the benchmark's presentation order (grouped), which is also the table's column order.
    pub const ALL: [Relation; 9] = [
        Self::TemporalContinuity,
        Self::TemporalJump,
        Self::SpatialJuxtaposition,
        Self::SpatialEmbedding,
        Self::Relevance,
        Self::Complementarity,
        Self::Analogy,
        Self::Causality,
        Self::Decomposition,
    ];

    /// Its index in [`Self::ALL`], the order stored encodings (label bits, item codes) use.
    /// `ALL` lists the variants in declaration order (a test holds the two equal).
    pub fn position(self) -> u8 {
        self as u8
    }

    /// The harness's file stem (`<relation>.json`) and the API key.
    pub fn harness_name(self) -> &'static str {
        match self {
            Self::TemporalContinuity => "Temporal_Continuity",
            Self::TemporalJump => "Temporal_Jump",
            Self::SpatialJuxtaposition => "Spatial_Juxtaposition",
            Self::SpatialEmbedding => "Spatial_Embedding",
            Self::Relevance => "Relevance",
            Self::Complementarity => "Complementarity",
            Self::Analogy => "Analogy",
            Self::Causality => "Causality",
            Self::Decomposition => "Decomposition",
        }
    }

    /// The relation's own name, as printed under its group header.
    pub fn short_name(self) -> &'static str {
        match self {
            Self::TemporalContinuity => "Continuity",
            Self::TemporalJump => "Jump",
            Self::SpatialJuxtaposition => "Juxtaposition",
            Self::SpatialEmbedding => "Embedding",
            Self::Relevance => "Relevance",
            Self::Complementarity => "Complementarity",
            Self::Analogy => "Analogy",
            Self::Causality => "Causality",
            Self::Decomposition => "Decomposition",
        }
    }

    /// The name used in running text ("Temporal Jump").
    pub fn display_name(self) -> &'static str {
        match self {
            Self::TemporalContinuity => "Temporal Continuity",
            Self::TemporalJump => "Temporal Jump",
            Self::SpatialJuxtaposition => "Spatial Juxtaposition",
            Self::SpatialEmbedding => "Spatial Embedding",
            other => other.short_name(),
        }
    }

    /// URL path segment, e.g. `temporal-jump`.
    pub fn slug(self) -> &'static str {
        match self {
            Self::TemporalContinuity => "temporal-continuity",
            Self::TemporalJump => "temporal-jump",
            Self::SpatialJuxtaposition => "spatial-juxtaposition",
            Self::SpatialEmbedding => "spatial-embedding",
            Self::Relevance => "relevance",
            Self::Complementarity => "complementarity",
            Self::Analogy => "analogy",
            Self::Causality => "causality",
            Self::Decomposition => "decomposition",
        }
    }

    pub fn group(self) -> RelationGroup {
        match self {
            Self::TemporalContinuity | Self::TemporalJump => RelationGroup::Temporal,
            Self::SpatialJuxtaposition | Self::SpatialEmbedding => RelationGroup::Spatial,
            Self::Relevance | Self::Complementarity => RelationGroup::Semantic,
            Self::Analogy | Self::Causality | Self::Decomposition => RelationGroup::Logical,
        }
    }

    /// Number of attack instances of this relation in the benchmark (all categories).
    pub fn instance_count(self) -> u32 {
        match self {
            Self::TemporalContinuity => 317,
            Self::TemporalJump => 303,
            Self::SpatialJuxtaposition => 292,
            Self::SpatialEmbedding => 293,
            Self::Relevance => 152,
            Self::Complementarity => 280,
            Self::Analogy => 318,
            Self::Causality => 280,
            Self::Decomposition => 441,
        }
    }

    /// One-sentence gloss shown on the relation's page. These are the team's reading of the
    /// relation labels, not quotations of the paper's definitions (the About page says so).
    pub fn gloss(self) -> &'static str {
        match self {
            Self::TemporalContinuity => {
                "The images are successive moments of one ongoing process; the model has to follow the sequence."
            }
            Self::TemporalJump => {
                "The images show moments far apart in time; the model has to infer what happened in between."
            }
            Self::SpatialJuxtaposition => {
                "Separate objects or scenes are shown side by side; the meaning appears only when they are put together."
            }
            Self::SpatialEmbedding => {
                "One element sits inside another scene; the model has to relate the part to the whole."
            }
            Self::Relevance => "The images are linked by a shared topic or association.",
            Self::Complementarity => {
                "Each image carries a missing piece; only their combination forms the full request."
            }
            Self::Analogy => "A relation shown between some images has to be carried over to a new case.",
            Self::Causality => "The images set up cause and effect; the model reasons about what leads to what.",
            Self::Decomposition => "A task is split into sub-parts spread across the images and has to be reassembled.",
        }
    }

    /// Accepts the harness spelling, the display name, the short name or the slug, ignoring case.
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim();
        Self::ALL.into_iter().find(|r| {
            [r.harness_name(), r.display_name(), r.slug()]
                .iter()
                .any(|name| name.eq_ignore_ascii_case(s))
                // Short names are only unambiguous for the five relations without a group prefix,
                // but "Jump" or "Embedding" alone are still clear within this taxonomy.
                || r.short_name().eq_ignore_ascii_case(s)
        })
    }

    /// Only the exact harness spelling: the harness tree is validated strictly, since a
    /// near-miss there usually means a different benchmark version.
    pub fn from_harness_name(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.harness_name() == s)
    }
}

impl fmt::Display for Relation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.display_name())
    }
}

impl FromStr for Relation {
    type Err = UnknownName;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s).ok_or_else(|| UnknownName::relation(s))
    }
}

/// The six risk categories.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum RiskCategory {
    HateSpeech,
    Violence,
    SelfHarm,
    IllegalActivities,
    Harassment,
    Privacy,
}

impl RiskCategory {
    pub const ALL: [RiskCategory; 6] =
        [Self::HateSpeech, Self::Violence, Self::SelfHarm, Self::IllegalActivities, Self::Harassment, Self::Privacy];

    /// Its index in [`Self::ALL`], the order stored encodings (label bits, item codes) use.
    /// `ALL` lists the variants in declaration order (a test holds the two equal).
    pub fn position(self) -> u8 {
        self as u8
    }

    /// The harness's folder name and the API key (note the hyphen in `Self-Harm`).
    pub fn harness_name(self) -> &'static str {
        match self {
            Self::HateSpeech => "Hate_Speech",
            Self::Violence => "Violence",
            Self::SelfHarm => "Self-Harm",
            Self::IllegalActivities => "Illegal_Activities",
            Self::Harassment => "Harassment",
            Self::Privacy => "Privacy",
        }
    }

    pub fn display_name(self) -> &'static str {
        match self {
            Self::HateSpeech => "Hate Speech",
            Self::Violence => "Violence",
            Self::SelfHarm => "Self-Harm",
            Self::IllegalActivities => "Illegal Activities",
            Self::Harassment => "Harassment",
            Self::Privacy => "Privacy",
        }
    }

    pub fn slug(self) -> &'static str {
        match self {
            Self::HateSpeech => "hate-speech",
            Self::Violence => "violence",
            Self::SelfHarm => "self-harm",
            Self::IllegalActivities => "illegal-activities",
            Self::Harassment => "harassment",
            Self::Privacy => "privacy",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim();
        Self::ALL
            .into_iter()
            .find(|c| [c.harness_name(), c.display_name(), c.slug()].iter().any(|name| name.eq_ignore_ascii_case(s)))
    }

    /// Only the exact folder spelling the harness writes.
    pub fn from_harness_name(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.harness_name() == s)
    }
}

impl fmt::Display for RiskCategory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.display_name())
    }
}

impl FromStr for RiskCategory {
    type Err = UnknownName;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s).ok_or_else(|| UnknownName::category(s))
    }
}

/// A name that is not part of the taxonomy, with the list of valid ones for the message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {kind} `{given}`; expected one of: {expected}")]
pub struct UnknownName {
    pub kind: &'static str,
    pub given: String,
    pub expected: String,
}

impl UnknownName {
    fn relation(given: &str) -> Self {
        Self {
            kind: "relation",
            given: given.to_owned(),
            expected: Relation::ALL.map(Relation::harness_name).join(", "),
        }
    }
    fn category(given: &str) -> Self {
        Self {
            kind: "risk category",
            given: given.to_owned(),
            expected: RiskCategory::ALL.map(RiskCategory::harness_name).join(", "),
        }
    }
}

/// What a breakdown page is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Scope {
    Relation(Relation),
    Category(RiskCategory),
}

impl Scope {
    pub fn display_name(self) -> &'static str {
        match self {
            Self::Relation(r) => r.display_name(),
            Self::Category(c) => c.display_name(),
        }
    }

    pub fn harness_name(self) -> &'static str {
        match self {
            Self::Relation(r) => r.harness_name(),
            Self::Category(c) => c.harness_name(),
        }
    }

    pub fn href(self) -> String {
        match self {
            Self::Relation(r) => format!("/relations/{}", r.slug()),
            Self::Category(c) => format!("/categories/{}", c.slug()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_indices_in_all() {
        for (i, r) in Relation::ALL.into_iter().enumerate() {
            assert_eq!(usize::from(r.position()), i, "{r:?}");
        }
        for (i, c) in RiskCategory::ALL.into_iter().enumerate() {
            assert_eq!(usize::from(c.position()), i, "{c:?}");
        }
    }

    #[test]
    fn relation_counts_sum_to_the_benchmark_size() {
        let sum: u32 = Relation::ALL.iter().map(|r| r.instance_count()).sum();
        assert_eq!(sum, TOTAL_INSTANCES);
        let by_group: u32 = RelationGroup::ALL.iter().map(|g| g.instance_count()).sum();
        assert_eq!(by_group, TOTAL_INSTANCES);
    }

    #[test]
    fn groups_hold_the_published_relations() {
        let names = |g: RelationGroup| g.relations().map(Relation::short_name).collect::<Vec<_>>();
        assert_eq!(names(RelationGroup::Temporal), ["Continuity", "Jump"]);
        assert_eq!(names(RelationGroup::Spatial), ["Juxtaposition", "Embedding"]);
        assert_eq!(names(RelationGroup::Semantic), ["Relevance", "Complementarity"]);
        assert_eq!(names(RelationGroup::Logical), ["Analogy", "Causality", "Decomposition"]);
    }

    #[test]
    fn harness_spellings_are_exact() {
        let rel: Vec<_> = Relation::ALL.iter().map(|r| r.harness_name()).collect();
        let mut sorted = rel.clone();
        sorted.sort();
        // The harness's DATASET_INFO list, alphabetical.
        assert_eq!(
            sorted,
            [
                "Analogy",
                "Causality",
                "Complementarity",
                "Decomposition",
                "Relevance",
                "Spatial_Embedding",
                "Spatial_Juxtaposition",
                "Temporal_Continuity",
                "Temporal_Jump"
            ]
        );
        let cat: Vec<_> = RiskCategory::ALL.iter().map(|c| c.harness_name()).collect();
        assert_eq!(cat, ["Hate_Speech", "Violence", "Self-Harm", "Illegal_Activities", "Harassment", "Privacy"]);
    }

    #[test]
    fn every_spelling_round_trips() {
        for r in Relation::ALL {
            for s in [r.harness_name(), r.display_name(), r.slug(), r.short_name()] {
                assert_eq!(Relation::parse(s), Some(r), "{s}");
                assert_eq!(Relation::parse(&s.to_uppercase()), Some(r), "{s}");
            }
            assert_eq!(Relation::from_harness_name(r.harness_name()), Some(r));
        }
        for c in RiskCategory::ALL {
            for s in [c.harness_name(), c.display_name(), c.slug()] {
                assert_eq!(RiskCategory::parse(s), Some(c), "{s}");
            }
            assert_eq!(RiskCategory::from_harness_name(c.harness_name()), Some(c));
        }
    }

    #[test]
    fn strict_harness_lookup_rejects_near_misses() {
        assert_eq!(Relation::from_harness_name("temporal_jump"), None);
        assert_eq!(Relation::from_harness_name("Temporal Jump"), None);
        assert_eq!(RiskCategory::from_harness_name("Self_Harm"), None);
        assert_eq!(RiskCategory::from_harness_name("Hate Speech"), None);
    }

    #[test]
    fn unknown_names_list_the_valid_ones() {
        let err = "Temporal_Leap".parse::<Relation>().unwrap_err();
        assert_eq!(err.given, "Temporal_Leap");
        assert!(err.to_string().starts_with("unknown relation `Temporal_Leap`; expected one of: Temporal_Continuity,"));
        let err = "Spam".parse::<RiskCategory>().unwrap_err();
        assert!(err.to_string().contains("Hate_Speech, Violence, Self-Harm"));
    }
}
