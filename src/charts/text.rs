//! Text: cleaning and escaping, width estimates, ellipsis and word wrap,
//! number formats.

pub(super) const NO_DATA: &str = "no data";

/// Replaces characters XML 1.0 cannot carry (control characters, U+FFFE/F)
/// with U+FFFD and flattens tabs/line breaks to spaces (labels are one line).
pub(super) fn clean(s: &str) -> String {
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
pub(super) fn escape_xml(s: &str) -> String {
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
pub(super) fn text_width(s: &str, px: f64, bold: bool) -> f64 {
    let w: f64 = s.chars().map(char_em).sum::<f64>() * px;
    if bold { w * 1.08 } else { w }
}

/// `s` shortened with "…" so that it fits `max_w`.
pub(super) fn fit(s: &str, px: f64, bold: bool, max_w: f64) -> String {
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
pub(super) fn wrap(s: &str, px: f64, max_w: f64, max_lines: usize) -> Vec<String> {
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
pub(super) fn fmt_pct(v: f64) -> String {
    format!("{:.1}%", v + 0.0)
}

/// Axis tick label: at most 3 decimals, trailing zeros dropped.
pub(super) fn fmt_tick(v: &f64) -> String {
    let s = format!("{:.3}", v + 0.0);
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".to_string() } else { s.to_string() }
}
