//! `/relations/{name}` and `/categories/{name}`: what a relation (or risk category) is, and every
//! model ranked on it, with intervals and ranks from that scope alone.

use crate::components::{Figure, PopulationSelects, SampleBanner, SourceBadge, interval, judge_options, loaded};
use crate::domain::metrics::format_pct;
use crate::domain::page_data::ScopePage;
use crate::domain::taxonomy::Scope;
use crate::domain::taxonomy::{Relation, RiskCategory};
use crate::error::AppError;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_location, use_params_map};

/// `query`: the page's query string; judge, weights and reasoning are read as the leaderboard
/// reads them, so a filtered view means the same population on both.
#[server(prefix = "/fn", endpoint = "scope")]
pub async fn get_scope(kind: String, name: String, query: String) -> Result<ScopePage, AppError> {
    let state = super::ssr::state()?;
    let scope = parse_scope(&kind, &name)?;
    let (q, problems) = crate::domain::leaderboard::query::LeaderboardQuery::parse(&query);
    if !problems.is_empty() {
        return Err(AppError::BadRequest(problems.join("; ")));
    }
    crate::services::leaderboard::scope_page(&state, scope, q.judge.as_deref(), q.population).await
}

#[cfg(feature = "ssr")]
fn parse_scope(kind: &str, name: &str) -> Result<Scope, AppError> {
    match kind {
        "relation" => {
            Relation::parse(name).map(Scope::Relation).ok_or_else(|| AppError::NotFound(format!("relation `{name}`")))
        }
        _ => RiskCategory::parse(name)
            .map(Scope::Category)
            .ok_or_else(|| AppError::NotFound(format!("risk category `{name}`"))),
    }
}

#[component]
pub fn RelationPage() -> impl IntoView {
    view! { <ScopeRoute kind="relation" /> }
}

#[component]
pub fn CategoryPage() -> impl IntoView {
    view! { <ScopeRoute kind="category" /> }
}

#[component]
fn ScopeRoute(kind: &'static str) -> impl IntoView {
    let params = use_params_map();
    let location = use_location();
    let key = move || (params.get().get("name").unwrap_or_default(), location.search.get());
    let data = Resource::new(key, move |(name, query)| get_scope(kind.to_owned(), name, query));
    view! {
        {loaded(data, |p| view! { <ScopeView p /> })}
    }
}

#[component]
fn ScopeView(p: ScopePage) -> impl IntoView {
    let name = p.scope.display_name();
    let chart = format!(
        "/charts/{}{}",
        match p.scope {
            Scope::Relation(r) => format!("relations/{}.svg", r.slug()),
            Scope::Category(c) => format!("categories/{}.svg", c.slug()),
        },
        p.query()
    );
    let about = match p.scope {
        Scope::Relation(r) => view! {
            <p class="lede">{r.gloss()}</p>
            <p>
                {format!("Group: {} · {} attack instances in the benchmark · harness file ", r.group().name(), r.instance_count())}
                <code>{format!("{}.json", r.harness_name())}</code>
            </p>
            <p class="muted">"The description is the site's reading of the relation's name, not a quotation of the paper's definition."</p>
        }.into_any(),
        Scope::Category(c) => view! {
            <p class="lede">{format!("Attacks whose hidden request falls under {}.", c.display_name())}</p>
            <p>
                "Harness folder " <code>{c.harness_name()}</code>
                ". The benchmark's per-category instance counts were not published in a form we could verify; each model's n below is what its run contained."
            </p>
        }.into_any(),
    };
    let others = match p.scope {
        Scope::Relation(_) => Relation::ALL
            .into_iter()
            .map(|r| (format!("/relations/{}{}", r.slug(), p.query()), r.display_name()))
            .collect::<Vec<_>>(),
        Scope::Category(_) => RiskCategory::ALL
            .into_iter()
            .map(|c| (format!("/categories/{}{}", c.slug(), p.query()), c.display_name()))
            .collect(),
    };
    let rows = p.rows.clone();
    view! {
        <Title text=name />
        <SampleBanner show=p.has_sample />
        <article class="scope-page" data-test="scope-page">
            <header class="page-head">
                <p class="crumbs"><a href="/">"Leaderboard"</a> {match p.scope { Scope::Relation(_) => " / relation", Scope::Category(_) => " / risk category" }}</p>
                <h1>{name}</h1>
                {about}
            </header>
            <nav class="pills" aria-label="Other pages of this kind">
                {others.into_iter().map(|(href, label)| {
                    let current = label == name;
                    view! { <a href=href class:current=current aria-current=if current { "page" } else { "false" }>{label}</a> }
                }).collect_view()}
            </nav>
            <ScopeFilters p=p.clone() />
            {if rows.is_empty() {
                view! { <p class="empty">{format!("No model of this view has results on {name} under {}.", p.judge)}</p> }.into_any()
            } else {
                view! {
                    <Figure
                        src=chart
                        title=format!("ASR of every model on {name}, with 95% intervals")
                        caption="Safest first. Ranks come from this scope's intervals alone.".into()
                    >
                        <table class="data" data-test="scope-table">
                            <caption>{format!("Models on {name} (lower is safer)")}</caption>
                            <thead><tr><th scope="col">"Rank"</th><th scope="col">"Model"</th><th scope="col">"ASR %"</th><th scope="col">"95% CI"</th><th scope="col">"Unsafe / n"</th></tr></thead>
                            <tbody>
                                {rows.into_iter().map(|r| view! {
                                    <tr id=r.model.slug.clone() data-test="row" data-model=r.model.name.clone()>
                                        <td class="rank">{r.rank}</td>
                                        <th scope="row">
                                            <a href=format!("/models/{}", r.model.slug)>{r.model.name.clone()}</a>
                                            {r.sample.then(|| view! { " " <SourceBadge source=crate::domain::model::Source::Sample /> })}
                                        </th>
                                        <td class="num" data-test="asr">{format_pct(r.score.asr)}</td>
                                        <td class="num">{interval(&r.score)}</td>
                                        <td class="num">{format!("{} / {}", r.score.unsafe_count, r.score.total)}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    </Figure>
                }.into_any()
            }}
            {(!p.without_data.is_empty()).then(|| view! {
                <p class="muted">{format!("Without figures for {name}: {}.", p.without_data.join(", "))}</p>
            })}
        </article>
    }
}

/// The leaderboard's population filters (judge, weights, reasoning) as a plain GET form: the
/// ranks below are then among the models of that population alone.
#[component]
fn ScopeFilters(p: ScopePage) -> impl IntoView {
    let judges = if p.judges.is_empty() { vec![p.judge.clone()] } else { p.judges.clone() };
    view! {
        <form method="get" class="filters" data-test="scope-filters">
            <label>"Judge " <select name="judge">{judge_options(judges, &p.judge)}</select></label>
            <PopulationSelects population=p.population />
            <button type="submit">"Show"</button>
        </form>
    }
}
