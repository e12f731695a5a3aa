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
//! The SVGs are shown through `<img>`, which page CSS cannot reach, so each
//! file carries its own `@media (prefers-color-scheme: dark)` rules. Every
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

use std::fmt::Write as _;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

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

/// One bar of [`bar_chart`].
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

/// One cell of [`heatmap`].
#[derive(Debug, Clone, PartialEq)]
pub struct HeatCell {
    /// Percent, 0..=100; `None` = no data.
    pub value: Option<f64>,
    pub n: u32,
}

/// One series (model) of [`grouped_bars`]: per category an optional
/// `(percent, optional 95% interval)`.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub name: String,
    pub values: Vec<Option<(f64, Option<Interval>)>>,
}

/// One labelled point of [`scatter`].
#[derive(Debug, Clone, PartialEq)]
pub struct Point {
    pub label: String,
    pub x: f64,
    pub y: f64,
}

/// One row of [`composition_bars`]: counts of judged responses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Composition {
    pub label: String,
    pub unsafe_count: u32,
    pub refusals: u32,
    pub safe_without_refusal: u32,
}

// ---------------------------------------------------------------------------
// Colours
// ---------------------------------------------------------------------------

// Role colours. Each is used for exactly one role and for nothing else, because
// the dark-mode CSS selects elements by these exact values.
const BG: RGBColor = RGBColor(0xFF, 0xFF, 0xFF);
const INK: RGBColor = RGBColor(0x1F, 0x23, 0x28);
const MUTED: RGBColor = RGBColor(0x59, 0x63, 0x6E);
const GRID: RGBColor = RGBColor(0xD1, 0xD9, 0xE0);
const NEUTRAL: RGBColor = RGBColor(0xEF, 0xF2, 0xF5);
const HATCH: RGBColor = RGBColor(0xA8, 0xB1, 0xBB);
const BANNER_BG: RGBColor = RGBColor(0xFF, 0xF8, 0xC5);
const BANNER_INK: RGBColor = RGBColor(0x7D, 0x4E, 0x00);

/// Light role colour -> its dark-mode replacement (GitHub-dark-like greys).
const THEME: [(RGBColor, &str); 8] = [
    (BG, "#0D1117"),
    (INK, "#E6EDF3"),
    (MUTED, "#9198A1"),
    (GRID, "#30363D"),
    (NEUTRAL, "#161B22"),
    (HATCH, "#545D68"),
    (BANNER_BG, "#2B2111"),
    (BANNER_INK, "#E3B341"),
];

// Text drawn *on* data colours. Not in THEME: the data colour underneath does
// not change in dark mode, so neither may the text on it. Pure black because
// mid-ramp teal needs it for 4.5:1 contrast; the light one is not #FFFFFF,
// which is the (recoloured) background.
const ON_DATA_DARK: RGBColor = RGBColor(0x00, 0x00, 0x00);
const ON_DATA_LIGHT: RGBColor = RGBColor(0xFA, 0xFA, 0xFA);

/// Okabe–Ito: orange, sky blue, bluish green, yellow, blue, vermillion,
/// reddish purple, black.
const OKABE_ITO: [RGBColor; 8] = [
    RGBColor(0xE6, 0x9F, 0x00),
    RGBColor(0x56, 0xB4, 0xE9),
    RGBColor(0x00, 0x9E, 0x73),
    RGBColor(0xF0, 0xE4, 0x42),
    RGBColor(0x00, 0x72, 0xB2),
    RGBColor(0xD5, 0x5E, 0x00),
    RGBColor(0xCC, 0x79, 0xA7),
    RGBColor(0x00, 0x00, 0x00),
];
/// Series order into [`OKABE_ITO`]: blue, orange, green, vermillion, sky blue,
/// purple, yellow. Black is skipped (invisible in dark mode); yellow is last
/// (weak on white) and only reached with a seventh series.
const SERIES_ORDER: [usize; 7] = [4, 0, 2, 5, 1, 6, 3];
const BAR_FILL: RGBColor = OKABE_ITO[4];
const POINT_FILL: RGBColor = OKABE_ITO[4];
const UNSAFE_FILL: RGBColor = OKABE_ITO[5];
const SAFE_FILL: RGBColor = OKABE_ITO[1];
const REFUSAL_FILL: RGBColor = OKABE_ITO[4];

/// Viridis sampled at 0, .2, .4, .6, .8, 1 (perceptually uniform, readable
/// with colour-vision deficiencies). Used reversed: see [`ramp`].
const VIRIDIS: [(u8, u8, u8); 6] = [
    (0x44, 0x01, 0x54),
    (0x41, 0x44, 0x87),
    (0x2A, 0x78, 0x8E),
    (0x22, 0xA8, 0x84),
    (0x7A, 0xD1, 0x51),
    (0xFD, 0xE7, 0x25),
];

/// Heatmap colour for a percentage: 0% -> pale yellow, 100% -> dark purple.
fn ramp(value: f64) -> RGBColor {
    let t = 1.0 - (value / 100.0).clamp(0.0, 1.0);
    let seg = t * (VIRIDIS.len() - 1) as f64;
    let i = (seg.floor() as usize).min(VIRIDIS.len() - 2);
    let f = seg - i as f64;
    let (a, b) = (VIRIDIS[i], VIRIDIS[i + 1]);
    let mix = |p: u8, q: u8| (p as f64 + (q as f64 - p as f64) * f).round() as u8;
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

fn series_colour(i: usize) -> RGBColor {
    OKABE_ITO[SERIES_ORDER[i % SERIES_ORDER.len()]]
}

/// Letter that identifies series `i` on its bars and in the legend.
fn series_mark(i: usize) -> String {
    match u8::try_from(i) {
        Ok(i) if i < 26 => char::from(b'A' + i).to_string(),
        _ => format!("S{}", i + 1),
    }
}

/// WCAG relative luminance.
fn luminance(c: RGBColor) -> f64 {
    let lin = |v: u8| {
        let s = v as f64 / 255.0;
        if s <= 0.04045 { s / 12.92 } else { ((s + 0.055) / 1.055).powf(2.4) }
    };
    0.2126 * lin(c.0) + 0.7152 * lin(c.1) + 0.0722 * lin(c.2)
}

/// Text colour with the higher WCAG contrast against `fill`.
fn text_on(fill: RGBColor) -> RGBColor {
    let l = luminance(fill);
    let contrast = |t: RGBColor| {
        let lt = luminance(t);
        (l.max(lt) + 0.05) / (l.min(lt) + 0.05)
    };
    if contrast(ON_DATA_DARK) >= contrast(ON_DATA_LIGHT) { ON_DATA_DARK } else { ON_DATA_LIGHT }
}

/// `#RRGGBB`, upper case, exactly as plotters-svg writes colours (the CSS
/// selectors must match byte for byte).
fn hex(c: RGBColor) -> String {
    format!("#{:02X}{:02X}{:02X}", c.0, c.1, c.2)
}

// ---------------------------------------------------------------------------
// Text helpers
// ---------------------------------------------------------------------------

const SAMPLE_TEXT: &str = "SAMPLE DATA \u{2014} not real results";
const NO_DATA: &str = "no data";
const PAD: i32 = 16;

/// Replaces characters XML 1.0 cannot carry (control characters, U+FFFE/F)
/// with U+FFFD and flattens tabs/line breaks to spaces (labels are one line).
fn clean(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\t' | '\n' | '\r' => ' ',
            '\u{FFFE}' | '\u{FFFF}' => '\u{FFFD}',
            c if c.is_control() => '\u{FFFD}',
            c => c,
        })
        .collect()
}

