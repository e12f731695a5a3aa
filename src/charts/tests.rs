//! Snapshot and behavioural tests for the charts.
//!
//! Snapshots are stored without the module path in their name
//! (`snapshots/<chart>.snap` next to this file), so their names do not
//! depend on where the chart code lives inside `src/charts/`.

use super::canvas::{SAMPLE_TEXT, fallback, tidy_text_nodes};
use super::style::{
    BAR_FILL, HATCH, OKABE_ITO, ON_DATA_DARK, ON_DATA_LIGHT, THEME, hex, luminance, ramp, series_mark, text_on,
};
use super::text::{NO_DATA, escape_xml, fit, fmt_pct, fmt_tick, text_width, wrap};
use super::*;
use roxmltree::{Document, Node};

const NASTY: &str = "<script>&\"'";

fn text(title: &str) -> ChartText {
    ChartText { title: title.to_string(), desc: format!("{title}: test data.") }
}

fn s(v: &str) -> String {
    v.to_string()
}

fn sample_bars() -> Vec<Bar> {
    vec![
        Bar {
            label: s("Continuity"),
            group: Some(s("Temporal")),
            value: Some(23.4),
            interval: Some((18.9, 28.4)),
            n: 317,
        },
        Bar { label: s("Jump"), group: Some(s("Temporal")), value: Some(41.0), interval: Some((35.2, 47.1)), n: 250 },
        Bar { label: s("Spatial Juxtaposition"), group: Some(s("Spatial")), value: None, interval: None, n: 0 },
        Bar { label: s("Occlusion"), group: Some(s("Spatial")), value: Some(0.0), interval: Some((0.0, 3.1)), n: 120 },
    ]
}

struct Heat {
    rows: Vec<String>,
    cols: Vec<String>,
    cells: Vec<Vec<HeatCell>>,
}

fn sample_heat() -> Heat {
    let c = |value: Option<f64>, n: u32| HeatCell { value, n };
    Heat {
        rows: vec![s("Continuity"), s("Spatial Juxtaposition"), s("Analogy")],
        cols: vec![s("Illegal Activities"), s("Hate Speech"), s("Privacy Violation")],
        cells: vec![
            vec![c(Some(41.2), 53), c(Some(8.0), 40), c(Some(92.5), 61)],
            // (1, 1) has too few responses; 37.3 is used by no other cell.
            vec![c(Some(12.5), 30), c(Some(37.3), 4), c(None, 0)],
            vec![c(Some(66.6), 45), c(Some(100.0), 12), c(Some(0.0), 10)],
        ],
    }
}

fn sample_series() -> (Vec<String>, Vec<Series>) {
    let cats = vec![s("Continuity"), s("Spatial Juxtaposition"), s("Cross-modal Reference")];
    let series = vec![
        Series {
            name: s("Model One"),
            values: vec![Some((23.4, Some((18.0, 29.0)))), Some((61.0, None)), Some((4.0, Some((1.0, 9.0))))],
        },
        Series {
            name: s("Model Two"),
            values: vec![Some((35.0, Some((30.0, 40.0)))), None, Some((48.5, Some((42.0, 55.0))))],
        },
    ];
    (cats, series)
}

fn sample_points() -> Vec<Point> {
    vec![
        Point { label: s("Model One"), x: 71.5, y: 23.4 },
        Point { label: s("Model Two"), x: 64.0, y: 41.0 },
        Point { label: s("Model Three"), x: 80.2, y: 12.9 },
    ]
}

fn sample_composition() -> Vec<Composition> {
    vec![
        Composition { label: s("Model One"), unsafe_count: 74, refusals: 120, safe_without_refusal: 123 },
        Composition { label: s("Model Two"), unsafe_count: 3, refusals: 200, safe_without_refusal: 47 },
        Composition { label: s("Untested"), unsafe_count: 0, refusals: 0, safe_without_refusal: 0 },
    ]
}

