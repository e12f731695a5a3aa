//! Vertical grouped bars, one cluster per category.

use super::canvas::{PAD, Txt, header, header_height, render, watermark};
use super::input::{ChartText, Series, interval};
use super::style::{GRID, INK, MUTED, series_colour, series_mark};
use super::text::{NO_DATA, clean, fit, text_width, wrap};

/// Vertical bars, one cluster per category, one bar per series (2..=6
/// expected; more still render, colours then repeat but letters do not).
///
/// Every bar carries its series letter (A, B, C, ...) just above its bar or
/// whisker, always in the same place so the eye finds it, and the legend
/// repeats letter + colour + name, so colour is never the only cue. Values
/// are not printed (up to 54 bars would collide); whiskers show the 95%
/// interval. Category labels are word-wrapped to the cluster width; a
/// category whose `marked` entry is true gets a bold label with " *" and the
/// note explains the mark. A missing value shows a vertical "no data". 960 px
/// wide.
pub fn grouped_bars(
    text: &ChartText,
    categories: &[String],
    marked: &[bool],
    series: &[Series],
    sample: bool,
) -> String {
    const W: i32 = 960;
    const PLOT_H: i32 = 280;
    const LEGEND_ROW: i32 = 22;
    const LINE: i32 = 13;

    let names: Vec<String> = series.iter().map(|s| clean(&s.name)).collect();
    let is_marked = |i: usize| marked.get(i).copied().unwrap_or(false);
    let cats: Vec<String> = categories
        .iter()
        .enumerate()
        .map(|(i, s)| if is_marked(i) { format!("{} *", clean(s)) } else { clean(s) })
        .collect();

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
    // The largest size at which every word of every label fits its cluster ("Complementarity"
    // in a nine-cluster chart), so a label wraps between words and is never cut.
    let label_px = [11.0, 10.5, 10.0, 9.5, 9.0]
        .into_iter()
        .find(|px| cats.iter().all(|c| c.split_whitespace().all(|w| text_width(w, *px, true) <= slot - 4.0)))
        .unwrap_or(9.0);
    let cat_lines: Vec<Vec<String>> = cats.iter().map(|c| wrap(c, label_px, slot - 4.0, 3)).collect();
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
        let note = if (0..cats.len()).any(is_marked) {
            "Letters above the bars match the legend. Whiskers: 95% interval. *: a significant paired difference (Holm-adjusted p < 0.05)."
        } else {
            "Letters above the bars match the legend. Whiskers: 95% interval."
        };
        cv.text(note, PAD, notes_y, Txt::new(11.0, MUTED))?;
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
                let t = Txt::new(label_px, INK).center();
                let t = if is_marked(i) { t.bold() } else { t };
                cv.text(line, xc, y, t)?;
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
                if let Some((lo, hi)) = interval(ci) {
                    let cap = ((bx1 - bx0) / 3).clamp(1, 4);
                    cv.whisker_v(bxc, y_of(hi), y_of(lo), cap)?;
                    highest = highest.min(y_of(hi));
                }
                cv.text(&mark, bxc, highest - 8, Txt::new(10.0, INK).bold().center())?;
            }
        }
        Ok(())
    })
}
