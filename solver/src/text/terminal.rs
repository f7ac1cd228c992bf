//! Text for a terminal: names, reasons and actors come from files and
//! environment variables that other people edit, so their control characters
//! are shown escaped. A name holding an ANSI escape or a newline cannot
//! repaint the screen or forge a line of `log`, `who` or a table.

use std::borrow::Cow;

/// `text` with every control character (C0, DEL and C1) written as a
/// `\u{..}` escape; other text is returned as it is.
pub fn escape(text: &str) -> Cow<'_, str> {
    if !text.chars().any(char::is_control) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if c.is_control() {
            out.push_str(&c.escape_unicode().to_string());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn control_characters_are_escaped_and_others_kept() {
        assert_eq!(escape("Zoë Ünal"), "Zoë Ünal");
        assert_eq!(escape("a\u{1b}[31mred"), "a\\u{1b}[31mred");
        assert_eq!(escape("x\ny"), "x\\u{a}y");
        assert_eq!(escape("\u{9b}"), "\\u{9b}");
    }
}
