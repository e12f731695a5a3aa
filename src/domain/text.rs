//! Free text from the public: one Unicode form, and no characters that hide what a reader sees.
//!
//! Names and organisations appear in rankings, URLs and exports. Characters that render as
//! nothing, or that reorder what follows them (bidi overrides such as U+202E), make a name look
//! like another one or like something it is not; they are refused, not stripped, so the
//! uploader sees what was wrong. Text is normalised to NFC first, so the same name typed with
//! a precomposed or a combining accent is one name.

use unicode_normalization::UnicodeNormalization;

/// Characters that are invisible or change the direction of the text around them: Unicode's
/// default-ignorable code points, the remaining format characters (category Cf), line and
/// paragraph separators, and private-use characters (no agreed glyph at all).
pub fn is_hidden(c: char) -> bool {
    matches!(c as u32,
        0x00AD | 0x034F | 0x061C | 0x115F..=0x1160 | 0x17B4..=0x17B5 | 0x180B..=0x180F
        | 0x200B..=0x200F | 0x2028..=0x202E | 0x2060..=0x206F | 0x3164 | 0xFE00..=0xFE0F
        | 0xFEFF | 0xFFA0 | 0xFFF0..=0xFFFB | 0x1BCA0..=0x1BCA3 | 0x1D173..=0x1D17A
        | 0xE0000..=0xE0FFF
        // Format characters that are not default-ignorable (Arabic and Syriac marks that
        // change how neighbouring text is shown).
        | 0x0600..=0x0605 | 0x06DD | 0x070F | 0x0890..=0x0891 | 0x08E2 | 0x110BD | 0x110CD
        | 0x13430..=0x1343F
        // Private use.
        | 0xE000..=0xF8FF | 0xF0000..=0xFFFFD | 0x100000..=0x10FFFD)
}

/// The text in NFC, or the first hidden character found (as `U+XXXX`) for the error message.
pub fn visible_nfc(raw: &str) -> Result<String, String> {
    let value: String = raw.nfc().collect();
    match value.chars().find(|c| is_hidden(*c)) {
        Some(c) => Err(format!("U+{:04X}", c as u32)),
        None => Ok(value),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn direction_overrides_and_invisible_characters_are_found() {
        for c in [
            '\u{202E}',
            '\u{2066}',
            '\u{200B}',
            '\u{200D}',
            '\u{FEFF}',
            '\u{00AD}',
            '\u{2060}',
            '\u{E0041}',
            '\u{E000}',
        ] {
            assert!(is_hidden(c), "U+{:04X}", c as u32);
            assert_eq!(visible_nfc(&format!("GPT{c}-5")), Err(format!("U+{:04X}", c as u32)));
        }
        for c in ['a', 'é', '模', '-', '.', ' ', 'ß', '\u{0301}'] {
            assert!(!is_hidden(c), "U+{:04X}", c as u32);
        }
    }

    #[test]
    fn text_is_normalised_to_one_form() {
        let decomposed = "Cafe\u{0301}-VL";
        assert_eq!(visible_nfc(decomposed).unwrap(), "Café-VL");
        assert_eq!(visible_nfc("Café-VL").unwrap(), visible_nfc(decomposed).unwrap());
    }
}