/// Every chart type (plus the empty scatter) rendered from the sample data.
fn all_charts(sample: bool) -> Vec<(&'static str, String)> {
    let h = sample_heat();
    let (cats, series) = sample_series();
    vec![
        ("bar_chart", bar_chart(&text("ASR by relation"), &sample_bars(), sample)),
        ("heatmap", heatmap(&text("ASR grid"), &h.rows, &h.cols, &h.cells, 10, sample)),
        ("grouped_bars", grouped_bars(&text("Models by relation"), &cats, &[], &series, sample)),
        ("scatter", scatter(&text("Capability vs ASR"), &sample_points(), "Capability", "ASR (%)", sample)),
        ("scatter_empty", scatter(&text("Capability vs ASR"), &[], "Capability", "ASR (%)", sample)),
        ("composition_bars", composition_bars(&text("Response mix"), &sample_composition(), sample)),
    ]
}

fn parse(svg: &str) -> Document<'_> {
    Document::parse(svg).unwrap_or_else(|e| panic!("not well-formed XML: {e}\n{svg}"))
}

/// Text content of every `<text>` element.
fn texts(doc: &Document) -> Vec<String> {
    doc.descendants().filter(|n| n.has_tag_name("text")).map(|n| n.text().unwrap_or("").to_string()).collect()
}

fn count_text(doc: &Document, wanted: &str) -> usize {
    texts(doc).iter().filter(|t| *t == wanted).count()
}

fn snap(name: &str, svg: &str) {
    insta::with_settings!({ prepend_module_to_snapshot => false, omit_expression => true }, {
        insta::assert_snapshot!(name, svg);
    });
}

// --- snapshots --------------------------------------------------------------

#[test]
fn snapshot_bar_chart() {
    snap("bar_chart", &bar_chart(&text("ASR by relation"), &sample_bars(), true));
}

#[test]
fn snapshot_heatmap() {
    let h = sample_heat();
    snap("heatmap", &heatmap(&text("ASR grid"), &h.rows, &h.cols, &h.cells, 10, false));
}

#[test]
fn snapshot_grouped_bars() {
    let (cats, series) = sample_series();
    snap("grouped_bars", &grouped_bars(&text("Models by relation"), &cats, &[false, true, false], &series, false));
}

#[test]
fn snapshot_scatter() {
    let svg = scatter(&text("Capability vs ASR"), &sample_points(), "Capability", "ASR (%)", false);
    snap("scatter", &svg);
}

#[test]
fn snapshot_scatter_empty() {
    snap("scatter_empty", &scatter(&text("Capability vs ASR"), &[], "Capability", "ASR (%)", true));
}

#[test]
fn snapshot_composition_bars() {
    snap("composition_bars", &composition_bars(&text("Response mix"), &sample_composition(), false));
}

// --- document structure -----------------------------------------------------

#[test]
fn every_chart_is_well_formed_and_scalable() {
    for sample in [false, true] {
        for (name, svg) in all_charts(sample) {
            let doc = parse(&svg);
            let root = doc.root_element();
            assert!(root.has_tag_name("svg"), "{name}");
            assert_eq!(root.attribute("role"), Some("img"), "{name}");
            let view_box = root.attribute("viewBox").unwrap_or_default();
            let w = root.attribute("width").unwrap();
            let h = root.attribute("height").unwrap();
            assert_eq!(view_box, format!("0 0 {w} {h}"), "{name}");
        }
    }
}

#[test]
fn title_and_desc_are_first_children_and_label_the_svg() {
    for (name, svg) in all_charts(false) {
        let doc = parse(&svg);
        let root = doc.root_element();
        let title = root.first_child().unwrap();
        assert!(title.has_tag_name("title"), "{name}: first child node must be <title>");
        let desc = title.next_sibling().unwrap();
        assert!(desc.has_tag_name("desc"), "{name}: second child node must be <desc>");
        let labelled = root.attribute("aria-labelledby").unwrap();
        let ids = format!("{} {}", title.attribute("id").unwrap(), desc.attribute("id").unwrap());
        assert_eq!(labelled, ids, "{name}");
        assert!(title.text().unwrap().len() > 3, "{name}");
        assert!(desc.text().unwrap().ends_with(": test data."), "{name}");
    }
}

