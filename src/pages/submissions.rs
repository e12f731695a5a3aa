//! `/submissions` and `/submissions/{id}`: the public queue. Every submission shows its state
//! (pending, approved, rejected with the reason) and history; maintainers decide here.

use super::admin::{Moderate, get_admin};
use super::leaderboard::table::{BoardTable, ShownRow};
use crate::components::{CellTable, ErrorBox, HistoryTable, ScrollTable, SourceBadge, loaded};
use crate::domain::leaderboard::query::LeaderboardQuery;
use crate::domain::metrics::{Counts, format_pct};
use crate::domain::model::{Granularity, Status};
use crate::domain::moderation::{Decision, Reason};
use crate::domain::submission::{SubmissionLine, SubmissionView};
use crate::domain::taxonomy::{Relation, RiskCategory};
use crate::error::AppError;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

#[server(prefix = "/fn", endpoint = "queue")]
pub async fn get_queue(status: Option<String>) -> Result<Vec<SubmissionLine>, AppError> {
    let state = super::ssr::state()?;
    crate::services::submissions::queue(&state.pool, status.as_deref(), 500, 0).await
}

#[server(prefix = "/fn", endpoint = "submission")]
pub async fn get_submission(id: i64) -> Result<SubmissionView, AppError> {
    let state = super::ssr::state()?;
    crate::services::submissions::submission_view(&state.pool, id, None).await
}

#[component]
pub fn QueuePage() -> impl IntoView {
    let query = use_query_map();
    let data = Resource::new(move || query.get().get("status"), get_queue);
    let current = move || query.get().get("status").unwrap_or_default();
    view! {
        <Title text="Submissions" />
        <article class="queue-page" data-test="queue-page">
            <header class="page-head">
                <h1>"Submissions"</h1>
                <p class="lede">
                    "Every upload sent for review, with its state. Nothing reaches the leaderboard without a maintainer's approval, and every rejection carries its reason."
                </p>
            </header>
            <nav class="pills" aria-label="Filter by state">
                {[("", "all"), ("pending", "pending"), ("approved", "approved"), ("rejected", "rejected")].into_iter().map(|(value, label)| {
                    let href = if value.is_empty() { "/submissions".to_owned() } else { format!("/submissions?status={value}") };
                    view! { <a href=href class:current=move || current() == value>{label}</a> }
                }).collect_view()}
            </nav>
            {loaded(data, |lines| view! { <HistoryTable lines /> })}
        </article>
    }
}

