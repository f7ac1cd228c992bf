//! Text for a terminal: names, reasons and actors come from files and
//! environment variables that other people edit, so their control characters
//! are shown escaped. A name holding an ANSI escape or a newline cannot
//! repaint the screen or forge a line of `log`, `who` or a table.

use std::borrow::Cow;

/// `text` with every control character (C0, DEL and C1) and every
/// bidirectional override or isolate written as a `\u{..}` escape; other
/// text is returned as it is.
pub fn escape(text: &str) -> Cow<'_, str> {
    escape_but(text, |_| false)
}

/// A message of several lines for a terminal: like [`escape`], but its line
/// breaks are kept. Every error that echoes what a user typed goes through
/// it, so `--at "$(printf '\033[2J')"` cannot clear the screen.
pub fn escape_lines(text: &str) -> Cow<'_, str> {
    escape_but(text, |c| c == '\n')
}

fn unsafe_char(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

fn escape_but(text: &str, keep: impl Fn(char) -> bool) -> Cow<'_, str> {
    let bad = |c: char| unsafe_char(c) && !keep(c);
    if !text.chars().any(bad) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if bad(c) {
            out.push_str(&c.escape_unicode().to_string());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::{escape, escape_lines};

    #[test]
    fn control_characters_are_escaped_and_others_kept() {
        assert_eq!(escape("Zoë Ünal"), "Zoë Ünal");
        assert_eq!(escape("a\u{1b}[31mred"), "a\\u{1b}[31mred");
        assert_eq!(escape("x\ny"), "x\\u{a}y");
        assert_eq!(escape("\u{9b}"), "\\u{9b}");
        assert_eq!(escape("\u{202e}txt"), "\\u{202e}txt");
    }

    #[test]
    fn messages_keep_their_lines_and_lose_their_escapes() {
        assert_eq!(escape_lines("a\nb"), "a\nb");
        assert_eq!(escape_lines("2027\u{1b}[2J\r\n"), "2027\\u{1b}[2J\\u{d}\n");
    }
}
