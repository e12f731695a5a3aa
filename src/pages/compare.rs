//! `/compare?models=a,b,...`: 2 to 6 models side by side. Every model answers the same items,
//! so pairs with per-item labels get an exact McNemar test per relation, per category and
//! overall (Holm within each family), stated in words.

use crate::components::{Figure, JudgePicker, SampleBanner, ScrollTable, interval, loaded, p_text};
use crate::domain::compare::{PairComparison, PairedTest, describe};
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
                let (marked_relations, marked_categories) = (p.significant_relations(), p.significant_categories());
                view! {
                    <section>
                        <h2>"Verdicts"</h2>
                        <p class="muted" data-test="holm">
                            "Nine relations are tested together, and six risk categories together, so each p-value is Holm-adjusted within its family: "
                            "testing many differences at once would otherwise turn up some by chance. A difference is called significant when its adjusted p is below 0.05. "
                            <a href="/about#statistics">"How the tests work"</a>
                        </p>
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
                            caption="Bars: ASR (lower is safer); whiskers: 95% intervals; letters identify the models; * marks a significant paired difference (Holm-adjusted p < 0.05).".into()
                        >
                            <SideBySide models=models_a marked=marked_relations by_category=false />
                        </Figure>
                        <h2>"By risk category"</h2>
                        <Figure
                            src=format!("/charts/compare/categories.svg?models={models_param}{judge_param}")
                            title="ASR by risk category for the compared models, with 95% intervals".into()
                            caption="Bars: ASR (lower is safer); whiskers: 95% intervals; * marks a significant paired difference (Holm-adjusted p < 0.05).".into()
                        >
                            <SideBySide models=models_b marked=marked_categories by_category=true />
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

/// Checkboxes of every ranked model: a plain GET form, which the island enhances.
#[component]
fn Picker(p: Page) -> impl IntoView {
    let chosen: Vec<String> = p.models.iter().map(|e| e.model.slug.clone()).collect();
    let keep = vec![("models".to_owned(), chosen.join(","))];
    let (judges, judge) = (p.judges.clone(), p.judge.clone());
    view! {
        <PickerIsland>
            <form method="get" action="/compare" class="picker" data-test="compare-picker">
                {(p.judge != DEFAULT_JUDGE).then(|| view! { <input type="hidden" name="judge" value=p.judge.clone() /> })}
                <fieldset>
                    <legend>"Models (2 to 6)"</legend>
                    <div class="choices">
                        {p.choices.iter().map(|(slug, name)| {
                            let checked = chosen.contains(slug);
                            view! {
                                <label class="check" data-name=name.to_lowercase()>
                                    <input type="checkbox" name="models" value=slug.clone() checked=checked />
                                    {name.clone()}
                                </label>
                            }
                        }).collect_view()}
                    </div>
                </fieldset>
                <button type="submit">"Compare"</button>
            </form>
        </PickerIsland>
        <JudgePicker judges current=judge hidden=keep />
    }
}

/// What JavaScript adds to the picker: a filter box over the model names, and a comparison
/// that follows the ticks (2 to 6 models) without the Compare button. The ticked box keeps
/// focus across the page load that follows.
#[island]
fn PickerIsland(children: Children) -> impl IntoView {
    let hydrated = RwSignal::new(false);
    let root = NodeRef::<leptos::html::Div>::new();
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        if let Some(el) = root.get() {
            browser::restore_focus(&el);
        }
        hydrated.set(true);
        if let Some(body) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.body()) {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });
    let on_input = move |ev: leptos::ev::Event| {
        #[cfg(feature = "hydrate")]
        browser::filter(&ev, root);
        #[cfg(not(feature = "hydrate"))]
        let _ = ev;
    };
    let on_change = move |ev: leptos::ev::Event| {
        #[cfg(feature = "hydrate")]
        browser::follow_ticks(&ev, root);
        #[cfg(not(feature = "hydrate"))]
        let _ = ev;
    };
    view! {
        <div class="picker-box" node_ref=root on:input=on_input on:change=on_change>
            <label class="model-filter" hidden=move || !hydrated.get()>
                "Find a model "
                <input type="search" data-test="model-filter" autocomplete="off" />
            </label>
            {children()}
        </div>
    }
}

