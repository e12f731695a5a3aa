//! Colours: the role colours and their dark-mode replacements, the data
//! palettes (Okabe–Ito, the heatmap ramp) and the contrast helpers.

use plotters::prelude::*;

// Role colours. Each is used for exactly one role and for nothing else, because
// the dark-mode CSS selects elements by these exact values.
pub(super) const BG: RGBColor = RGBColor(0xFF, 0xFF, 0xFF);
pub(super) const INK: RGBColor = RGBColor(0x1F, 0x23, 0x28);
pub(super) const MUTED: RGBColor = RGBColor(0x59, 0x63, 0x6E);
pub(super) const GRID: RGBColor = RGBColor(0xD1, 0xD9, 0xE0);
pub(super) const NEUTRAL: RGBColor = RGBColor(0xEF, 0xF2, 0xF5);
pub(super) const HATCH: RGBColor = RGBColor(0xA8, 0xB1, 0xBB);
pub(super) const BANNER_BG: RGBColor = RGBColor(0xFF, 0xF8, 0xC5);
pub(super) const BANNER_INK: RGBColor = RGBColor(0x7D, 0x4E, 0x00);

/// Light role colour -> its dark-mode replacement (GitHub-dark-like greys).
pub(super) const THEME: [(RGBColor, &str); 8] = [
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
pub(super) const ON_DATA_DARK: RGBColor = RGBColor(0x00, 0x00, 0x00);
pub(super) const ON_DATA_LIGHT: RGBColor = RGBColor(0xFA, 0xFA, 0xFA);

/// Okabe–Ito: orange, sky blue, bluish green, yellow, blue, vermillion,
/// reddish purple, black.
pub(super) const OKABE_ITO: [RGBColor; 8] = [
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
pub(super) const BAR_FILL: RGBColor = OKABE_ITO[4];
pub(super) const POINT_FILL: RGBColor = OKABE_ITO[4];
pub(super) const UNSAFE_FILL: RGBColor = OKABE_ITO[5];
pub(super) const SAFE_FILL: RGBColor = OKABE_ITO[1];
pub(super) const REFUSAL_FILL: RGBColor = OKABE_ITO[4];

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
pub(super) fn ramp(value: f64) -> RGBColor {
    let t = 1.0 - (value / 100.0).clamp(0.0, 1.0);
    let seg = t * (VIRIDIS.len() - 1) as f64;
    let i = (seg.floor() as usize).min(VIRIDIS.len() - 2);
    let f = seg - i as f64;
    let (a, b) = (VIRIDIS[i], VIRIDIS[i + 1]);
    let mix = |p: u8, q: u8| (p as f64 + (q as f64 - p as f64) * f).round() as u8;
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

pub(super) fn series_colour(i: usize) -> RGBColor {
    OKABE_ITO[SERIES_ORDER[i % SERIES_ORDER.len()]]
}

/// Letter that identifies series `i` on its bars and in the legend.
pub(super) fn series_mark(i: usize) -> String {
    match u8::try_from(i) {
        Ok(i) if i < 26 => char::from(b'A' + i).to_string(),
        _ => format!("S{}", i + 1),
    }
}

/// WCAG relative luminance.
pub(super) fn luminance(c: RGBColor) -> f64 {
    let lin = |v: u8| {
        let s = v as f64 / 255.0;
        if s <= 0.04045 { s / 12.92 } else { ((s + 0.055) / 1.055).powf(2.4) }
    };
    0.2126 * lin(c.0) + 0.7152 * lin(c.1) + 0.0722 * lin(c.2)
}

/// Text colour with the higher WCAG contrast against `fill`.
pub(super) fn text_on(fill: RGBColor) -> RGBColor {
    let l = luminance(fill);
    let contrast = |t: RGBColor| {
        let lt = luminance(t);
        (l.max(lt) + 0.05) / (l.min(lt) + 0.05)
    };
    if contrast(ON_DATA_DARK) >= contrast(ON_DATA_LIGHT) { ON_DATA_DARK } else { ON_DATA_LIGHT }
}

/// `#RRGGBB`, upper case, exactly as plotters-svg writes colours (the CSS
/// selectors must match byte for byte).
pub(super) fn hex(c: RGBColor) -> String {
    format!("#{:02X}{:02X}{:02X}", c.0, c.1, c.2)
}
