//! `/models/{slug}`: one model's results: provenance, the per-relation chart with intervals, the
//! relation x category heatmap, the category chart, the superficial-safety estimate, history.

use super::admin::{SetCapability, get_admin};
use crate::components::{CellTable, ErrorBox, Figure, HistoryTable, JudgePicker, SampleBanner, SourceBadge, interval};
use crate::domain::history::{Change, ChangeKind};
use crate::domain::leaderboard::Entry;
use crate::domain::metrics::{Score, format_pct};
use crate::domain::model::{Access, Granularity};
use crate::domain::page_data::{BarOrder, MIN_CELL_N, ModelPage as Page};
use crate::domain::refusal::RuleSet;
use crate::domain::taxonomy::{DEFAULT_JUDGE, Relation, RelationGroup, RiskCategory};
use crate::error::AppError;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

#[server(prefix = "/fn", endpoint = "model")]
pub async fn get_model(slug: String, judge: Option<String>) -> Result<Page, AppError> {
    let state = super::ssr::state()?;
    crate::services::models::model_page(&state, &slug, judge.as_deref()).await
}

#[component]
pub fn ModelPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let set_capability = ServerAction::<SetCapability>::new();
    // Refetched after a maintainer changes the capability score on this page.
    let key = move || {
        (params.get().get("slug").unwrap_or_default(), query.get().get("judge"), set_capability.version().get())
    };
    let data = Resource::new(key, |(slug, judge, _)| get_model(slug, judge));
    let admin = Resource::new(|| (), |_| get_admin());
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || {
                let error = query.get().get("error");
                let order = BarOrder::parse(&query.get().get("order").unwrap_or_default());
                Suspend::new(async move {
                    let csrf = admin.await.ok().flatten();
                    match data.await {
                        Ok(p) => view! {
                            {error.map(|e| view! { <p class="notice error" role="alert" data-test="action-error">{e}</p> })}
                            {order.clone().err().map(|e| view! { <p class="notice error" role="alert" data-test="order-error">{e}</p> })}
                            <ModelView p=p.clone() order=order.clone().unwrap_or_default() />
                            {csrf.map(|csrf| view! { <CapabilityForm p csrf action=set_capability /> })}
                        }.into_any(),
                        Err(e) => view! { <ErrorBox error=e /> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

/// A signed-in maintainer sets or clears the model's capability score.
#[component]
fn CapabilityForm(p: Page, csrf: String, action: ServerAction<SetCapability>) -> impl IntoView {
    let c = p.model.capability.clone();
    view! {
        <section class="moderation" data-test="capability-form">
            <h2>"Capability score (maintainers)"</h2>
            <ActionForm action=action>
                <input type="hidden" name="slug" value=p.model.slug.clone() />
                <input type="hidden" name="csrf" value=csrf />
                <label>"Score " <input name="score" value=c.as_ref().map(|c| c.score.to_string()).unwrap_or_default() /></label>
                <label>"Benchmark " <input name="benchmark" value=c.as_ref().map(|c| c.benchmark.clone()).unwrap_or_default() placeholder="e.g. MuirBench" /></label>
                <label>"Source " <input name="source" value=c.as_ref().and_then(|c| c.source.clone()).unwrap_or_default() placeholder="e.g. paper, Table 3" /></label>
                <button type="submit">"Save"</button>
                <span class="muted">" An empty score clears it."</span>
            </ActionForm>
        </section>
    }
}

fn judge_suffix(judge: &str) -> String {
    if judge == DEFAULT_JUDGE {
        String::new()
    } else {
        format!("?{}", form_urlencoded::Serializer::new(String::new()).append_pair("judge", judge).finish())
    }
}

/// The query of a model view: judge (when not the default) and bar order (when by value).
fn view_query(judge: &str, order: BarOrder) -> String {
    let mut s = form_urlencoded::Serializer::new(String::new());
    if judge != DEFAULT_JUDGE {
        s.append_pair("judge", judge);
    }
    if order.by_value() {
        s.append_pair("order", "value");
    }
    let q = s.finish();
    if q.is_empty() { q } else { format!("?{q}") }
}

/// Links that switch the bars between the taxonomy's order and highest ASR first.
#[component]
fn OrderSwitch(slug: String, judge: String, order: BarOrder, anchor: &'static str) -> impl IntoView {
    let link = |o: BarOrder, label: &'static str| {
        let current = o == order;
        view! {
            <a
                href=format!("/models/{slug}{}#{anchor}", view_query(&judge, o))
                class:current=current
                aria-current=if current { "true" } else { "false" }
                data-test=if o.by_value() { "order-value" } else { "order-taxonomy" }
            >
                {label}
            </a>
        }
    };
    view! {
        <p class="order-switch">
            "Order the bars: " {link(BarOrder::Taxonomy, "by taxonomy")} " · " {link(BarOrder::Value, "highest ASR first")}
        </p>
    }
}

#[component]
fn ModelView(p: Page, order: BarOrder) -> impl IntoView {
    let sample = p.entry.as_ref().is_some_and(Entry::is_sample);
    let m = p.model.clone();
    let suffix = judge_suffix(&p.judge);
    let ordered = view_query(&p.judge, order);
    let chart = |name: &str| {
        if matches!(name, "relations" | "categories") {
            format!("/charts/models/{}/{name}.svg{ordered}", m.slug)
        } else {
            format!("/charts/models/{}/{name}.svg{suffix}", m.slug)
        }
    };
    let e = p.entry.clone();
    view! {
        <Title text=m.name.clone() />
        <SampleBanner show=sample />
        <article class="model-page" data-test="model-page">
            <header class="page-head">
                <p class="crumbs"><a href="/">"Leaderboard"</a> " / model"</p>
                <h1 data-test="model-name">{m.name.clone()}</h1>
                <dl class="facts">
                    <dt>"Organisation"</dt>
                    <dd>{m.organization.clone().unwrap_or_else(|| "unknown".into())}</dd>
                    <dt>"Weights"</dt>
                    <dd>
                        {match m.access {
                            Some(Access::Open) => "open",
                            Some(Access::Closed) => "closed",
                            None => "unknown",
                        }}
                    </dd>
                    <dt>"Reasoning model"</dt>
                    <dd>{if m.reasoning { "yes" } else { "no" }}</dd>
                    <dt>"Parameters"</dt>
                    <dd>{m.parameters_b.map(|b| format!("{b}B")).unwrap_or_else(|| "not disclosed".into())}</dd>
                    {m.link.clone().map(|l| view! {
                        <dt>"Model card"</dt>
                        <dd><a href=l.clone() rel="nofollow noopener noreferrer">{l.clone()}</a></dd>
                    })}
                    <dt>"Capability"</dt>
                    <dd>
                        {match m.capability.clone() {
                            Some(c) => format!(
                                "{} on {}{}",
                                c.score,
                                c.benchmark,
                                c.source.map(|s| format!(" (source: {s})")).unwrap_or_default(),
                            ),
                            None => "no score recorded".into(),
                        }}
                        " · " <a href="/insights">"capability vs vulnerability"</a>
                    </dd>
                </dl>
            </header>
            {match e.clone() {
                None => view! {
                    <p class="notice">{format!("No approved result under the judge {}.", p.judge)}</p>
                }.into_any(),
                Some(e) => view! { <Summary e=e.clone() p=p.clone() /> }.into_any(),
            }}
            <JudgePicker judges=p.judges.clone() current=p.judge.clone() />
            {p.universal.map(|u| {
                let items = format!("/items{}", judge_suffix(&p.judge));
                view! {
                    <p class="universal" data-test="universal">
                        {format!("Unsafe on {} of the {} universal items", u.unsafe_on, u.of)}
                        " (attacks that broke at least 80% of the ranked models with per-item labels under this judge). "
                        <a href=items>"Which attacks break every model"</a>
                    </p>
                }
            })}
            {e.clone().map(|e| {
                let items = e.submission.granularity == Granularity::Items;
                let (for_relations, for_categories, for_refusals) = (e.clone(), e.clone(), e.clone());
                let cells = p.cells.clone();
                view! {
                    <section id="relations">
                        <h2>"Attack success rate by relation"</h2>
                        <OrderSwitch slug=m.slug.clone() judge=p.judge.clone() order anchor="relations" />
                        <Figure
                            src=chart("relations")
                            title=format!("ASR by relation for {} with 95% intervals", m.name)
                            caption=if order.by_value() { "Bars: ASR (lower is safer), highest first. Whiskers: 95% Wilson intervals. The axis ends just above the largest value and starts at 0.".to_owned() } else { "Bars: ASR (lower is safer). Whiskers: 95% Wilson intervals. Grouped by the four relation families. The axis ends just above the largest value and starts at 0.".to_owned() }
                        >
                            <RelationTable e=for_relations />
                        </Figure>
                    </section>
                    <section id="heatmap">
                        <h2>"Relation × risk category"</h2>
                        {if items {
                            view! {
                                <Figure
                                    src=chart("heatmap")
                                    title=format!("ASR per relation and risk category for {}", m.name)
                                    caption=format!("Each cell: ASR and number of items. Cells with fewer than {MIN_CELL_N} items are marked too few instead of coloured.")
                                >
                                    <CellTable cells=cells />
                                </Figure>
                            }.into_any()
                        } else {
                            view! { <p class="notice">"This result has aggregate numbers only (a published table), so there are no per-cell figures."</p> }.into_any()
                        }}
                    </section>
                    <section id="categories">
                        <h2>"Attack success rate by risk category"</h2>
                        {if e.categories.iter().any(Option::is_some) {
                            view! {
                                <OrderSwitch slug=m.slug.clone() judge=p.judge.clone() order anchor="categories" />
                                <Figure
                                    src=chart("categories")
                                    title=format!("ASR by risk category for {} with 95% intervals", m.name)
                                    caption="Bars: ASR (lower is safer). Whiskers: 95% Wilson intervals.".into()
                                >
                                    <CategoryTable e=for_categories />
                                </Figure>
                            }.into_any()
                        } else {
                            view! { <p class="notice">"No per-category figures for this result."</p> }.into_any()
                        }}
                    </section>
                    <section id="refusals">
                        <h2>"How safe is “safe”? " <span class="estimate">"(estimate)"</span></h2>
                        {if e.overall.refusals.is_some() {
                            view! {
                                <p>
                                    "Answers the judge labelled safe, split into explicit refusals and safe answers without a refusal (misunderstanding or evasion). "
                                    "The split is an " <strong>"estimate"</strong> " from refusal phrases, rule set "
                                    <code>{p.rule_set_version.clone().unwrap_or_else(|| RuleSet::builtin().version().to_owned())}</code>
                                    "; " <a href="/about#refusal-estimate">"see the rules"</a> "."
                                </p>
                                <Figure
                                    src=chart("refusals")
                                    title=format!("Unsafe, safe without refusal, and refusal shares for {}", m.name)
                                    caption="Shares of all answers, overall and per relation (estimate).".into()
                                >
                                    <RefusalTable e=for_refusals />
                                </Figure>
                            }.into_any()
                        } else {
                            view! {
                                <p class="notice" data-test="no-estimate">
                                    "No estimate: this result has aggregate numbers only, without the answers needed to tell refusals from other safe answers. "
                                    <a href="/about#refusal-estimate">"About the estimate"</a>
                                </p>
                            }.into_any()
                        }}
                    </section>
                }
            })}
            <Timeline p=p.clone() />
            <section id="history">
                <h2>"Submission history"</h2>
                <HistoryTable lines=p.history.clone() />
            </section>
            <BadgeSnippet p=p.clone() />
        </article>
    }
}

/// Every ranked result of the model over time, as a chart once there are two to compare.
#[component]
fn Timeline(p: Page) -> impl IntoView {
    let approved: Vec<Change> = p.timeline.iter().filter(|c| c.kind == ChangeKind::Approved).cloned().collect();
    (approved.len() >= 2).then(|| {
        let withdrawn: Vec<i64> =
            p.timeline.iter().filter(|c| c.kind == ChangeKind::Withdrawn).map(|c| c.submission_id).collect();
        let sample = p.entry.as_ref().is_some_and(Entry::is_sample);
        let src = format!("/charts/models/{}/history.svg", p.model.slug);
        let rows = approved
            .into_iter()
            .map(|c| {
                let gone = withdrawn.contains(&c.submission_id);
                view! {
                    <tr data-test="timeline-row">
                        <td><a href=format!("/?as_of={}", c.date)>{c.date.clone()}</a></td>
                        <td><a href=format!("/submissions/{}", c.submission_id)>{format!("#{}", c.submission_id)}</a></td>
                        <td>{c.judge.clone()}</td>
                        <td class="num">{c.asr_text().map(|a| format!("{a}%")).unwrap_or_default()}</td>
                        <td>{if gone { "withdrawn" } else { "" }}</td>
                    </tr>
                }
            })
            .collect_view();
        view! {
            <section id="over-time">
                <h2>"Results over time"</h2>
                <Figure
                    src
                    title=format!("{}: every ranked result over time", p.model.name)
                    caption=if sample { "SAMPLE DATA. Each result's overall ASR when it was approved, with its 95% interval.".to_owned() } else { "Each result's overall ASR when it was approved, with its 95% interval.".to_owned() }
                >
                    <table class="data">
                        <thead><tr><th scope="col">"Approved (UTC)"</th><th scope="col">"Submission"</th><th scope="col">"Judge"</th><th scope="col" class="num">"ASR"</th><th scope="col">"State"</th></tr></thead>
                        <tbody>{rows}</tbody>
                    </table>
                </Figure>
            </section>
        }
    })
}

/// The README badge and the Markdown to copy.
#[component]
fn BadgeSnippet(p: Page) -> impl IntoView {
    let base = p.public_url.clone();
    let slug = p.model.slug.clone();
    let judge_q = if p.judge == DEFAULT_JUDGE {
        String::new()
    } else {
        format!("?judge={}", form_urlencoded::byte_serialize(p.judge.as_bytes()).collect::<String>())
    };
    let img = format!("/badges/{slug}.svg{judge_q}");
    let markdown = format!("[![MIR-SafetyBench]({base}{img})]({base}/models/{slug})");
    view! {
        <section id="badge">
            <h2>"Badge for your README"</h2>
            <p><img src=img.clone() alt=format!("MIR-SafetyBench badge of {}", p.model.name) data-test="badge" /></p>
            <p>"Markdown (the badge follows the live leaderboard: ASR, rank and number of ranked models of the default view):"</p>
            <pre class="snippet" tabindex="0"><code data-test="badge-markdown">{markdown}</code></pre>
        </section>
    }
}

#[component]
fn Summary(e: Entry, p: Page) -> impl IntoView {
    let coverage = crate::domain::submission::Coverage::from_breakdown(&{
        let mut b = crate::domain::leaderboard::Breakdown::default();
        for (i, r) in Relation::ALL.into_iter().enumerate() {
            b.relations[i] = e.relation(r).map(Score::counts);
        }
        b
    });
    let partial = e.submission.granularity == Granularity::Items && !coverage.is_complete();
    view! {
        <section class="summary" data-test="summary">
            <p class="headline">
                "Overall ASR "
                <strong data-test="overall-asr">{format!("{}%", format_pct(e.overall.asr))}</strong>
                {format!(
                    " (95% interval {}%, {} of {} answers unsafe) · rank {} of {} under {}",
                    interval(&e.overall),
                    e.overall.unsafe_count,
                    e.overall.total,
                    e.rank,
                    p.ranked_models,
                    p.judge,
                )}
            </p>
            <p class="provenance">
                "Result: " <a href=format!("/submissions/{}", e.submission.id)>{format!("submission #{}", e.submission.id)}</a>
                {format!(" of {} · ", e.submission.date)}
                <SourceBadge source=e.submission.source />
                {format!(" · {}", match e.submission.granularity {
                    Granularity::Items => "per-item labels",
                    Granularity::Aggregate => "aggregate numbers only",
                })}
                {p.note.clone().map(|n| view! { <span class="note">" · " {n}</span> })}
            </p>
            {partial.then(|| view! {
                <p class="notice" data-test="partial">
                    {format!("Partial run: {} of {} items.", coverage.received, coverage.expected)}
                </p>
            })}
            <Weakest e=e.clone() />
            <p><a href=format!("/compare?models={}", e.model.slug)>"Compare with other models"</a></p>
        </section>
    }
}

#[component]
fn RelationTable(e: Entry) -> impl IntoView {
    view! {
        <table class="data" data-test="relation-table">
            <caption>"ASR by relation (95% interval)"</caption>
            <thead><tr><th scope="col">"Group"</th><th scope="col">"Relation"</th><th scope="col">"ASR %"</th><th scope="col">"95% CI"</th><th scope="col">"Unsafe / n"</th></tr></thead>
            <tbody>
                {RelationGroup::ALL.into_iter().map(|g| {
                    let gs = e.group(g).copied();
                    view! {
                        {g.relations().map(|r| {
                            let s = e.relation(r).copied();
                            view! {
                                <tr data-relation=r.harness_name()>
                                    <td>{g.name()}</td>
                                    <th scope="row"><a href=format!("/relations/{}", r.slug())>{r.short_name()}</a></th>
                                    <td class="num" data-test="asr">{s.map(|s| format_pct(s.asr)).unwrap_or_else(|| "–".into())}</td>
                                    <td class="num">{s.map(|s| interval(&s)).unwrap_or_default()}</td>
                                    <td class="num">{s.map(|s| format!("{} / {}", s.unsafe_count, s.total)).unwrap_or_default()}</td>
                                </tr>
                            }
                        }).collect_view()}
                        <tr class="group-total">
                            <td>{g.name()}</td>
                            <th scope="row">"all " {g.name().to_lowercase()}</th>
                            <td class="num">{gs.map(|s| format_pct(s.asr)).unwrap_or_else(|| "–".into())}</td>
                            <td class="num">{gs.map(|s| interval(&s)).unwrap_or_default()}</td>
                            <td class="num">{gs.map(|s| format!("{} / {}", s.unsafe_count, s.total)).unwrap_or_default()}</td>
                        </tr>
                    }
                }).collect_view()}
                <tr class="total">
                    <td></td>
                    <th scope="row">"Overall"</th>
                    <td class="num">{format_pct(e.overall.asr)}</td>
                    <td class="num">{interval(&e.overall)}</td>
                    <td class="num">{format!("{} / {}", e.overall.unsafe_count, e.overall.total)}</td>
                </tr>
            </tbody>
        </table>
    }
}

#[component]
fn CategoryTable(e: Entry) -> impl IntoView {
    view! {
        <table class="data" data-test="category-table">
            <caption>"ASR by risk category (95% interval)"</caption>
            <thead><tr><th scope="col">"Category"</th><th scope="col">"ASR %"</th><th scope="col">"95% CI"</th><th scope="col">"Unsafe / n"</th></tr></thead>
            <tbody>
                {RiskCategory::ALL.into_iter().map(|c| {
                    let s = e.category(c).copied();
                    view! {
                        <tr data-category=c.harness_name()>
                            <th scope="row"><a href=format!("/categories/{}", c.slug())>{c.display_name()}</a></th>
                            <td class="num" data-test="asr">{s.map(|s| format_pct(s.asr)).unwrap_or_else(|| "–".into())}</td>
                            <td class="num">{s.map(|s| interval(&s)).unwrap_or_default()}</td>
                            <td class="num">{s.map(|s| format!("{} / {}", s.unsafe_count, s.total)).unwrap_or_default()}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}

#[component]
fn RefusalTable(e: Entry) -> impl IntoView {
    let row = |label: String, s: Option<Score>| {
        let share =
            |x: Option<u32>, t: u32| x.map(|x| format_pct(x as f64 / t as f64 * 100.0)).unwrap_or_else(|| "–".into());
        view! {
            <tr>
                <th scope="row">{label}</th>
                <td class="num">{s.map(|s| format_pct(s.asr)).unwrap_or_else(|| "–".into())}</td>
                <td class="num" data-test="refusal">{s.map(|s| share(s.refusals, s.total)).unwrap_or_else(|| "–".into())}</td>
                <td class="num" data-test="superficial">{s.map(|s| share(s.safe_without_refusal(), s.total)).unwrap_or_else(|| "–".into())}</td>
                <td class="num">{s.map(|s| format!("{} / {} / {}", s.unsafe_count, s.refusals.unwrap_or(0), s.safe_without_refusal().unwrap_or(0))).unwrap_or_default()}</td>
            </tr>
        }
    };
    view! {
        <table class="data" data-test="refusal-table">
            <caption>"Shares of all answers, % (estimate)"</caption>
            <thead><tr><th scope="col">"Scope"</th><th scope="col">"Unsafe"</th><th scope="col">"Refused"</th><th scope="col">"Safe w/o refusal"</th><th scope="col">"Counts (unsafe / refused / other safe)"</th></tr></thead>
            <tbody>
                {row("Overall".into(), Some(e.overall))}
                {Relation::ALL.into_iter().map(|r| row(r.display_name().into(), e.relation(r).copied())).collect_view()}
            </tbody>
        </table>
    }
}

/// Where the model is weakest: its three highest-ASR relations and two highest-ASR categories,
/// each with its interval, and whether that interval lies wholly above the model's overall one
/// (a weakness the data can tell apart from noise).
#[component]
fn Weakest(e: Entry) -> impl IntoView {
    fn worst<K: Copy>(scores: Vec<(K, Score)>, k: usize) -> Vec<(K, Score)> {
        let mut scores = scores;
        scores.sort_by(|a, b| b.1.asr.total_cmp(&a.1.asr));
        scores.truncate(k);
        scores
    }
    let relations = worst(Relation::ALL.into_iter().filter_map(|r| Some((r, *e.relation(r)?))).collect(), 3);
    let categories = worst(RiskCategory::ALL.into_iter().filter_map(|c| Some((c, *e.category(c)?))).collect(), 2);
    let overall = e.overall;
    let item = move |name: &'static str, href: String, s: Score| {
        let clear = s.ci_low > overall.ci_high;
        view! {
            <li data-test="weak">
                <a href=href>{name}</a>
                {format!(" {}% [{}]", format_pct(s.asr), interval(&s))}
                {clear.then_some(", clearly above overall")}
            </li>
        }
    };
    (!relations.is_empty()).then(|| {
        view! {
            <div class="weakest" data-test="weakest">
                <h2>"Where it is weakest"</h2>
                <p class="muted">"Highest attack success first, with 95% intervals; \"clearly above overall\": the whole interval lies above the overall one."</p>
                <div class="weakest-lists">
                    <div>
                        <h3>"Relations"</h3>
                        <ol>{relations.into_iter().map(|(r, s)| item(r.display_name(), format!("/relations/{}", r.slug()), s)).collect_view()}</ol>
                    </div>
                    {(!categories.is_empty()).then(|| view! {
                        <div>
                            <h3>"Risk categories"</h3>
                            <ol>{categories.into_iter().map(|(c, s)| item(c.display_name(), format!("/categories/{}", c.slug()), s)).collect_view()}</ol>
                        </div>
                    })}
                </div>
            </div>
        }
    })
}
