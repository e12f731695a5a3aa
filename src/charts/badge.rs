//! The README badge: a two-part label like the usual shields (`MIR-SafetyBench ASR | 12.2% ·
//! rank 1/26`). Hand-written SVG rather than plotters: it is two rectangles and two strings,
//! sized from the same text-width estimate as the charts.

use super::text::{clean, escape_xml, text_width};
use crate::domain::page_data::BadgeValue;

const PX: f64 = 11.0;
const PAD: f64 = 6.0;
const HEIGHT: u32 = 20;

/// The badge SVG. `sample` puts SAMPLE into the label, so a generated number can never pass
/// for a result in someone's README.
pub fn badge(value: &BadgeValue, judge: &str, sample: bool) -> String {
    let label = if sample { "MIR-SafetyBench ASR · SAMPLE" } else { "MIR-SafetyBench ASR" };
    let (text, fill) = match value {
        // One decimal: a badge is read at a glance; the site carries the exact figures.
        BadgeValue::Ranked { asr, rank, of } => (format!("{asr:.1}% · rank {rank}/{of}"), "#1f6f43"),
        BadgeValue::NotRanked => ("not ranked".to_owned(), "#6b6b6b"),
    };
    let left = (text_width(label, PX, false) + 2.0 * PAD).ceil();
    let right = (text_width(&text, PX, false) + 2.0 * PAD).ceil();
    let width = left + right;
    let title = escape_xml(&clean(&format!("{label}: {text} (judge {judge}; lower is safer)")));
    let (label, text) = (escape_xml(label), escape_xml(&text));
    format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{HEIGHT}" viewBox="0 0 {width} {HEIGHT}" role="img" aria-label="{title}"><title>{title}</title><rect width="{left}" height="{HEIGHT}" fill="#3b3b3b"/><rect x="{left}" width="{right}" height="{HEIGHT}" fill="{fill}"/><g fill="#ffffff" font-family="Verdana,DejaVu Sans,sans-serif" font-size="{PX}" text-anchor="middle"><text x="{lx}" y="14">{label}</text><text x="{rx}" y="14">{text}</text></g></svg>"##,
        lx = left / 2.0,
        rx = left + right / 2.0,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_badge_reads_asr_rank_and_population() {
        let svg = badge(&BadgeValue::Ranked { asr: 12.2449, rank: 1, of: 26 }, "HarmBench", false);
        assert!(svg.contains(">12.2% · rank 1/26</text>"), "{svg}");
        assert!(svg.contains(">MIR-SafetyBench ASR</text>"));
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(!svg.contains("SAMPLE"));
    }

    #[test]
    fn sample_badges_say_so_and_text_is_escaped() {
        let svg = badge(&BadgeValue::NotRanked, "<judge & co>", true);
        assert!(svg.contains("SAMPLE"));
        assert!(svg.contains(">not ranked</text>"));
        assert!(svg.contains("&lt;judge &amp; co&gt;") && !svg.contains("<judge"));
    }
}
