//! `/items`: which attacks break every model. For one judge, how many of the ranked models with
//! per-item labels each item broke: the distribution, the share of universal items (broken by
//! at least 80%) and of items broken by none per relation and category, and the list sorted by
//! consensus with its filters in the URL (a plain GET form). `/items/{category}/{relation}/{index}`
//! lists the models one item broke and the ones it did not. Items are named by category,
//! relation and index only: no question or answer text exists here.

use crate::components::{Figure, JudgePicker, SampleBanner, ScrollTable, judge_options, loaded};
use crate::domain::consensus::{ItemKey, ItemsQuery, UNIVERSAL_SHARE};
use crate::domain::page_data::{ItemModel, ItemPage as One, ItemsPage as Page};
use crate::domain::taxonomy::{DEFAULT_JUDGE, Relation, RiskCategory};
use crate::error::AppError;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_location, use_params_map, use_query_map};

#[server(prefix = "/fn", endpoint = "items")]
pub async fn get_items(query: String) -> Result<Page, AppError> {
    let state = super::ssr::state()?;
    let (q, problems) = ItemsQuery::parse(&query);
    crate::services::items::items_page(&state, q, problems, false, Some(crate::domain::page_data::ITEMS_SHOWN)).await
}

#[server(prefix = "/fn", endpoint = "item")]
pub async fn get_item(
    category: String,
    relation: String,
    index: String,
    judge: Option<String>,
) -> Result<One, AppError> {
    let state = super::ssr::state()?;
    let key = parse_key(&category, &relation, &index)
        .ok_or_else(|| AppError::NotFound(format!("item `{category}/{relation}/{index}`")))?;
    crate::services::items::item_page(&state, key, judge.as_deref()).await
}

/// The item of a path, as the harness spells its category and relation.
#[cfg(feature = "ssr")]
fn parse_key(category: &str, relation: &str, index: &str) -> Option<ItemKey> {
    Some(ItemKey {
        category: RiskCategory::from_harness_name(category)?,
        relation: Relation::from_harness_name(relation)?,
        index: index.parse().ok().filter(|_| index.bytes().all(|b| b.is_ascii_digit()))?,
    })
}

/// `?judge=...` for a judge other than the default, else nothing.
fn judge_query(judge: &str) -> String {
    if judge == DEFAULT_JUDGE {
        String::new()
    } else {
        format!("?{}", form_urlencoded::Serializer::new(String::new()).append_pair("judge", judge).finish())
    }
}

/// An item's own page.
pub fn item_href(key: &ItemKey, judge: &str) -> String {
    format!(
        "/items/{}/{}/{}{}",
        key.category.harness_name(),
        key.relation.harness_name(),
        key.index,
        judge_query(judge)
    )
}

fn pct(part: u32, whole: u32) -> String {
    if whole == 0 { "–".into() } else { format!("{:.1}", f64::from(part) / f64::from(whole) * 100.0) }
}

#[component]
pub fn ItemsPage() -> impl IntoView {
    let location = use_location();
    let data = Resource::new(move || location.search.get(), get_items);
    view! {
        <Title text="Which attacks break every model" />
        {loaded(data, |p| view! { <ItemsView p /> })}
    }
}

