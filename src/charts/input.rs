//! What the charts take: plain data, and the rule for which values count as data.

// ---------------------------------------------------------------------------
// Public data types
// ---------------------------------------------------------------------------

/// Accessible name and description of a chart; they become the SVG's
/// `<title>` and `<desc>` and are referenced by `aria-labelledby`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ChartText {
    pub title: String,
    pub desc: String,
}

/// A 95% interval `(low, high)` in percent. A plain alias: `(f64, f64)` works
/// everywhere it appears.
pub type Interval = (f64, f64);

/// One bar of [`bar_chart`](super::bar_chart).
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    pub label: String,
    /// Consecutive bars with the same group are drawn under one group header.
    pub group: Option<String>,
    /// Percent, 0..=100; `None` = no data (drawn as "no data", not as 0).
    pub value: Option<f64>,
    /// 95% interval in percent.
    pub interval: Option<Interval>,
    pub n: u32,
}

/// One cell of [`heatmap`](super::heatmap).
#[derive(Debug, Clone, PartialEq)]
pub struct HeatCell {
    /// Percent, 0..=100; `None` = no data.
    pub value: Option<f64>,
    pub n: u32,
}

/// One series (model) of [`grouped_bars`](super::grouped_bars): per category an optional
/// `(percent, optional 95% interval)`.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub name: String,
    pub values: Vec<Option<(f64, Option<Interval>)>>,
}

/// One labelled point of [`scatter`](super::scatter).
#[derive(Debug, Clone, PartialEq)]
pub struct Point {
    pub label: String,
    pub x: f64,
    pub y: f64,
}

/// One model of [`interval_plot`](super::interval_plot): its ASR and 95% interval in percent,
/// its (honest) rank, and whether it is in the safest group.
#[derive(Debug, Clone, PartialEq)]
pub struct RankedPoint {
    pub label: String,
    pub value: f64,
    pub low: f64,
    pub high: f64,
    pub rank: u32,
    pub safest: bool,
}

/// One row of [`composition_bars`](super::composition_bars): counts of judged responses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Composition {
    pub label: String,
    pub unsafe_count: u32,
    pub refusals: u32,
    pub safe_without_refusal: u32,
}

// ---------------------------------------------------------------------------
// Usable values (shared by the charts)
// ---------------------------------------------------------------------------

/// A usable value: finite (NaN and infinities count as "no data").
pub(super) fn finite(v: Option<f64>) -> Option<f64> {
    v.filter(|v| v.is_finite())
}

/// A usable interval: finite, ordered.
pub(super) fn interval(ci: Option<(f64, f64)>) -> Option<(f64, f64)> {
    let (a, b) = ci?;
    (a.is_finite() && b.is_finite()).then(|| (a.min(b), a.max(b)))
}
