//! View pieces shared by several pages.

use crate::domain::leaderboard::{ModelInfo, Population};
use crate::domain::metrics::{Counts, Score, format_pct, format_pct1};
use crate::domain::model::{Access, Source};
use crate::domain::page_data::{MIN_CELL_N, SAMPLE_NOTICE};
use crate::domain::submission::SubmissionLine;
use crate::domain::taxonomy::{Relation, RiskCategory};
use crate::error::AppError;
use leptos::prelude::*;

/// Sets the HTTP status of the page being rendered on the server (a no-op in the browser,
/// where the response has long been sent).
pub fn set_status(code: u16) {
    #[cfg(feature = "ssr")]
    if let Some(r) = use_context::<leptos_axum::ResponseOptions>()
        && let Ok(status) = axum::http::StatusCode::from_u16(code)
    {
        r.set_status(status);
    }
    #[cfg(not(feature = "ssr"))]
    let _ = code;
}

/// The notice every page shows while sample data is on it.
#[component]
pub fn SampleBanner(show: bool) -> impl IntoView {
    show.then(|| {
        view! {
            <p class="sample-banner" role="note" data-test="sample-banner">
                <strong>"SAMPLE DATA"</strong>
                " · "
                {SAMPLE_NOTICE}
                ". The models below are fictional and their numbers were generated to demonstrate the site. "
                <a href="/about#sample-data">"Why is it here?"</a>
            </p>
        }
    })
}

/// A server error, shown where the content would be, with the matching HTTP status.
#[component]
pub fn ErrorBox(error: AppError) -> impl IntoView {
    set_status(error.status_code());
    let title = match &error {
        AppError::NotFound(_) => "Not found",
        AppError::Unauthorized(_) => "Sign-in needed",
        AppError::Forbidden(_) => "Not allowed",
        AppError::Internal | AppError::Transport(_) => "Something went wrong",
        _ => "That did not work",
    };
    view! {
        <section class="error-box" role="alert" data-test="error">
            <h1>{title}</h1>
            <p>{error.to_string()}</p>
            <p>
                <a href="/">"Back to the leaderboard"</a>
            </p>
        </section>
    }
}

