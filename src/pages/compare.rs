//! `/compare?models=a,b,...`: 2 to 6 models side by side. Every model answers the same items,
//! so pairs with per-item labels get an exact McNemar test per relation, per category and
//! overall (Holm within each family), stated in words.

use crate::components::{Figure, JudgePicker, SampleBanner, interval, loaded, p_text};
use crate::domain::compare::{PairComparison, describe};
use crate::domain::leaderboard::Entry;
use crate::domain::metrics::format_pct;
use crate::domain::page_data::ComparePage as Page;
use crate::domain::taxonomy::{DEFAULT_JUDGE, Relation, RiskCategory};
use crate::error::AppError;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_location;

#[server(prefix = "/fn", endpoint = "compare")]
pub async fn get_compare(models: Vec<String>, judge: Option<String>) -> Result<Page, AppError> {
    let state = super::ssr::state()?;
    crate::services::compare::compare(&state, &models, judge.as_deref()).await
}

/// `models=a,b` and `models=a&models=b` (what a checkbox form sends) both work.
fn parse_query(search: &str) -> (Vec<String>, Option<String>) {
    let mut models = Vec::new();
    let mut judge = None;
    for (k, v) in form_urlencoded::parse(search.trim_start_matches('?').as_bytes()) {
        match k.as_ref() {
            "models" => models.extend(v.split(',').map(|s| s.trim().to_owned()).filter(|s| !s.is_empty())),
            "judge" if !v.trim().is_empty() => judge = Some(v.trim().to_owned()),
            _ => {}
        }
    }
    (models, judge)
}

#[component]
pub fn ComparePage() -> impl IntoView {
    let location = use_location();
    let key = move || parse_query(&location.search.get());
    let data = Resource::new(key, |(models, judge)| get_compare(models, judge));
    view! {
        <Title text="Compare" />
        {loaded(data, |p| view! { <CompareView p /> })}
    }
}

#[component]
fn CompareView(p: Page) -> impl IntoView {
    let slugs: Vec<String> = p.models.iter().map(|e| e.model.slug.clone()).collect();
    let judge_param = if p.judge == DEFAULT_JUDGE {
        String::new()
    } else {
        format!("&{}", form_urlencoded::Serializer::new(String::new()).append_pair("judge", &p.judge).finish())
    };
    let models_param = slugs.join(",");
    let enough = p.models.len() >= 2;
    view! {
        <SampleBanner show=p.has_sample />
        <article class="compare-page" data-test="compare-page">
            <header class="page-head">
                <h1>"Compare models"</h1>
                <p class="lede">
                    "Every model answers the same 2,676 attacks, so two models can be compared item by item: "
                    "only the items where exactly one of them was unsafe tell them apart. "
                    "The exact McNemar test asks whether those split more unevenly than chance."
                </p>
            </header>
            <Picker p=p.clone() />
            {(!p.missing.is_empty()).then(|| view! {
                <p class="notice" data-test="missing">{format!("No approved result under {} for: {}.", p.judge, p.missing.join(", "))}</p>
            })}
            {if !enough {
                view! { <p class="empty">"Pick 2 to 6 models above."</p> }.into_any()
            } else {
                let pairs = p.pairs.clone();
                let (models_a, models_b) = (p.models.clone(), p.models.clone());
                view! {
                    <section>
                        <h2>"Verdicts"</h2>
                        {pairs.into_iter().map(|pair| view! {
                            <div class="pair" data-test="pair" data-pair=format!("{}|{}", pair.a, pair.b)>
                                <h3>{format!("{} vs {}", pair.a, pair.b)}</h3>
                                {match pair.comparison {
                                    Some(c) => view! { <PairDetails a=pair.a.clone() b=pair.b.clone() c /> }.into_any(),
                                    None => view! {
                                        <p class="notice" data-test="aggregate-only">
                                            "At least one of the two has aggregate numbers only (no per-item labels), so they cannot be paired item by item; only their intervals can be compared (see the table below)."
                                        </p>
                                    }.into_any(),
                                }}
                            </div>
                        }).collect_view()}
                    </section>
                    <section>
                        <h2>"By relation"</h2>
                        <Figure
                            src=format!("/charts/compare/relations.svg?models={models_param}{judge_param}")
                            title="ASR by relation for the compared models, with 95% intervals".into()
                            caption="Bars: ASR (lower is safer); whiskers: 95% intervals; letters identify the models.".into()
                        >
                            <SideBySide models=models_a by_category=false />
                        </Figure>
                        <h2>"By risk category"</h2>
                        <Figure
                            src=format!("/charts/compare/categories.svg?models={models_param}{judge_param}")
                            title="ASR by risk category for the compared models, with 95% intervals".into()
                            caption="Bars: ASR (lower is safer); whiskers: 95% intervals.".into()
                        >
                            <SideBySide models=models_b by_category=true />
                        </Figure>
                    </section>
                    <p class="muted">
                        <a href=format!("/api/v1/compare?models={models_param}{judge_param}")>"This comparison as JSON"</a>
                        " · " <a href="/about#statistics">"How the tests work"</a>
                    </p>
                }.into_any()
            }}
        </article>
    }
}

