//! The site's figures: page data shaped into each chart's plain input and rendered. Pure
//! functions of the same data the page shows, so a page and its chart agree by construction;
//! the chart routes (`http::charts`) load the data and call these off the async runtime.

use super::input::{Bar, ChartText, Composition, HeatCell, Point, RankedPoint, Series};
use crate::domain::compare::format_p;
use crate::domain::history::{Change, ChangeKind};
use crate::domain::leaderboard::Entry;
use crate::domain::leaderboard::query::SortKey;
use crate::domain::metrics::{Score, format_pct1};
use crate::domain::page_data::{CapabilityPage, ComparePage, ItemsPage, JudgePair, MIN_CELL_N, ModelPage, ScopePage};
use crate::domain::taxonomy::{Relation, RiskCategory};

fn describe(score: Option<&Score>) -> String {
    match score {
        Some(s) => format!(
            "{}% (95% interval {} to {}%, {} of {})",
            format_pct1(s.asr),
            format_pct1(s.ci_low),
            format_pct1(s.ci_high),
            s.unsafe_count,
            s.total
        ),
        None => "no data".into(),
    }
}

fn bar(label: &str, group: Option<&str>, s: Option<&Score>) -> Bar {
    Bar {
        label: label.to_owned(),
        group: group.map(str::to_owned),
        value: s.map(|s| s.asr),
        interval: s.map(|s| (s.ci_low, s.ci_high)),
        n: s.map_or(0, |s| s.total),
    }
}

/// Highest ASR first (no data last), for the "order by value" view of a model's bars; the
/// group headers go, since the groups no longer run together.
fn by_value(mut bars: Vec<Bar>) -> Vec<Bar> {
    bars.sort_by(|a, b| b.value.unwrap_or(f64::NEG_INFINITY).total_cmp(&a.value.unwrap_or(f64::NEG_INFINITY)));
    for b in &mut bars {
        b.group = None;
    }
    bars
}

pub fn model_relations(p: &ModelPage, sample: bool, order_by_value: bool) -> String {
    let e = p.entry.as_ref();
    let bars: Vec<Bar> = Relation::ALL
        .into_iter()
        .map(|r| {
            let label = if order_by_value { r.display_name() } else { r.short_name() };
            bar(label, Some(r.group().name()), e.and_then(|e| e.relation(r)))
        })
        .collect();
    let bars = if order_by_value { by_value(bars) } else { bars };
    let desc = Relation::ALL
        .into_iter()
        .map(|r| format!("{}: {}", r.display_name(), describe(e.and_then(|e| e.relation(r)))))
        .collect::<Vec<_>>()
        .join("; ");
    super::bar_chart(
        &ChartText {
            title: format!("ASR by relation: {} ({})", p.model.name, p.judge),
            desc: format!("Attack success rate per relation with 95% intervals, lower is safer. {desc}."),
        },
        &bars,
        sample,
    )
}

pub fn model_categories(p: &ModelPage, sample: bool, order_by_value: bool) -> String {
    let e = p.entry.as_ref();
    let bars: Vec<Bar> =
        RiskCategory::ALL.into_iter().map(|c| bar(c.display_name(), None, e.and_then(|e| e.category(c)))).collect();
    let bars = if order_by_value { by_value(bars) } else { bars };
    let desc = RiskCategory::ALL
        .into_iter()
        .map(|c| format!("{}: {}", c.display_name(), describe(e.and_then(|e| e.category(c)))))
        .collect::<Vec<_>>()
        .join("; ");
    super::bar_chart(
        &ChartText {
            title: format!("ASR by risk category: {} ({})", p.model.name, p.judge),
            desc: format!("Attack success rate per risk category with 95% intervals, lower is safer. {desc}."),
        },
        &bars,
        sample,
    )
}

pub fn model_heatmap(p: &ModelPage, sample: bool) -> String {
    let rows: Vec<String> = Relation::ALL.iter().map(|r| r.display_name().to_owned()).collect();
    let cols: Vec<String> = RiskCategory::ALL.iter().map(|c| c.display_name().to_owned()).collect();
    let cells: Vec<Vec<HeatCell>> = Relation::ALL
        .iter()
        .map(|r| {
            RiskCategory::ALL
                .iter()
                .map(|c| match p.cells.iter().find(|x| x.0 == *c && x.1 == *r) {
                    Some((_, _, counts)) => HeatCell { value: counts.asr_percent(), n: counts.total },
                    None => HeatCell { value: None, n: 0 },
                })
                .collect()
        })
        .collect();
    super::heatmap(
        &ChartText {
            title: format!("ASR by relation and risk category: {} ({})", p.model.name, p.judge),
            desc: format!(
                "Attack success rate in each relation x category cell, with the number of items per cell; cells with fewer than {MIN_CELL_N} items are marked too few instead of coloured."
            ),
        },
        &rows,
        &cols,
        &cells,
        MIN_CELL_N,
        sample,
    )
}