/// A page's data once it has loaded, or its error (with the matching HTTP status).
pub fn loaded<T, V, F>(data: Resource<Result<T, AppError>>, render: F) -> impl IntoView
where
    T: Clone + Send + Sync + serde::Serialize + serde::de::DeserializeOwned + 'static,
    F: Fn(T) -> V + Clone + Send + Sync + 'static,
    V: IntoView + 'static,
{
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || {
                let render = render.clone();
                Suspend::new(async move {
                    match data.await {
                        Ok(v) => render(v).into_any(),
                        Err(e) => view! { <ErrorBox error=e /> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

/// The 404 page.
#[component]
pub fn NotFound(what: String) -> impl IntoView {
    view! { <ErrorBox error=AppError::NotFound(what) /> }
}

/// A model's name with its facts as small badges: organisation, weights, reasoning, source.
#[component]
pub fn ModelCell(model: ModelInfo, source: Source) -> impl IntoView {
    let href = format!("/models/{}", model.slug);
    view! {
        <a class="model-name" href=href>
            {model.name.clone()}
        </a>
        <span class="badges">
            {model.organization.clone().map(|o| view! { <span class="org">{o}</span> })}
            {model
                .access
                .map(|a| {
                    let (class, text) = match a {
                        Access::Open => ("badge open", "open weights"),
                        Access::Closed => ("badge closed", "closed"),
                    };
                    view! { <span class=class>{text}</span> }
                })}
            {model.reasoning.then(|| view! { <span class="badge reasoning">"reasoning"</span> })}
            <SourceBadge source />
        </span>
    }
}

/// Where a result comes from, in words.
#[component]
pub fn SourceBadge(source: Source) -> impl IntoView {
    let (class, text, title) = match source {
        Source::Paper => ("badge paper", "paper", "Transcribed from the paper's tables: aggregate numbers only"),
        Source::SelfReported => {
            ("badge self", "self-reported", "Uploaded harness output, not re-run by the maintainers")
        }
        Source::Verified => ("badge verified", "verified", "Re-run or checked by the maintainers"),
        Source::Sample => ("badge sample", "sample", SAMPLE_NOTICE),
    };
    view! {
        <span class=class title=title>
            {text}
        </span>
    }
}

/// `12.3–18.9`: an interval in percent, one decimal.
pub fn interval(s: &Score) -> String {
    format!("{}–{}", format_pct1(s.ci_low), format_pct1(s.ci_high))
}

/// An ASR with its interval and n, for table cells.
#[component]
pub fn ScoreCell(
    score: Option<Score>,
    #[prop(optional)] href: Option<String>,
    #[prop(optional)] full: bool,
) -> impl IntoView {
    match score {
        None => view! { <span class="na" title="no data">"–"</span> }.into_any(),
        Some(s) => {
            let text = crate::domain::metrics::format_pct(s.asr);
            let title = format!("{} of {} unsafe; 95% interval {}%", s.unsafe_count, s.total, interval(&s));
            let value = match href {
                Some(h) => view! { <a href=h>{text}</a> }.into_any(),
                None => view! { <span>{text}</span> }.into_any(),
            };
            view! {
                <span class="score" title=title.clone()>
                    {value}
                    {full
                        .then(|| {
                            view! {
                                <span class="ci">{format!("[{}]", interval(&s))}</span>
                                <span class="n">{format!("n={}", s.total)}</span>
                            }
                        })}
                </span>
            }
            .into_any()
        }
    }
}

/// A wide table's own sideways-scrolling frame, so that no page grows wider than the screen; it
/// takes keyboard focus, so it scrolls without a mouse too.
#[component]
pub fn ScrollTable(#[prop(into)] label: String, children: Children) -> impl IntoView {
    view! {
        <div class="table-scroll" role="region" aria-label=label tabindex="0">
            {children()}
        </div>
    }
}

/// A chart with its own URL (for download and caching), and the data behind it as a table.
/// On a narrow screen the chart keeps its native size (readable text) and scrolls sideways
/// in its own frame, like the table beside it; both frames take keyboard focus so they can
/// be scrolled without a mouse.
#[component]
pub fn Figure(src: String, title: String, caption: String, children: Children) -> impl IntoView {
    view! {
        <figure class="chart" data-test="chart">
            <div class="chart-frame" role="region" aria-label=format!("Chart: {title}") tabindex="0">
                <img src=src.clone() alt=title.clone() loading="lazy" />
            </div>
            <figcaption>
                {caption}
                " "
                <a href=src download="">
                    "Download SVG"
                </a>
            </figcaption>
            <div class="chart-data" role="region" aria-label=format!("Data: {title}") tabindex="0">{children()}</div>
        </figure>
    }
}

/// The `<option>`s of a judge `<select>`, the current one selected.
pub fn judge_options(judges: Vec<String>, current: &str) -> impl IntoView + use<> {
    judges
        .into_iter()
        .map(|j| {
            let selected = j == current;
            let label = j.clone();
            view! {
                <option value=j selected=selected>
                    {label}
                </option>
            }
        })
        .collect_view()
}

/// A GET form that switches the judge of a view, keeping the other parameters.
#[component]
pub fn JudgePicker(
    judges: Vec<String>,
    current: String,
    #[prop(optional)] hidden: Vec<(String, String)>,
) -> impl IntoView {
    (judges.len() > 1).then(|| {
        view! {
            <form method="get" class="judge-picker">
                {hidden
                    .into_iter()
                    .map(|(k, v)| view! { <input type="hidden" name=k value=v /> })
                    .collect_view()}
                <label>
                    "Judge "
                    <select name="judge">{judge_options(judges, &current)}</select>
                </label>
                <button type="submit">"Show"</button>
            </form>
        }
    })
}

/// The population selects (weights, reasoning) of a GET form, showing `population`; the
/// leaderboard and the scope pages read them with the same parser. `data-control` names the
/// control for the board's island, which applies it at once.
#[component]
pub fn PopulationSelects(population: Population) -> impl IntoView {
    let access = population.access.map(|a| a.as_str()).unwrap_or("all");
    let reasoning = match population.reasoning {
        Some(true) => "yes",
        Some(false) => "no",
        None => "all",
    };
    view! {
        <label>
            "Weights "
            <select name="access" data-test="access-filter" data-control="access">
                <option value="all" selected=access == "all">"all"</option>
                <option value="open" selected=access == "open">"open"</option>
                <option value="closed" selected=access == "closed">"closed"</option>
            </select>
        </label>
        <label>
            "Reasoning "
            <select name="reasoning" data-test="reasoning-filter" data-control="reasoning">
                <option value="all" selected=reasoning == "all">"all"</option>
                <option value="yes" selected=reasoning == "yes">"reasoning models"</option>
                <option value="no" selected=reasoning == "no">"non-reasoning"</option>
            </select>
        </label>
    }
}

/// A p-value as people read it.
pub fn p_text(p: f64) -> String {
    format!("p {}", crate::domain::compare::format_p(p))
}

/// The heatmap's numbers: every cell with its ASR and n, or "too few".
#[component]
pub fn CellTable(cells: Vec<(RiskCategory, Relation, Counts)>) -> impl IntoView {
    view! {
        <table class="data cells" data-test="cell-table">
            <caption>"ASR % (n) per relation and risk category"</caption>
            <thead>
                <tr>
                    <th scope="col">"Relation"</th>
                    {RiskCategory::ALL.into_iter().map(|c| view! { <th scope="col">{c.display_name()}</th> }).collect_view()}
                </tr>
            </thead>
            <tbody>
                {Relation::ALL.into_iter().map(|r| view! {
                    <tr>
                        <th scope="row">{r.display_name()}</th>
                        {RiskCategory::ALL.into_iter().map(|c| {
                            let cell = cells.iter().find(|x| x.0 == c && x.1 == r).map(|x| x.2);
                            let text = match cell {
                                None => "–".to_owned(),
                                Some(n) if n.total < MIN_CELL_N => format!("too few (n={})", n.total),
                                Some(n) => format!("{} ({})", n.asr_percent().map(format_pct).unwrap_or_default(), n.total),
                            };
                            view! { <td class="num" data-cell=format!("{}/{}", r.harness_name(), c.harness_name())>{text}</td> }
                        }).collect_view()}
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}

/// A list of submissions with their states and reasons.
#[component]
pub fn HistoryTable(lines: Vec<SubmissionLine>) -> impl IntoView {
    if lines.is_empty() {
        return view! { <p class="empty">"No submissions."</p> }.into_any();
    }
    view! {
        <ScrollTable label="Submission history">
            <table class="data" data-test="history">
                <thead><tr><th scope="col">"#"</th><th scope="col">"Model"</th><th scope="col">"Judge"</th><th scope="col">"Source"</th><th scope="col">"Status"</th><th scope="col">"Submitted"</th><th scope="col">"Decided"</th><th scope="col">"Reason"</th></tr></thead>
                <tbody>
                    {lines.into_iter().map(|l| view! {
                        <tr data-test="submission-line" data-status=l.status.as_str()>
                            <td><a href=format!("/submissions/{}", l.id)>{format!("#{}", l.id)}</a></td>
                            <td><a href=format!("/models/{}", l.model_slug)>{l.model.clone()}</a></td>
                            <td>{l.judge.clone()}</td>
                            <td><SourceBadge source=l.source /></td>
                            <td><span class=format!("status {}", l.status.as_str())>{l.status.as_str()}</span></td>
                            <td>{l.submitted_date.clone()}</td>
                            <td>{l.decided_date.clone().unwrap_or_default()}</td>
                            <td>{l.reason.clone().unwrap_or_default()}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </ScrollTable>
    }.into_any()
}
