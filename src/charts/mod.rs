//! Server-side SVG charts for the MIR-SafetyBench leaderboard.
//!
//! Every chart is a pure function: plain data in, a complete SVG document
//! (`String`) out, served as `image/svg+xml`. Nothing here does I/O, reads a
//! clock, uses randomness or iterates a hash map, so the same input always
//! yields byte-identical output (the snapshot tests rely on that, and so can
//! HTTP caching / ETags).
//!
//! # How a chart is produced
//!
//! 1. The chart lays itself out in integer pixel coordinates on a fixed-width
//!    canvas (height grows with the number of rows where that matters) and
//!    draws with `plotters` primitives on an [`SVGBackend`] writing into a
//!    `String`. The scatter plot uses a plotters `ChartBuilder` for its
//!    continuous axes; the bar-like charts need group headers, wrapped labels
//!    and per-bar annotations that are easier to place by hand.
//! 2. `finish` post-processes the string in one place: it adds `role="img"`
//!    and `aria-labelledby` to the root `<svg>` and inserts `<title>`,
//!    `<desc>` (first children, as screen readers expect) and a `<style>`
//!    block for dark mode right after the opening tag.
//!
//! [`SVGBackend`]: plotters::prelude::SVGBackend
//!
//! # Text and escaping
//!
//! plotters' SVG backend (plotters-svg 0.3.7) XML-escapes `& < > " '` in text
//! content and attribute values itself, so data strings are handed to it
//! *unescaped* (escaping them here too would show `&amp;lt;` to readers). Only
//! the `<title>`/`<desc>` we write ourselves go through `escape_xml`. All data
//! strings first pass `clean`, which replaces characters that XML 1.0 cannot
//! carry at all (control characters) and flattens line breaks.
//!
//! No font files are used (plotters without `ttf`/`ab_glyph`), so nothing
//! depends on fonts installed on the server. Layout decisions (wrapping,
//! ellipsis, "does the percentage fit in this segment") use `text_width`,
//! a deliberately generous per-character estimate so that labels still fit
//! when the viewer falls back to a wide font such as DejaVu Sans.
//!
//! # Light and dark mode
//!
//! The SVGs are shown through `<img>`, which page CSS cannot reach, or inline (the ranking on
//! `/`), so each file carries its own `@media (prefers-color-scheme: dark)` rules
//! ([`dark_style`], the same text in every chart). Every
//! non-data colour (background, ink, muted ink, grid, neutral cells, hatch,
//! sample banner) is a *role colour* used for nothing else, and the rules
//! recolour exactly those via attribute selectors such as
//! `[fill="#1F2328"]{fill:#E6EDF3}` (CSS beats presentation attributes). Data
//! colours (Okabe–Ito bars, the heatmap ramp) and the text drawn on top of
//! them are never listed, so they look the same in both modes. (Checked in
//! headless Chromium with a dark preference: the rules apply both to the SVG
//! opened directly and to the SVG shown through `<img>`.)
//!
//! # Colour
//!
//! Categorical colours are Okabe–Ito. Black is not used for data because it
//! would vanish on the dark background, and yellow comes last because it
//! barely shows on white. The heatmap uses a reversed viridis ramp
//! (0% = pale yellow, 100% = dark purple: darker is less safe), which stays
//! ordered for the common colour-vision deficiencies and in greyscale. Colour
//! is never the only cue: bars carry letters, cells and segments carry
//! numbers.
//!
//! # Files
//!
//! `input.rs` holds the public input types; the charts live in `bar.rs`,
//! `heatmap.rs`, `grouped.rs`, `scatter.rs` and `composition.rs`. They share
//! `style.rs` (colours), `text.rs` (cleaning, escaping, measuring, wrapping,
//! number formats) and `canvas.rs` (drawing helpers, title block, sample
//! marks, and `render`/`finish`, which turn a drawing into the document).

mod badge;
mod bar;
mod canvas;
mod composition;
pub mod figures;
mod grouped;
mod heatmap;
mod input;
mod interval;
mod scatter;
mod style;
mod text;

pub use badge::badge;
pub use bar::{bar_chart, bar_chart_with_axis};
pub use canvas::dark_style;
pub use composition::composition_bars;
pub use grouped::grouped_bars;
pub use heatmap::heatmap;
pub use input::{Bar, ChartText, Composition, HeatCell, Interval, Point, RankedPoint, Series};
pub use interval::interval_plot;
pub use scatter::scatter;

#[cfg(test)]
mod tests;