/// Escapes text for XML content and attribute values. Only used for what we
/// write ourselves (`<title>`, `<desc>`); plotters escapes its own output.
fn escape_xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

/// Advance width of `c` in em. Roughly DejaVu Sans, the widest common
/// sans-serif fallback, so estimates err on the side of "too wide".
fn char_em(c: char) -> f64 {
    match c {
        'i' | 'j' | 'l' | 'I' | '.' | ',' | ':' | ';' | '\'' | '!' | '|' | '(' | ')' | '[' | ']' => 0.34,
        ' ' | 'f' | 't' | 'r' | '-' => 0.42,
        'm' | 'w' | 'M' | 'W' | '%' | '@' | '\u{2014}' => 0.98,
        'A'..='Z' => 0.74,
        c if c as u32 >= 0x2E80 => 1.0, // CJK and other full-width scripts
        _ => 0.63,                      // digits, lower case, other glyphs
    }
}

/// Estimated rendered width in px of `s` at font size `px`.
fn text_width(s: &str, px: f64, bold: bool) -> f64 {
    let w: f64 = s.chars().map(char_em).sum::<f64>() * px;
    if bold { w * 1.08 } else { w }
}

/// `s` shortened with "…" so that it fits `max_w`.
fn fit(s: &str, px: f64, bold: bool, max_w: f64) -> String {
    if text_width(s, px, bold) <= max_w {
        return s.to_string();
    }
    let budget = max_w - text_width("\u{2026}", px, bold);
    let mut out = String::new();
    let mut w = 0.0;
    for c in s.chars() {
        let cw = text_width(c.encode_utf8(&mut [0; 4]), px, bold);
        if w + cw > budget {
            break;
        }
        w += cw;
        out.push(c);
    }
    let mut out = out.trim_end().to_string();
    out.push('\u{2026}');
    out
}

/// Greedy word wrap into at most `max_lines` lines of at most `max_w` px;
/// the last line (and any single over-long word) is ellipsized.
fn wrap(s: &str, px: f64, max_w: f64, max_lines: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut cur = String::new();
    for word in s.split_whitespace() {
        let candidate = if cur.is_empty() { word.to_string() } else { format!("{cur} {word}") };
        if cur.is_empty() || text_width(&candidate, px, false) <= max_w {
            cur = candidate;
        } else {
            lines.push(std::mem::replace(&mut cur, word.to_string()));
        }
    }
    if !cur.is_empty() {
        lines.push(cur);
    }
    let max_lines = max_lines.max(1);
    if lines.len() > max_lines {
        let rest = lines.split_off(max_lines - 1).join(" ");
        lines.push(rest);
    }
    lines.into_iter().map(|l| fit(&l, px, false, max_w)).collect()
}

/// "23.4%". Rust float formatting is deterministic; `+ 0.0` turns -0.0 into 0.0.
fn fmt_pct(v: f64) -> String {
    format!("{:.1}%", v + 0.0)
}

/// Axis tick label: at most 3 decimals, trailing zeros dropped.
fn fmt_tick(v: &f64) -> String {
    let s = format!("{:.3}", v + 0.0);
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".to_string() } else { s.to_string() }
}

fn finite(v: Option<f64>) -> Option<f64> {
    v.filter(|v| v.is_finite())
}

/// A usable interval: finite, ordered.
fn interval(ci: Option<(f64, f64)>) -> Option<(f64, f64)> {
    let (a, b) = ci?;
    (a.is_finite() && b.is_finite()).then(|| (a.min(b), a.max(b)))
}

// ---------------------------------------------------------------------------
// Drawing on top of plotters
// ---------------------------------------------------------------------------

type Res<T = ()> = Result<T, String>;

fn err<E: std::fmt::Debug>(e: E) -> String {
    format!("{e:?}")
}

/// Text style in the units we think in (CSS px). Sizes are limited to values
/// for which plotters' `size / 1.24` round-trips exactly (see `Canvas::text`).
#[derive(Clone, Copy)]
struct Txt {
    px: f64,
    color: RGBColor,
    alpha: f64,
    style: FontStyle,
    h: HPos,
    v: VPos,
    vertical: bool,
}

impl Txt {
    fn new(px: f64, color: RGBColor) -> Self {
        Txt { px, color, alpha: 1.0, style: FontStyle::Normal, h: HPos::Left, v: VPos::Center, vertical: false }
    }
    fn bold(self) -> Self {
        Txt { style: FontStyle::Bold, ..self }
    }
    fn italic(self) -> Self {
        Txt { style: FontStyle::Italic, ..self }
    }
    fn center(self) -> Self {
        Txt { h: HPos::Center, ..self }
    }
    fn right(self) -> Self {
        Txt { h: HPos::Right, ..self }
    }
    fn align(self, h: HPos) -> Self {
        Txt { h, ..self }
    }
    fn alpha(self, alpha: f64) -> Self {
        Txt { alpha, ..self }
    }
    /// Rotated 270° (reads bottom to top).
    fn vertical(self) -> Self {
        Txt { vertical: true, ..self }
    }
}

/// Thin wrapper around the root drawing area with pixel-coordinate helpers.
struct Canvas<'a> {
    area: DrawingArea<SVGBackend<'a>, Shift>,
    w: i32,
}

