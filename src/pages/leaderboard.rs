//! `/`: the ranking. Every view (judge, filters, search, sort, columns) lives in the URL query,
//! so each is a shareable link that works without JavaScript; with JavaScript the same links
//! and forms re-sort and filter instantly on the client, using the server's own code.

use crate::components::{ErrorBox, ModelCell, SampleBanner, ScoreCell, judge_options};
use crate::domain::leaderboard::query::{Columns, LeaderboardQuery, SortKey, visible};
use crate::domain::leaderboard::{Entry, VsSafest};
use crate::domain::metrics::format_pct;
use crate::domain::model::Access;
use crate::domain::page_data::LeaderboardData;
use crate::domain::refusal::RuleSet;
use crate::domain::taxonomy::{Relation, RelationGroup, RiskCategory};
use crate::error::AppError;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::NavigateOptions;
use leptos_router::hooks::{use_location, use_navigate};

/// The ranked population for a query's judge and filters (search and sort are applied by the
/// page itself, so typing never waits for the server).
#[server(prefix = "/fn", endpoint = "leaderboard")]
pub async fn get_leaderboard(query: String) -> Result<LeaderboardData, AppError> {
    let state = super::ssr::state()?;
    let (q, _) = LeaderboardQuery::parse(&query);
    crate::services::leaderboard::leaderboard(&state, q.judge.as_deref(), q.population).await.map(|d| (*d).clone())
}

/// The part of a query that decides which models are ranked.
fn population_key(q: &LeaderboardQuery) -> String {
    LeaderboardQuery { judge: q.judge.clone(), population: q.population, ..Default::default() }.to_query_string()
}

#[component]
pub fn LeaderboardPage() -> impl IntoView {
    let location = use_location();
    let parsed = Memo::new(move |_| LeaderboardQuery::parse(&location.search.get()));
    let data = Resource::new(move || population_key(&parsed.get().0), get_leaderboard);
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
        // Three boundaries over one resource: the filter form re-renders only when the ranked
        // population changes, so typing in the search box keeps its focus while the table and
        // the notices follow every keystroke. Transitions keep the current view (and the form
        // the user is operating) mounted while a new population loads, instead of falling
        // back to nothing on every reload.
        <Transition fallback=|| ()>
            {move || {
                let (q, problems) = parsed.get();
                Suspend::new(async move {
                    data.await.ok().map(|d| view! { <Notices data=d query=q problems /> })
                })
            }}
        </Transition>
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                data.await.ok().map(|d| view! { <Filters judges=d.judges judge=d.judge parsed /> })
            })}
        </Transition>
        <Transition fallback=|| view! { <p class="loading">"Loading the leaderboard…"</p> }>
            {move || {
                let q = parsed.get().0;
                Suspend::new(async move {
                    match data.await {
                        Ok(d) => view! { <Board data=d query=q /> }.into_any(),
                        Err(e) => view! { <ErrorBox error=e /> }.into_any(),
                    }
                })
            }}
        </Transition>
    }
}

#[component]
fn Notices(data: LeaderboardData, query: LeaderboardQuery, problems: Vec<String>) -> impl IntoView {
    let shown_sample = visible(&data.entries, &query).iter().any(|e| e.is_sample());
    view! {
        <SampleBanner show=shown_sample />
        {(!problems.is_empty())
            .then(|| {
                view! {
                    <div class="notice" role="status" data-test="query-problems">
                        <p>"Some parameters of this link were not understood and were ignored:"</p>
                        <ul>{problems.into_iter().map(|p| view! { <li>{p}</li> }).collect_view()}</ul>
                    </div>
                }
            })}
    }
}

/// Navigates to a new view of the board without adding history entries for every keystroke.
fn go(q: &LeaderboardQuery) {
    let navigate = use_navigate();
    navigate(&format!("/{}", q.href_suffix()), NavigateOptions { replace: true, scroll: false, ..Default::default() });
}

