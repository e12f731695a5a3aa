//! The board's one island: what JavaScript adds to the server-rendered filters and table.
//!
//! The table arrives as plain HTML (the island's children, never re-rendered in the browser),
//! with each score cell's counts in data attributes. When every row of the ranked population is
//! in the page, sorting and searching happen right there: the island reads the rows once,
//! orders and filters them with the domain's `visible` and `column_ranks` (the code the server
//! used), moves the `<tr>` elements, and records the view in the URL as a history entry. Focus
//! stays on the control the reader used, because nothing they touch is replaced. Everything
//! that changes the ranked population (judge, weights, reasoning, columns, another page)
//! submits the form: a page load, which the server answers from its cache.

use leptos::prelude::*;

/// The filters and the table, enhanced. `query`: the view's canonical query string (the island
/// parses it with the server's parser, which the bundle holds anyway; a typed prop would add a
/// serde visitor of every field to the wasm). `complete`: every row of the population is in
/// the page (hidden rows included), so in-page sorting and searching are exact.
#[island]
pub fn BoardControls(query: String, complete: bool, children: Children) -> impl IntoView {
    let root = NodeRef::<leptos::html::Div>::new();
    #[cfg(feature = "hydrate")]
    {
        let query = crate::domain::leaderboard::query::LeaderboardQuery::parse(&query).0;
        let state = std::rc::Rc::new(std::cell::RefCell::new(browser::Board::new(query, complete)));
        let s = state.clone();
        Effect::new(move |_| {
            if let Some(el) = root.get() {
                s.borrow_mut().attach(el.into(), s.clone());
            }
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (query, complete);
    view! {
        <div class="board-controls" node_ref=root data-test="board">
            {children()}
        </div>
    }
}

#[cfg(feature = "hydrate")]
mod browser {
    use crate::domain::leaderboard::query::{LeaderboardQuery, SortKey, ViewRow, column_ranks, visible};
    use crate::domain::metrics::{Counts, Score, format_pct};
    use std::cell::RefCell;
    use std::collections::HashMap;
    use std::rc::Rc;
    use wasm_bindgen::JsCast;
    use wasm_bindgen::closure::Closure;
    use web_sys::{Element, HtmlElement, HtmlFormElement, HtmlInputElement};

    /// What the ranking picture of a new view says to a screen reader (the inline one carries
    /// its own title and description).
    const CHART_ALT: &str = "The models of this view as dots at their attack success rate with 95% intervals; models that share a rank on one band";

    /// The session key of the control to focus after a page load the island caused.
    const FOCUS_KEY: &str = "mir-focus";

    /// A table row as the page holds it.
    struct DomRow {
        el: Element,
        rank: u32,
        name: String,
        org: Option<String>,
        /// Score per column (`SortKey::as_param`), from the cell's counts.
        scores: HashMap<String, Score>,
    }

    impl DomRow {
        fn read(el: Element) -> Option<Self> {
            let rank = el.get_attribute("data-rank")?.parse().ok()?;
            let name = el.get_attribute("data-model")?;
            let org = el.get_attribute("data-org");
            let refusals = el.get_attribute("data-r").and_then(|r| r.parse().ok());
            let mut scores = HashMap::new();
            let cells = el.query_selector_all("td[data-u]").ok()?;
            for i in 0..cells.length() {
                let Some(cell) = cells.item(i).and_then(|n| n.dyn_into::<Element>().ok()) else { continue };
                let num = |a: &str| cell.get_attribute(a).and_then(|v| v.parse::<u32>().ok());
                let (Some(col), Some(u), Some(n)) = (cell.get_attribute("data-col"), num("data-u"), num("data-n"))
                else {
                    continue;
                };
                let r = if col == "rank" { refusals } else { None };
                if let Some(score) = Counts::new(u, n, r).ok().and_then(Score::from_counts) {
                    scores.insert(col, score);
                }
            }
            Some(Self { el, rank, name, org, scores })
        }

        fn overall(&self) -> Option<&Score> {
            self.scores.get("rank")
        }
    }

    impl ViewRow for DomRow {
        fn rank(&self) -> u32 {
            self.rank
        }

        fn overall_asr(&self) -> f64 {
            self.overall().map_or(f64::MAX, |s| s.asr)
        }

        fn name(&self) -> &str {
            &self.name
        }

        fn organization(&self) -> Option<&str> {
            self.org.as_deref()
        }

        fn value(&self, key: SortKey) -> Option<f64> {
            match key {
                SortKey::Rank | SortKey::Model => self.overall().map(|s| s.asr),
                SortKey::RefusalRate => self.overall().and_then(Score::refusal_rate),
                SortKey::Superficial => self.overall().and_then(Score::superficial_rate),
                key => self.scores.get(&key.as_param()).map(|s| s.asr),
            }
        }

        fn interval(&self, key: SortKey) -> Option<(f64, f64)> {
            let col = if matches!(key, SortKey::Rank | SortKey::Model) { "rank".to_owned() } else { key.as_param() };
            self.scores.get(&col).map(|s| (s.ci_low, s.ci_high))
        }
    }

    /// The island's state: the view shown, and the rows as read from the page.
    pub struct Board {
        query: LeaderboardQuery,
        complete: bool,
        root: Option<HtmlElement>,
        rows: Vec<DomRow>,
        /// When the URL last got a history entry for typing in the search box: keystrokes
        /// shortly after it replace that entry, so one search is one step back.
        last_push: f64,
        typing: Option<i32>,
    }

    fn window() -> web_sys::Window {
        web_sys::window().expect("a browser window")
    }

    fn closest(target: Option<web_sys::EventTarget>, selector: &str) -> Option<Element> {
        target?.dyn_into::<Element>().ok()?.closest(selector).ok()?
    }

    impl Board {
        pub fn new(query: LeaderboardQuery, complete: bool) -> Self {
            Self { query, complete, root: None, rows: vec![], last_push: f64::MIN, typing: None }
        }

        /// Reads the rows and starts listening (once: the effect may run again).
        pub fn attach(&mut self, root: HtmlElement, me: Rc<RefCell<Board>>) {
            if self.root.is_some() {
                return;
            }
            if let Ok(rows) = root.query_selector_all("tbody tr[data-rank]") {
                self.rows = (0..rows.length())
                    .filter_map(|i| rows.item(i).and_then(|n| n.dyn_into::<Element>().ok()))
                    .filter_map(DomRow::read)
                    .collect();
            }
            self.root = Some(root.clone());
            listen(&root, "click", me.clone(), |b, ev| b.on_click(ev));
            listen(&root, "input", me.clone(), |b, ev| b.on_input(ev));
            listen(&root, "change", me.clone(), |b, ev| b.on_change(ev));
            listen(&window(), "popstate", me, |b, _| b.on_popstate());
            restore_focus(&root);
            // End-to-end tests wait for this before testing what JavaScript adds.
            if let Some(body) = window().document().and_then(|d| d.body()) {
                let _ = body.set_attribute("data-hydrated", "true");
            }
        }

        fn on_click(&mut self, ev: web_sys::Event) {
            let Some(th) = closest(ev.target(), "th[data-sort]") else { return };
            if !self.complete || closest(ev.target(), "a").is_none() {
                return; // the link navigates: the server sorts the whole population
            }
            let Some(key) = th.get_attribute("data-sort").and_then(|k| SortKey::parse(&k)) else { return };
            ev.prevent_default();
            self.query = self.query.toggled_sort(key);
            self.apply();
            self.push_url(false);
        }

        fn on_input(&mut self, ev: web_sys::Event) {
            let Some(input) = ev.target().and_then(|t| t.dyn_into::<HtmlInputElement>().ok()) else { return };
            if input.name() != "q" {
                return;
            }
            if !self.complete {
                // Rows beyond this page exist: let the server search, once typing pauses.
                self.submit_soon(&input);
                return;
            }
            self.query.search = input.value().trim().chars().take(100).collect();
            self.query.page = 1;
            self.apply();
            let now = js_sys::Date::now();
            let replace = now - self.last_push < 1500.0;
            self.push_url(replace);
            self.last_push = now;
        }

        fn on_change(&mut self, ev: web_sys::Event) {
            let Some(el) = ev.target().and_then(|t| t.dyn_into::<Element>().ok()) else { return };
            let Some(control) = el.get_attribute("data-control") else { return };
            if control == "q" {
                return; // handled as it is typed
            }
            remember_focus(&control);
            navigate_to_form_view(&el);
        }

        fn on_popstate(&mut self) {
            let search = window().location().search().unwrap_or_default();
            let (next, _) = LeaderboardQuery::parse(&search);
            let same_population = next.judge == self.query.judge
                && next.as_of == self.query.as_of
                && next.population == self.query.population
                && next.columns == self.query.columns
                && next.per_page == self.query.per_page
                && next.page == self.query.page;
            if !(self.complete && same_population) {
                let _ = window().location().reload();
                return;
            }
            self.query = next;
            self.apply();
            if let Some(input) = self.control("q").and_then(|e| e.dyn_into::<HtmlInputElement>().ok()) {
                input.set_value(&self.query.search);
            }
        }

        fn control(&self, name: &str) -> Option<Element> {
            self.root.as_ref()?.query_selector(&format!("[data-control=\"{name}\"]")).ok()?
        }

        fn submit_soon(&mut self, input: &HtmlInputElement) {
            if let Some(t) = self.typing.take() {
                window().clear_timeout_with_handle(t);
            }
            let input = input.clone();
            let later = Closure::once_into_js(move || {
                remember_focus("q");
                navigate_to_form_view(&input);
            });
            self.typing =
                window().set_timeout_with_callback_and_timeout_and_arguments_0(later.unchecked_ref(), 400).ok();
        }

        fn push_url(&self, replace: bool) {
            let url = format!("/{}", self.query.href_suffix());
            if let Ok(h) = window().history() {
                let _ = if replace {
                    h.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url))
                } else {
                    h.push_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url))
                };
            }
        }

        /// Shows `self.query` in the page: row order and visibility, ranks, headers, links.
        fn apply(&self) {
            let Some(root) = &self.root else { return };
            let q = &self.query;
            let shown = visible(&self.rows, q);
            let ranks = column_ranks(&self.rows, &shown, q.sort);
            let Some(tbody) = root.query_selector("tbody").ok().flatten() else { return };
            for (row, rank) in shown.iter().zip(&ranks) {
                let _ = row.el.remove_attribute("hidden");
                let _ = tbody.append_child(&row.el);
                if let Some(cell) = row.el.query_selector("td.rank").ok().flatten() {
                    cell.set_text_content(Some(&rank.map(|r| r.to_string()).unwrap_or_else(|| "–".into())));
                }
                mark_sorted_cells(row, q.sort);
            }
            for row in self.rows.iter().filter(|r| !shown.iter().any(|s| std::ptr::eq(*s, *r))) {
                let _ = row.el.set_attribute("hidden", "");
                let _ = tbody.append_child(&row.el);
            }
            self.update_headers(root);
            self.update_links(root, shown.len());
        }

        fn update_headers(&self, root: &HtmlElement) {
            let q = &self.query;
            if let Ok(Some(table)) = root.query_selector("table.board") {
                let _ = table.set_attribute("data-sort", &q.sort.as_param());
            }
            let Ok(headers) = root.query_selector_all("th[data-sort]") else { return };
            for i in 0..headers.length() {
                let Some(th) = headers.item(i).and_then(|n| n.dyn_into::<Element>().ok()) else { continue };
                let Some(key) = th.get_attribute("data-sort").and_then(|k| SortKey::parse(&k)) else { continue };
                let active = q.sort == key;
                let aria = match (active, q.descending) {
                    (false, _) => "none",
                    (true, false) => "ascending",
                    (true, true) => "descending",
                };
                let _ = th.set_attribute("aria-sort", aria);
                let _ = th.class_list().toggle_with_force("sorted", active);
                if let Some(a) = th.query_selector("a").ok().flatten() {
                    let _ = a.set_attribute(
                        "href",
                        &format!("/{}#sort-{}", q.toggled_sort(key).href_suffix(), key.as_param()),
                    );
                }
                if let Some(arrow) = th.query_selector(".arrow").ok().flatten() {
                    arrow.set_text_content(Some(if !active {
                        ""
                    } else if q.descending {
                        " ▼"
                    } else {
                        " ▲"
                    }));
                }
            }
            if let Some(basis) = root.query_selector("[data-rank-basis]").ok().flatten() {
                basis.set_text_content(Some(&super::super::table::rank_basis(q)));
            }
        }

        fn update_links(&self, root: &HtmlElement, shown: usize) {
            let suffix = self.query.href_suffix();
            if let Ok(links) = root.query_selector_all("a[data-view-base]") {
                for i in 0..links.length() {
                    let Some(a) = links.item(i).and_then(|n| n.dyn_into::<Element>().ok()) else { continue };
                    if let Some(base) = a.get_attribute("data-view-base") {
                        let _ = a.set_attribute("href", &format!("{base}{suffix}"));
                    }
                }
            }
            // The ranking picture follows the view too. The server drew the first view's inline;
            // a new view's comes as a picture of its own, which the loop below points at it.
            if let Ok(frames) = root.query_selector_all("[data-chart-base]") {
                for i in 0..frames.length() {
                    let Some(frame) = frames.item(i).and_then(|n| n.dyn_into::<Element>().ok()) else { continue };
                    let (Some(base), Some(doc)) = (frame.get_attribute("data-chart-base"), frame.owner_document())
                    else {
                        continue;
                    };
                    let Ok(img) = doc.create_element("img") else { continue };
                    let _ = img.set_attribute("data-view-base", &base);
                    let _ = img.set_attribute("alt", CHART_ALT);
                    let _ = img.set_attribute("width", "640");
                    frame.replace_children_with_node_1(&img);
                    let _ = frame.remove_attribute("data-chart-base");
                }
            }
            if let Ok(images) = root.query_selector_all("img[data-view-base]") {
                for i in 0..images.length() {
                    let Some(img) = images.item(i).and_then(|n| n.dyn_into::<Element>().ok()) else { continue };
                    if let Some(base) = img.get_attribute("data-view-base") {
                        let _ = img.set_attribute("src", &format!("{base}{suffix}"));
                    }
                }
            }
            if let Some(count) = root.query_selector("[data-count]").ok().flatten() {
                count.set_text_content(Some(&format!("{shown} of {} models", self.rows.len())));
            }
            if let Some(empty) = root.query_selector("[data-test=\"no-rows\"]").ok().flatten() {
                let _ = empty.toggle_attribute_with_force("hidden", shown > 0);
            }
        }
    }

    /// The sorted column's cells are marked and show their interval; the others do not.
    fn mark_sorted_cells(row: &DomRow, sort: SortKey) {
        let col = sort.as_param();
        let Ok(cells) = row.el.query_selector_all("td[data-col]") else { return };
        for i in 0..cells.length() {
            let Some(cell) = cells.item(i).and_then(|n| n.dyn_into::<Element>().ok()) else { continue };
            let this = cell.get_attribute("data-col").unwrap_or_default();
            if this == "rank" {
                continue; // the overall column always shows its interval
            }
            let sorted = this == col;
            let _ = cell.class_list().toggle_with_force("sorted", sorted);
            if let Some(s) = row.scores.get(&this) {
                cell.set_text_content(Some(&format_pct(s.asr)));
                if sorted
                    && let Some(doc) = window().document()
                    && let Ok(span) = doc.create_element("span")
                {
                    span.set_class_name("ci");
                    span.set_text_content(Some(&super::super::table::interval_text(s)));
                    let _ = cell.append_child(&span);
                }
            }
        }
    }

    fn listen(
        target: &web_sys::EventTarget,
        event: &str,
        board: Rc<RefCell<Board>>,
        f: fn(&mut Board, web_sys::Event),
    ) {
        let handler = Closure::<dyn FnMut(web_sys::Event)>::new(move |ev: web_sys::Event| {
            if let Ok(mut b) = board.try_borrow_mut() {
                f(&mut b, ev);
            }
        });
        let _ = target.add_event_listener_with_callback(event, handler.as_ref().unchecked_ref());
        // Lives as long as the page.
        handler.forget();
    }

    /// Loads the view the filter form describes, at its canonical URL (the plain form would
    /// spell out every default).
    fn navigate_to_form_view(el: &Element) {
        let form = el.closest("form").ok().flatten().and_then(|f| f.dyn_into::<HtmlFormElement>().ok());
        let Some(form) = form else { return };
        let params = web_sys::FormData::new_with_form(&form)
            .ok()
            .and_then(|data| web_sys::UrlSearchParams::new_with_str_sequence_sequence(&data).ok());
        match params {
            Some(p) => {
                let (q, _) = LeaderboardQuery::parse(&String::from(p.to_string()));
                let _ = window().location().assign(&format!("/{}", q.href_suffix()));
            }
            None => {
                let _ = form.request_submit();
            }
        }
    }

    fn remember_focus(control: &str) {
        if let Ok(Some(s)) = window().session_storage() {
            let _ = s.set_item(FOCUS_KEY, control);
        }
    }

    /// After a page load the island caused, the control that caused it has the focus again.
    fn restore_focus(root: &HtmlElement) {
        let Ok(Some(storage)) = window().session_storage() else { return };
        let Ok(Some(control)) = storage.get_item(FOCUS_KEY) else { return };
        let _ = storage.remove_item(FOCUS_KEY);
        let selector = format!("[data-control=\"{control}\"]");
        if let Some(el) = root.query_selector(&selector).ok().flatten().and_then(|e| e.dyn_into::<HtmlElement>().ok()) {
            let _ = el.focus();
            if let Ok(input) = el.dyn_into::<HtmlInputElement>() {
                let end = input.value().len() as u32;
                let _ = input.set_selection_range(end, end);
            }
        }
    }
}
