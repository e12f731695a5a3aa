//! 100%-stacked composition bars.

use super::canvas::{PAD, Txt, header, header_height, label_column, pct_pos, render, watermark};
use super::input::{ChartText, Composition};
use super::style::{INK, MUTED, REFUSAL_FILL, SAFE_FILL, UNSAFE_FILL, text_on};
use super::text::{NO_DATA, clean, fit, fmt_pct, text_width};

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