/// Checkboxes of every ranked model (a plain GET form).
#[component]
fn Picker(p: Page) -> impl IntoView {
    let chosen: Vec<String> = p.models.iter().map(|e| e.model.slug.clone()).collect();
    view! {
        <form method="get" action="/compare" class="picker" data-test="compare-picker">
            {(p.judge != DEFAULT_JUDGE).then(|| view! { <input type="hidden" name="judge" value=p.judge.clone() /> })}
            <fieldset>
                <legend>"Models (2 to 6)"</legend>
                <div class="choices">
                    {p.choices.iter().map(|(slug, name)| {
                        let checked = chosen.contains(slug);
                        view! {
                            <label class="check">
                                <input type="checkbox" name="models" value=slug.clone() checked=checked />
                                {name.clone()}
                            </label>
                        }
                    }).collect_view()}
                </div>
            </fieldset>
            <button type="submit">"Compare"</button>
        </form>
        <JudgePicker judges=p.judges.clone() current=p.judge.clone() hidden=vec![("models".into(), chosen.join(","))] />
    }
}

#[component]
fn PairDetails(a: String, b: String, c: PairComparison) -> impl IntoView {
    let overall = describe(&a, &b, "overall", &c.overall, false);
    let significant: Vec<String> = c
        .relations
        .iter()
        .map(|(r, t)| (r.display_name(), t))
        .chain(c.categories.iter().map(|(k, t)| (k.display_name(), t)))
        .filter(|(_, t)| t.p_holm < crate::domain::compare::ALPHA && t.b != t.c)
        .map(|(name, t)| describe(&a, &b, name, t, true))
        .collect();
    let rows = c
        .relations
        .iter()
        .map(|(r, t)| (r.display_name().to_owned(), *t))
        .chain(c.categories.iter().map(|(k, t)| (k.display_name().to_owned(), *t)))
        .collect::<Vec<_>>();
    view! {
        <p class="verdict" data-test="verdict-overall">{overall}</p>
        {if significant.is_empty() {
            view! { <p data-test="no-significant">"No relation or risk category shows a significant difference after Holm correction."</p> }.into_any()
        } else {
            view! { <ul class="verdicts">{significant.into_iter().map(|s| view! { <li data-test="verdict">{s}</li> }).collect_view()}</ul> }.into_any()
        }}
        <details>
            <summary>"All tests"</summary>
            <table class="data" data-test="tests">
                <caption>{format!("b: unsafe only for {a}; c: unsafe only for {b}; p: exact McNemar; Holm within relations and within categories")}</caption>
                <thead><tr><th scope="col">"Scope"</th><th scope="col">"Shared items"</th><th scope="col">"b"</th><th scope="col">"c"</th><th scope="col">"p"</th><th scope="col">"p (Holm)"</th></tr></thead>
                <tbody>
                    <tr><th scope="row">"Overall"</th><td class="num">{c.overall.shared}</td><td class="num">{c.overall.b}</td><td class="num">{c.overall.c}</td><td class="num">{p_text(c.overall.p)}</td><td class="num">"–"</td></tr>
                    {rows.into_iter().map(|(name, t)| view! {
                        <tr><th scope="row">{name}</th><td class="num">{t.shared}</td><td class="num">{t.b}</td><td class="num">{t.c}</td><td class="num">{p_text(t.p)}</td><td class="num">{p_text(t.p_holm)}</td></tr>
                    }).collect_view()}
                </tbody>
            </table>
        </details>
    }
}

#[component]
fn SideBySide(models: Vec<Entry>, by_category: bool) -> impl IntoView {
    let labels: Vec<String> = if by_category {
        RiskCategory::ALL.iter().map(|c| c.display_name().to_owned()).collect()
    } else {
        Relation::ALL.iter().map(|r| r.display_name().to_owned()).collect()
    };
    let pick = move |e: &Entry, i: usize| {
        if by_category { e.category(RiskCategory::ALL[i]).copied() } else { e.relation(Relation::ALL[i]).copied() }
    };
    view! {
        <table class="data">
            <thead>
                <tr><th scope="col"></th>{models.iter().map(|e| view! { <th scope="col">{e.model.name.clone()}</th> }).collect_view()}</tr>
            </thead>
            <tbody>
                {labels.into_iter().enumerate().map(|(i, label)| view! {
                    <tr>
                        <th scope="row">{label}</th>
                        {models.iter().map(|e| {
                            let s = pick(e, i);
                            view! { <td class="num">{s.map(|s| format!("{} [{}]", format_pct(s.asr), interval(&s))).unwrap_or_else(|| "–".into())}</td> }
                        }).collect_view()}
                    </tr>
                }).collect_view()}
                <tr class="total">
                    <th scope="row">"Overall"</th>
                    {models.iter().map(|e| view! { <td class="num">{format!("{} [{}]", format_pct(e.overall.asr), interval(&e.overall))}</td> }).collect_view()}
                </tr>
            </tbody>
        </table>
    }
}