#[test]
fn ids_differ_between_charts() {
    let ids: Vec<String> = all_charts(false)
        .iter()
        .map(|(_, svg)| parse(svg).root_element().attribute("aria-labelledby").unwrap().to_string())
        .collect();
    for (i, a) in ids.iter().enumerate() {
        assert!(ids[i + 1..].iter().all(|b| b != a), "duplicate id {a}");
    }
}

#[test]
fn sample_watermark_present_iff_sample() {
    for sample in [false, true] {
        for (name, svg) in all_charts(sample) {
            let doc = parse(&svg);
            assert_eq!(count_text(&doc, SAMPLE_TEXT) == 1, sample, "{name} banner, sample={sample}");
            assert_eq!(count_text(&doc, "SAMPLE DATA") == 1, sample, "{name} watermark, sample={sample}");
            assert_eq!(svg.contains("SAMPLE"), sample, "{name}");
        }
    }
}

#[test]
fn renders_are_byte_identical() {
    for sample in [false, true] {
        let first = all_charts(sample);
        let second = all_charts(sample);
        for ((name, a), (_, b)) in first.iter().zip(&second) {
            assert_eq!(a, b, "{name} is not deterministic");
        }
    }
}

// --- content ----------------------------------------------------------------

#[test]
fn low_n_heatmap_cell_is_not_coloured_and_says_too_few() {
    let h = sample_heat();
    let scale_colour = format!("fill=\"{}\"", hex(ramp(37.3)));
    let svg = heatmap(&text("ASR grid"), &h.rows, &h.cols, &h.cells, 10, false);
    let doc = parse(&svg);
    assert!(!svg.contains(&scale_colour), "low-n cell must not get a scale colour");
    assert_eq!(count_text(&doc, "n=4, too few"), 1);
    assert!(!texts(&doc).contains(&fmt_pct(37.3)), "its value is not printed either");
    // Hatch lines are drawn (neutral cell + pattern).
    assert!(svg.contains(&format!("stroke=\"{}\"", hex(HATCH))));
    // Control: with the threshold lowered the same cell is coloured, so the
    // assertion above is meaningful.
    let coloured = heatmap(&text("ASR grid"), &h.rows, &h.cols, &h.cells, 4, false);
    assert!(coloured.contains(&scale_colour));
    assert_eq!(count_text(&parse(&coloured), "n=4, too few"), 0);
}

#[test]
fn heatmap_cells_print_value_and_n() {
    let h = sample_heat();
    let svg = heatmap(&text("ASR grid"), &h.rows, &h.cols, &h.cells, 10, false);
    let doc = parse(&svg);
    let t = texts(&doc);
    for want in ["41.2%", "n=53", "100.0%", "n=12", "0.0%", "n=10", "0%", "100%"] {
        assert!(t.iter().any(|x| x == want), "missing {want}");
    }
    // One empty cell plus the key entry under the grid.
    assert_eq!(count_text(&doc, NO_DATA), 2);
}

#[test]
fn missing_values_say_no_data() {
    let count = |svg: &str| count_text(&parse(svg), NO_DATA);
    let all = all_charts(false);
    let get = |n: &str| all.iter().find(|(name, _)| *name == n).unwrap().1.clone();
    assert_eq!(count(&get("bar_chart")), 1);
    assert_eq!(count(&get("heatmap")), 1 + 1, "the key under the grid says it too");
    assert_eq!(count(&get("grouped_bars")), 1);
    assert_eq!(count(&get("composition_bars")), 1);
    assert_eq!(count(&get("scatter_empty")), 1);
    assert_eq!(count(&get("scatter")), 0);

    // A missing bar is not drawn as a zero-length bar: only 3 bars of BAR_FILL.
    let bars = get("bar_chart");
    assert_eq!(bars.matches(&format!("fill=\"{}\"", hex(BAR_FILL))).count(), 2, "0.0% draws no rect either");

    // Only non-finite points behave like no points.
    let nan = [Point { label: s("x"), x: f64::NAN, y: 1.0 }];
    assert_eq!(count(&scatter(&text("t"), &nan, "x", "y", false)), 1);
    // Empty inputs everywhere.
    assert_eq!(count(&bar_chart(&text("t"), &[], false)), 1);
    assert_eq!(count(&heatmap(&text("t"), &[], &[], &[], 10, false)), 1 + 1);
    assert_eq!(count(&grouped_bars(&text("t"), &[], &[], &[], false)), 1);
    assert_eq!(count(&composition_bars(&text("t"), &[], false)), 1);
}