impl Canvas<'_> {
    fn rect(&self, x0: i32, y0: i32, x1: i32, y1: i32, c: RGBColor) -> Res {
        self.area.draw(&Rectangle::new([(x0, y0), (x1, y1)], c.filled())).map_err(err)
    }

    fn frame(&self, x0: i32, y0: i32, x1: i32, y1: i32, c: RGBColor) -> Res {
        self.area.draw(&Rectangle::new([(x0, y0), (x1, y1)], c.stroke_width(1))).map_err(err)
    }

    fn line(&self, x0: i32, y0: i32, x1: i32, y1: i32, c: RGBColor, width: u32) -> Res {
        self.area.draw(&PathElement::new(vec![(x0, y0), (x1, y1)], c.stroke_width(width))).map_err(err)
    }

    fn dot(&self, x: i32, y: i32, r: u32, c: RGBColor) -> Res {
        self.area.draw(&Circle::new((x, y), r, c.filled())).map_err(err)
    }

    fn text(&self, s: &str, x: i32, y: i32, t: Txt) -> Res {
        if s.is_empty() {
            return Ok(());
        }
        // plotters-svg writes `font-size = size / 1.24`; pre-multiplying makes
        // the SVG say exactly `t.px` (exact for the sizes used here).
        let mut font = FontDesc::new(FontFamily::SansSerif, t.px * 1.24, t.style);
        if t.vertical {
            font = font.transform(FontTransform::Rotate270);
        }
        let color = RGBAColor(t.color.0, t.color.1, t.color.2, t.alpha);
        let style = TextStyle::from(font).color(&color).pos(Pos::new(t.h, t.v));
        self.area.draw(&Text::new(s.to_string(), (x, y), style)).map_err(err)
    }

    /// Horizontal whisker (95% interval) with end caps.
    /// Whiskers get a 3 px halo in the background colour first, so the 1 px
    /// ink line stays visible on any bar colour in both light and dark mode.
    fn whisker_h(&self, xa: i32, xb: i32, y: i32) -> Res {
        self.line(xa, y, xb, y, BG, 3)?;
        self.line(xa, y - 5, xa, y + 5, BG, 3)?;
        self.line(xb, y - 5, xb, y + 5, BG, 3)?;
        self.line(xa, y, xb, y, INK, 1)?;
        self.line(xa, y - 5, xa, y + 5, INK, 1)?;
        self.line(xb, y - 5, xb, y + 5, INK, 1)
    }

    /// Vertical whisker with end caps of half-width `cap`.
    fn whisker_v(&self, x: i32, ya: i32, yb: i32, cap: i32) -> Res {
        self.line(x, ya, x, yb, BG, 3)?;
        self.line(x - cap, ya, x + cap, ya, BG, 3)?;
        self.line(x - cap, yb, x + cap, yb, BG, 3)?;
        self.line(x, ya, x, yb, INK, 1)?;
        self.line(x - cap, ya, x + cap, ya, INK, 1)?;
        self.line(x - cap, yb, x + cap, yb, INK, 1)
    }

    /// 45° hatch lines clipped to the rectangle (marks "too few to colour").
    fn hatch(&self, x0: i32, y0: i32, x1: i32, y1: i32) -> Res {
        let (w, h) = (x1 - x0, y1 - y0);
        let mut d = 6;
        while d < w + h {
            let start = if d <= h { (x0, y0 + d) } else { (x0 + d - h, y1) };
            let end = if d <= w { (x0 + d, y0) } else { (x1, y0 + d - w) };
            self.line(start.0, start.1, end.0, end.1, HATCH, 1)?;
            d += 7;
        }
        Ok(())
    }

    /// Legend swatch: filled square, optionally with a letter on it.
    fn swatch(&self, x: i32, y: i32, c: RGBColor, mark: Option<&str>) -> Res {
        self.rect(x, y - 7, x + 14, y + 7, c)?;
        if let Some(m) = mark {
            self.text(m, x + 7, y, Txt::new(10.0, text_on(c)).bold().center())?;
        }
        Ok(())
    }
}

/// Height of the title block, plus the sample banner when shown.
fn header_height(sample: bool) -> i32 {
    if sample { 70 } else { 40 }
}

/// Title (and, for sample data, a boxed banner under it). The full title is
/// also in `<title>`; the drawn one is ellipsized if it would overflow.
fn header(cv: &Canvas, text: &ChartText, sample: bool) -> Res {
    let max_w = (cv.w - 2 * PAD) as f64;
    let title = fit(&clean(&text.title), 16.0, true, max_w);
    cv.text(&title, PAD, 22, Txt::new(16.0, INK).bold())?;
    if sample {
        let tw = text_width(SAMPLE_TEXT, 12.0, true).ceil() as i32;
        let (y0, y1) = (38, 60);
        cv.rect(PAD, y0, PAD + tw + 16, y1, BANNER_BG)?;
        cv.frame(PAD, y0, PAD + tw + 16, y1, BANNER_INK)?;
        cv.text(SAMPLE_TEXT, PAD + 8, 49, Txt::new(12.0, BANNER_INK).bold())?;
    }
    Ok(())
}

/// Large faint "SAMPLE DATA" drawn behind the data, so that even a cropped
/// screenshot of a plot area is marked.
fn watermark(cv: &Canvas, sample: bool, x: i32, y: i32) -> Res {
    if !sample {
        return Ok(());
    }
    let t = Txt::new(48.0, BANNER_INK).bold().center().alpha(0.12);
    cv.text("SAMPLE DATA", x, y, t)
}

/// Draws with `draw` on a `w` x `h` canvas and finishes the document. A
/// drawing error (not expected with a `String` target) yields a minimal,
/// still accessible placeholder SVG instead of a panic.
fn render(text: &ChartText, (w, h): (i32, i32), draw: impl FnOnce(&Canvas) -> Res) -> String {
    let (w, h) = (w.max(1), h.max(1));
    let mut raw = String::new();
    let drawn = {
        let area = SVGBackend::with_string(&mut raw, (w as u32, h as u32)).into_drawing_area();
        let cv = Canvas { area, w };
        cv.area.fill(&BG).map_err(err).and_then(|()| draw(&cv)).and_then(|()| cv.area.present().map_err(err))
    };
    drawn.ok().and_then(|()| finish(&raw, text)).unwrap_or_else(|| fallback(w, h, text))
}

/// The dark-mode style sheet: one rule per role colour and attribute.
fn dark_css() -> String {
    let mut css = String::from("<style>@media (prefers-color-scheme: dark){");
    for (light, dark) in THEME {
        let l = hex(light);
        let _ = write!(css, "[fill=\"{l}\"]{{fill:{dark}}}[stroke=\"{l}\"]{{stroke:{dark}}}");
    }
    css.push_str("}</style>\n");
    css
}

/// FNV-1a: a tiny deterministic hash for element ids.
fn fnv1a(parts: &[&[u8]]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for &b in part.iter().chain(std::iter::once(&0xFF)) {
            h ^= b as u64;
            h = h.wrapping_mul(0x0000_0100_0000_01B3);
        }
    }
    h
}