#[component]
fn Board(data: LeaderboardData, query: LeaderboardQuery) -> impl IntoView {
    let rows: Vec<Entry> = visible(&data.entries, &query).into_iter().cloned().collect();
    let total = data.entries.len();
    let csv_href = format!("/api/v1/leaderboard.csv{}", query.href_suffix());
    let json_href = format!("/api/v1/leaderboard{}", query.href_suffix());
    let chart_href = format!("/charts/leaderboard.svg{}", query.href_suffix());
    let safest = data.entries.iter().find(|e| e.vs_safest == VsSafest::Safest).map(|e| e.model.name.clone());
    let empty_store = data.judges.is_empty();
    view! {
        {if empty_store {
            view! { <EmptyStore /> }.into_any()
        } else if rows.is_empty() {
            view! {
                <p class="empty" data-test="no-rows">
                    {format!("No model in this view ({total} ranked under {}). ", data.judge)}
                    <a href="/">"Reset the filters"</a>
                </p>
            }
                .into_any()
        } else {
            view! {
                <p class="view-meta" data-test="view-meta">
                    {format!("{} of {total} models · judge: {} · ", rows.len(), data.judge)}
                    <a href=csv_href.clone() data-test="csv-link" download="">
                        "Download CSV"
                    </a>
                    " · "
                    <a href=json_href>"JSON"</a>
                </p>
                <div class="table-wrap">
                    <BoardTable rows query=query.clone() />
                </div>
                <Legend safest />
                <details class="chart-details">
                    <summary>"Chart of this view"</summary>
                    <figure class="chart">
                        <img src=chart_href.clone() alt="Overall ASR of the models in this view, with 95% intervals" loading="lazy" />
                        <figcaption>
                            <a href=chart_href download="">"Download SVG"</a>
                        </figcaption>
                    </figure>
                </details>
            }
                .into_any()
        }}
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

/// The filter bar: a GET form (works without JavaScript), enhanced to apply each change at once.
#[component]
fn Filters(judges: Vec<String>, judge: String, parsed: Memo<(LeaderboardQuery, Vec<String>)>) -> impl IntoView {
    // Rendered once per population; every handler reads the URL's current query when it fires.
    let query = parsed.get_untracked().0;
    let current = move || parsed.get_untracked().0;
    let access = query.population.access.map(|a| a.as_str()).unwrap_or("all");
    let reasoning = match query.population.reasoning {
        Some(true) => "yes",
        Some(false) => "no",
        None => "all",
    };
    let on_access = move |ev: leptos::ev::Event| {
        let mut next = current();
        next.population.access = Access::parse(&event_target_value(&ev)).ok();
        go(&next);
    };
    let on_reasoning = move |ev: leptos::ev::Event| {
        let mut next = current();
        next.population.reasoning = match event_target_value(&ev).as_str() {
            "yes" => Some(true),
            "no" => Some(false),
            _ => None,
        };
        go(&next);
    };
    let on_judge = move |ev: leptos::ev::Event| {
        let mut next = current();
        let j = event_target_value(&ev);
        next.judge = (j != crate::domain::taxonomy::DEFAULT_JUDGE).then_some(j);
        go(&next);
    };
    let on_search = move |ev: leptos::ev::Event| {
        let mut next = current();
        next.search = event_target_value(&ev);
        go(&next);
    };
    let column = move |name: &'static str, label: &'static str| {
        let checked = query.columns.get(name);
        let on_change = move |ev: leptos::ev::Event| {
            let mut next = current();
            let mut cols: Columns = next.columns;
            let on = event_target_checked(&ev);
            match name {
                "relations" => cols.relations = on,
                "groups" => cols.groups = on,
                "categories" => cols.categories = on,
                _ => cols.safety = on,
            }
            next.columns = cols;
            go(&next);
        };
        view! {
            <label class="check">
                <input type="checkbox" name="cols" value=name checked=checked on:change=on_change />
                {label}
            </label>
        }
    };
    let choices = if judges.is_empty() { vec![judge.clone()] } else { judges };
    view! {
        <form method="get" action="/" class="filters" data-test="filters" on:submit=move |ev| {
            // With JavaScript every control already applied itself; keep the page.
            ev.prevent_default();
        }>
            <label>
                "Judge "
                <select name="judge" on:change=on_judge>
                    {judge_options(choices, &judge)}
                </select>
            </label>
            <label>
                "Weights "
                <select name="access" on:change=on_access data-test="access-filter">
                    <option value="all" selected=access == "all">"all"</option>
                    <option value="open" selected=access == "open">"open"</option>
                    <option value="closed" selected=access == "closed">"closed"</option>
                </select>
            </label>
            <label>
                "Reasoning "
                <select name="reasoning" on:change=on_reasoning data-test="reasoning-filter">
                    <option value="all" selected=reasoning == "all">"all"</option>
                    <option value="yes" selected=reasoning == "yes">"reasoning models"</option>
                    <option value="no" selected=reasoning == "no">"non-reasoning"</option>
                </select>
            </label>
            <label class="search">
                "Search "
                <input
                    type="search"
                    name="q"
                    value=query.search.clone()
                    placeholder="model or organisation"
                    on:input=on_search
                    data-test="search"
                />
            </label>
            {(query.sort != SortKey::Rank)
                .then(|| view! { <input type="hidden" name="sort" value=query.sort.as_param() /> })}
            {query.descending.then(|| view! { <input type="hidden" name="dir" value="desc" /> })}
            <details class="columns">
                <summary>"Columns"</summary>
                // An explicit empty choice, so unticking every box is expressible without JavaScript.
                <input type="hidden" name="cols" value="none" />
                {column("relations", "9 relations")}
                {column("groups", "4 relation groups")}
                {column("categories", "6 risk categories")}
                {column("safety", "superficial safety (estimate)")}
            </details>
            <button type="submit" class="apply">"Apply"</button>
        </form>
    }
}

/// A sortable column header: a link to the same view sorted by this column.
fn sort_header(query: &LeaderboardQuery, key: SortKey, label: String, title: String) -> impl IntoView + use<> {
    let next = query.toggled_sort(key);
    let href = format!("/{}", next.href_suffix());
    let active = query.sort == key;
    let aria = if active { if query.descending { "descending" } else { "ascending" } } else { "none" };
    let arrow = if active { if query.descending { " ▼" } else { " ▲" } } else { "" };
    view! {
        <th scope="col" aria-sort=aria data-sort=key.as_param() class:sorted=active>
            <a href=href title=title>
                {label}
                {arrow}
            </a>
        </th>
    }
}

#[component]
pub fn BoardTable(rows: Vec<Entry>, query: LeaderboardQuery) -> impl IntoView {
    let c = query.columns;
    let q = &query;
    view! {
        <table class="board" data-test="leaderboard">
            <caption class="sr-only">
                "Models ranked by attack success rate (lower is safer), with 95% intervals."
            </caption>
            <thead>
                <tr class="groups">
                    <th scope="col" rowspan="2" aria-sort=if q.sort == SortKey::Rank { if q.descending { "descending" } else { "ascending" } } else { "none" }>
                        <a href=format!("/{}", q.toggled_sort(SortKey::Rank).href_suffix()) title="1 + the number of models whose whole interval lies below this one's">
                            "Rank"
                        </a>
                    </th>
                    <th scope="col" rowspan="2" aria-sort=if q.sort == SortKey::Model { if q.descending { "descending" } else { "ascending" } } else { "none" }>
                        <a href=format!("/{}", q.toggled_sort(SortKey::Model).href_suffix())>"Model"</a>
                    </th>
                    <th scope="col" rowspan="2" class="overall">
                        <a href=format!("/{}", q.toggled_sort(SortKey::Rank).href_suffix())>"Overall ASR"</a>
                        <span class="sub">"% [95% CI] n"</span>
                    </th>
                    {c.relations
                        .then(|| {
                            RelationGroup::ALL
                                .into_iter()
                                .map(|g| {
                                    view! {
                                        <th scope="colgroup" colspan=g.relations().count().to_string() class="group">
                                            {g.name()}
                                        </th>
                                    }
                                })
                                .collect_view()
                        })}
                    {c.groups.then(|| view! { <th scope="colgroup" colspan="4" class="group">"Groups"</th> })}
                    {c.categories
                        .then(|| view! { <th scope="colgroup" colspan="6" class="group">"Risk categories"</th> })}
                    {c.safety
                        .then(|| {
                            view! {
                                <th scope="colgroup" colspan="2" class="group">
                                    <a href="/about#refusal-estimate">"How safe is “safe”? (estimate)"</a>
                                </th>
                            }
                        })}
                </tr>
                <tr>
                    {c.relations
                        .then(|| {
                            Relation::ALL
                                .into_iter()
                                .map(|r| sort_header(q, SortKey::Relation(r), r.short_name().into(), format!("{} ({} attacks)", r.display_name(), r.instance_count())))
                                .collect_view()
                        })}
                    {c.groups
                        .then(|| {
                            RelationGroup::ALL
                                .into_iter()
                                .map(|g| sort_header(q, SortKey::Group(g), g.name().into(), format!("{} relations pooled", g.name())))
                                .collect_view()
                        })}
                    {c.categories
                        .then(|| {
                            RiskCategory::ALL
                                .into_iter()
                                .map(|cat| sort_header(q, SortKey::Category(cat), cat.display_name().into(), cat.display_name().into()))
                                .collect_view()
                        })}
                    {c.safety
                        .then(|| {
                            view! {
                                {sort_header(q, SortKey::RefusalRate, "Refused".into(), "Share of all answers that are explicit refusals (estimate)".into())}
                                {sort_header(q, SortKey::Superficial, "Safe w/o refusal".into(), "Share of all answers judged safe without refusing: misunderstanding or evasion (estimate)".into())}
                            }
                        })}
                </tr>
            </thead>
            <tbody>
                {rows.into_iter().map(|e| view! { <Row e columns=c /> }).collect_view()}
            </tbody>
        </table>
    }
}

#[component]
fn Row(e: Entry, columns: Columns) -> impl IntoView {
    let slug = e.model.slug.clone();
    let marker = match e.vs_safest {
        VsSafest::Safest => Some(("tie safest", "safest", "The safest model of this view")),
        VsSafest::NotSignificant { .. } => Some((
            "tie",
            "≈ safest",
            "Not significantly different from the safest model (paired McNemar test on shared items, Holm-adjusted)",
        )),
        _ => None,
    };
    let pct_or_dash = |v: Option<f64>| v.map(format_pct).unwrap_or_else(|| "–".into());
    view! {
        <tr data-test="row" data-model=e.model.name.clone() class:sample=e.is_sample()>
            <td class="rank" data-test="rank">{e.rank}</td>
            <th scope="row" class="model">
                <ModelCell model=e.model.clone() source=e.submission.source />
                {marker
                    .map(|(class, text, title)| {
                        view! {
                            <span class=format!("badge {class}") title=title>
                                {text}
                            </span>
                        }
                    })}
            </th>
            <td class="overall" data-test="overall">
                <ScoreCell score=Some(e.overall) href=format!("/models/{slug}") full=true />
            </td>
            {columns
                .relations
                .then(|| {
                    Relation::ALL
                        .into_iter()
                        .map(|r| {
                            view! {
                                <td data-col=r.harness_name()>
                                    <ScoreCell score=e.relation(r).copied() href=format!("/relations/{}#{slug}", r.slug()) />
                                </td>
                            }
                        })
                        .collect_view()
                })}
            {columns
                .groups
                .then(|| {
                    RelationGroup::ALL
                        .into_iter()
                        .map(|g| {
                            view! {
                                <td data-col=g.name()>
                                    <ScoreCell score=e.group(g).copied() href=format!("/models/{slug}#relations") />
                                </td>
                            }
                        })
                        .collect_view()
                })}
            {columns
                .categories
                .then(|| {
                    RiskCategory::ALL
                        .into_iter()
                        .map(|c| {
                            view! {
                                <td data-col=c.harness_name()>
                                    <ScoreCell score=e.category(c).copied() href=format!("/categories/{}#{slug}", c.slug()) />
                                </td>
                            }
                        })
                        .collect_view()
                })}
            {columns
                .safety
                .then(|| {
                    let estimate = e.overall.refusals.is_some();
                    let title = if estimate {
                        format!("estimate, rule set {}", RuleSet::builtin().version())
                    } else {
                        "no estimate: aggregate numbers only (no answer text)".to_owned()
                    };
                    view! {
                        <td data-col="refusal_rate" title=title.clone()>
                            <a href=format!("/models/{slug}#refusals")>{pct_or_dash(e.overall.refusal_rate())}</a>
                        </td>
                        <td data-col="safe_without_refusal" title=title>
                            <a href=format!("/models/{slug}#refusals")>{pct_or_dash(e.overall.superficial_rate())}</a>
                        </td>
                    }
                })}
        </tr>
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