#[test]
fn bar_chart_prints_values_n_and_group_headers() {
    let svg = bar_chart(&text("ASR by relation"), &sample_bars(), false);
    let doc = parse(&svg);
    let t = texts(&doc);
    for want in ["23.4%", "n=317", "41.0%", "0.0%", "Temporal", "Spatial", "Spatial Juxtaposition"] {
        assert!(t.iter().any(|x| x == want), "missing {want}");
    }
    assert_eq!(count_text(&doc, "Temporal"), 1, "one header per run of a group");
}

#[test]
fn crowded_scatter_labels_become_numbers_with_a_key_instead_of_overlapping() {
    let points: Vec<Point> = (0..12)
        .map(|i| Point { label: format!("Crowded model {i}"), x: 50.0 + f64::from(i) * 0.01, y: 20.0 })
        .collect();
    let svg = scatter(&text("t"), &points, "Capability", "ASR (%)", false);
    let all = texts(&parse(&svg));
    let key: Vec<&String> = all.iter().filter(|t| t.contains(" · ") || t.starts_with("Numbered points:")).collect();
    assert!(key.first().is_some_and(|k| k.starts_with("Numbered points: 1 Crowded model")), "{all:?}");
    for i in 0..12 {
        let name = format!("Crowded model {i}");
        let as_label = all.iter().filter(|t| **t == name).count();
        let in_key = key
            .iter()
            .flat_map(|k| k.trim_start_matches("Numbered points: ").split(" · "))
            .any(|entry| entry.split_once(' ').is_some_and(|(n, rest)| n.parse::<u32>().is_ok() && rest == name));
        assert_eq!(as_label + usize::from(in_key), 1, "{name} is shown exactly once: {all:?}");
    }
    assert!(svg.starts_with("<svg width=\"760\" height=\"") && !svg.starts_with("<svg width=\"760\" height=\"480\""));
    // Spread-out points keep their labels and need no key.
    let spread: Vec<Point> =
        (0..4).map(|i| Point { label: format!("M{i}"), x: f64::from(i) * 30.0, y: f64::from(i) * 20.0 }).collect();
    let all = texts(&parse(&scatter(&text("t"), &spread, "x", "y", false)));
    assert!(!all.iter().any(|t| t.starts_with("Numbered points")), "{all:?}");
}

#[test]
fn bar_axis_fits_the_data_and_starts_at_zero() {
    use super::bar::value_axis as axis;
    let b = |v: Option<f64>, ci: Option<(f64, f64)>| Bar { label: s("x"), group: None, value: v, interval: ci, n: 1 };
    assert_eq!(axis(&[b(Some(23.4), Some((18.0, 29.0))), b(Some(4.0), None)]), (30.0, 10));
    assert_eq!(axis(&[b(Some(61.0), None)]), (80.0, 20));
    assert_eq!(axis(&[b(Some(97.0), Some((90.0, 99.5)))]), (100.0, 20));
    assert_eq!(axis(&[b(None, None)]), (5.0, 1), "no data still gets a readable axis");
    assert!(axis(&[b(Some(f64::NAN), Some((f64::NAN, 1e9)))]).0 <= 100.0);
    let svg = bar_chart(&text("t"), &[b(Some(12.0), Some((8.0, 17.5)))], false);
    let all = texts(&parse(&svg));
    for tick in ["0%", "5%", "10%", "15%", "20%"] {
        assert!(all.iter().any(|t| t == tick), "tick {tick} in {all:?}");
    }
    assert!(!all.iter().any(|t| t == "100%"));
}