/// Accessibility post-processing of plotters' output.
///
/// plotters-svg starts the document with
/// `<svg width=".." height=".." viewBox=".." xmlns="..">`; attribute values
/// are escaped, so the first `>` after `<svg` ends that tag. We extend the tag
/// and insert `<title>`, `<desc>` and `<style>` right after it. Ids are a
/// hash of the content so that several charts inlined into one page (e.g. a
/// downloaded file pasted into HTML) do not clash.
///
/// plotters also wraps every text node in newlines; [`tidy_text_nodes`]
/// removes them so that the text content equals the label exactly (they never
/// rendered anyway: leading/trailing whitespace in `<text>` collapses).
fn finish(raw: &str, text: &ChartText) -> Option<String> {
    let raw = tidy_text_nodes(raw);
    let start = raw.find("<svg")?;
    let end = start + raw[start..].find('>')?;
    if raw[..end].ends_with('/') {
        return None; // self-closing root: not what plotters emits
    }
    let (title, desc) = (clean(&text.title), clean(&text.desc));
    let id = format!("mirc-{:016x}", fnv1a(&[raw.as_bytes(), title.as_bytes(), desc.as_bytes()]));
    let mut out = String::with_capacity(raw.len() + 2048);
    out.push_str(&raw[..end]);
    let _ = writeln!(
        out,
        // No whitespace before <title>: it is the very first child node.
        " role=\"img\" aria-labelledby=\"{id}-title {id}-desc\">\
         <title id=\"{id}-title\">{}</title><desc id=\"{id}-desc\">{}</desc>",
        escape_xml(&title),
        escape_xml(&desc),
    );
    out.push_str(&dark_css());
    out.push_str(raw[end + 1..].trim_start_matches('\n'));
    Some(out)
}

/// plotters writes `<text ...>\n{label}\n</text>`; drop both newlines so the
/// text node is exactly the label.
fn tidy_text_nodes(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(i) = rest.find("<text ") {
        let Some(j) = rest[i..].find('>') else { break };
        let after = i + j + 1;
        out.push_str(&rest[..after]);
        rest = &rest[after..];
        rest = rest.strip_prefix('\n').unwrap_or(rest);
    }
    out.push_str(rest);
    out.replace("\n</text>", "</text>")
}

/// Hand-written placeholder used only if plotters reports an error.
fn fallback(w: i32, h: i32, text: &ChartText) -> String {
    let id = "mirc-fallback";
    format!(
        "<svg width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" \
         xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-labelledby=\"{id}-title {id}-desc\">\
         <title id=\"{id}-title\">{}</title><desc id=\"{id}-desc\">{}</desc>\n{}\
         <rect x=\"0\" y=\"0\" width=\"{w}\" height=\"{h}\" fill=\"{}\"/>\n\
         <text x=\"16\" y=\"32\" font-family=\"sans-serif\" font-size=\"14\" fill=\"{}\">chart could not be drawn</text>\n</svg>\n",
        escape_xml(&clean(&text.title)),
        escape_xml(&clean(&text.desc)),
        dark_css(),
        hex(BG),
        hex(INK),
    )
}

/// Pixel position of `v` percent on an axis from `a` (0%) to `b` (100%).
fn pct_pos(v: f64, a: i32, b: i32) -> i32 {
    a + ((v.clamp(0.0, 100.0) / 100.0) * (b - a) as f64).round() as i32
}

/// Width of a left label column fitting `labels` at 12px, clamped.
fn label_column(labels: &[String], min: f64, max: f64) -> i32 {
    let widest = labels.iter().map(|l| text_width(l, 12.0, false)).fold(0.0, f64::max);
    widest.clamp(min, max).ceil() as i32
}

// ---------------------------------------------------------------------------
// Bar chart
// ---------------------------------------------------------------------------

/// Horizontal bars (ASR per relation or per model) with 95% interval
/// whiskers, grouped under group headers.
///
/// Horizontal rather than vertical so that long labels ("Spatial
/// Juxtaposition", long model names) sit on one line without rotation;
/// the height grows with the number of rows (760 px wide, 26 px per bar,
/// 24 px per group header). Each row shows the value right of the bar or
/// whisker ("23.4%") and n in a right-hand column ("n=317"). Missing values
/// read "no data" instead of drawing a zero-length bar. The value axis is
/// always 0–100% so charts are comparable.
pub fn bar_chart(text: &ChartText, bars: &[Bar], sample: bool) -> String {
    const W: i32 = 760;
    const ROW: i32 = 26;
    const GROUP_ROW: i32 = 24;
    const RIGHT: i32 = 112; // value label overflow + n column

    enum Row {
        Group(Option<String>),
        Bar(usize),
    }
    // A header row whenever the group changes; a change to "no group" still
    // gets a separator so ungrouped bars do not look like part of the group above.
    let mut rows = Vec::new();
    let mut current: Option<&str> = None;
    for (i, b) in bars.iter().enumerate() {
        let g = b.group.as_deref();
        if (i == 0 && g.is_some()) || (i > 0 && g != current) {
            rows.push(Row::Group(g.map(clean)));
        }
        current = g;
        rows.push(Row::Bar(i));
    }
    let labels: Vec<String> = bars.iter().map(|b| clean(&b.label)).collect();
    let label_w = label_column(&labels, 60.0, 220.0) + 14;
    let (x0, x1) = (PAD + label_w, W - PAD - RIGHT);
    let plot_top = header_height(sample) + 6;
    let rows_h: i32 = rows
        .iter()
        .map(|r| match r {
            Row::Group(_) => GROUP_ROW,
            Row::Bar(_) => ROW,
        })
        .sum();
    let plot_bottom = plot_top + rows_h.max(ROW) + 4;
    let h = plot_bottom + 68;

    render(text, (W, h), |cv| {
        header(cv, text, sample)?;
        watermark(cv, sample, (x0 + x1) / 2, (plot_top + plot_bottom) / 2 + 16)?;
        for t in (0..=100).step_by(20) {
            let x = pct_pos(t as f64, x0, x1);
            cv.line(x, plot_top, x, plot_bottom, GRID, 1)?;
            cv.line(x, plot_bottom, x, plot_bottom + 4, INK, 1)?;
            cv.text(&format!("{t}%"), x, plot_bottom + 14, Txt::new(11.0, MUTED).center())?;
        }
        cv.line(x0, plot_bottom, x1, plot_bottom, INK, 1)?;
        cv.text("Attack success rate (lower is safer)", (x0 + x1) / 2, plot_bottom + 34, Txt::new(12.0, INK).center())?;
        cv.text("Bars: estimate. Whiskers: 95% interval. n: judged responses.", PAD, h - 12, Txt::new(11.0, MUTED))?;
        if bars.is_empty() {
            let t = Txt::new(12.0, MUTED).italic().center();
            return cv.text(NO_DATA, (x0 + x1) / 2, plot_top + ROW / 2, t);
        }
        let mut y = plot_top;
        for row in &rows {
            match row {
                Row::Group(name) => {
                    if y > plot_top {
                        cv.line(PAD, y, W - PAD, y, GRID, 1)?;
                    }
                    if let Some(name) = name {
                        let name = fit(name, 12.0, true, (W - 2 * PAD) as f64);
                        cv.text(&name, PAD, y + GROUP_ROW / 2 + 1, Txt::new(12.0, INK).bold())?;
                    }
                    y += GROUP_ROW;
                }
                Row::Bar(i) => {
                    let b = &bars[*i];
                    let yc = y + ROW / 2;
                    let label = fit(&labels[*i], 12.0, false, (label_w - 14) as f64);
                    cv.text(&label, x0 - 8, yc, Txt::new(12.0, INK).right())?;
                    match finite(b.value) {
                        Some(v) => {
                            let xe = pct_pos(v, x0, x1);
                            if xe > x0 {
                                cv.rect(x0, yc - 8, xe, yc + 8, BAR_FILL)?;
                            }
                            let mut right = xe;
                            if let Some((lo, hi)) = interval(b.interval) {
                                let (xa, xb) = (pct_pos(lo, x0, x1), pct_pos(hi, x0, x1));
                                cv.whisker_h(xa, xb, yc)?;
                                right = right.max(xb);
                            }
                            cv.text(&fmt_pct(v), right + 6, yc, Txt::new(12.0, INK))?;
                        }
                        None => cv.text(NO_DATA, x0 + 6, yc, Txt::new(12.0, MUTED).italic())?,
                    }
                    let n = format!("n={}", b.n);
                    cv.text(&n, W - PAD, yc, Txt::new(11.0, MUTED).right())?;
                    y += ROW;
                }
            }
        }
        Ok(())
    })
}

