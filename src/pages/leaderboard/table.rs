//! The ranking table, as the server renders it. Numbers are text, one link per row (the model)
//! plus the sort links in the header, so the keyboard walks the table quickly. Every score cell
//! carries its counts (`data-u`, `data-n`, `data-r`): the browser's sort, search and column
//! ranks recompute the very same scores and intervals from them with the domain's code.

use crate::components::ModelCell;
use crate::domain::leaderboard::query::{Columns, LeaderboardQuery, SortKey};
use crate::domain::leaderboard::{Entry, VsSafest};
use crate::domain::metrics::{Score, format_pct, format_pct1};
use crate::domain::taxonomy::{Relation, RelationGroup, RiskCategory};
use leptos::prelude::*;

/// One table row as shown: the entry, the rank shown (overall, or on the sorted column), and
/// whether the current search hides it (rows stay in the page when the browser can re-filter).
#[derive(Debug, Clone)]
pub struct ShownRow {
    pub entry: Entry,
    pub rank: Option<u32>,
    pub hidden: bool,
    /// A partial run (a preview): it says so where the rank would be, and has none.
    pub partial: bool,
}

/// The colour step of a cell: ten steps of the colour-blind-safe scale, lower = safer. The
/// number stays in the cell, so colour never carries the value alone.
pub fn shade(asr: f64) -> &'static str {
    const STEPS: [&str; 10] = ["c0", "c1", "c2", "c3", "c4", "c5", "c6", "c7", "c8", "c9"];
    STEPS[((asr / 10.0).floor().max(0.0) as usize).min(9)]
}

/// `[12.3–18.9]`
pub fn interval_text(s: &Score) -> String {
    format!("[{}–{}]", format_pct1(s.ci_low), format_pct1(s.ci_high))
}

fn aria_sort(q: &LeaderboardQuery, key: SortKey) -> &'static str {
    match (q.sort == key, q.descending) {
        (false, _) => "none",
        (true, false) => "ascending",
        (true, true) => "descending",
    }
}

/// A sortable column header: a link to the same view sorted by this column. The fragment
/// brings the reader (and the keyboard's starting point) back to this header after the page
/// loads without JavaScript.
fn sort_header(q: &LeaderboardQuery, key: SortKey, label: String, title: String) -> impl IntoView + use<> {
    let href = format!("/{}#sort-{}", q.toggled_sort(key).href_suffix(), key.as_param());
    let active = q.sort == key;
    view! {
        <th scope="col" aria-sort=aria_sort(q, key) data-sort=key.as_param() class:sorted=active id=format!("sort-{}", key.as_param())>
            <a href=href title=title>
                {label}
                <span class="arrow" aria-hidden="true">{if active { if q.descending { " ▼" } else { " ▲" } } else { "" }}</span>
            </a>
        </th>
    }
}

/// The rank header names the column ranks come from when they are not the overall ones.
pub fn rank_basis(q: &LeaderboardQuery) -> String {
    if q.sort.ranks_by_column() { format!("on {}", q.sort.label()) } else { String::new() }
}

#[component]
pub fn BoardTable(rows: Vec<ShownRow>, query: LeaderboardQuery) -> impl IntoView {
    let c = query.columns;
    let q = &query;
    let basis = rank_basis(q);
    view! {
        <table class="board" data-test="leaderboard" data-sort=q.sort.as_param()>
            <caption class="sr-only">
                "Models ranked by attack success rate (lower is safer), with 95% intervals."
            </caption>
            <thead>
                <tr class="groups">
                    <th scope="col" rowspan="2" class="rank" aria-sort=aria_sort(q, SortKey::Rank) data-sort="rank" id="sort-rank">
                        <a href=format!("/{}#sort-rank", q.toggled_sort(SortKey::Rank).href_suffix()) title="1 + the number of models whose whole interval lies below this one's">
                            "Rank"
                        </a>
                        <span class="sub" data-rank-basis>{basis}</span>
                    </th>
                    <th scope="col" rowspan="2" class="model" aria-sort=aria_sort(q, SortKey::Model) data-sort="model" id="sort-model">
                        <a href=format!("/{}#sort-model", q.toggled_sort(SortKey::Model).href_suffix())>"Model"</a>
                    </th>
                    <th scope="col" rowspan="2" class="overall">
                        "Overall ASR"
                        <span class="sub">"% [95% CI] n"</span>
                    </th>
                    {c.relations.then(|| {
                        RelationGroup::ALL.into_iter().map(|g| view! {
                            <th scope="colgroup" colspan=g.relations().count().to_string() class="group">{g.name()}</th>
                        }).collect_view()
                    })}
                    {c.groups.then(|| view! { <th scope="colgroup" colspan="4" class="group">"Groups"</th> })}
                    {c.categories.then(|| view! { <th scope="colgroup" colspan="6" class="group">"Risk categories"</th> })}
                    {c.safety.then(|| view! {
                        <th scope="colgroup" colspan="2" class="group">
                            <a href="/about#refusal-estimate">"How safe is “safe”? (estimate)"</a>
                        </th>
                    })}
                </tr>
                <tr>
                    {c.relations.then(|| {
                        Relation::ALL.into_iter().map(|r| sort_header(q, SortKey::Relation(r), r.short_name().into(), format!("{} ({} attacks)", r.display_name(), r.instance_count()))).collect_view()
                    })}
                    {c.groups.then(|| {
                        RelationGroup::ALL.into_iter().map(|g| sort_header(q, SortKey::Group(g), g.name().into(), format!("{} relations pooled", g.name()))).collect_view()
                    })}
                    {c.categories.then(|| {
                        RiskCategory::ALL.into_iter().map(|cat| sort_header(q, SortKey::Category(cat), cat.display_name().into(), cat.display_name().into())).collect_view()
                    })}
                    {c.safety.then(|| view! {
                        {sort_header(q, SortKey::RefusalRate, "Refused".into(), "Share of all answers that are explicit refusals (estimate)".into())}
                        {sort_header(q, SortKey::Superficial, "Safe w/o refusal".into(), "Share of all answers judged safe without refusing: misunderstanding or evasion (estimate)".into())}
                    })}
                </tr>
            </thead>
            <tbody>
                {rows.into_iter().map(|r| view! { <Row r columns=c sort=q.sort /> }).collect_view()}
            </tbody>
        </table>
    }
}