#[test]
fn grouped_bars_mark_every_bar_with_its_letter() {
    let (cats, series) = sample_series();
    let svg = grouped_bars(&text("t"), &cats, &[], &series, false);
    let doc = parse(&svg);
    // One letter per bar (3 categories) plus one in the legend.
    assert_eq!(count_text(&doc, "A"), 4);
    assert_eq!(count_text(&doc, "B"), 4);
    assert_eq!(count_text(&doc, "Model One"), 1);
    assert!(!texts(&doc).iter().any(|t| t.contains('*')), "nothing marked, no mark and no note about it");
}

#[test]
fn grouped_bars_mark_significant_categories_and_explain_the_mark() {
    let (cats, series) = sample_series();
    let svg = grouped_bars(&text("t"), &cats, &[false, true, false], &series, false);
    let all = texts(&parse(&svg));
    assert!(all.iter().any(|t| t.ends_with("Juxtaposition *")), "{all:?}");
    assert!(!all.iter().any(|t| t.starts_with("Continuity *")));
    assert!(all.iter().any(|t| t.contains("*: a significant paired difference (Holm-adjusted p < 0.05)")));
}

#[test]
fn grouped_bars_print_every_relation_name_uncut() {
    use crate::domain::taxonomy::Relation;
    let cats: Vec<String> = Relation::ALL.iter().map(|r| r.display_name().to_owned()).collect();
    let marked = vec![true; cats.len()];
    let series = vec![Series { name: s("A model"), values: vec![Some((10.0, None)); cats.len()] }; 2];
    let svg = grouped_bars(&text("t"), &cats, &marked, &series, false);
    let all = texts(&parse(&svg));
    assert!(!all.iter().any(|t| t.contains('\u{2026}')), "a label was cut: {all:?}");
}

#[test]
fn composition_segments_and_estimate_wording() {
    let svg = composition_bars(&text("t"), &sample_composition(), false);
    let doc = parse(&svg);
    let t = texts(&doc);
    // 74 / 317 = 23.3%, 123 / 317 = 38.8%, 120 / 317 = 37.9%
    for want in ["23.3%", "38.8%", "37.9%", "n=317", "n=0", "Estimated share of responses:"] {
        assert!(t.iter().any(|x| x == want), "missing {want}");
    }
    assert!(t.iter().any(|x| x.contains("estimates")));
    // 3 / 250 = 1.2% is too narrow to carry its label.
    assert!(!t.iter().any(|x| x == "1.2%"));
}

// --- escaping and robustness --------------------------------------------------

#[test]
fn data_text_is_escaped_exactly_once() {
    let nasty = ChartText { title: NASTY.to_string(), desc: format!("desc {NASTY}") };
    let bar = Bar { label: s(NASTY), group: Some(s(NASTY)), value: Some(10.0), interval: None, n: 1 };
    let cell = vec![vec![HeatCell { value: Some(10.0), n: 50 }]];
    let series = [Series { name: s(NASTY), values: vec![Some((5.0, None))] }];
    let point = [Point { label: s(NASTY), x: 1.0, y: 2.0 }];
    let comp = [Composition { label: s(NASTY), unsafe_count: 1, refusals: 1, safe_without_refusal: 1 }];
    let charts = [
        bar_chart(&nasty, &[bar], false),
        heatmap(&nasty, &[s(NASTY)], &[s(NASTY)], &cell, 10, false),
        grouped_bars(&nasty, &[s(NASTY)], &[true], &series, false),
        scatter(&nasty, &point, NASTY, NASTY, false),
        composition_bars(&nasty, &comp, false),
    ];
    for svg in charts.iter().chain([&fallback(100, 100, &nasty)]) {
        let doc = parse(svg);
        if !svg.contains("mirc-fallback") {
            assert!(count_text(&doc, NASTY) >= 1, "label must survive intact:\n{svg}");
        }
        let root = doc.root_element();
        let title: Node = root.first_child().unwrap();
        assert_eq!(title.text(), Some(NASTY));
        assert_eq!(title.next_sibling().unwrap().text(), Some(format!("desc {NASTY}").as_str()));
        assert!(!svg.contains("<script"), "raw markup leaked");
        assert!(!svg.contains("&amp;lt;") && !svg.contains("&amp;amp;"), "double-escaped");
    }
    // Scatter: drawn title, point label and both axis titles.
    assert_eq!(count_text(&parse(&charts[3]), NASTY), 4);
}

