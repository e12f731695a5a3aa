//! Who and what a result is about: models, judges, sources, states. Each type parses its raw
//! input once, at the boundary, and everything past that point can rely on it.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A rejected input, with the field it came from and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[error("{field}: {message}")]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: &str, message: impl Into<String>) -> Self {
        Self { field: field.to_owned(), message: message.into() }
    }
}

fn clean_line(field: &str, raw: &str, max_chars: usize) -> Result<String, FieldError> {
    let value = visible(field, raw.trim())?;
    let value = value.as_str();
    if value.is_empty() {
        return Err(FieldError::new(field, "is empty; give a name"));
    }
    if value.chars().count() > max_chars {
        return Err(FieldError::new(field, format!("is longer than {max_chars} characters; shorten it")));
    }
    if value.chars().any(char::is_control) {
        return Err(FieldError::new(field, "contains control characters (line breaks, tabs); use one plain line"));
    }
    Ok(value.to_owned())
}

/// The text in NFC, refused if it holds a character that hides or reorders what a reader sees.
pub(crate) fn visible(field: &str, raw: &str) -> Result<String, FieldError> {
    super::text::visible_nfc(raw).map_err(|code| {
        FieldError::new(
            field,
            format!(
                "contains the invisible or direction-changing character {code}; retype it with visible characters only"
            ),
        )
    })
}

/// A model's display name, e.g. `Qwen2.5-VL-7B-Instruct`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ModelName(String);

impl ModelName {
    pub const MAX_CHARS: usize = 100;

    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        clean_line("model", raw, Self::MAX_CHARS).map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The URL segment of the model's page: lower-case ASCII letters, digits and single
    /// hyphens. Uniqueness is the store's job (it appends `-2`, `-3`, ... on a clash).
    pub fn slug(&self) -> String {
        let mut slug = String::new();
        for ch in self.0.chars() {
            if ch.is_ascii_alphanumeric() {
                slug.push(ch.to_ascii_lowercase());
            } else if ch == '.' && slug.chars().last().is_some_and(|c| c.is_ascii_digit()) {
                // Keep version dots ("qwen2.5") readable.
                slug.push('.');
            } else if !slug.is_empty() && !slug.ends_with('-') {
                slug.push('-');
            }
        }
        let slug = slug.trim_end_matches(['-', '.']).to_owned();
        if slug.is_empty() { "model".to_owned() } else { slug }
    }
}

impl fmt::Display for ModelName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The judge that labelled the answers. Rankings never mix judges.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct JudgeName(String);

impl JudgeName {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        clean_line("judge", raw, 100).map(Self)
    }

    pub fn default_judge() -> Self {
        Self(super::taxonomy::DEFAULT_JUDGE.to_owned())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for JudgeName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Whether the model's weights are downloadable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Access {
    Open,
    Closed,
}

impl Access {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Closed => "closed",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "open" => Ok(Self::Open),
            "closed" => Ok(Self::Closed),
            other => Err(FieldError::new("access", format!("`{other}` is not `open` or `closed`"))),
        }
    }
}

/// Where a result comes from: how much to trust it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Source {
    /// Transcribed from the paper's tables (aggregate numbers).
    #[serde(rename = "paper")]
    Paper,
    /// Uploaded by the model's developers or anyone else; not re-run by the maintainers.
    #[serde(rename = "self-reported")]
    SelfReported,
    /// Re-run or checked by the maintainers.
    #[serde(rename = "verified")]
    Verified,
    /// Generated sample data for demonstrations. Never a real result.
    #[serde(rename = "sample")]
    Sample,
}

impl Source {
    pub const ALL: [Source; 4] = [Self::Paper, Self::SelfReported, Self::Verified, Self::Sample];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Paper => "paper",
            Self::SelfReported => "self-reported",
            Self::Verified => "verified",
            Self::Sample => "sample",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let raw = raw.trim();
        Self::ALL.into_iter().find(|s| s.as_str().eq_ignore_ascii_case(raw)).ok_or_else(|| {
            FieldError::new("source", format!("`{raw}` is not one of paper, self-reported, verified, sample"))
        })
    }
}

