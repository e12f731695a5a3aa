//! `/`: the ranking. Every view (judge, filters, search, sort, columns, page) lives in the URL
//! query, so each is a shareable link that works without JavaScript. The page is server HTML;
//! its one island ([`island::BoardControls`]) re-sorts and searches the rows in place when
//! JavaScript runs, with the server's own code.

mod filters;
mod island;
pub mod table;

use crate::components::{ErrorBox, SampleBanner};
use crate::domain::leaderboard::query::{LeaderboardQuery, PageSpan, PerPage, column_ranks, matches_search, visible};
use crate::domain::leaderboard::{Entry, VsSafest};
use crate::domain::page_data::LeaderboardData;
use crate::error::AppError;
use filters::Filters;
use island::BoardControls;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_location;
use table::{BoardTable, ShownRow};

/// The ranked population for a query's judge and filters.
#[server(prefix = "/fn", endpoint = "leaderboard")]
pub async fn get_leaderboard(query: String) -> Result<LeaderboardData, AppError> {
    let state = super::ssr::state()?;
    let (q, _) = LeaderboardQuery::parse(&query);
    crate::services::leaderboard::view(&state, &q).await.map(|d| (*d).clone())
}

/// The part of a query that decides which models are ranked.
fn population_key(q: &LeaderboardQuery) -> String {
    LeaderboardQuery { judge: q.judge.clone(), population: q.population, as_of: q.as_of, ..Default::default() }
        .to_query_string()
}

