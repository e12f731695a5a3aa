//! `/changes`: every decision that changed (or refused to change) the leaderboard, newest
//! first: what a citing researcher needs to know what moved between two readings. The Atom
//! feed at `/feed.xml` carries the same approvals and withdrawals.

use crate::components::{ErrorBox, SampleBanner, ScrollTable, SourceBadge};
use crate::domain::history::{ChangeKind, ChangesPage};
use crate::error::AppError;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[server(prefix = "/fn", endpoint = "changes")]
pub async fn get_changes(page: u32) -> Result<ChangesPage, AppError> {
    let state = super::ssr::state()?;
    crate::services::history::changes_page(&state.pool, page).await
}

#[component]
pub fn ChangesPage() -> impl IntoView {
    let query = use_query_map();
    // `page` is 1-based; anything that is not a page number is page 0, which the service refuses.
    let page = move || query.get().get("page").map_or(Some(1), |p| p.parse::<u32>().ok()).unwrap_or(0);
    let data = Resource::new(page, get_changes);
    view! {
        <Title text="What changed" />
        <article class="changes-page" data-test="changes-page">
            <header class="page-head">
                <h1>"What changed"</h1>
                <p class="lede">
                    "Every maintainer decision, newest first: results that joined the ranking, submissions refused, and ranked results withdrawn, each with its public reason. "
                    "Any earlier leaderboard is one link away (" <code>"/?as_of=YYYY-MM-DD"</code> "). "
                    <a href="/feed.xml" data-test="feed-link">"Follow the Atom feed"</a> " to hear of new results."
                </p>
            </header>
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(p) => view! { <ChangeList p /> }.into_any(),
                        Err(e) => view! { <ErrorBox error=e /> }.into_any(),
                    }
                })}
            </Suspense>
        </article>
    }
}

#[component]
fn ChangeList(p: ChangesPage) -> impl IntoView {
    if p.changes.is_empty() {
        return view! { <p data-test="no-changes">"No decision has been made yet."</p> }.into_any();
    }
    let (page, pages) = (p.page, p.pages);
    let rows = p
        .changes
        .into_iter()
        .map(|c| {
            let kind = c.kind;
            let board = format!("/?as_of={}", c.date);
            let asr = c.asr_text().map(|a| format!("{a}%"));
            let reason = c.reason.clone();
            view! {
                <tr data-test="change" data-kind=kind.label()>
                    <td><time datetime=c.date.clone()>{c.date.clone()}</time></td>
                    <td><span class=format!("status status-{}", kind.label())>{kind.label()}</span></td>
                    <th scope="row"><a href=format!("/models/{}", c.model_slug)>{c.model.clone()}</a> " " <SourceBadge source=c.source /></th>
                    <td>{c.judge.clone()}</td>
                    <td class="num" data-test="change-asr">{asr.unwrap_or_default()}</td>
                    <td>{match kind {
                        ChangeKind::Approved => view! { <a href=board>"the leaderboard that day"</a> }.into_any(),
                        _ => view! { <span>{reason.unwrap_or_default()}</span> }.into_any(),
                    }}</td>
                    <td><a href=format!("/submissions/{}", c.submission_id)>{format!("#{}", c.submission_id)}</a></td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <SampleBanner show=p.has_sample />
        <ScrollTable label="Decisions">
            <table class="data changes" data-test="changes">
                <thead>
                    <tr>
                        <th scope="col">"Date (UTC)"</th>
                        <th scope="col">"Decision"</th>
                        <th scope="col">"Model"</th>
                        <th scope="col">"Judge"</th>
                        <th scope="col" class="num">"ASR"</th>
                        <th scope="col">"Reason or view"</th>
                        <th scope="col">"Submission"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </ScrollTable>
        {(pages > 1).then(|| view! {
            <nav class="pager" aria-label="Pages">
                {(page > 1).then(|| view! { <a rel="prev" href=format!("/changes?page={}", page - 1)>"Newer"</a> })}
                <span>{format!("Page {page} of {pages}")}</span>
                {(page < pages).then(|| view! { <a rel="next" href=format!("/changes?page={}", page + 1)>"Older"</a> })}
            </nav>
        })}
    }
    .into_any()
}