// ---------------------------------------------------------------------------
// Heatmap
// ---------------------------------------------------------------------------

/// Rows x columns grid (e.g. 9 relations x 6 risk categories).
///
/// Coloured cells print "41.2%" and "n=53". Cells with `n < min_n` are not
/// coloured at all (neutral fill, diagonal hatch, "n=4, too few"; their value
/// is not printed either, so an unreliable estimate is not read off the
/// chart). Cells without a value say "no data". Missing cells (ragged
/// `cells`) count as "no data"; extra cells beyond the labels are ignored.
/// A vertical colour bar (0–100%) sits on the right, a key for the hatched
/// and empty cells below the grid. 860 px wide, 38 px per row.
pub fn heatmap(
    text: &ChartText,
    row_labels: &[String],
    col_labels: &[String],
    cells: &[Vec<HeatCell>],
    min_n: u32,
    sample: bool,
) -> String {
    const W: i32 = 860;
    const CELL_H: i32 = 38;
    const LEGEND_W: i32 = 100;
    const LINE: i32 = 13;

    let rows: Vec<String> = row_labels.iter().map(|s| clean(s)).collect();
    let cols: Vec<String> = col_labels.iter().map(|s| clean(s)).collect();
    let label_w = label_column(&rows, 60.0, 190.0) + 12;
    let (gx0, gx1) = (PAD + label_w, W - PAD - LEGEND_W);
    let col_w = (gx1 - gx0) as f64 / cols.len().max(1) as f64;
    let col_lines: Vec<Vec<String>> = cols.iter().map(|c| wrap(c, 11.0, col_w - 6.0, 3)).collect();
    let head_lines = col_lines.iter().map(Vec::len).max().unwrap_or(1).max(1) as i32;
    let grid_top = header_height(sample) + 12 + head_lines * LINE;
    let grid_bottom = grid_top + rows.len().max(1) as i32 * CELL_H;
    // The colour bar needs some height even for a one-row grid.
    let bar_bottom = grid_bottom.max(grid_top + 150);
    let key_y = bar_bottom + 24;
    let h = key_y + 26;
    let empty = rows.is_empty() || cols.is_empty();

    render(text, (W, h), |cv| {
        header(cv, text, sample)?;
        watermark(cv, sample, (gx0 + gx1) / 2, (grid_top + grid_bottom) / 2 + 16)?;

        // Column headers, wrapped, bottom-aligned just above the grid.
        for (j, lines) in col_lines.iter().enumerate() {
            let xc = gx0 + ((j as f64 + 0.5) * col_w).round() as i32;
            let first = grid_top - 6 - (lines.len() as i32 - 1) * LINE - LINE / 2;
            for (k, line) in lines.iter().enumerate() {
                let t = Txt::new(11.0, INK).bold().center();
                cv.text(line, xc, first + k as i32 * LINE, t)?;
            }
        }
        if empty {
            let t = Txt::new(12.0, MUTED).italic().center();
            cv.text(NO_DATA, (gx0 + gx1) / 2, grid_top + CELL_H / 2, t)?;
        }
        for (i, label) in rows.iter().enumerate() {
            let y0 = grid_top + i as i32 * CELL_H;
            let lines = wrap(label, 12.0, (label_w - 12) as f64, 2);
            let first = y0 + CELL_H / 2 - (lines.len() as i32 - 1) * 7;
            for (k, line) in lines.iter().enumerate() {
                cv.text(line, gx0 - 8, first + k as i32 * 14, Txt::new(12.0, INK).right())?;
            }
            for j in 0..cols.len() {
                // 1 px inset on each side leaves a 2 px background gap between cells.
                let cx0 = gx0 + (j as f64 * col_w).round() as i32 + 1;
                let cx1 = gx0 + ((j + 1) as f64 * col_w).round() as i32 - 1;
                let (cy0, cy1) = (y0 + 1, y0 + CELL_H - 1);
                let (xc, yc) = ((cx0 + cx1) / 2, y0 + CELL_H / 2);
                let cell = cells.get(i).and_then(|r| r.get(j));
                let value = cell.and_then(|c| finite(c.value));
                let n = cell.map_or(0, |c| c.n);
                match value {
                    Some(v) if n >= min_n => {
                        let fill = ramp(v);
                        let ink = text_on(fill);
                        cv.rect(cx0, cy0, cx1, cy1, fill)?;
                        cv.text(&fmt_pct(v), xc, yc - 7, Txt::new(12.0, ink).bold().center())?;
                        cv.text(&format!("n={n}"), xc, yc + 9, Txt::new(10.0, ink).center())?;
                    }
                    Some(_) => {
                        cv.rect(cx0, cy0, cx1, cy1, NEUTRAL)?;
                        cv.hatch(cx0, cy0, cx1, cy1)?;
                        let one = format!("n={n}, too few");
                        let lines = if text_width(&one, 10.0, false) + 8.0 <= (cx1 - cx0) as f64 {
                            vec![one]
                        } else {
                            vec![format!("n={n}"), "too few".to_string()]
                        };
                        let first = yc - (lines.len() as i32 - 1) * 6;
                        for (k, line) in lines.iter().enumerate() {
                            let ly = first + k as i32 * 12;
                            // Knock the hatch out behind the text so it stays legible.
                            let half = (text_width(line, 10.0, false) / 2.0).ceil() as i32 + 3;
                            cv.rect(xc - half, ly - 7, xc + half, ly + 6, NEUTRAL)?;
                            cv.text(line, xc, ly, Txt::new(10.0, INK).center())?;
                        }
                    }
                    None => {
                        cv.rect(cx0, cy0, cx1, cy1, NEUTRAL)?;
                        cv.text(NO_DATA, xc, yc, Txt::new(10.0, MUTED).italic().center())?;
                    }
                }
            }
        }

        // Colour bar: 50 bands from 0% (bottom) to 100% (top).
        let bx0 = gx1 + 30;
        let bx1 = bx0 + 16;
        const BANDS: i32 = 50;
        let bar_h = bar_bottom - grid_top;
        for k in 0..BANDS {
            let v = (k as f64 + 0.5) * 100.0 / BANDS as f64;
            let ya = bar_bottom - (((k + 1) * bar_h) as f64 / BANDS as f64).round() as i32;
            let yb = bar_bottom - ((k * bar_h) as f64 / BANDS as f64).round() as i32;
            cv.rect(bx0, ya, bx1, yb, ramp(v))?;
        }
        cv.frame(bx0, grid_top, bx1, bar_bottom, INK)?;
        for t in (0..=100).step_by(25) {
            let y = bar_bottom - ((t * bar_h) as f64 / 100.0).round() as i32;
            cv.line(bx1, y, bx1 + 4, y, INK, 1)?;
            cv.text(&format!("{t}%"), bx1 + 7, y, Txt::new(11.0, MUTED))?;
        }
        cv.text("ASR", (bx0 + bx1) / 2, grid_top - 12, Txt::new(11.0, INK).bold().center())?;

        // Key for the cells that carry no colour.
        let mut x = gx0;
        cv.rect(x, key_y - 7, x + 14, key_y + 7, NEUTRAL)?;
        cv.hatch(x, key_y - 7, x + 14, key_y + 7)?;
        let low = format!("n < {min_n}: too few responses, not coloured");
        cv.text(&low, x + 20, key_y, Txt::new(11.0, MUTED))?;
        x += 20 + text_width(&low, 11.0, false).ceil() as i32 + 18;
        cv.rect(x, key_y - 7, x + 14, key_y + 7, NEUTRAL)?;
        cv.text(NO_DATA, x + 20, key_y, Txt::new(11.0, MUTED))?;
        x += 20 + text_width(NO_DATA, 11.0, false).ceil() as i32 + 18;
        cv.text("Darker = higher ASR (less safe).", x, key_y, Txt::new(11.0, MUTED))
    })
}