#[component]
fn ItemsView(p: Page) -> impl IntoView {
    let list_query = {
        let q = ItemsQuery { judge: (p.judge != DEFAULT_JUDGE).then(|| p.judge.clone()), ..p.query.clone() };
        let s = q.to_query_string();
        if s.is_empty() { s } else { format!("?{s}") }
    };
    let chart = format!("/charts/items.svg{}", judge_query(&p.judge));
    let distribution: Vec<(usize, u32)> = p.distribution.iter().copied().enumerate().collect();
    let total = p.total_items;
    view! {
        <SampleBanner show=p.has_sample />
        <article class="items-page" data-test="items-page">
            <header class="page-head">
                <h1>"Which attacks break every model"</h1>
                <p class="lede">
                    "Every model answers the same attacks. For each one, this page counts how many of the ranked models it broke (the judge labelled the answer unsafe). "
                    "Attacks that break nearly every model are the benchmark's sharpest findings; attacks that break none are dead weight. "
                    "Items are named by risk category, relation and their position in the public dataset; no question or answer text is stored here."
                </p>
            </header>
            <ItemFilters p=p.clone() />
            {(!p.problems.is_empty()).then(|| view! {
                <p class="notice error" role="alert" data-test="problems">{format!("Ignored: {}.", p.problems.join("; "))}</p>
            })}
            <p data-test="population">
                {format!("{} ranked model(s) with per-item labels under {}; {} items.", p.models, p.judge, total)}
            </p>
            {(!p.left_out.is_empty()).then(|| view! {
                <p class="muted" data-test="left-out">
                    {format!(
                        "{} ranked model(s) have aggregate numbers only and cannot take part: {}.",
                        p.left_out.len(),
                        p.left_out.join(", ")
                    )}
                </p>
            })}
            {if p.models == 0 {
                view! { <p class="empty">"No ranked model has per-item labels under this judge yet."</p> }.into_any()
            } else {
                view! {
                    <section id="distribution">
                        <h2>"How many models each item broke"</h2>
                        <Figure src=chart title="Items by the number of models they broke".into() caption="Bars: share of items; n: number of items.".into()>
                            <table class="data" data-test="distribution">
                                <thead><tr><th scope="col">"Models broken"</th><th scope="col">"Items"</th><th scope="col">"Share of items %"</th></tr></thead>
                                <tbody>
                                    {distribution.into_iter().map(|(k, n)| view! {
                                        <tr><th scope="row">{k}</th><td class="num">{n}</td><td class="num">{pct(n, total)}</td></tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </Figure>
                        <p data-test="universal-total">
                            {format!(
                                "{} universal item(s) (broken by at least {:.0}% of the models judged on them) and {} broken by none.",
                                p.universal,
                                UNIVERSAL_SHARE * 100.0,
                                p.none
                            )}
                        </p>
                    </section>
                    <section id="scopes">
                        <h2>"Universal items and items broken by none"</h2>
                        <ShareTable title="Relation" rows=p.relations.clone() test="relation-shares" />
                        <ShareTable title="Risk category" rows=p.categories.clone() test="category-shares" />
                    </section>
                    <ItemList p=p.clone() list_query=list_query.clone() />
                }.into_any()
            }}
        </article>
    }
}

/// The filters: a plain GET form (judge, relation, category, minimum share).
#[component]
fn ItemFilters(p: Page) -> impl IntoView {
    let q = p.query.clone();
    let choices = if p.judges.is_empty() { vec![p.judge.clone()] } else { p.judges.clone() };
    view! {
        <form method="get" action="/items" class="filters" data-test="item-filters">
            <label>"Judge " <select name="judge">{judge_options(choices, &p.judge)}</select></label>
            <label>
                "Relation "
                <select name="relation" data-test="relation-filter">
                    <option value="" selected=q.relation.is_none()>"all"</option>
                    {Relation::ALL.into_iter().map(|r| view! {
                        <option value=r.harness_name() selected=q.relation == Some(r)>{r.display_name()}</option>
                    }).collect_view()}
                </select>
            </label>
            <label>
                "Risk category "
                <select name="category" data-test="category-filter">
                    <option value="" selected=q.category.is_none()>"all"</option>
                    {RiskCategory::ALL.into_iter().map(|c| view! {
                        <option value=c.harness_name() selected=q.category == Some(c)>{c.display_name()}</option>
                    }).collect_view()}
                </select>
            </label>
            <label>
                "Minimum share broken (0 to 1) "
                <input name="min_share" inputmode="decimal" size="5" pattern="(0|1|0\\.[0-9]+|1\\.0+)?" data-test="min-share"
                    value=q.min_share.map(|m| format!("{m}")).unwrap_or_default() placeholder="e.g. 0.8" />
            </label>
            <button type="submit">"Show"</button>
        </form>
    }
}

#[component]
fn ShareTable(
    title: &'static str,
    rows: Vec<crate::domain::consensus::ScopeShare>,
    test: &'static str,
) -> impl IntoView {
    view! {
        <ScrollTable label=title>
            <table class="data" data-test=test>
                <thead>
                    <tr><th scope="col">{title}</th><th scope="col">"Items"</th><th scope="col">"Universal"</th><th scope="col">"Universal %"</th><th scope="col">"Broken by none"</th><th scope="col">"None %"</th></tr>
                </thead>
                <tbody>
                    {rows.into_iter().map(|r| view! {
                        <tr data-scope=r.harness.clone()>
                            <th scope="row">{r.name.clone()}</th>
                            <td class="num">{r.items}</td>
                            <td class="num">{r.universal}</td>
                            <td class="num">{pct(r.universal, r.items)}</td>
                            <td class="num">{r.none}</td>
                            <td class="num">{pct(r.none, r.items)}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </ScrollTable>
    }
}

#[component]
fn ItemList(p: Page, list_query: String) -> impl IntoView {
    let judge = p.judge.clone();
    view! {
        <section id="list">
            <h2>"Items, most broken first"</h2>
            <p data-test="matching">
                {if p.matching > p.items.len() {
                    format!("{} items match; the first {} are shown (the CSV has all).", p.matching, p.items.len())
                } else {
                    format!("{} items match.", p.matching)
                }}
                " "
                <a href=format!("/api/v1/items.csv{list_query}") download="" data-test="csv">"Download CSV"</a>
                " · "
                <a href=format!("/api/v1/items{list_query}")>"JSON"</a>
            </p>
            <ScrollTable label="Items">
                <table class="data" data-test="items">
                    <thead>
                        <tr><th scope="col">"Item"</th><th scope="col">"Risk category"</th><th scope="col">"Relation"</th><th scope="col">"Index"</th><th scope="col">"Models unsafe"</th><th scope="col">"Models judged"</th><th scope="col">"Share %"</th></tr>
                    </thead>
                    <tbody>
                        {p.items.into_iter().map(|i| {
                            let name = format!("{}/{}/{}", i.key.category.harness_name(), i.key.relation.harness_name(), i.key.index);
                            let attr = name.clone();
                            view! {
                                <tr data-item=attr>
                                    <th scope="row"><a href=item_href(&i.key, &judge)>{name}</a>{i.universal.then(|| view! { " " <span class="badge">"universal"</span> })}</th>
                                    <td>{i.key.category.display_name()}</td>
                                    <td>{i.key.relation.display_name()}</td>
                                    <td class="num">{i.key.index}</td>
                                    <td class="num">{i.unsafe_count}</td>
                                    <td class="num">{i.judged}</td>
                                    <td class="num">{pct(i.unsafe_count, i.judged)}</td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </ScrollTable>
        </section>
    }
}

#[component]
pub fn ItemPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let key = move || {
        let p = params.get();
        (
            p.get("category").unwrap_or_default(),
            p.get("relation").unwrap_or_default(),
            p.get("index").unwrap_or_default(),
            query.get().get("judge"),
        )
    };
    let data = Resource::new(key, |(c, r, i, j)| get_item(c, r, i, j));
    view! {
        <Title text="An item's consensus" />
        {loaded(data, |p| view! { <ItemView p /> })}
    }
}

#[component]
fn ItemView(p: One) -> impl IntoView {
    let k = p.key;
    let (unsafe_n, judged) = (p.unsafe_models.len() as u32, (p.unsafe_models.len() + p.safe_models.len()) as u32);
    let file = format!("{}/{}.json", k.category.harness_name(), k.relation.harness_name());
    let suffix = judge_query(&p.judge);
    let list = move |models: Vec<ItemModel>, test: &'static str| {
        let suffix = suffix.clone();
        view! {
            <ul class="models" data-test=test>
                {models.into_iter().map(|m| view! {
                    <li><a href=format!("/models/{}{suffix}", m.slug)>{m.name.clone()}</a>{m.sample.then_some(" (sample)")}</li>
                }).collect_view()}
            </ul>
        }
    };
    view! {
        <SampleBanner show=p.has_sample />
        <article class="item-page" data-test="item-page">
            <header class="page-head">
                <p class="crumbs"><a href=format!("/items{}", judge_query(&p.judge))>"Items"</a> " / item"</p>
                <h1>{format!("{} · {} · item {}", k.category.display_name(), k.relation.display_name(), k.index)}</h1>
                <p data-test="position">
                    {format!(
                        "Position in the dataset: entry {} (0-based, the harness's item_index) of {file}, that is its entry number {} counting from 1.",
                        k.index,
                        k.index + 1
                    )}
                </p>
            </header>
            <JudgePicker judges=p.judges.clone() current=p.judge.clone() />
            <p class="verdict" data-test="item-consensus">
                {format!("Unsafe for {unsafe_n} of the {judged} models judged on it ({}%) under {}.", pct(unsafe_n, judged), p.judge)}
                {p.universal.then(|| view! { " " <span class="badge">"universal"</span> })}
            </p>
            <section>
                <h2>{format!("Unsafe ({unsafe_n})")}</h2>
                {list(p.unsafe_models.clone(), "unsafe-models")}
                <h2>{format!("Safe ({})", judged - unsafe_n)}</h2>
                {list(p.safe_models.clone(), "safe-models")}
            </section>
        </article>
    }
}
