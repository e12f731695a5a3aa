//! Drawing on top of plotters: the canvas and text style, the title block
//! and sample marks, and turning plotters' output into the final document.

use std::fmt::Write as _;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::input::ChartText;
use super::style::{BANNER_BG, BANNER_INK, BG, HATCH, INK, THEME, hex, text_on};
use super::text::{clean, escape_xml, fit, text_width};

pub(super) const SAMPLE_TEXT: &str = "SAMPLE DATA \u{2014} not real results";
pub(super) const PAD: i32 = 16;

pub(super) type Res<T = ()> = Result<T, String>;

pub(super) fn err<E: std::fmt::Debug>(e: E) -> String {
    format!("{e:?}")
}

/// Text style in the units we think in (CSS px). Sizes are limited to values
/// for which plotters' `size / 1.24` round-trips exactly (see `Canvas::text`).
#[derive(Clone, Copy)]
pub(super) struct Txt {
    px: f64,
    color: RGBColor,
    alpha: f64,
    style: FontStyle,
    h: HPos,
    v: VPos,
    vertical: bool,
}

impl Txt {
    pub(super) fn new(px: f64, color: RGBColor) -> Self {
        Txt { px, color, alpha: 1.0, style: FontStyle::Normal, h: HPos::Left, v: VPos::Center, vertical: false }
    }
    pub(super) fn bold(self) -> Self {
        Txt { style: FontStyle::Bold, ..self }
    }
    pub(super) fn italic(self) -> Self {
        Txt { style: FontStyle::Italic, ..self }
    }
    pub(super) fn center(self) -> Self {
        Txt { h: HPos::Center, ..self }
    }
    pub(super) fn right(self) -> Self {
        Txt { h: HPos::Right, ..self }
    }
    pub(super) fn align(self, h: HPos) -> Self {
        Txt { h, ..self }
    }
    fn alpha(self, alpha: f64) -> Self {
        Txt { alpha, ..self }
    }
    /// Rotated 270° (reads bottom to top).
    pub(super) fn vertical(self) -> Self {
        Txt { vertical: true, ..self }
    }
}

/// Thin wrapper around the root drawing area with pixel-coordinate helpers.
pub(super) struct Canvas<'a> {
    pub(super) area: DrawingArea<SVGBackend<'a>, Shift>,
    w: i32,
}