// ---------------------------------------------------------------------------
// Grouped bars
// ---------------------------------------------------------------------------

/// Vertical bars, one cluster per category, one bar per series (2..=6
/// expected; more still render, colours then repeat but letters do not).
///
/// Every bar carries its series letter (A, B, C, ...), inside the bar at its
/// foot when there is room, otherwise just above the bar/whisker, and the
/// legend repeats letter + colour + name, so colour is never the only cue.
/// Values are not printed (up to 54 bars would collide); whiskers show the
/// 95% interval. Category labels are word-wrapped to the cluster width.
/// A missing value shows a vertical "no data". 960 px wide.
pub fn grouped_bars(text: &ChartText, categories: &[String], series: &[Series], sample: bool) -> String {
    const W: i32 = 960;
    const PLOT_H: i32 = 280;
    const LEGEND_ROW: i32 = 22;
    const LINE: i32 = 13;

    let names: Vec<String> = series.iter().map(|s| clean(&s.name)).collect();
    let cats: Vec<String> = categories.iter().map(|s| clean(s)).collect();

    // Legend entries flow left to right and wrap onto further rows.
    let legend_top = header_height(sample) + 8;
    let mut legend = Vec::new(); // (x, row, name)
    let (mut lx, mut lrow) = (PAD, 0);
    for name in &names {
        let name = fit(name, 12.0, false, 260.0);
        let width = 20 + text_width(&name, 12.0, false).ceil() as i32 + 20;
        if lx > PAD && lx + width > W - PAD {
            lx = PAD;
            lrow += 1;
        }
        legend.push((lx, lrow, name));
        lx += width;
    }
    let legend_rows = if names.is_empty() { 0 } else { lrow + 1 };
    let plot_top = legend_top + legend_rows * LEGEND_ROW + 14;
    let plot_bottom = plot_top + PLOT_H;
    let (x0, x1) = (PAD + 56, W - PAD);
    let slot = (x1 - x0) as f64 / cats.len().max(1) as f64;
    let cat_lines: Vec<Vec<String>> = cats.iter().map(|c| wrap(c, 11.0, slot - 6.0, 3)).collect();
    let label_lines = cat_lines.iter().map(Vec::len).max().unwrap_or(1).max(1) as i32;
    let notes_y = plot_bottom + 14 + label_lines * LINE + 14;
    let h = notes_y + 16;
    let y_of = |v: f64| plot_bottom - ((v.clamp(0.0, 100.0) / 100.0) * PLOT_H as f64).round() as i32;

    render(text, (W, h), |cv| {
        header(cv, text, sample)?;
        for (i, (x, row, name)) in legend.iter().enumerate() {
            let y = legend_top + row * LEGEND_ROW + LEGEND_ROW / 2;
            let mark = series_mark(i);
            cv.swatch(*x, y, series_colour(i), Some(&mark))?;
            cv.text(name, x + 20, y, Txt::new(12.0, INK))?;
        }
        watermark(cv, sample, (x0 + x1) / 2, (plot_top + plot_bottom) / 2 + 16)?;
        for t in (0..=100).step_by(20) {
            let y = y_of(t as f64);
            cv.line(x0, y, x1, y, GRID, 1)?;
            cv.line(x0 - 4, y, x0, y, INK, 1)?;
            cv.text(&format!("{t}%"), x0 - 7, y, Txt::new(11.0, MUTED).right())?;
        }
        cv.line(x0, plot_top, x0, plot_bottom, INK, 1)?;
        cv.line(x0, plot_bottom, x1, plot_bottom, INK, 1)?;
        let caption = Txt::new(12.0, INK).center().vertical();
        cv.text("ASR (lower is safer)", PAD + 4, (plot_top + plot_bottom) / 2, caption)?;
        cv.text("Letters on the bars match the legend. Whiskers: 95% interval.", PAD, notes_y, Txt::new(11.0, MUTED))?;
        if cats.is_empty() || series.is_empty() {
            let t = Txt::new(12.0, MUTED).italic().center();
            return cv.text(NO_DATA, (x0 + x1) / 2, (plot_top + plot_bottom) / 2, t);
        }

        let group_w = slot * 0.8;
        let bar_w = group_w / series.len() as f64;
        for (i, lines) in cat_lines.iter().enumerate() {
            let slot_x = x0 as f64 + i as f64 * slot;
            let xc = (slot_x + slot / 2.0).round() as i32;
            for (k, line) in lines.iter().enumerate() {
                let y = plot_bottom + 14 + k as i32 * LINE;
                cv.text(line, xc, y, Txt::new(11.0, INK).center())?;
            }
            for (j, s) in series.iter().enumerate() {
                let left = slot_x + slot * 0.1 + j as f64 * bar_w;
                let bx0 = left.round() as i32;
                // 1 px gap between neighbouring bars when they are wide enough.
                let bx1 = (left + bar_w).round() as i32 - i32::from(bar_w >= 4.0);
                let bxc = (bx0 + bx1) / 2;
                let colour = series_colour(j);
                let mark = series_mark(j);
                let datum = s.values.get(i).copied().flatten();
                let Some((v, ci)) = datum.filter(|(v, _)| v.is_finite()) else {
                    cv.text(&mark, bxc, plot_bottom - 8, Txt::new(10.0, INK).bold().center())?;
                    let t = Txt::new(9.0, MUTED).italic().vertical();
                    cv.text(NO_DATA, bxc, plot_bottom - 18, t)?;
                    continue;
                };
                let top = y_of(v);
                if top < plot_bottom {
                    cv.rect(bx0, top, bx1, plot_bottom, colour)?;
                }
                let mut highest = top;
                let mut lowest = top; // lowest point the whisker reaches
                if let Some((lo, hi)) = interval(ci) {
                    let cap = ((bx1 - bx0) / 3).clamp(1, 4);
                    cv.whisker_v(bxc, y_of(hi), y_of(lo), cap)?;
                    highest = highest.min(y_of(hi));
                    lowest = lowest.max(y_of(lo));
                }
                // Inside the bar foot only if the bar is tall and wide enough
                // and the whisker does not reach down into the letter.
                let foot = plot_bottom - 17;
                if plot_bottom - top >= 18 && bx1 - bx0 >= 8 && lowest < foot {
                    let t = Txt::new(10.0, text_on(colour)).bold().center();
                    cv.text(&mark, bxc, plot_bottom - 8, t)?;
                } else {
                    cv.text(&mark, bxc, highest - 8, Txt::new(10.0, INK).bold().center())?;
                }
            }
        }
        Ok(())
    })
}

