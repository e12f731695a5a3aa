//! `/feed.xml`: an Atom 1.0 feed of the results that joined or left the ranking, newest first,
//! so a reader hears of each new result without polling the pages. Entry ids are `tag:` URIs
//! of the decision's event, stable across hosts and renames; links are absolute from the
//! configured public URL (`MIR_PUBLIC_URL`), never from the request.

use crate::domain::history::{Change, ChangeKind};
use crate::domain::model::Source;
use crate::error::AppError;
use crate::services::history;
use crate::state::AppState;
use atom_syndication::{Content, Entry, Feed, FixedDateTime, Link, Person, Text};
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

/// The feed's own identity: fixed, so moving the site does not make readers see a new feed.
const FEED_ID: &str = "tag:mir-safetybench.leaderboard,2026:feed";

fn timestamp(unix: i64) -> FixedDateTime {
    let text = time::OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok())
        .unwrap_or_else(|| "1970-01-01T00:00:00Z".to_owned());
    FixedDateTime::parse_from_rfc3339(&text).unwrap_or_default()
}

fn link(href: String, rel: &str, mime: &str) -> Link {
    Link { href, rel: rel.to_owned(), mime_type: Some(mime.to_owned()), ..Default::default() }
}

fn summary(c: &Change) -> String {
    let sample = if c.source == Source::Sample { "SAMPLE DATA, not a real result. " } else { "" };
    match c.kind {
        ChangeKind::Approved => format!(
            "{sample}{} joined the MIR-SafetyBench leaderboard under the judge {}{} (submission #{}, {}).",
            c.model,
            c.judge,
            c.asr_text().map(|a| format!(" with an attack success rate of {a}% (lower is safer)")).unwrap_or_default(),
            c.submission_id,
            c.source.as_str(),
        ),
        _ => format!(
            "{sample}Submission #{} of {} under {} was withdrawn from the leaderboard. Reason: {}",
            c.submission_id,
            c.model,
            c.judge,
            c.reason.as_deref().unwrap_or("none given"),
        ),
    }
}

/// The feed document for these changes (newest first).
pub fn document(changes: &[Change], base: &str) -> String {
    let entries: Vec<Entry> = changes
        .iter()
        .map(|c| Entry {
            id: format!("tag:mir-safetybench.leaderboard,2026:event/{}", c.event_id),
            title: Text::plain(if c.source == Source::Sample {
                format!("SAMPLE: {}", c.headline())
            } else {
                c.headline()
            }),
            updated: timestamp(c.at),
            published: Some(timestamp(c.at)),
            links: vec![link(format!("{base}/submissions/{}", c.submission_id), "alternate", "text/html")],
            summary: Some(Text::plain(summary(c))),
            content: Some(Content {
                value: Some(summary(c)),
                content_type: Some("text".to_owned()),
                ..Default::default()
            }),
            ..Default::default()
        })
        .collect();
    let feed = Feed {
        id: FEED_ID.to_owned(),
        title: Text::plain("MIR-SafetyBench leaderboard: new and withdrawn results"),
        subtitle: Some(Text::plain(
            "Results of multimodal models against multi-image relation attacks as they join or leave the ranking. Lower ASR is safer.",
        )),
        // An empty feed is still valid: it was last "updated" when it began.
        updated: changes.first().map_or_else(|| timestamp(0), |c| timestamp(c.at)),
        authors: vec![Person { name: "MIR-SafetyBench maintainers".to_owned(), ..Default::default() }],
        links: vec![
            link(format!("{base}/feed.xml"), "self", "application/atom+xml"),
            link(format!("{base}/changes"), "alternate", "text/html"),
        ],
        entries,
        ..Default::default()
    };
    feed.to_string()
}

pub async fn feed_xml(State(state): State<AppState>) -> Result<Response, AppError> {
    let changes = history::feed(&state.pool).await?;
    let mut res = document(&changes, &state.settings.public_url).into_response();
    res.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/atom+xml; charset=utf-8"));
    Ok(res)
}
