//! MIR-SafetyBench leaderboard: a Leptos site (SSR + hydration) that ranks multimodal LLMs by
//! attack success rate. See ARCHITECTURE.md for the map.

// Deeply nested view types (a table of optional column blocks) need more than the default.
#![recursion_limit = "256"]

pub mod app;
pub mod components;
pub mod domain;
pub mod error;
pub mod pages;

#[cfg(feature = "ssr")]
pub mod charts;
#[cfg(feature = "ssr")]
pub mod cli;
#[cfg(feature = "ssr")]
pub mod config;
#[cfg(feature = "ssr")]
pub mod db;
#[cfg(feature = "ssr")]
pub mod demo;
#[cfg(feature = "ssr")]
pub mod http;
#[cfg(feature = "ingest")]
pub mod ingest;
#[cfg(feature = "ssr")]
pub mod services;
#[cfg(feature = "ssr")]
pub mod startup;
#[cfg(feature = "ssr")]
pub mod state;

/// The browser's entry point. Pages are server HTML; this only prepares the runtime, and
/// Leptos' loader then hydrates each `#[island]` on the page (each one marks the body with
/// `data-hydrated` when it is live, which the end-to-end tests wait for).
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    // No panic hook (console_error_panic_hook): it links panic-message formatting into the
    // bundle, which every visitor downloads, and a panicking island only loses its
    // enhancements; the page works without them.
    leptos::mount::hydrate_islands();
}
