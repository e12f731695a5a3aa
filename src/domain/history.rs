//! What happened to the leaderboard over time: every maintainer decision (a result ranked, a
//! submission refused, a ranked result withdrawn), for /changes, the Atom feed and a model's
//! history.

use super::metrics::Counts;
use super::model::Source;
use serde::{Deserialize, Serialize};

/// The kind of a decision, as the public sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// A result joined the ranking (approved, or imported by a maintainer).
    Approved,
    /// A pending submission was refused; it never was ranked.
    Rejected,
    /// A ranked result was taken off the ranking.
    Withdrawn,
}

impl ChangeKind {
    /// From a stored event kind and whether the submission had been ranked before it.
    pub fn of_event(kind: &str, was_ranked: bool) -> Option<Self> {
        match kind {
            "approved" | "imported" => Some(Self::Approved),
            "rejected" if was_ranked => Some(Self::Withdrawn),
            "rejected" => Some(Self::Rejected),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Approved => "approved",
            Self::Rejected => "rejected",
            Self::Withdrawn => "withdrawn",
        }
    }

    /// Whether a feed reader hears of it: results that join or leave the ranking.
    pub fn in_feed(self) -> bool {
        !matches!(self, Self::Rejected)
    }
}

/// One decision, with what the public may know about it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change {
    /// The event's own id: a stable identity for feed entries.
    pub event_id: i64,
    pub at: i64,
    pub date: String,
    pub kind: ChangeKind,
    pub submission_id: i64,
    pub model: String,
    pub model_slug: String,
    pub judge: String,
    pub source: Source,
    /// The submission's pooled counts (items, or the published overall figure).
    pub overall: Option<Counts>,
    /// The public reason of a rejection or withdrawal.
    pub reason: Option<String>,
}

impl Change {
    /// ASR in percent, two decimals as everywhere on the site, for approvals.
    pub fn asr_text(&self) -> Option<String> {
        (self.kind == ChangeKind::Approved)
            .then(|| self.overall.and_then(|c| c.asr_percent()))
            .flatten()
            .map(super::metrics::format_pct)
    }

    /// One line saying what happened, for the feed's entry titles.
    pub fn headline(&self) -> String {
        match self.kind {
            ChangeKind::Approved => match self.asr_text() {
                Some(asr) => format!("{}: ASR {asr}% under {}", self.model, self.judge),
                None => format!("{}: a result under {}", self.model, self.judge),
            },
            ChangeKind::Withdrawn => format!("{}: result #{} withdrawn", self.model, self.submission_id),
            ChangeKind::Rejected => format!("{}: submission #{} rejected", self.model, self.submission_id),
        }
    }
}

/// A page of the decision log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChangesPage {
    pub changes: Vec<Change>,
    pub page: u32,
    pub pages: u32,
    pub has_sample: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(kind: ChangeKind, overall: Option<Counts>) -> Change {
        Change {
            event_id: 1,
            at: 0,
            date: "2026-01-01".into(),
            kind,
            submission_id: 7,
            model: "M".into(),
            model_slug: "m".into(),
            judge: "J".into(),
            source: Source::SelfReported,
            overall,
            reason: None,
        }
    }

    #[test]
    fn a_rejection_after_ranking_is_a_withdrawal() {
        assert_eq!(ChangeKind::of_event("rejected", true), Some(ChangeKind::Withdrawn));
        assert_eq!(ChangeKind::of_event("rejected", false), Some(ChangeKind::Rejected));
        assert_eq!(ChangeKind::of_event("imported", false), Some(ChangeKind::Approved));
        assert_eq!(ChangeKind::of_event("submitted", false), None);
        assert!(!ChangeKind::Rejected.in_feed() && ChangeKind::Withdrawn.in_feed());
    }

    #[test]
    fn headlines_name_the_asr_only_for_approvals() {
        let c = Counts::new(1, 3, None).unwrap();
        assert_eq!(change(ChangeKind::Approved, Some(c)).headline(), "M: ASR 33.33% under J");
        assert_eq!(change(ChangeKind::Withdrawn, Some(c)).headline(), "M: result #7 withdrawn");
        assert_eq!(change(ChangeKind::Withdrawn, Some(c)).asr_text(), None);
    }
}