pub fn model_refusals(p: &ModelPage, sample: bool) -> String {
    let e = p.entry.as_ref();
    let mut rows = Vec::new();
    let mut push = |label: &str, s: Option<&Score>| {
        if let Some(s) = s
            && let Some(refusals) = s.refusals
        {
            rows.push(Composition {
                label: label.to_owned(),
                unsafe_count: s.unsafe_count,
                refusals,
                safe_without_refusal: s.safe_without_refusal().unwrap_or(0),
            });
        }
    };
    push("Overall", e.map(|e| &e.overall));
    for r in Relation::ALL {
        push(r.display_name(), e.and_then(|e| e.relation(r)));
    }
    super::composition_bars(
        &ChartText {
            title: format!("How safe is \"safe\"? {} ({})", p.model.name, p.judge),
            desc: "Share of answers that were unsafe, safe without an explicit refusal, and explicit refusals, overall and per relation. The refusal split is an estimate from refusal phrases (see the About page).".into(),
        },
        &rows,
        sample,
    )
}

pub fn scope_chart(p: &ScopePage) -> String {
    let bars: Vec<Bar> = p.rows.iter().map(|r| bar(&r.model.name, None, Some(&r.score))).collect();
    let desc =
        p.rows.iter().map(|r| format!("{}: {}", r.model.name, describe(Some(&r.score)))).collect::<Vec<_>>().join("; ");
    super::bar_chart(
        &ChartText {
            title: format!("{}: ASR of every model ({})", p.scope.display_name(), p.judge),
            desc: format!(
                "Attack success rate on {} with 95% intervals, safest first. {desc}.",
                p.scope.display_name()
            ),
        },
        &bars,
        p.has_sample,
    )
}