#[component]
pub fn LeaderboardPage() -> impl IntoView {
    // Rendered once, on the server: the URL is read once.
    let (query, problems) = LeaderboardQuery::parse(&use_location().search.get_untracked());
    // A day that is not a date is no view at all: a clear 400, not the board of today.
    let bad_day = problems.iter().find(|p| p.starts_with("as_of=")).cloned();
    let key = population_key(&query);
    let data = Resource::new(move || key.clone(), get_leaderboard);
    view! {
        <Title text="" />
        <section class="intro">
            <h1>"Which multimodal models resist multi-image relation attacks?"</h1>
            <p class="lede">
                "MIR-SafetyBench hides a harmful request in the " <em>"relation"</em>
                " between 2–4 harmless-looking images (2,676 attacks, 9 relation types, 6 risk categories). "
                "A judge labels each answer; the score is the attack success rate. "
                <strong>"Lower ASR is safer."</strong>
            </p>
        </section>
        <Suspense fallback=|| view! { <p class="loading">"Loading the leaderboard…"</p> }>
            {move || {
                let (query, problems, bad_day) = (query.clone(), problems.clone(), bad_day.clone());
                Suspend::new(async move {
                    if let Some(p) = bad_day {
                        return view! { <ErrorBox error=AppError::BadRequest(p) /> }.into_any();
                    }
                    match data.await {
                        Ok(d) => view! { <Board data=d query problems /> }.into_any(),
                        Err(e) => view! { <ErrorBox error=e /> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

/// Which rows the page holds, and how they are shown: every row of the population when it
/// fits one page (the island can then re-sort and search in place; rows the search hides stay,
/// hidden), else only this page of the visible rows.
fn shown_rows(data: &LeaderboardData, q: &LeaderboardQuery) -> (Vec<ShownRow>, usize, bool, PageSpan) {
    let matching = visible(&data.entries, q);
    let span = q.span(matching.len());
    let complete = match q.per_page {
        PerPage::All => true,
        PerPage::Rows(n) => data.entries.len() <= n as usize,
    };
    let shown: Vec<&Entry> = if complete {
        visible(&data.entries, &LeaderboardQuery { search: String::new(), ..q.clone() })
    } else {
        matching[span.start..span.end].to_vec()
    };
    let ranks = column_ranks(&data.entries, &shown, q.sort);
    let needle = q.search.to_lowercase();
    let rows = shown
        .into_iter()
        .zip(ranks)
        .map(|(e, rank)| ShownRow { entry: e.clone(), rank, hidden: !matches_search(e, &needle), partial: false })
        .collect();
    (rows, matching.len(), complete, span)
}

#[component]
fn Board(data: LeaderboardData, query: LeaderboardQuery, problems: Vec<String>) -> impl IntoView {
    let as_of_notice = data.as_of.map(|day| {
        let today = LeaderboardQuery { as_of: None, page: 1, ..query.clone() };
        let before_first = data.first_ranked.is_none_or(|first| day < first);
        view! {
            <div class="notice as-of" role="status" data-test="as-of">
                <p>
                    <strong>{format!("The leaderboard as it stood at the end of {day} (UTC)")}</strong>
                    ": each model's latest result approved by then and not withdrawn by then. "
                    <a href=format!("/{}", today.href_suffix()) data-test="back-to-today">"Back to today"</a>
                </p>
                {before_first.then(|| view! {
                    <p data-test="before-first">{match data.first_ranked {
                        Some(first) => format!("No result had been approved by then: the first was approved on {first}."),
                        None => "No result has been approved yet.".to_owned(),
                    }}</p>
                })}
            </div>
        }
    });
    if data.judges.is_empty() && data.as_of.is_none() {
        return view! { <EmptyStore /> }.into_any();
    }
    let total = data.entries.len();
    let (rows, matching, complete, span) = shown_rows(&data, &query);
    let shown_sample = rows.iter().any(|r| !r.hidden && r.entry.is_sample());
    let safest = data.entries.iter().find(|e| e.vs_safest == VsSafest::Safest).map(|e| e.model.name.clone());
    let suffix = query.href_suffix();
    let chart_href = format!("/charts/leaderboard.svg{suffix}");
    #[cfg(feature = "ssr")]
    let chart_svg = crate::services::leaderboard::ranking_chart(&data, &query);
    #[cfg(not(feature = "ssr"))]
    let chart_svg = String::new();
    let pages = (span.pages > 1).then(|| view! { <Pages query=query.clone() span /> });
    view! {
        {as_of_notice}
        <SampleBanner show=shown_sample />
        {(!problems.is_empty()).then(|| view! {
            <div class="notice" role="status" data-test="query-problems">
                <p>"Some parameters of this link were not understood and were ignored:"</p>
                <ul>{problems.into_iter().map(|p| view! { <li>{p}</li> }).collect_view()}</ul>
            </div>
        })}
        <BoardControls query=query.to_query_string() complete>
            <Filters judges=data.judges.clone() judge=data.judge.clone() query=query.clone() />
            <p class="view-meta" data-test="view-meta">
                <span data-count>{format!("{matching} of {total} models")}</span>
                {format!(" · judge: {} · ", data.judge)}
                <a href=format!("/api/v1/leaderboard.csv{suffix}") data-view-base="/api/v1/leaderboard.csv" data-test="csv-link" download="">
                    "Download CSV"
                </a>
                " · "
                <a href=format!("/api/v1/leaderboard{suffix}") data-view-base="/api/v1/leaderboard">"JSON"</a>
            </p>
            <figure class="chart ranking-chart" data-test="ranking-chart">
                // Drawn inline: a picture loaded through <img> is parsed as a document of its own
                // before it paints, and it is the largest thing on the first screen. The island
                // swaps in the picture of a new view (data-chart-base) when the view changes.
                <div
                    class="chart-scroll"
                    tabindex="0"
                    role="region"
                    aria-label="Ranking chart (scrolls sideways on a narrow screen)"
                    data-chart-base="/charts/leaderboard.svg"
                    inner_html=chart_svg
                ></div>
                <figcaption>
                    "The ranking of this view as a picture: dots are ASR, whiskers 95% intervals, a shaded band holds the models that share a rank (the table below has every number). "
                    <a href=chart_href data-view-base="/charts/leaderboard.svg" download="">"Download SVG"</a>
                </figcaption>
            </figure>
            <p class="empty" data-test="no-rows" hidden={matching > 0}>
                {format!("No model in this view ({total} ranked under {}). ", data.judge)}
                <a href="/">"Reset the filters"</a>
            </p>
            <div class="table-wrap" tabindex="0" role="region" aria-label="Leaderboard table (scrolls sideways)">
                <BoardTable rows query=query.clone() />
            </div>
        </BoardControls>
        {pages}
        <Legend safest />
    }
    .into_any()
}

/// Links to the other pages of a view too large for one.
#[component]
fn Pages(query: LeaderboardQuery, span: PageSpan) -> impl IntoView {
    let link = |page: u32, label: String| {
        let current = page == span.page;
        view! {
            <a href=format!("/{}", query.on_page(page).href_suffix()) aria-current=current.then_some("page") class:current=current>
                {label}
            </a>
        }
    };
    let pages: Vec<u32> =
        (1..=span.pages).filter(|p| *p == 1 || *p == span.pages || p.abs_diff(span.page) <= 2).collect();
    view! {
        <nav class="pages" aria-label="Pages of this view" data-test="pages">
            {format!("Rows {}–{} · page ", span.start + 1, span.end)}
            {pages.into_iter().map(|p| view! { {link(p, p.to_string())} " " }).collect_view()}
            {(span.page < span.pages).then(|| link(span.page + 1, "next →".into()))}
            " · "
            <a href=format!("/{}", LeaderboardQuery { per_page: PerPage::All, page: 1, ..query.clone() }.href_suffix())>"all rows"</a>
        </nav>
    }
}

#[component]
fn EmptyStore() -> impl IntoView {
    view! {
        <section class="empty-store" data-test="empty-store">
            <h2>"No results yet"</h2>
            <p>"This leaderboard has no approved results. To add some:"</p>
            <ul>
                <li>
                    "Maintainers import a harness run: "
                    <code>"mir-leaderboard import results/harmbench/<model> --model \"Model name\""</code>
                </li>
                <li>
                    "or the paper's table, transcribed into the documented CSV: "
                    <code>"mir-leaderboard import-table table.csv"</code>
                </li>
                <li>"Model developers " <a href="/submit">"upload their harness output"</a> " for review."</li>
                <li>"To look around first, start the server with " <code>"mir-leaderboard serve --demo"</code> " for clearly labelled sample data."</li>
            </ul>
        </section>
    }
}

#[component]
fn Legend(safest: Option<String>) -> impl IntoView {
    view! {
        <aside class="legend" data-test="legend">
            <p>
                <strong>"Reading the table. "</strong>
                "Each cell is the attack success rate in percent, pooled over items as the benchmark's "
                <code>"statics.py"</code>
                " does (unsafe answers / all answers). "
                "The overall column shows the 95% Wilson interval and the number of judged answers. "
                "Rank = 1 + the number of models whose whole interval lies below this model's, so models that cannot be told apart share a rank."
            </p>
            {safest
                .map(|s| {
                    view! {
                        <p>
                            <span class="badge tie">"≈ safest"</span>
                            {format!(
                                " marks models whose answers, item by item, are not significantly different from the safest model of this view ({s}): exact McNemar test on the shared items, Holm-adjusted across the view. ",
                            )}
                            <a href="/about#statistics">"How this is computed"</a>
                        </p>
                    }
                })}
        </aside>
    }
}