/// A score cell: the ASR as text, its colour step, and its counts for the browser.
fn score_cell(key: SortKey, s: Option<&Score>, sorted: bool) -> impl IntoView + use<> {
    match s {
        None => view! { <td data-col=key.as_param() class="na" class:sorted=sorted>"–"</td> }.into_any(),
        Some(s) => {
            let class = format!("{}{}", shade(s.asr), if sorted { " sorted" } else { "" });
            view! {
                <td data-col=key.as_param() data-u=s.unsafe_count data-n=s.total class=class>
                    {format_pct(s.asr)}
                    {sorted.then(|| view! { <span class="ci">{interval_text(s)}</span> })}
                </td>
            }
            .into_any()
        }
    }
}

#[component]
fn Row(r: ShownRow, columns: Columns, sort: SortKey) -> impl IntoView {
    let e = r.entry;
    let marker = match e.vs_safest {
        VsSafest::Safest => Some(("tie safest", "safest", "The safest model of this view")),
        VsSafest::NotSignificant { .. } => Some((
            "tie",
            "≈ safest",
            "Not significantly different from the safest model (paired McNemar test on shared items, Holm-adjusted)",
        )),
        _ => None,
    };
    let o = e.overall;
    let refusal = |rate: Option<f64>, key: SortKey| {
        let sorted = sort == key;
        view! {
            <td data-col=key.as_param() class:sorted=sorted>{rate.map(format_pct).unwrap_or_else(|| "–".into())}</td>
        }
    };
    view! {
        <tr
            data-test="row"
            data-model=e.model.name.clone()
            data-org=e.model.organization.clone()
            data-rank=e.rank
            data-r=o.refusals
            class:sample=e.is_sample()
            hidden=r.hidden
        >
            <td class="rank" data-test="rank">{match (r.partial, r.rank) {
                (true, _) => view! { <span class="badge partial" title="A partial run: not ranked until it covers every item">"partial"</span> }.into_any(),
                (false, Some(n)) => n.to_string().into_any(),
                (false, None) => "–".into_any(),
            }}</td>
            <th scope="row" class="model">
                <ModelCell model=e.model.clone() source=e.submission.source />
                {marker.map(|(class, text, title)| view! { <span class=format!("badge {class}") title=title>{text}</span> })}
            </th>
            <td class="overall" data-test="overall" data-col="rank" data-u=o.unsafe_count data-n=o.total>
                <span class="v">{format_pct(o.asr)}</span>
                " "
                <span class="ci">{interval_text(&o)}</span>
                " "
                <span class="n">{format!("n={}", o.total)}</span>
            </td>
            {columns.relations.then(|| Relation::ALL.into_iter().map(|rel| score_cell(SortKey::Relation(rel), e.relation(rel), sort == SortKey::Relation(rel))).collect_view())}
            {columns.groups.then(|| RelationGroup::ALL.into_iter().map(|g| score_cell(SortKey::Group(g), e.group(g), sort == SortKey::Group(g))).collect_view())}
            {columns.categories.then(|| RiskCategory::ALL.into_iter().map(|c| score_cell(SortKey::Category(c), e.category(c), sort == SortKey::Category(c))).collect_view())}
            {columns.safety.then(|| view! {
                {refusal(o.refusal_rate(), SortKey::RefusalRate)}
                {refusal(o.superficial_rate(), SortKey::Superficial)}
            })}
        </tr>
    }
}