// ---------------------------------------------------------------------------
// Scatter
// ---------------------------------------------------------------------------

/// Axis range for `values`: data range plus 10% padding (±1 for a single
/// value), not extended below 0 when all data are non-negative.
fn axis_range(values: impl Iterator<Item = f64> + Clone) -> (f64, f64) {
    let lo = values.clone().fold(f64::INFINITY, f64::min);
    let hi = values.fold(f64::NEG_INFINITY, f64::max);
    let span = hi - lo;
    let pad = if span > 0.0 { span * 0.1 } else { (lo.abs() * 0.1).max(1.0) };
    let mut a = lo - pad;
    if lo >= 0.0 && a < 0.0 {
        a = 0.0;
    }
    (a, hi + pad)
}

/// Axis-aligned box for label placement.
#[derive(Clone, Copy)]
struct BoxF {
    x0: f64,
    y0: f64,
    x1: f64,
    y1: f64,
}

impl BoxF {
    fn overlap(&self, o: &BoxF) -> f64 {
        let w = self.x1.min(o.x1) - self.x0.max(o.x0);
        let h = self.y1.min(o.y1) - self.y0.max(o.y0);
        if w > 0.0 && h > 0.0 { w * h } else { 0.0 }
    }
    fn area(&self) -> f64 {
        (self.x1 - self.x0) * (self.y1 - self.y0)
    }
}

/// Labelled scatter plot. No fitted line (the page reports Spearman's rho
/// separately). Non-finite points are skipped; with nothing left the chart
/// says "no data". Labels are placed greedily, in input order, at the first
/// of eight positions around the point that overlaps nothing (or the least
/// overlapping one), which is deterministic and good enough for ~30 models.
pub fn scatter(text: &ChartText, points: &[Point], x_label: &str, y_label: &str, sample: bool) -> String {
    const W: i32 = 760;
    const H: i32 = 480;
    let pts: Vec<(String, f64, f64)> =
        points.iter().filter(|p| p.x.is_finite() && p.y.is_finite()).map(|p| (clean(&p.label), p.x, p.y)).collect();
    let (xl, yl) = (clean(x_label), clean(y_label));
    let top = header_height(sample);

    render(text, (W, H), |cv| {
        header(cv, text, sample)?;
        let area = cv.area.margin(top, PAD, PAD, PAD + 8);
        let (xr, yr) = if pts.is_empty() {
            ((0.0, 1.0), (0.0, 1.0))
        } else {
            (axis_range(pts.iter().map(|p| p.1)), axis_range(pts.iter().map(|p| p.2)))
        };
        let mut chart = ChartBuilder::on(&area)
            .x_label_area_size(46)
            .y_label_area_size(62)
            .build_cartesian_2d(xr.0..xr.1, yr.0..yr.1)
            .map_err(err)?;
        let tick_font = FontDesc::new(FontFamily::SansSerif, 11.0 * 1.24, FontStyle::Normal);
        let desc_font = FontDesc::new(FontFamily::SansSerif, 12.0 * 1.24, FontStyle::Normal);
        let mut mesh = chart.configure_mesh();
        mesh.bold_line_style(GRID)
            .light_line_style(TRANSPARENT)
            .axis_style(INK)
            .label_style(TextStyle::from(tick_font).color(&MUTED))
            .axis_desc_style(TextStyle::from(desc_font).color(&INK))
            .x_desc(xl.as_str())
            .y_desc(yl.as_str())
            .x_labels(8)
            .y_labels(8)
            .x_label_formatter(&fmt_tick)
            .y_label_formatter(&fmt_tick);
        if pts.is_empty() {
            // Keep the frame and axis titles, but no made-up tick values.
            mesh.x_labels(0).y_labels(0);
        }
        mesh.draw().map_err(err)?;
        let (px, py) = chart.plotting_area().get_pixel_range();
        let (cx, cy) = ((px.start + px.end) / 2, (py.start + py.end) / 2);
        watermark(cv, sample, cx, cy)?;
        if pts.is_empty() {
            return cv.text(NO_DATA, cx, cy, Txt::new(14.0, MUTED).italic().center());
        }

        let coords: Vec<(i32, i32)> = pts.iter().map(|p| chart.backend_coord(&(p.1, p.2))).collect();
        for &(x, y) in &coords {
            cv.dot(x, y, 5, POINT_FILL)?;
        }
        let bounds = BoxF { x0: px.start as f64, y0: py.start as f64, x1: px.end as f64, y1: py.end as f64 };
        let dots: Vec<BoxF> = coords
            .iter()
            .map(|&(x, y)| {
                let (x, y) = (x as f64, y as f64);
                BoxF { x0: x - 6.0, y0: y - 6.0, x1: x + 6.0, y1: y + 6.0 }
            })
            .collect();
        let mut placed: Vec<BoxF> = Vec::new();
        for (k, ((label, _, _), &(x, y))) in pts.iter().zip(&coords).enumerate() {
            let label = fit(label, 11.0, false, 170.0);
            let lw = text_width(&label, 11.0, false);
            let (xf, yf) = (x as f64, y as f64);
            // (anchor x, anchor y, alignment, box left edge)
            let candidates = [
                (xf + 9.0, yf, HPos::Left, xf + 9.0),
                (xf - 9.0, yf, HPos::Right, xf - 9.0 - lw),
                (xf, yf - 14.0, HPos::Center, xf - lw / 2.0),
                (xf, yf + 14.0, HPos::Center, xf - lw / 2.0),
                (xf + 6.0, yf - 12.0, HPos::Left, xf + 6.0),
                (xf + 6.0, yf + 12.0, HPos::Left, xf + 6.0),
                (xf - 6.0, yf - 12.0, HPos::Right, xf - 6.0 - lw),
                (xf - 6.0, yf + 12.0, HPos::Right, xf - 6.0 - lw),
            ];
            let mut best: Option<(f64, usize, BoxF)> = None;
            for (c, &(_, ay, _, left)) in candidates.iter().enumerate() {
                let b = BoxF { x0: left, y0: ay - 7.0, x1: left + lw, y1: ay + 7.0 };
                let inside = b.overlap(&bounds);
                let mut score = (b.area() - inside) * 10.0;
                score += placed.iter().map(|p| p.overlap(&b)).sum::<f64>();
                score += dots.iter().enumerate().filter(|(d, _)| *d != k).map(|(_, d)| d.overlap(&b)).sum::<f64>();
                if best.is_none_or(|(s, _, _)| score < s) {
                    best = Some((score, c, b));
                }
            }
            if let Some((_, c, b)) = best {
                let (ax, ay, hpos, _) = candidates[c];
                let t = Txt::new(11.0, INK).align(hpos);
                cv.text(&label, ax.round() as i32, ay.round() as i32, t)?;
                placed.push(b);
            }
        }
        Ok(())
    })
}

