//! `/insights`: does a stronger multi-image reasoner resist these attacks less? Capability
//! scores against ASR, with Spearman's rank correlation.

use crate::components::{Figure, JudgePicker, SampleBanner, loaded, p_text};
use crate::domain::metrics::format_pct;
use crate::domain::page_data::CapabilityPage;
use crate::domain::taxonomy::DEFAULT_JUDGE;
use crate::error::AppError;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[server(prefix = "/fn", endpoint = "capability")]
pub async fn get_capability(judge: Option<String>) -> Result<CapabilityPage, AppError> {
    let state = super::ssr::state()?;
    crate::services::leaderboard::capability(&state, judge.as_deref()).await
}

#[component]
pub fn InsightsPage() -> impl IntoView {
    let query = use_query_map();
    let data = Resource::new(move || query.get().get("judge"), get_capability);
    view! {
        <Title text="Capability vs vulnerability" />
        {loaded(data, |p| view! { <InsightsView p /> })}
    }
}

#[component]
fn InsightsView(p: CapabilityPage) -> impl IntoView {
    let chart = if p.judge == DEFAULT_JUDGE {
        "/charts/capability.svg".to_owned()
    } else {
        format!(
            "/charts/capability.svg?{}",
            form_urlencoded::Serializer::new(String::new()).append_pair("judge", &p.judge).finish()
        )
    };
    let verdict = p.correlation.map(|c| {
        let direction = if c.rho > 0.0 {
            "higher capability goes with higher ASR (less safe)"
        } else {
            "higher capability goes with lower ASR (safer)"
        };
        let strength = if c.p < 0.05 { "a significant" } else { "no significant" };
        format!(
            "Spearman's rho = {:.2} ({}, n = {}): {strength} monotone association{}.",
            c.rho,
            p_text(c.p),
            c.n,
            if c.p < 0.05 { format!("; {direction}") } else { String::new() }
        )
    });
    let points = p.points.clone();
    view! {
        <SampleBanner show=p.has_sample />
        <article class="insights-page" data-test="insights-page">
            <header class="page-head">
                <h1>"Capability vs vulnerability"</h1>
                <p class="lede">
                    "The benchmark's headline finding is that models that reason better over several images are often "
                    <em>"more"</em> " vulnerable: understanding how the images relate is exactly what reveals the hidden request. "
                    "This page tests that on the models here: each point pairs a model's multi-image capability score (with its source) with its overall ASR."
                </p>
            </header>
            <JudgePicker judges=p.judges.clone() current=p.judge.clone() />
            {match verdict {
                Some(v) => view! { <p class="verdict" data-test="spearman">{v}</p> }.into_any(),
                None => view! { <p class="notice" data-test="spearman">"Too few models with a capability score (at least 3 on one benchmark) to estimate a correlation."</p> }.into_any(),
            }}
            {p.benchmark.clone().map(|b| view! {
                <p class="muted">{format!("Scores from {b}. Scores from different benchmarks are not on one scale, so only models scored on {b} enter the correlation.")}</p>
            })}
            {(!points.is_empty()).then(|| view! {
                <Figure src=chart title="Capability score against overall ASR, one point per model".into() caption="Each point is a model; no fitted line: the rank correlation above is the summary.".into()>
                    <table class="data" data-test="capability-table">
                        <thead><tr><th scope="col">"Model"</th><th scope="col">"Capability"</th><th scope="col">"Benchmark"</th><th scope="col">"Source"</th><th scope="col">"Overall ASR %"</th></tr></thead>
                        <tbody>
                            {points.into_iter().map(|pt| view! {
                                <tr>
                                    <th scope="row"><a href=format!("/models/{}", pt.slug)>{pt.model.clone()}</a></th>
                                    <td class="num">{pt.capability}</td>
                                    <td>{pt.benchmark.clone()}</td>
                                    <td>{pt.source.clone().unwrap_or_default()}</td>
                                    <td class="num">{format_pct(pt.asr)}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </Figure>
            })}
            <p class="muted">
                {format!("{} ranked model(s) have no capability score. ", p.without_score)}
                "Maintainers set scores with " <code>"mir-leaderboard set-capability"</code> ", on a model's page, or in the aggregate CSV."
            </p>
            <p class="muted">"A rank correlation across a handful of models is a description, not a causal claim: model families, sizes and training data differ in many ways at once."</p>
        </article>
    }
}