/// A submission's place in moderation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Validated and previewed, not yet sent for review. Invisible in the queue.
    Draft,
    Pending,
    Approved,
    Rejected,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Pending => "pending",
            Self::Approved => "approved",
            Self::Rejected => "rejected",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        [Self::Draft, Self::Pending, Self::Approved, Self::Rejected].into_iter().find(|s| s.as_str() == raw)
    }
}

/// What the stored result contains.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Granularity {
    /// Per-item labels from a harness tree: every breakdown and paired test is possible.
    Items,
    /// Published aggregate numbers only (per relation, maybe per category).
    Aggregate,
}

impl Granularity {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Items => "items",
            Self::Aggregate => "aggregate",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        [Self::Items, Self::Aggregate].into_iter().find(|g| g.as_str() == raw)
    }
}

/// Optional facts about a model, each parsed from its raw form.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ModelMeta {
    pub organization: Option<String>,
    pub access: Option<Access>,
    pub reasoning: Option<bool>,
    /// Parameter count in billions.
    pub parameters_b: Option<f64>,
    pub link: Option<String>,
}

impl ModelMeta {
    /// These facts where they are known, `base`'s where they are not. This is how a
    /// submission's proposed facts apply to a model (at approval, in a preview, and when a
    /// form's facts complete a CSV's): one rule, so the three can never disagree.
    pub fn over(&self, base: &ModelMeta) -> ModelMeta {
        ModelMeta {
            organization: self.organization.clone().or_else(|| base.organization.clone()),
            access: self.access.or(base.access),
            reasoning: self.reasoning.or(base.reasoning),
            parameters_b: self.parameters_b.or(base.parameters_b),
            link: self.link.clone().or_else(|| base.link.clone()),
        }
    }
}

/// Free-text organisation: one line, at most 100 characters; empty means unknown.
pub fn parse_organization(raw: &str) -> Result<Option<String>, FieldError> {
    if raw.trim().is_empty() { Ok(None) } else { clean_line("organization", raw, 100).map(Some) }
}

/// Parameter count in billions: `7`, `7B`, `0.5b`, `1.2T`; empty means unknown.
pub fn parse_parameters(raw: &str) -> Result<Option<f64>, FieldError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    let (number, scale) = match raw.chars().last() {
        Some('b' | 'B') => (&raw[..raw.len() - 1], 1.0),
        Some('t' | 'T') => (&raw[..raw.len() - 1], 1000.0),
        Some('m' | 'M') => (&raw[..raw.len() - 1], 0.001),
        _ => (raw, 1.0),
    };
    match number.trim().parse::<f64>() {
        Ok(v) if v.is_finite() && v > 0.0 && v * scale < 100_000.0 => Ok(Some(v * scale)),
        _ => Err(FieldError::new(
            "parameters",
            format!("`{raw}` is not a parameter count; write billions, e.g. `7`, `7B` or `0.5B`"),
        )),
    }
}

/// A link to the model card: an absolute http(s) URL; empty means none.
pub fn parse_link(raw: &str) -> Result<Option<String>, FieldError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    let raw = &visible("link", raw)?;
    let scheme_ok = raw.starts_with("https://") || raw.starts_with("http://");
    let host = raw.split("://").nth(1).unwrap_or("");
    if !scheme_ok || host.is_empty() || host.starts_with('/') {
        return Err(FieldError::new(
            "link",
            format!("`{raw}` is not an absolute http(s) URL; write e.g. https://huggingface.co/org/model"),
        ));
    }
    if raw.len() > 500 || raw.chars().any(|c| c.is_whitespace() || c.is_control() || c == '"' || c == '<' || c == '>') {
        return Err(FieldError::new(
            "link",
            "contains spaces, quotes or angle brackets, or is longer than 500 characters",
        ));
    }
    Ok(Some(raw.to_owned()))
}