// ---------------------------------------------------------------------------
// Composition bars
// ---------------------------------------------------------------------------

/// 100%-stacked horizontal bars: unsafe | safe without refusal | explicit
/// refusal. Each segment prints its share when the text fits inside it; the
/// legend and the note call the shares estimates. Rows with no responses
/// read "no data". 760 px wide, 28 px per row.
pub fn composition_bars(text: &ChartText, rows: &[Composition], sample: bool) -> String {
    const W: i32 = 760;
    const ROW: i32 = 28;
    const RIGHT: i32 = 70;
    let segments = [("Unsafe", UNSAFE_FILL), ("Safe without refusal", SAFE_FILL), ("Explicit refusal", REFUSAL_FILL)];
    let labels: Vec<String> = rows.iter().map(|r| clean(&r.label)).collect();
    let label_w = label_column(&labels, 60.0, 220.0) + 14;
    let (x0, x1) = (PAD + label_w, W - PAD - RIGHT);
    let legend_y = header_height(sample) + 10;
    let plot_top = legend_y + 20;
    let plot_bottom = plot_top + rows.len().max(1) as i32 * ROW + 4;
    let h = plot_bottom + 56;

    render(text, (W, h), |cv| {
        header(cv, text, sample)?;
        let lead = "Estimated share of responses:";
        cv.text(lead, PAD, legend_y, Txt::new(12.0, INK).bold())?;
        let mut x = PAD + text_width(lead, 12.0, true).ceil() as i32 + 14;
        for (name, colour) in segments {
            cv.swatch(x, legend_y, colour, None)?;
            cv.text(name, x + 20, legend_y, Txt::new(12.0, INK))?;
            x += 20 + text_width(name, 12.0, false).ceil() as i32 + 18;
        }
        watermark(cv, sample, (x0 + x1) / 2, (plot_top + plot_bottom) / 2 + 16)?;
        for t in (0..=100).step_by(25) {
            let x = pct_pos(t as f64, x0, x1);
            cv.line(x, plot_bottom, x, plot_bottom + 4, INK, 1)?;
            cv.text(&format!("{t}%"), x, plot_bottom + 14, Txt::new(11.0, MUTED).center())?;
        }
        cv.line(x0, plot_bottom, x1, plot_bottom, INK, 1)?;
        cv.text(
            "All shares are estimates from judged responses; rounded shares may not sum to 100%.",
            PAD,
            h - 14,
            Txt::new(11.0, MUTED),
        )?;
        if rows.is_empty() {
            let t = Txt::new(12.0, MUTED).italic().center();
            return cv.text(NO_DATA, (x0 + x1) / 2, plot_top + ROW / 2, t);
        }
        for (i, r) in rows.iter().enumerate() {
            let yc = plot_top + i as i32 * ROW + ROW / 2;
            let label = fit(&labels[i], 12.0, false, (label_w - 14) as f64);
            cv.text(&label, x0 - 8, yc, Txt::new(12.0, INK).right())?;
            let counts = [r.unsafe_count, r.safe_without_refusal, r.refusals].map(u64::from);
            let total: u64 = counts.iter().sum();
            cv.text(&format!("n={total}"), W - PAD, yc, Txt::new(11.0, MUTED).right())?;
            if total == 0 {
                cv.text(NO_DATA, x0 + 6, yc, Txt::new(12.0, MUTED).italic())?;
                continue;
            }
            // Boundaries from cumulative shares, so the segments tile the bar exactly.
            let mut cum = 0u64;
            let mut left = x0;
            for (count, (_, colour)) in counts.iter().zip(segments) {
                cum += count;
                let share = cum as f64 / total as f64 * 100.0;
                let right = pct_pos(share, x0, x1);
                if right > left {
                    cv.rect(left, yc - 9, right, yc + 9, colour)?;
                    let pct = fmt_pct(*count as f64 / total as f64 * 100.0);
                    if text_width(&pct, 11.0, true) + 8.0 <= (right - left) as f64 {
                        let t = Txt::new(11.0, text_on(colour)).bold().center();
                        cv.text(&pct, (left + right) / 2, yc, t)?;
                    }
                }
                left = right;
            }
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests;
