//! Rows x columns heatmap with a colour bar.

use super::canvas::{PAD, Txt, header, header_height, label_column, render, watermark};
use super::input::{ChartText, HeatCell, finite};
use super::style::{INK, MUTED, NEUTRAL, ramp, text_on};
use super::text::{NO_DATA, clean, fmt_pct, text_width, wrap};

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
