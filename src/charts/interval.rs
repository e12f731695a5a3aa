//! The ranking as a picture: one dot per model at its ASR, its 95% interval as a whisker, in
//! the table's order. Models that share a rank (their intervals overlap the same way) sit on one
//! shaded band, so a reader sees at a glance which models cannot be told apart; the safest group
//! is labelled. The value axis is fitted to the data (0 always shown), because every model's
//! dot in the left quarter of a 0–100% axis says less than the differences between them.

use super::canvas::{PAD, Txt, header, header_height, label_column, render, watermark};
use super::input::{ChartText, RankedPoint};
use super::style::{BAR_FILL, GRID, INK, MUTED, NEUTRAL};
use super::text::{NO_DATA, clean, fit, fmt_pct};

/// The x position of `v` on an axis from 0 to `max`.
fn pos(v: f64, max: f64, x0: i32, x1: i32) -> i32 {
    x0 + ((v / max).clamp(0.0, 1.0) * f64::from(x1 - x0)).round() as i32
}

/// A round axis end above every interval: the next multiple of 10 (5 below 20%).
fn axis_max(points: &[RankedPoint]) -> f64 {
    let top = points.iter().map(|p| p.high).filter(|h| h.is_finite()).fold(0.0, f64::max);
    let step = if top <= 20.0 { 5.0 } else { 10.0 };
    ((top / step).ceil() * step).clamp(step, 100.0)
}

/// 640 px wide, 20 px per model: readable on a phone at its native size (the page scrolls it
/// sideways rather than shrinking it). Unranked (`ranked` false: rows of one model's results
/// over time), there is no rank column and no tie bands.
pub fn interval_plot(text: &ChartText, points: &[RankedPoint], sample: bool, ranked: bool) -> String {
    const W: i32 = 640;
    const ROW: i32 = 20;
    const RIGHT: i32 = 56;
    // The rank column, right-aligned left of the names: a name is fitted into `label_w - 40`
    // and right-aligned at `x0 - 8`, so it starts at `PAD + 32` or later.
    const RANK_W: i32 = 24;
    let labels: Vec<String> = points.iter().map(|p| clean(&p.label)).collect();
    let label_w = label_column(&labels, 60.0, 200.0) + 36;
    let (x0, x1) = (PAD + label_w, W - PAD - RIGHT);
    let plot_top = header_height(sample) + 22;
    let plot_bottom = plot_top + (points.len() as i32).max(1) * ROW + 4;
    let h = plot_bottom + 64;
    let max = axis_max(points);

    render(text, (W, h), |cv| {
        header(cv, text, sample)?;
        watermark(cv, sample, (x0 + x1) / 2, (plot_top + plot_bottom) / 2)?;
        if ranked {
            cv.text("rank", PAD + RANK_W, plot_top - 10, Txt::new(11.0, MUTED).right())?;
        }
        // Bands first: one per tie group, alternating, so neighbours that share a rank read as one.
        let mut start = 0;
        let mut band = 0;
        while ranked && start < points.len() {
            let rank = points[start].rank;
            let end = (start..points.len()).find(|&i| points[i].rank != rank).unwrap_or(points.len());
            let (ya, yb) = (plot_top + start as i32 * ROW, plot_top + end as i32 * ROW);
            if band % 2 == 0 {
                cv.rect(PAD, ya, W - PAD, yb, NEUTRAL)?;
            }
            if points[start].safest {
                cv.rect(PAD, ya, PAD + 3, yb, BAR_FILL)?;
                let label = if end - start > 1 { "safest group" } else { "safest" };
                cv.text(label, W - PAD, ya + ROW / 2, Txt::new(11.0, INK).bold().right())?;
            }
            band += 1;
            start = end;
        }
        for t in 0..=4 {
            let v = max * f64::from(t) / 4.0;
            let x = pos(v, max, x0, x1);
            cv.line(x, plot_top, x, plot_bottom, GRID, 1)?;
            cv.text(&format!("{}%", fmt_tick(v)), x, plot_bottom + 14, Txt::new(11.0, MUTED).center())?;
        }
        cv.line(x0, plot_bottom, x1, plot_bottom, INK, 1)?;
        cv.text("Attack success rate (lower is safer)", (x0 + x1) / 2, plot_bottom + 34, Txt::new(12.0, INK).center())?;
        cv.text(
            if ranked {
                "Dots: ASR. Whiskers: 95% interval. Shaded bands: models sharing a rank."
            } else {
                "Dots: ASR. Whiskers: 95% interval."
            },
            PAD,
            h - 10,
            Txt::new(11.0, MUTED),
        )?;
        if points.is_empty() {
            return cv.text(NO_DATA, (x0 + x1) / 2, plot_top + ROW / 2, Txt::new(12.0, MUTED).italic().center());
        }
        for (i, p) in points.iter().enumerate() {
            let yc = plot_top + i as i32 * ROW + ROW / 2;
            if ranked {
                cv.text(&p.rank.to_string(), PAD + RANK_W, yc, Txt::new(11.0, MUTED).right())?;
            }
            let label = fit(&labels[i], 12.0, false, (label_w - 40) as f64);
            cv.text(&label, x0 - 8, yc, Txt::new(12.0, INK).right())?;
            if p.low.is_finite() && p.high.is_finite() {
                cv.whisker_h(pos(p.low, max, x0, x1), pos(p.high, max, x0, x1), yc)?;
            }
            if p.value.is_finite() {
                let x = pos(p.value, max, x0, x1);
                cv.dot(x, yc, 4, BAR_FILL)?;
                let right = pos(p.high.max(p.value), max, x0, x1);
                if !points[i].safest || i > 0 {
                    cv.text(&fmt_pct(p.value), (right + 6).min(W - PAD - 40), yc, Txt::new(11.0, INK))?;
                }
            }
        }
        Ok(())
    })
}