/// `true`/`false`/`yes`/`no`/`on`/`1`/`0`; empty means unknown. `on` is what an HTML checkbox sends.
pub fn parse_flag(field: &str, raw: &str) -> Result<Option<bool>, FieldError> {
    match raw.trim().to_ascii_lowercase().as_str() {
        "" => Ok(None),
        "true" | "yes" | "on" | "1" => Ok(Some(true)),
        "false" | "no" | "off" | "0" => Ok(Some(false)),
        other => Err(FieldError::new(field, format!("`{other}` is not `true` or `false`"))),
    }
}

/// A free-text note from a submitter: several lines allowed, at most 2,000 characters.
pub fn parse_note(raw: &str) -> Result<Option<String>, FieldError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    if raw.chars().count() > 2000 {
        return Err(FieldError::new("note", "is longer than 2,000 characters; shorten it"));
    }
    if raw.chars().any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t') {
        return Err(FieldError::new("note", "contains control characters"));
    }
    visible("note", raw).map(Some)
}

/// An optional multi-image capability score, with the benchmark it comes from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Capability {
    pub score: f64,
    pub benchmark: String,
    pub source: Option<String>,
}

impl Capability {
    pub fn parse(score: &str, benchmark: &str, source: &str) -> Result<Option<Self>, FieldError> {
        if score.trim().is_empty() {
            return Ok(None);
        }
        let value = score
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite())
            .ok_or_else(|| FieldError::new("capability_score", format!("`{}` is not a number", score.trim())))?;
        let benchmark = clean_line("capability_benchmark", benchmark, 100).map_err(|_| {
            FieldError::new(
                "capability_benchmark",
                "name the benchmark the capability score comes from, e.g. MuirBench",
            )
        })?;
        let source = if source.trim().is_empty() { None } else { Some(clean_line("capability_source", source, 200)?) };
        Ok(Some(Self { score: value, benchmark, source }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn model_names_are_trimmed_single_lines() {
        assert_eq!(ModelName::parse("  GPT-4o ").unwrap().as_str(), "GPT-4o");
        assert_eq!(ModelName::parse("   ").unwrap_err().to_string(), "model: is empty; give a name");
        assert!(ModelName::parse("a\nb").unwrap_err().message.contains("control characters"));
        assert!(ModelName::parse(&"x".repeat(101)).unwrap_err().message.contains("longer than 100"));
        assert!(ModelName::parse(&"é".repeat(100)).is_ok(), "the limit counts characters, not bytes");
    }

    #[test]
    fn slugs_are_url_safe() {
        let slug = |s: &str| ModelName::parse(s).unwrap().slug();
        assert_eq!(slug("Qwen2.5-VL-7B-Instruct"), "qwen2.5-vl-7b-instruct");
        assert_eq!(slug("GPT-4o (2024-08)"), "gpt-4o-2024-08");
        assert_eq!(slug("GLM-4.1V-9B-Thinking"), "glm-4.1v-9b-thinking");
        assert_eq!(slug("<script>alert(1)</script>"), "script-alert-1-script");
        assert_eq!(slug("模型"), "model");
        assert_eq!(slug("v.2"), "v-2");
    }

    #[test]
    fn parameters_accept_common_spellings() {
        assert_eq!(parse_parameters("7").unwrap(), Some(7.0));
        assert_eq!(parse_parameters("7B").unwrap(), Some(7.0));
        assert_eq!(parse_parameters(" 0.5b ").unwrap(), Some(0.5));
        assert_eq!(parse_parameters("1.2T").unwrap(), Some(1200.0));
        assert_eq!(parse_parameters("").unwrap(), None);
        assert!(parse_parameters("seven").unwrap_err().message.contains("`seven` is not a parameter count"));
        assert!(parse_parameters("-3").is_err());
        assert!(parse_parameters("NaN").is_err());
    }

    #[test]
    fn links_must_be_absolute_http() {
        assert_eq!(parse_link("https://huggingface.co/x").unwrap().as_deref(), Some("https://huggingface.co/x"));
        assert_eq!(parse_link("").unwrap(), None);
        assert!(parse_link("javascript:alert(1)").is_err());
        assert!(parse_link("https://").is_err());
        assert!(parse_link("https://x.org/\"onmouseover=").is_err());
        assert!(parse_link("ftp://x.org").is_err());
    }

    #[test]
    fn flags_sources_and_access_parse_their_spellings() {
        assert_eq!(parse_flag("reasoning", "on").unwrap(), Some(true));
        assert_eq!(parse_flag("reasoning", "FALSE").unwrap(), Some(false));
        assert_eq!(parse_flag("reasoning", "").unwrap(), None);
        assert_eq!(
            parse_flag("reasoning", "maybe").unwrap_err().to_string(),
            "reasoning: `maybe` is not `true` or `false`"
        );
        assert_eq!(Access::parse("Open").unwrap(), Access::Open);
        assert!(Access::parse("semi").is_err());
        for s in Source::ALL {
            assert_eq!(Source::parse(s.as_str()).unwrap(), s);
        }
        assert!(Source::parse("rumour").unwrap_err().message.contains("paper, self-reported, verified, sample"));
    }

    #[test]
    fn capability_needs_a_named_benchmark() {
        assert_eq!(Capability::parse("", "", "").unwrap(), None);
        let c = Capability::parse("61.5", "MuirBench", "paper Table 3").unwrap().unwrap();
        assert_eq!((c.score, c.benchmark.as_str(), c.source.as_deref()), (61.5, "MuirBench", Some("paper Table 3")));
        assert!(Capability::parse("61.5", "", "").unwrap_err().message.contains("name the benchmark"));
        assert!(Capability::parse("high", "MuirBench", "").is_err());
    }

    #[test]
    fn notes_allow_lines_but_not_control_bytes() {
        assert_eq!(parse_note(" a\nb ").unwrap().as_deref(), Some("a\nb"));
        assert!(parse_note("a\u{7}b").is_err());
        assert!(parse_note(&"x".repeat(2001)).is_err());
    }

    #[test]
    fn proposed_facts_fill_and_override_known_ones() {
        let base = ModelMeta {
            organization: Some("Lab".into()),
            access: Some(Access::Open),
            reasoning: Some(false),
            parameters_b: Some(7.0),
            link: None,
        };
        let proposed =
            ModelMeta { access: Some(Access::Closed), link: Some("https://x.org".into()), ..Default::default() };
        let merged = proposed.over(&base);
        assert_eq!(merged.organization.as_deref(), Some("Lab"));
        assert_eq!(merged.access, Some(Access::Closed));
        assert_eq!(merged.reasoning, Some(false));
        assert_eq!(merged.parameters_b, Some(7.0));
        assert_eq!(merged.link.as_deref(), Some("https://x.org"));
        assert_eq!(ModelMeta::default().over(&base), base);
    }

    #[test]
    fn lookalike_names_are_refused_and_equal_names_are_one() {
        let e = ModelName::parse("GPT-5\u{202E}lanif").unwrap_err();
        assert_eq!(e.field, "model");
        assert!(e.message.contains("U+202E"), "{}", e.message);
        assert!(ModelName::parse("GPT\u{200B}-5").is_err());
        assert!(parse_organization("Open\u{2066}AI").is_err());
        assert!(JudgeName::parse("judge\u{FEFF}").is_err());
        assert!(parse_note("fine\u{202E}").is_err());
        assert_eq!(ModelName::parse("Cafe\u{0301}").unwrap(), ModelName::parse("Café").unwrap());
    }
}
