//! The document shell and the router: one route per page, each in its own module.

use crate::components::NotFound;
use crate::pages;
use leptos::prelude::*;
use leptos_meta::{Link, Meta, MetaTags, Title, provide_meta_context};
use leptos_router::components::{A, Route, Router, Routes};
use leptos_router::{SsrMode, path};

/// The stylesheet's URL: content-hashed when the site build hashed its assets (then the file is
/// served as immutable), the plain name otherwise.
fn stylesheet_href(options: &LeptosOptions) -> String {
    let name = &options.output_name;
    let hash = options.hash_files.then(|| asset_hash(options, "css")).flatten();
    match hash {
        Some(h) => format!("/{}/{name}.{h}.css", options.site_pkg_dir),
        None => format!("/{}/{name}.css", options.site_pkg_dir),
    }
}

/// The `key: hash` line of the build's hash file (read once per process).
fn asset_hash(options: &LeptosOptions, key: &str) -> Option<String> {
    static HASHES: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let text = HASHES.get_or_init(|| std::fs::read_to_string(options.hash_file.as_ref()).unwrap_or_default());
    text.lines().filter_map(|l| l.split_once(':')).find(|(k, _)| k.trim() == key).map(|(_, v)| v.trim().to_owned())
}

/// The whole HTML document, rendered on the server for every page.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="color-scheme" content="light dark" />
                <link rel="stylesheet" id="leptos" href=stylesheet_href(&options) />
                <AutoReload options=options.clone() />
                <HydrationScripts options islands=true />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// The application: header, routes, footer.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        // id=leptos lets cargo-leptos hot-reload the stylesheet during `cargo leptos watch`.
        <Link rel="icon" href="/favicon.svg" type_="image/svg+xml" />
        <Link rel="alternate" type_="application/atom+xml" href="/feed.xml" title="MIR-SafetyBench: new and withdrawn results" />
        <Meta name="description" content="MIR-SafetyBench leaderboard: how often multi-image relation attacks succeed against multimodal LLMs. Lower is safer." />
        <Title formatter=|t: String| if t.is_empty() { "MIR-SafetyBench leaderboard".to_owned() } else { format!("{t} · MIR-SafetyBench") } />
        <Router>
            <a class="skip" href="#content">"Skip to content"</a>
            <header class="site">
                <A href="/" attr:class="brand">
                    <span class="brand-mark" aria-hidden="true">"MIR"</span>
                    <span>"MIR-SafetyBench " <span class="muted">"leaderboard"</span></span>
                </A>
                <nav aria-label="Main">
                    <A href="/">"Leaderboard"</A>
                    <A href="/compare">"Compare"</A>
                    <A href="/insights">"Insights"</A>
                    <A href="/items">"Items"</A>
                    <A href="/judges">"Judges"</A>
                    <A href="/submit">"Submit"</A>
                    <A href="/submissions">"Submissions"</A>
                    <A href="/changes">"Changes"</A>
                    <A href="/about">"About"</A>
                </nav>
            </header>
            <main id="content">
                // Async rendering waits for each page's data before sending headers, so a missing
                // model or submission answers with a real 404 (pages are small; nothing is lost).
                <Routes fallback=|| view! { <NotFound what="page".to_owned() /> }>
                    <Route path=path!("") view=pages::leaderboard::LeaderboardPage ssr=SsrMode::Async />
                    <Route path=path!("/about") view=pages::about::AboutPage ssr=SsrMode::Async />
                    <Route path=path!("/models/:slug") view=pages::model::ModelPage ssr=SsrMode::Async />
                    <Route path=path!("/relations/:name") view=pages::scope::RelationPage ssr=SsrMode::Async />
                    <Route path=path!("/categories/:name") view=pages::scope::CategoryPage ssr=SsrMode::Async />
                    <Route path=path!("/compare") view=pages::compare::ComparePage ssr=SsrMode::Async />
                    <Route path=path!("/insights") view=pages::insights::InsightsPage ssr=SsrMode::Async />
                    <Route path=path!("/items") view=pages::items::ItemsPage ssr=SsrMode::Async />
                    <Route path=path!("/items/:category/:relation/:index") view=pages::items::ItemPage ssr=SsrMode::Async />
                    <Route path=path!("/judges") view=pages::judges::JudgesPage ssr=SsrMode::Async />
                    <Route path=path!("/submit") view=pages::submit::SubmitPage ssr=SsrMode::Async />
                    <Route path=path!("/submit/preview/:id") view=pages::submit::PreviewPage ssr=SsrMode::Async />
                    <Route path=path!("/submissions") view=pages::submissions::QueuePage ssr=SsrMode::Async />
                    <Route path=path!("/submissions/:id") view=pages::submissions::SubmissionPage ssr=SsrMode::Async />
                    <Route path=path!("/changes") view=pages::changes::ChangesPage ssr=SsrMode::Async />
                    <Route path=path!("/admin") view=pages::admin::AdminPage ssr=SsrMode::Async />
                </Routes>
            </main>
            <footer class="site">
                <p>
                    "Attack success rate (ASR): the share of attacks the judge labelled unsafe. "
                    <strong>"Lower is safer."</strong>
                    " Intervals are 95% Wilson intervals; ranks are shared where intervals overlap."
                </p>
                <p>
                    <a href="/api/v1/leaderboard">"JSON API"</a>
                    " · "
                    <a href="/api/v1/openapi.json">"OpenAPI"</a>
                    " · "
                    <a href="/feed.xml">"Atom feed"</a>
                    " · "
                    <a href="/about#cite">"How to cite"</a>
                    " · "
                    <a href="https://github.com/thu-coai/MIR-SafetyBench">"Benchmark code"</a>
                </p>
            </footer>
        </Router>
    }
}