#[cfg(feature = "hydrate")]
mod browser {
    use leptos::prelude::*;
    use wasm_bindgen::JsCast;
    use web_sys::{Element, HtmlFormElement, HtmlInputElement};

    const FOCUS_KEY: &str = "mir-compare-focus";

    fn all(root: &Element, selector: &str) -> Vec<Element> {
        root.query_selector_all(selector).map_or_else(
            |_| Vec::new(),
            |list| (0..list.length()).filter_map(|i| list.item(i).and_then(|n| n.dyn_into().ok())).collect(),
        )
    }

    fn input_of(ev: &web_sys::Event) -> Option<HtmlInputElement> {
        ev.target().and_then(|t| t.dyn_into::<HtmlInputElement>().ok())
    }

    /// Hides the models whose name does not contain the typed text.
    pub fn filter(ev: &web_sys::Event, root: NodeRef<leptos::html::Div>) {
        let (Some(input), Some(root)) = (input_of(ev), root.get_untracked()) else { return };
        if input.type_() != "search" {
            return;
        }
        let needle = input.value().trim().to_lowercase();
        for label in all(&root, "label.check") {
            let name = label.get_attribute("data-name").unwrap_or_default();
            let _ = label.toggle_attribute_with_force("hidden", !name.contains(&needle));
        }
    }

    /// Submits the picker once 2 to 6 models are ticked.
    pub fn follow_ticks(ev: &web_sys::Event, root: NodeRef<leptos::html::Div>) {
        let (Some(input), Some(root)) = (input_of(ev), root.get_untracked()) else { return };
        if input.type_() != "checkbox" {
            return;
        }
        let ticked = all(&root, "input[type=checkbox]:checked").len();
        if !(2..=6).contains(&ticked) {
            return;
        }
        if let Some(storage) = web_sys::window().and_then(|w| w.session_storage().ok().flatten()) {
            let _ = storage.set_item(FOCUS_KEY, &input.value());
        }
        if let Some(form) = input.form() {
            let form: HtmlFormElement = form;
            let _ = form.submit();
        }
    }

    /// After a page load this island caused, focus goes back to the box that was ticked.
    pub fn restore_focus(root: &Element) {
        let Some(storage) = web_sys::window().and_then(|w| w.session_storage().ok().flatten()) else { return };
        let Ok(Some(value)) = storage.get_item(FOCUS_KEY) else { return };
        let _ = storage.remove_item(FOCUS_KEY);
        let target = all(root, "input[type=checkbox]")
            .into_iter()
            .filter_map(|e| e.dyn_into::<HtmlInputElement>().ok())
            .find(|i| i.value() == value);
        if let Some(input) = target {
            let _ = input.focus();
        }
    }
}