#[component]
pub fn SubmissionPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let id = move || params.get().get("id").and_then(|i| i.parse::<i64>().ok()).unwrap_or(0);
    let moderate = ServerAction::<Moderate>::new();
    // Keyed on the action's version: a decision redirects to this same URL, and the page must
    // show the new state without a reload.
    let data = Resource::new(move || (id(), moderate.version().get()), |(id, _)| get_submission(id));
    let admin = Resource::new(|| (), |_| get_admin());
    view! {
        <Title text="Submission" />
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || {
                let q = query.get();
                Suspend::new(async move {
                    let admin = admin.await.ok().flatten();
                    match data.await {
                        Ok(v) => view! {
                            <article class="submission-page" data-test="submission-page">
                                <header class="page-head">
                                    <p class="crumbs"><a href="/submissions">"Submissions"</a> " / " {format!("#{}", v.id)}</p>
                                    <h1>{format!("Submission #{}: {}", v.id, v.model)}</h1>
                                </header>
                                {q.get("sent").map(|_| view! {
                                    <p class="notice ok" role="status" data-test="sent">"Sent for review. A maintainer will approve or reject it; this page shows its state."</p>
                                })}
                                {q.get("error").map(|e| view! { <p class="notice error" role="alert" data-test="action-error">{e}</p> })}
                                {admin.map(|csrf| view! { <ModerationPanel v=v.clone() csrf action=moderate /> })}
                                <SubmissionDetails v />
                            </article>
                        }.into_any(),
                        Err(e) => view! { <ErrorBox error=e /> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

/// Approve / reject forms for a signed-in maintainer.
#[component]
fn ModerationPanel(v: SubmissionView, csrf: String, action: ServerAction<Moderate>) -> impl IntoView {
    let can_approve = v.status.allows(Decision::Approve);
    let can_reject = v.status.allows(Decision::Reject);
    let (csrf_a, csrf_r) = (csrf.clone(), csrf);
    view! {
        <section class="moderation" data-test="moderation">
            <h2>"Moderation"</h2>
            {can_approve.then(|| view! {
                <ActionForm action=action attr:data-test="approve-form">
                    <input type="hidden" name="id" value=v.id.to_string() />
                    <input type="hidden" name="decision" value="approve" />
                    <input type="hidden" name="csrf" value=csrf_a />
                    <label class="check"><input type="checkbox" name="verified" value="true" /> "Mark as verified (the maintainers re-ran or checked it)"</label>
                    <button type="submit" data-test="approve">"Approve"</button>
                </ActionForm>
            })}
            {can_reject.then(|| view! {
                <ActionForm action=action attr:data-test="reject-form">
                    <input type="hidden" name="id" value=v.id.to_string() />
                    <input type="hidden" name="decision" value="reject" />
                    <input type="hidden" name="csrf" value=csrf_r />
                    <label>"Reason (shown publicly) " <input name="reason" required maxlength=Reason::MAX_CHARS.to_string() data-test="reason" /></label>
                    <button type="submit" data-test="reject">{if v.status == Status::Approved { "Withdraw" } else { "Reject" }}</button>
                </ActionForm>
            })}
            {(!can_approve && !can_reject).then(|| view! { <p>"Nothing to decide."</p> })}
        </section>
    }
}

/// Everything a submission contains: state, provenance, coverage, warnings, the computed table,
/// and the row it has or would have on the leaderboard.
#[component]
pub fn SubmissionDetails(v: SubmissionView) -> impl IntoView {
    let s = v.summary.clone();
    let cov = s.coverage.clone();
    let complete = cov.is_complete();
    let b = s.breakdown.clone();
    let by_category = b.clone();
    let row = v.row.clone();
    let status_text = match v.status {
        Status::Draft => "draft (not sent for review yet)".to_owned(),
        Status::Pending => "pending: waiting for a maintainer".to_owned(),
        Status::Approved => "approved: ranked on the leaderboard".to_owned(),
        Status::Rejected => format!("rejected: {}", v.reason.clone().unwrap_or_else(|| "no reason given".into())),
    };
    let relation_row = |label: String, c: Option<Counts>| {
        view! {
            <tr>
                <th scope="row">{label}</th>
                <td class="num">{c.map(|c| c.unsafe_count.to_string()).unwrap_or_default()}</td>
                <td class="num">{c.map(|c| c.total.to_string()).unwrap_or_default()}</td>
                <td class="num" data-test="asr">{c.and_then(|c| c.asr_percent()).map(format_pct).unwrap_or_else(|| "–".into())}</td>
                <td class="num">{c.and_then(|c| c.refusals).map(|r| r.to_string()).unwrap_or_else(|| "–".into())}</td>
            </tr>
        }
    };
    view! {
        <section class="status-line">
            <p>
                <span class=format!("status {}", v.status.as_str()) data-test="status">{v.status.as_str()}</span>
                " " {status_text}
            </p>
            <dl class="facts">
                <dt>"Model"</dt><dd><a href=format!("/models/{}", v.model_slug)>{v.model.clone()}</a></dd>
                <dt>"Judge"</dt><dd>{v.judge.clone()}</dd>
                <dt>"Source"</dt><dd><SourceBadge source=v.source /></dd>
                <dt>"Submitted"</dt><dd>{v.submitted_date.clone()}</dd>
                <dt>"Content"</dt><dd>{match s.granularity { Granularity::Items => "per-item labels (harness judge output)", Granularity::Aggregate => "aggregate numbers (CSV)" }}</dd>
                {v.archive_sha256.clone().map(|h| view! { <dt>"SHA-256"</dt><dd><code class="hash" data-test="sha256">{h}</code></dd> })}
                {v.archive_kind.clone().map(|k| view! { <dt>"Upload"</dt><dd>{k}{v.folder_name.clone().map(|f| format!(" · folder {f}")).unwrap_or_default()}</dd> })}
                {s.rule_set_version.clone().map(|r| view! { <dt>"Refusal rules"</dt><dd><a href="/about#refusal-estimate">{r}</a></dd> })}
                {v.note.clone().map(|n| view! { <dt>"Note"</dt><dd class="note">{n}</dd> })}
                <dt>"Proposed facts"</dt>
                <dd>{format!(
                    "organisation: {} · weights: {} · reasoning: {} · parameters: {} · link: {}",
                    v.proposed.organization.clone().unwrap_or_else(|| "–".into()),
                    v.proposed.access.map(|a| a.as_str()).unwrap_or("–"),
                    v.proposed.reasoning.map(|r| if r { "yes" } else { "no" }).unwrap_or("–"),
                    v.proposed.parameters_b.map(|p| format!("{p}B")).unwrap_or_else(|| "–".into()),
                    v.proposed.link.clone().unwrap_or_else(|| "–".into()),
                )}</dd>
            </dl>
        </section>
        <section class="coverage" data-test="coverage">
            <h2>"Coverage"</h2>
            <p class=if complete { "ok" } else { "notice" } data-test=if complete { "complete" } else { "partial" }>
                {format!("{} of {} items ({:.1}%){}", cov.received, cov.expected, cov.percent(), if complete { ": the full benchmark." } else { ": a partial run, flagged as partial wherever it is shown." })}
            </p>
            {(!complete).then(|| view! {
                <ul class="inline">
                    {cov.relations.iter().map(|(r, got, want)| view! { <li>{format!("{} {got}/{want}", r.display_name())}</li> }).collect_view()}
                </ul>
            })}
        </section>
        {(!s.warnings.is_empty()).then(|| view! {
            <section class="warnings" data-test="warnings">
                <h2>"Notes from validation"</h2>
                <ul>{s.warnings.iter().map(|w| view! { <li>{w.headline()} <span class="muted">{format!(" ({})", w.fix)}</span></li> }).collect_view()}</ul>
            </section>
        })}
        {row.map(|e| view! {
            <section class="row-preview" data-test="row-preview">
                <h2>"On the leaderboard"</h2>
                <p class="muted">"The row this result has (or would have) under its judge, ranked against the approved results there."</p>
                <div class="table-wrap">
                    <BoardTable rows=vec![ShownRow { rank: complete.then_some(e.rank), entry: e, hidden: false, partial: !complete }] query=LeaderboardQuery::default() />
                </div>
            </section>
        })}
        <section class="computed" data-test="computed">
            <h2>"Computed table"</h2>
            <p class="muted">"ASR = unsafe / total x 100, pooled over categories per relation and over everything overall, exactly as the harness's statics.py prints it."</p>
            <ScrollTable label="Computed ASR by relation">
                <table class="data" data-test="computed-relations">
                    <thead><tr><th scope="col">"Relation"</th><th scope="col">"Unsafe"</th><th scope="col">"Total"</th><th scope="col">"ASR %"</th><th scope="col">"Refusals (estimate)"</th></tr></thead>
                    <tbody>
                        {Relation::ALL.into_iter().map(|r| relation_row(r.harness_name().to_owned(), b.relation(r))).collect_view()}
                        {relation_row("Overall".into(), Some(b.overall))}
                    </tbody>
                </table>
            </ScrollTable>
            <ScrollTable label="Computed ASR by risk category">
                <table class="data" data-test="computed-categories">
                    <thead><tr><th scope="col">"Risk category"</th><th scope="col">"Unsafe"</th><th scope="col">"Total"</th><th scope="col">"ASR %"</th><th scope="col">"Refusals (estimate)"</th></tr></thead>
                    <tbody>
                        {RiskCategory::ALL.into_iter().map(|c| relation_row(c.harness_name().to_owned(), by_category.category(c))).collect_view()}
                    </tbody>
                </table>
            </ScrollTable>
            {(!s.cells.is_empty()).then(|| view! { <CellTable cells=s.cells.clone() /> })}
        </section>
        <section class="history" data-test="events">
            <h2>"History"</h2>
            <ol>
                {v.events.iter().map(|ev| view! {
                    <li>{format!("{} · {} by {}{}", ev.date, ev.kind, ev.actor, ev.detail.clone().map(|d| format!(": {d}")).unwrap_or_default())}</li>
                }).collect_view()}
            </ol>
        </section>
    }
}