pub fn compare_chart(p: &ComparePage, by_category: bool) -> String {
    let labels: Vec<String> = if by_category {
        RiskCategory::ALL.iter().map(|c| c.display_name().to_owned()).collect()
    } else {
        Relation::ALL.iter().map(|r| r.display_name().to_owned()).collect()
    };
    let pick = |e: &Entry, i: usize| {
        if by_category { e.category(RiskCategory::ALL[i]).copied() } else { e.relation(Relation::ALL[i]).copied() }
    };
    let series: Vec<Series> = p
        .models
        .iter()
        .map(|e| Series {
            name: e.model.name.clone(),
            values: (0..labels.len()).map(|i| pick(e, i).map(|s| (s.asr, Some((s.ci_low, s.ci_high))))).collect(),
        })
        .collect();
    let what = if by_category { "risk category" } else { "relation" };
    let marked = if by_category { p.significant_categories() } else { p.significant_relations() };
    super::grouped_bars(
        &ChartText {
            title: format!(
                "ASR by {what}: {}",
                p.models.iter().map(|e| e.model.name.as_str()).collect::<Vec<_>>().join(" vs ")
            ),
            desc: format!(
                "Attack success rate per {what} for each compared model, with 95% intervals; lower is safer.{}",
                if marked.contains(&true) {
                    format!(
                        " Significant paired differences (Holm-adjusted p < 0.05) on: {}.",
                        labels
                            .iter()
                            .zip(&marked)
                            .filter(|(_, m)| **m)
                            .map(|(l, _)| l.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                } else {
                    " No paired difference is significant after Holm correction.".to_owned()
                }
            ),
        },
        &labels,
        &marked,
        &series,
        p.has_sample,
    )
}

/// The view's rows as the ranking picture: on the sorted column when the sort ranks by column,
/// else overall; `rows` in the table's order with the rank the table shows.
pub fn leaderboard_chart(rows: &[(&Entry, Option<u32>)], sort: SortKey, judge: &str, sample: bool) -> String {
    let on = if sort.ranks_by_column() { sort.label() } else { "overall".to_owned() };
    let scored: Vec<(&Entry, &Score, u32)> =
        rows.iter().filter_map(|(e, rank)| Some((*e, e.score(sort)?, (*rank)?))).collect();
    let best = scored.iter().map(|r| r.2).min();
    let points: Vec<RankedPoint> = scored
        .iter()
        .map(|(e, s, rank)| RankedPoint {
            label: e.model.name.clone(),
            value: s.asr,
            low: s.ci_low,
            high: s.ci_high,
            rank: *rank,
            safest: Some(*rank) == best && *rank == 1,
        })
        .collect();
    super::interval_plot(
        &ChartText {
            title: format!("The ranking with 95% intervals, {on} ({judge})"),
            desc: format!(
                "Each model of this view as a dot at its attack success rate ({on}) with its 95% interval; lower is safer. Models on one shaded band share a rank. {}.",
                scored
                    .iter()
                    .map(|(e, s, rank)| format!("{} (rank {rank}): {}", e.model.name, describe(Some(s))))
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
        },
        &points,
        sample,
        true,
    )
}

/// A model's ranked results over time, oldest first, each with its 95% interval; withdrawn
/// results say so in their label.
pub fn model_history(model: &str, timeline: &[Change], sample: bool) -> String {
    let mut withdrawn = std::collections::HashSet::new();
    for c in timeline.iter().filter(|c| c.kind == ChangeKind::Withdrawn) {
        withdrawn.insert(c.submission_id);
    }
    let approved: Vec<&Change> = timeline.iter().filter(|c| c.kind == ChangeKind::Approved).collect();
    let points: Vec<RankedPoint> = approved
        .iter()
        .filter_map(|c| {
            let o = Score::from_counts(c.overall?)?;
            let gone = if withdrawn.contains(&c.submission_id) { " (withdrawn)" } else { "" };
            Some(RankedPoint {
                label: format!("{} · #{}{gone}", c.date, c.submission_id),
                value: o.asr,
                low: o.ci_low,
                high: o.ci_high,
                rank: 0,
                safest: false,
            })
        })
        .collect();
    super::interval_plot(
        &ChartText {
            title: format!("{model}: every ranked result over time"),
            desc: format!(
                "Overall attack success rate of each result of {model} when it was approved, oldest first, with its 95% interval; lower is safer. {}.",
                points.iter().map(|p| format!("{}: {:.2}%", p.label, p.value)).collect::<Vec<_>>().join("; ")
            ),
        },
        &points,
        sample,
        false,
    )
}

pub fn capability_chart(page: &CapabilityPage) -> String {
    let bench = page.benchmark.clone().unwrap_or_else(|| "capability score".into());
    let points: Vec<Point> = page
        .points
        .iter()
        .filter(|p| Some(&p.benchmark) == page.benchmark.as_ref())
        .map(|p| Point { label: p.model.clone(), x: p.capability, y: p.asr })
        .collect();
    let rho = page
        .correlation
        .map(|c| format!(" Spearman's rho = {:.2} (p {}, n = {}).", c.rho, format_p(c.p), c.n))
        .unwrap_or_default();
    super::scatter(
        &ChartText {
            title: format!("Capability ({bench}) against overall ASR ({})", page.judge),
            desc: format!("Each point is a model: multi-image capability score against attack success rate.{rho}"),
        },
        &points,
        &bench,
        "Overall ASR (%)",
        page.has_sample,
    )
}

/// The distribution of item consensus: one bar per number of models broken (0 to all), its
/// length the share of items, its n the number of items.
pub fn items_chart(p: &ItemsPage) -> String {
    let total: u32 = p.distribution.iter().sum();
    let bars: Vec<Bar> = p
        .distribution
        .iter()
        .enumerate()
        .map(|(k, n)| Bar {
            label: format!("{k} of {} models", p.models),
            group: None,
            value: (total > 0).then(|| f64::from(*n) / f64::from(total) * 100.0),
            interval: None,
            n: *n,
        })
        .collect();
    let desc = p.distribution.iter().enumerate().map(|(k, n)| format!("{k}: {n} items")).collect::<Vec<_>>().join("; ");
    super::bar_chart_with_axis(
        &ChartText {
            title: format!("How many models each item broke ({})", p.judge),
            desc: format!(
                "Items by the number of the {} ranked models with per-item labels that were unsafe on them. {desc}.",
                p.models
            ),
        },
        &bars,
        p.has_sample,
        "Share of items",
        "Bars: share of items that broke this many models. n: items.",
    )
}

/// ASR under judge A against ASR under judge B, one point per model both judged.
pub fn judges_chart(pair: &JudgePair) -> String {
    let points: Vec<Point> = pair
        .models
        .iter()
        .map(|m| Point { label: m.name.clone(), x: m.agreement.asr_a, y: m.agreement.asr_b })
        .collect();
    let desc = pair
        .models
        .iter()
        .map(|m| format!("{}: {}% vs {}%", m.name, format_pct1(m.agreement.asr_a), format_pct1(m.agreement.asr_b)))
        .collect::<Vec<_>>()
        .join("; ");
    super::scatter(
        &ChartText {
            title: format!("ASR under {} against {}", pair.judge_a, pair.judge_b),
            desc: format!("Each point is a model judged by both, on the items both labelled. {desc}."),
        },
        &points,
        &format!("ASR (%) under {}", pair.judge_a),
        &format!("ASR (%) under {}", pair.judge_b),
        pair.models.iter().any(|m| m.sample),
    )
}