#[test]
fn control_characters_cannot_break_the_xml() {
    let label = "a\u{1}b\nc\u{FFFF}";
    let bar = Bar { label: s(label), group: None, value: None, interval: None, n: 0 };
    let t = ChartText { title: s(label), desc: s(label) };
    let svg = bar_chart(&t, &[bar], false);
    // Drawn twice: as the visible title and as the bar label.
    let doc = parse(&svg);
    assert_eq!(count_text(&doc, "a\u{FFFD}b c\u{FFFD}"), 2);
    assert_eq!(doc.root_element().first_child().unwrap().text(), Some("a\u{FFFD}b c\u{FFFD}"));
}

#[test]
fn odd_input_does_not_panic() {
    let nan = Bar { label: s("nan"), group: None, value: Some(f64::NAN), interval: Some((f64::NAN, 3.0)), n: 1 };
    let wild = Bar { label: s("wild"), group: Some(s("g")), value: Some(150.0), interval: Some((120.0, -5.0)), n: 1 };
    let long =
        Bar { label: "x".repeat(500), group: Some("y".repeat(500)), value: Some(-0.0), interval: None, n: u32::MAX };
    let t = text(&"T".repeat(300));
    let svg = bar_chart(&t, &[nan, wild, long], false);
    let doc = parse(&svg);
    assert_eq!(count_text(&doc, NO_DATA), 1, "NaN is no data");
    assert_eq!(count_text(&doc, "0.0%"), 1, "-0.0 prints as 0.0%");
    assert!(texts(&doc).iter().any(|x| x.ends_with('\u{2026}')), "long label ellipsized");

    // Ragged heatmap: missing cells are "no data", extra ones ignored.
    let cells = vec![vec![HeatCell { value: Some(5.0), n: 99 }; 5]];
    let svg = heatmap(&t, &[s("r1"), s("r2")], &[s("c1"), s("c2")], &cells, 10, false);
    let doc = parse(&svg);
    assert_eq!(count_text(&doc, NO_DATA), 2 + 1, "two empty cells plus the key");

    // Nine series: colours repeat, letters do not.
    let many: Vec<Series> =
        (0..9).map(|i| Series { name: format!("m{i}"), values: vec![Some((i as f64 * 10.0, None))] }).collect();
    let svg = grouped_bars(&t, &[s("c")], &[], &many, true);
    let doc = parse(&svg);
    assert_eq!(count_text(&doc, "I"), 2);

    // Identical points, a single point, huge counts.
    let same = [Point { label: s("a"), x: 5.0, y: 5.0 }, Point { label: s("b"), x: 5.0, y: 5.0 }];
    parse(&scatter(&t, &same, "x", "y", false));
    let big = [Composition { label: s("big"), unsafe_count: u32::MAX, refusals: u32::MAX, safe_without_refusal: 1 }];
    parse(&composition_bars(&t, &big, false));
}

// --- colour and dark mode -------------------------------------------------------

