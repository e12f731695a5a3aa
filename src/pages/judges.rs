//! `/judges`: do the judges agree? For every pair of judges that labelled the same models'
//! answers: the 2x2 table pooled over those models and per model, ASR under each judge, Cohen's
//! kappa with its 95% interval, and the exact McNemar test of "one judge labels more answers
//! unsafe than the other"; a chart of ASR under one judge against the other, per model.

use crate::components::{Figure, SampleBanner, ScrollTable, loaded, p_text};
use crate::domain::agreement::Agreement;
use crate::domain::metrics::format_pct;
use crate::domain::page_data::{JudgePair, JudgesPage as Page};
use crate::error::AppError;
use leptos::prelude::*;
use leptos_meta::Title;

#[server(prefix = "/fn", endpoint = "judges")]
pub async fn get_judges() -> Result<Page, AppError> {
    let state = super::ssr::state()?;
    crate::services::judges::judges_page(&state).await
}

#[component]
pub fn JudgesPage() -> impl IntoView {
    let data = Resource::new(|| (), |_| get_judges());
    view! {
        <Title text="Do the judges agree?" />
        {loaded(data, |p| view! { <JudgesView p /> })}
    }
}

fn kappa_text(a: &Agreement) -> String {
    match a.kappa {
        Some(k) => format!("{:.3} [{:.3}, {:.3}]", k.kappa, k.low, k.high),
        None => "undefined".into(),
    }
}

#[component]
fn JudgesView(p: Page) -> impl IntoView {
    view! {
        <SampleBanner show=p.has_sample />
        <article class="judges-page" data-test="judges-page">
            <header class="page-head">
                <h1>"Do the judges agree?"</h1>
                <p class="lede">
                    "An answer's label comes from an automatic judge: the harness's own is HarmBench-Llama-2-13b-cls, and its code also points at Llama Guard 3. "
                    "When the same model's answers were judged by two judges, this page shows how often they agree (Cohen's kappa, 1 = always, 0 = no better than chance) "
                    "and whether one of them systematically calls more answers unsafe (the exact McNemar test on the items they disagree on)."
                </p>
            </header>
            <p data-test="judge-list">
                {format!("{} judge(s) with approved results: {}.", p.judges.len(), if p.judges.is_empty() { "none".to_owned() } else { p.judges.join(", ") })}
            </p>
            {if p.pairs.is_empty() {
                view! {
                    <p class="notice" data-test="one-judge">
                        {if p.judges.len() < 2 { "Only one judge has results so far, so there is nothing to compare. " } else { "No two judges share a model with per-item labels yet. " }}
                        "To add a second judge, upload the same run judged by another classifier (for example Llama Guard 3): "
                        <a href="/submit">"submit"</a> " the judge output with the other judge's name; once approved, the run appears here beside the first."
                    </p>
                }.into_any()
            } else {
                p.pairs.into_iter().map(|pair| view! { <PairView pair /> }).collect_view().into_any()
            }}
            <p class="muted">
                <a href="/api/v1/judges/agreement">"This table as JSON"</a>
                " · Kappa's interval: 95%, Fleiss, Cohen and Everitt's large-sample standard error. p: exact two-sided McNemar on the items only one judge called unsafe."
            </p>
        </article>
    }
}

#[component]
fn PairView(pair: JudgePair) -> impl IntoView {
    let (a, b) = (pair.judge_a.clone(), pair.judge_b.clone());
    let chart = format!(
        "/charts/judges.svg?{}",
        form_urlencoded::Serializer::new(String::new()).append_pair("a", &a).append_pair("b", &b).finish()
    );
    let pooled = pair.pooled;
    let verdict = pooled.describe(&a, &b);
    let rows = pair.models.clone();
    view! {
        <section class="pair" data-test="judge-pair" data-pair=format!("{a}|{b}")>
            <h2>{format!("{a} (A) and {b} (B)")}</h2>
            <p class="verdict" data-test="pair-verdict">
                {format!("Over {} model(s) and {} shared items: {verdict}", pair.models.len(), pooled.n)}
            </p>
            <ScrollTable label="Agreement table">
                <table class="data" data-test="agreement">
                    <caption>"Both: unsafe under both judges; only A / only B: unsafe under one; kappa with its 95% interval; p: exact McNemar"</caption>
                    <thead>
                        <tr>
                            <th scope="col">"Model"</th><th scope="col">"n"</th><th scope="col">"Both unsafe"</th><th scope="col">"Only A"</th>
                            <th scope="col">"Only B"</th><th scope="col">"Both safe"</th><th scope="col">"ASR A %"</th><th scope="col">"ASR B %"</th>
                            <th scope="col">"Kappa [95%]"</th><th scope="col">"p"</th>
                        </tr>
                    </thead>
                    <tbody>
                        <tr class="total" data-model="">
                            <th scope="row">"All shared models (pooled)"</th>
                            <AgreementCells a=pooled />
                        </tr>
                        {rows.into_iter().map(|m| view! {
                            <tr data-model=m.slug.clone()>
                                <th scope="row"><a href=format!("/models/{}", m.slug)>{m.name.clone()}</a>{m.sample.then_some(" (sample)")}</th>
                                <AgreementCells a=m.agreement />
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </ScrollTable>
            <Figure src=chart title=format!("ASR under {a} against {b}, one point per model") caption="Each point is a model judged by both, on the items both labelled; a point off the diagonal is a model whose ASR depends on the judge.".into()>
                <p class="muted">"The numbers are in the table above (ASR A % and ASR B %)."</p>
            </Figure>
        </section>
    }
}

#[component]
fn AgreementCells(a: Agreement) -> impl IntoView {
    let t = a.table;
    view! {
        <td class="num">{a.n}</td>
        <td class="num">{t.both_unsafe}</td>
        <td class="num">{t.only_a}</td>
        <td class="num">{t.only_b}</td>
        <td class="num">{t.both_safe}</td>
        <td class="num">{format_pct(a.asr_a)}</td>
        <td class="num">{format_pct(a.asr_b)}</td>
        <td class="num">{kappa_text(&a)}</td>
        <td class="num">{p_text(a.p)}</td>
    }
}
