//! The filter bar: a plain GET form, so every view is reachable without JavaScript. The
//! board's island applies each control at once when JavaScript runs (see `island`).

use crate::components::{PopulationSelects, judge_options};
use crate::domain::leaderboard::query::{LeaderboardQuery, PerPage, SortKey};
use leptos::prelude::*;

#[component]
pub fn Filters(judges: Vec<String>, judge: String, query: LeaderboardQuery) -> impl IntoView {
    let column = |name: &'static str, label: &'static str| {
        view! {
            <label class="check">
                <input type="checkbox" name="cols" value=name checked=query.columns.get(name) data-control=name />
                {label}
            </label>
        }
    };
    let choices = if judges.is_empty() { vec![judge.clone()] } else { judges };
    view! {
        // The fragment brings the reader back to the filters after the page loads.
        <form method="get" action="/#filters" class="filters" id="filters" data-test="filters">
            <label>
                "Judge "
                <select name="judge" data-control="judge">{judge_options(choices, &judge)}</select>
            </label>
            <a href="/judges" class="judges-link" data-test="judges-link">"Do the judges agree?"</a>
            <PopulationSelects population=query.population />
            <label class="search">
                "Search "
                <input
                    type="search"
                    name="q"
                    value=query.search.clone()
                    placeholder="model or organisation"
                    data-test="search"
                    data-control="q"
                    autocomplete="off"
                />
            </label>
            {(query.sort != SortKey::Rank).then(|| view! { <input type="hidden" name="sort" value=query.sort.as_param() /> })}
            {query.descending.then(|| view! { <input type="hidden" name="dir" value="desc" /> })}
            {query.as_of.map(|d| view! { <input type="hidden" name="as_of" value=d.to_string() /> })}
            {(query.per_page != PerPage::Rows(PerPage::DEFAULT)).then(|| {
                let value = match query.per_page {
                    PerPage::All => "all".to_owned(),
                    PerPage::Rows(n) => n.to_string(),
                };
                view! { <input type="hidden" name="per_page" value=value /> }
            })}
            <details class="columns">
                <summary>"Columns"</summary>
                // An explicit empty choice, so unticking every box is expressible without JavaScript.
                <input type="hidden" name="cols" value="none" />
                {column("relations", "9 relations")}
                {column("groups", "4 relation groups")}
                {column("categories", "6 risk categories")}
                {column("safety", "superficial safety (estimate)")}
            </details>
            <button type="submit" class="apply" data-control="apply">"Apply"</button>
        </form>
    }
}