#[test]
fn dark_mode_css_recolours_every_non_data_colour_and_no_data_colour() {
    let themed: Vec<String> = THEME.iter().map(|(c, _)| hex(*c)).collect();
    let on_data = [hex(ON_DATA_DARK), hex(ON_DATA_LIGHT)];
    for sample in [false, true] {
        for (name, svg) in all_charts(sample) {
            let doc = parse(&svg);
            let style = doc
                .descendants()
                .find(|n| n.has_tag_name("style"))
                .and_then(|n| n.text())
                .unwrap_or_else(|| panic!("{name}: no <style>"));
            assert!(style.starts_with("@media (prefers-color-scheme: dark)"), "{name}");
            for c in &themed {
                assert!(style.contains(&format!("[fill=\"{c}\"]")), "{name}: {c}");
            }
            for c in OKABE_ITO.iter().chain(&[ON_DATA_DARK, ON_DATA_LIGHT]) {
                assert!(!style.contains(&hex(*c)), "{name}: data colour {} in CSS", hex(*c));
            }
            // Every text and every line uses a themed colour, or sits on a data
            // colour that dark mode leaves alone.
            for n in doc.descendants() {
                let tag = n.tag_name().name();
                if tag == "text" {
                    let fill = n.attribute("fill").unwrap().to_string();
                    assert!(themed.contains(&fill) || on_data.contains(&fill), "{name}: text fill {fill}");
                }
                if tag == "line" || tag == "polyline" {
                    let stroke = n.attribute("stroke").unwrap().to_string();
                    assert!(themed.contains(&stroke), "{name}: line stroke {stroke}");
                }
            }
        }
    }
}

#[test]
fn role_colours_are_not_data_colours() {
    let data: Vec<String> = OKABE_ITO
        .iter()
        .chain(&[ON_DATA_DARK, ON_DATA_LIGHT])
        .map(|c| hex(*c))
        .chain((0..=1000).map(|v| hex(ramp(v as f64 / 10.0))))
        .collect();
    for (c, _) in THEME {
        assert!(!data.contains(&hex(c)), "{} is both a role and a data colour", hex(c));
    }
}

#[test]
fn ramp_and_contrast() {
    assert_eq!(hex(ramp(0.0)), "#FDE725");
    assert_eq!(hex(ramp(100.0)), "#440154");
    assert_eq!(hex(ramp(-5.0)), "#FDE725");
    assert_eq!(hex(ramp(f64::MAX)), "#440154");
    assert_eq!(text_on(ramp(0.0)), ON_DATA_DARK);
    assert_eq!(text_on(ramp(100.0)), ON_DATA_LIGHT);
    // Every text/background pair the heatmap can produce has WCAG AA contrast.
    for v in 0..=100 {
        let fill = ramp(v as f64);
        let (l1, l2) = (luminance(fill), luminance(text_on(fill)));
        let ratio = (l1.max(l2) + 0.05) / (l1.min(l2) + 0.05);
        assert!(ratio >= 4.5, "{v}%: contrast {ratio}");
    }
}

#[test]
fn font_sizes_are_exact() {
    for (name, svg) in all_charts(true) {
        let doc = parse(&svg);
        for n in doc.descendants().filter(|n| n.has_tag_name("text")) {
            let size = n.attribute("font-size").unwrap();
            assert!(size.len() <= 4, "{name}: font-size {size}");
        }
    }
}

// --- helpers ------------------------------------------------------------------

#[test]
fn text_helpers() {
    assert_eq!(fmt_pct(-0.0), "0.0%");
    assert_eq!(fmt_pct(23.45), "23.4%"); // round-half-even on the binary value
    assert_eq!(fmt_tick(&0.30000000000000004), "0.3");
    assert_eq!(fmt_tick(&20.0), "20");
    assert_eq!(fmt_tick(&-0.0), "0");
    assert_eq!(escape_xml(NASTY), "&lt;script&gt;&amp;&quot;&apos;");
    assert_eq!(wrap("Spatial Juxtaposition", 11.0, 90.0, 3), vec!["Spatial", "Juxtaposition"]);
    assert_eq!(wrap("a b c d e", 11.0, 10.0, 2).len(), 2);
    assert!(wrap("", 11.0, 90.0, 3).is_empty());
    let f = fit("Fictional Heron-VL 72B Instruct", 12.0, false, 60.0);
    assert!(f.ends_with('\u{2026}') && text_width(&f, 12.0, false) <= 60.0);
    assert_eq!(series_mark(0), "A");
    assert_eq!(series_mark(25), "Z");
    assert_eq!(series_mark(26), "S27");
    assert_eq!(tidy_text_nodes("<text x=\"1\">\na\n</text>\n"), "<text x=\"1\">a</text>\n");
}