/// Every relation and category gets its sentence, significant or not: a large-looking gap
/// that could be chance is named as such rather than left out.
#[component]
fn PairDetails(a: String, b: String, c: PairComparison) -> impl IntoView {
    let overall = describe(&a, &b, "overall", &c.overall, false);
    let sentences = |tests: Vec<(&'static str, PairedTest)>| {
        tests
            .into_iter()
            .map(|(name, t)| {
                let significant = t.is_significant();
                let text = describe(&a, &b, name, &t, true);
                view! {
                    <li data-test="verdict" data-significant=significant.to_string() class:significant=significant>
                        {significant.then(|| view! { <strong class="mark">"Significant: "</strong> })}
                        {text}
                    </li>
                }
            })
            .collect_view()
    };
    let relations: Vec<(&'static str, PairedTest)> = c.relations.iter().map(|(r, t)| (r.display_name(), *t)).collect();
    let categories: Vec<(&'static str, PairedTest)> =
        c.categories.iter().map(|(k, t)| (k.display_name(), *t)).collect();
    let rows: Vec<(&'static str, PairedTest)> = relations.iter().chain(categories.iter()).copied().collect();
    let none_significant = !rows.iter().any(|(_, t)| t.is_significant());
    view! {
        <p class="verdict" data-test="verdict-overall">{overall}</p>
        {none_significant.then(|| view! {
            <p data-test="no-significant">"No relation or risk category shows a significant difference after Holm correction."</p>
        })}
        <h4>"By relation"</h4>
        <ul class="verdicts">{sentences(relations)}</ul>
        <h4>"By risk category"</h4>
        <ul class="verdicts">{sentences(categories)}</ul>
        <details>
            <summary>"All tests as a table"</summary>
            <ScrollTable label=format!("Paired tests, {a} vs {b}")>
                <table class="data" data-test="tests">
                    <caption>"Items unsafe for exactly one of the two; p: exact McNemar test, Holm-adjusted within relations and within categories"</caption>
                    <thead><tr>
                        <th scope="col">"Scope"</th><th scope="col">"Shared items"</th>
                        <th scope="col">{format!("Unsafe only for {a}")}</th><th scope="col">{format!("Unsafe only for {b}")}</th>
                        <th scope="col">"p"</th><th scope="col">"p (Holm)"</th><th scope="col">"Significant"</th>
                    </tr></thead>
                    <tbody>
                        <tr data-significant=c.overall.is_significant().to_string()>
                            <th scope="row">"Overall"</th><td class="num">{c.overall.shared}</td><td class="num">{c.overall.b}</td><td class="num">{c.overall.c}</td>
                            <td class="num">{p_text(c.overall.p)}</td><td class="num">"–"</td><td>{yes_no(c.overall.is_significant())}</td>
                        </tr>
                        {rows.into_iter().map(|(name, t)| view! {
                            <tr data-significant=t.is_significant().to_string() class:significant=t.is_significant()>
                                <th scope="row">{name}</th><td class="num">{t.shared}</td><td class="num">{t.b}</td><td class="num">{t.c}</td>
                                <td class="num">{p_text(t.p)}</td><td class="num">{p_text(t.p_holm)}</td><td>{yes_no(t.is_significant())}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </ScrollTable>
        </details>
    }
}

fn yes_no(significant: bool) -> &'static str {
    if significant { "yes *" } else { "no" }
}

/// The compared models' scores per relation (or category); a row where some pair differs
/// significantly is starred, as in the chart.
#[component]
fn SideBySide(models: Vec<Entry>, marked: Vec<bool>, by_category: bool) -> impl IntoView {
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
                <tr>
                    <th scope="col">{if by_category { "Risk category" } else { "Relation" }}</th>
                    {models.iter().map(|e| view! { <th scope="col">{e.model.name.clone()}</th> }).collect_view()}
                </tr>
            </thead>
            <tbody>
                {labels.into_iter().enumerate().map(|(i, label)| {
                    let star = marked.get(i).copied().unwrap_or(false);
                    view! {
                    <tr data-significant=star.to_string()>
                        <th scope="row">{label}{star.then_some(" *")}</th>
                        {models.iter().map(|e| {
                            let s = pick(e, i);
                            view! { <td class="num">{s.map(|s| format!("{} [{}]", format_pct(s.asr), interval(&s))).unwrap_or_else(|| "–".into())}</td> }
                        }).collect_view()}
                    </tr>
                }}).collect_view()}
                <tr class="total">
                    <th scope="row">"Overall"</th>
                    {models.iter().map(|e| view! { <td class="num">{format!("{} [{}]", format_pct(e.overall.asr), interval(&e.overall))}</td> }).collect_view()}
                </tr>
            </tbody>
        </table>
    }
}