impl Canvas<'_> {
    pub(super) fn rect(&self, x0: i32, y0: i32, x1: i32, y1: i32, c: RGBColor) -> Res {
        self.area.draw(&Rectangle::new([(x0, y0), (x1, y1)], c.filled())).map_err(err)
    }

    pub(super) fn frame(&self, x0: i32, y0: i32, x1: i32, y1: i32, c: RGBColor) -> Res {
        self.area.draw(&Rectangle::new([(x0, y0), (x1, y1)], c.stroke_width(1))).map_err(err)
    }

    pub(super) fn line(&self, x0: i32, y0: i32, x1: i32, y1: i32, c: RGBColor, width: u32) -> Res {
        self.area.draw(&PathElement::new(vec![(x0, y0), (x1, y1)], c.stroke_width(width))).map_err(err)
    }

    pub(super) fn dot(&self, x: i32, y: i32, r: u32, c: RGBColor) -> Res {
        self.area.draw(&Circle::new((x, y), r, c.filled())).map_err(err)
    }

    pub(super) fn text(&self, s: &str, x: i32, y: i32, t: Txt) -> Res {
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
    pub(super) fn whisker_h(&self, xa: i32, xb: i32, y: i32) -> Res {
        self.line(xa, y, xb, y, BG, 3)?;
        self.line(xa, y - 5, xa, y + 5, BG, 3)?;
        self.line(xb, y - 5, xb, y + 5, BG, 3)?;
        self.line(xa, y, xb, y, INK, 1)?;
        self.line(xa, y - 5, xa, y + 5, INK, 1)?;
        self.line(xb, y - 5, xb, y + 5, INK, 1)
    }

    /// Vertical whisker with end caps of half-width `cap`.
    pub(super) fn whisker_v(&self, x: i32, ya: i32, yb: i32, cap: i32) -> Res {
        self.line(x, ya, x, yb, BG, 3)?;
        self.line(x - cap, ya, x + cap, ya, BG, 3)?;
        self.line(x - cap, yb, x + cap, yb, BG, 3)?;
        self.line(x, ya, x, yb, INK, 1)?;
        self.line(x - cap, ya, x + cap, ya, INK, 1)?;
        self.line(x - cap, yb, x + cap, yb, INK, 1)
    }

    /// 45° hatch lines clipped to the rectangle (marks "too few to colour").
    pub(super) fn hatch(&self, x0: i32, y0: i32, x1: i32, y1: i32) -> Res {
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
    pub(super) fn swatch(&self, x: i32, y: i32, c: RGBColor, mark: Option<&str>) -> Res {
        self.rect(x, y - 7, x + 14, y + 7, c)?;
        if let Some(m) = mark {
            self.text(m, x + 7, y, Txt::new(10.0, text_on(c)).bold().center())?;
        }
        Ok(())
    }
}

/// Height of the title block, plus the sample banner when shown.
pub(super) fn header_height(sample: bool) -> i32 {
    if sample { 70 } else { 40 }
}

/// Title (and, for sample data, a boxed banner under it). A long title (a long model or judge
/// name) is set smaller, down to 12 px, before anything is cut; only beyond that is the drawn
/// one ellipsized (the full title is also in `<title>`).
pub(super) fn header(cv: &Canvas, text: &ChartText, sample: bool) -> Res {
    let max_w = (cv.w - 2 * PAD) as f64;
    let full = clean(&text.title);
    let px =
        [16.0, 15.0, 14.0, 13.0, 12.0].into_iter().find(|px| text_width(&full, *px, true) <= max_w).unwrap_or(12.0);
    let title = fit(&full, px, true, max_w);
    cv.text(&title, PAD, 22, Txt::new(px, INK).bold())?;
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
pub(super) fn watermark(cv: &Canvas, sample: bool, x: i32, y: i32) -> Res {
    if !sample {
        return Ok(());
    }
    let t = Txt::new(48.0, BANNER_INK).bold().center().alpha(0.12);
    cv.text("SAMPLE DATA", x, y, t)
}

/// Draws with `draw` on a `w` x `h` canvas and finishes the document. A
/// drawing error (not expected with a `String` target) yields a minimal,
/// still accessible placeholder SVG instead of a panic.
pub(super) fn render(text: &ChartText, (w, h): (i32, i32), draw: impl FnOnce(&Canvas) -> Res) -> String {
    let (w, h) = (w.max(1), h.max(1));
    let mut raw = String::new();
    let drawn = {
        let area = SVGBackend::with_string(&mut raw, (w as u32, h as u32)).into_drawing_area();
        let cv = Canvas { area, w };
        cv.area.fill(&BG).map_err(err).and_then(|()| draw(&cv)).and_then(|()| cv.area.present().map_err(err))
    };
    drawn.ok().and_then(|()| finish(&raw, text)).unwrap_or_else(|| fallback(w, h, text))
}

/// The dark-mode rules every chart carries in its one `<style>` element: one rule per role
/// colour and attribute. The same text in every chart, so that a page showing a chart inline
/// can allow exactly this style by its hash (`http::edge::headers`).
pub fn dark_style() -> &'static str {
    static CSS: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        let mut css = String::from("@media (prefers-color-scheme: dark){");
        for (light, dark) in THEME {
            let l = hex(light);
            let _ = write!(css, "[fill=\"{l}\"]{{fill:{dark}}}[stroke=\"{l}\"]{{stroke:{dark}}}");
        }
        css.push('}');
        css
    });
    &CSS
}

fn dark_css() -> String {
    format!("<style>{}</style>\n", dark_style())
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
pub(super) fn tidy_text_nodes(raw: &str) -> String {
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
pub(super) fn fallback(w: i32, h: i32, text: &ChartText) -> String {
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
pub(super) fn pct_pos(v: f64, a: i32, b: i32) -> i32 {
    a + ((v.clamp(0.0, 100.0) / 100.0) * (b - a) as f64).round() as i32
}

/// Width of a left label column fitting `labels` at 12px, clamped.
pub(super) fn label_column(labels: &[String], min: f64, max: f64) -> i32 {
    let widest = labels.iter().map(|l| text_width(l, 12.0, false)).fold(0.0, f64::max);
    widest.clamp(min, max).ceil() as i32
}
