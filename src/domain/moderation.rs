//! The moderation rules, in one place: which decision each state allows, and what a public
//! reason must be. The store enforces the transitions in its `UPDATE ... WHERE status IN (..)`
//! statements by asking [`Decision::allowed_from`]; the pages show only the buttons a state
//! allows by asking the same.

use super::model::{FieldError, Status};
use serde::{Deserialize, Serialize};

/// A step that moves a submission between states.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Decision {
    /// The uploader sends a previewed draft for review.
    SubmitDraft,
    /// A maintainer ranks a pending submission.
    Approve,
    /// A maintainer refuses a pending submission or withdraws an approved one, with a reason.
    Reject,
}

impl Decision {
    /// The states this decision may start from.
    pub fn allowed_from(self) -> &'static [Status] {
        match self {
            Self::SubmitDraft => &[Status::Draft],
            Self::Approve => &[Status::Pending],
            // Withdrawing an approved result is a rejection with a public reason, so the
            // ranking history always says why a result disappeared.
            Self::Reject => &[Status::Pending, Status::Approved],
        }
    }

    /// The state after the decision.
    pub fn target(self) -> Status {
        match self {
            Self::SubmitDraft => Status::Pending,
            Self::Approve => Status::Approved,
            Self::Reject => Status::Rejected,
        }
    }

    /// The allowed starting states in words, for "submission #3 is approved, not ...".
    pub fn expected(self) -> &'static str {
        match self {
            Self::SubmitDraft => "a draft",
            Self::Approve => "pending",
            Self::Reject => "pending or approved",
        }
    }
}

impl Status {
    /// Whether `decision` may be taken in this state.
    pub fn allows(self, decision: Decision) -> bool {
        decision.allowed_from().contains(&self)
    }
}

/// The public reason of a rejection or withdrawal: shown to the submitter and everyone else.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reason(String);

impl Reason {
    pub const MAX_CHARS: usize = 500;

    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let value = raw.trim();
        if value.is_empty() {
            return Err(FieldError::new(
                "reason",
                "is empty; give a reason: it is shown to the submitter and the public",
            ));
        }
        if value.chars().count() > Self::MAX_CHARS {
            return Err(FieldError::new(
                "reason",
                format!("is longer than {} characters; shorten it", Self::MAX_CHARS),
            ));
        }
        if value.chars().any(|c| c.is_control() && c != '\n') {
            return Err(FieldError::new("reason", "contains control characters; use plain text"));
        }
        super::model::visible("reason", value).map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_state_allows_exactly_its_decisions() {
        use Decision::*;
        let table = [
            (Status::Draft, [true, false, false]),
            (Status::Pending, [false, true, true]),
            (Status::Approved, [false, false, true]),
            (Status::Rejected, [false, false, false]),
        ];
        for (status, allowed) in table {
            assert_eq!([SubmitDraft, Approve, Reject].map(|d| status.allows(d)), allowed, "{status:?}");
        }
        assert_eq!(Approve.target(), Status::Approved);
        assert_eq!(Reject.expected(), "pending or approved");
    }

    #[test]
    fn reasons_are_one_to_500_characters_of_text() {
        assert_eq!(Reason::parse("  duplicate of #3 ").unwrap().as_str(), "duplicate of #3");
        assert!(Reason::parse(" ").unwrap_err().message.starts_with("is empty"));
        assert!(Reason::parse(&"x".repeat(500)).is_ok());
        assert!(Reason::parse(&"é".repeat(501)).unwrap_err().message.contains("longer than 500"));
        assert!(Reason::parse("two\nlines").is_ok());
        assert!(Reason::parse("bell\u{7}").is_err());
    }
}