fn fmt_tick(v: f64) -> String {
    if (v - v.round()).abs() < 1e-9 { format!("{}", v.round() as i64) } else { format!("{v:.1}") }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::charts::text::text_width;

    /// In the ranking picture each row's rank stands left of its name: the rank's right edge (its
    /// anchor, right-aligned) comes before the name's left edge (its anchor minus its width),
    /// for names of every length up to the longest the column fits.
    #[test]
    fn interval_plot_ranks_stand_clear_of_the_names() {
        let names = ["A", "Sample Bench 0007", "Qwen2.5-VL-72B-Instruct (thinking, 8k budget, long)"];
        let points: Vec<RankedPoint> = names
            .iter()
            .enumerate()
            .map(|(i, n)| RankedPoint {
                label: n.to_string(),
                value: 10.0 * (i + 1) as f64,
                low: 5.0,
                high: 40.0,
                rank: 10 + i as u32,
                safest: i == 0,
            })
            .collect();
        let svg = interval_plot(
            &ChartText { title: "Ranking".into(), desc: "Ranking: test data.".into() },
            &points,
            false,
            true,
        );
        let doc = roxmltree::Document::parse(&svg).expect("well-formed SVG");
        let at = |n: &roxmltree::Node| {
            (n.attribute("x").unwrap().parse::<f64>().unwrap(), n.attribute("y").unwrap().to_owned())
        };
        let all: Vec<roxmltree::Node> = doc.descendants().filter(|n| n.has_tag_name("text")).collect();
        for (i, p) in points.iter().enumerate() {
            let rank = all.iter().find(|n| n.text() == Some(&*p.rank.to_string())).expect("rank printed");
            let (rank_right, y) = at(rank);
            let name = all
                .iter()
                .find(|n| {
                    n.attribute("y") == Some(&*y)
                        && n.text().is_some_and(|t| names[i].starts_with(t.trim_end_matches('…')))
                })
                .unwrap_or_else(|| panic!("name of row {i} printed on the rank's line"));
            let (name_right, _) = at(name);
            let name_left = name_right - text_width(name.text().unwrap(), 12.0, false);
            assert!(rank_right < name_left, "row {i}: rank ends at {rank_right}, name starts at {name_left}");
        }
    }
}
