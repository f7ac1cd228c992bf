//! A small RFC 5545 content-line writer.
//!
//! Calendar clients are strict about a few details that general-purpose
//! generators get wrong, so they live here, each tested on its own:
//!
//! - every line ends in CRLF;
//! - lines longer than 75 octets are folded (CRLF then one space), counting
//!   octets of UTF-8, never characters, and never splitting a multi-octet
//!   character;
//! - TEXT values escape `\`, `;`, `,` and newlines (RFC 5545 §3.3.11);
//! - date-times are written in UTC with a trailing `Z`.
//!
//! ```
//! use oncall::text::ics::ContentWriter;
//! let mut w = ContentWriter::new();
//! w.text("SUMMARY", "On call; Payments, primary");
//! assert_eq!(w.finish(), "SUMMARY:On call\\; Payments\\, primary\r\n");
//! ```

use chrono::{DateTime, Utc};

/// The most octets a physical line may hold, not counting its CRLF.
pub const MAX_LINE_OCTETS: usize = 75;

/// Accumulates content lines into calendar text.
#[derive(Debug, Default, Clone)]
pub struct ContentWriter {
    out: String,
}

impl ContentWriter {
    /// An empty writer.
    pub fn new() -> Self {
        ContentWriter::default()
    }

    /// An empty writer with room for about `bytes` of output.
    pub fn with_capacity(bytes: usize) -> Self {
        ContentWriter {
            out: String::with_capacity(bytes),
        }
    }

    /// Writes `name:value` as is (the value must already be in its RFC 5545
    /// form), folded and CRLF-terminated. `name` may carry parameters, e.g.
    /// `REFRESH-INTERVAL;VALUE=DURATION`.
    pub fn raw(&mut self, name: &str, value: &str) {
        let mut line = String::with_capacity(name.len() + 1 + value.len());
        line.push_str(name);
        line.push(':');
        line.push_str(value);
        fold_into(&line, &mut self.out);
    }

    /// Writes a TEXT property, escaping the value.
    pub fn text(&mut self, name: &str, value: &str) {
        self.raw(name, &escape_text(value));
    }

    /// Writes a DATE-TIME property in UTC form, e.g. `DTSTART:20270104T180000Z`.
    pub fn utc(&mut self, name: &str, at: DateTime<Utc>) {
        self.raw(name, &utc_value(at));
    }

    /// The text written so far.
    pub fn finish(self) -> String {
        self.out
    }
}

/// A DATE-TIME value in UTC form: `YYYYMMDDTHHMMSSZ`.
pub fn utc_value(at: DateTime<Utc>) -> String {
    at.format("%Y%m%dT%H%M%SZ").to_string()
}

/// Escapes a TEXT value: backslash, semicolon and comma get a backslash, a
/// newline (LF, CRLF or lone CR) becomes `\n`, and other control characters,
/// which TEXT may not hold, are dropped (tab is kept).
pub fn escape_text(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 8);
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push_str("\\n");
            }
            '\t' => out.push('\t'),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Appends one logical content line to `out`, folded so that no physical
/// line exceeds [`MAX_LINE_OCTETS`] octets, each ending in CRLF. Continuation
/// lines begin with one space, which counts toward their 75 octets. A fold
/// never falls inside a UTF-8 sequence.
pub fn fold_into(line: &str, out: &mut String) {
    let mut rest = line;
    let mut limit = MAX_LINE_OCTETS;
    let mut first = true;
    loop {
        if !first {
            out.push(' ');
        }
        if rest.len() <= limit {
            out.push_str(rest);
            out.push_str("\r\n");
            return;
        }
        let mut cut = limit;
        while !rest.is_char_boundary(cut) {
            cut -= 1;
        }
        let (head, tail) = rest.split_at(cut);
        out.push_str(head);
        out.push_str("\r\n");
        rest = tail;
        if first {
            first = false;
            limit = MAX_LINE_OCTETS - 1;
        }
    }
}

/// Undoes [`fold_into`]: joins continuation lines and drops the CRLFs.
/// Returns the logical lines.
pub fn unfold(text: &str) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for physical in text.split("\r\n") {
        if let Some(cont) = physical
            .strip_prefix(' ')
            .or_else(|| physical.strip_prefix('\t'))
        {
            if let Some(last) = lines.last_mut() {
                last.push_str(cont);
                continue;
            }
        }
        if !physical.is_empty() {
            lines.push(physical.to_string());
        }
    }
    lines
}

/// Undoes [`escape_text`] (and accepts `\N` for a newline, as RFC 5545 does).
pub fn unescape_text(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n' | 'N') => out.push('\n'),
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn physical(text: &str) -> Vec<&str> {
        text.strip_suffix("\r\n")
            .unwrap_or(text)
            .split("\r\n")
            .collect()
    }

    #[test]
    fn short_lines_are_not_folded_and_end_in_crlf() {
        let mut out = String::new();
        fold_into("SUMMARY:hello", &mut out);
        assert_eq!(out, "SUMMARY:hello\r\n");
        let exact = "X".repeat(75);
        let mut out = String::new();
        fold_into(&exact, &mut out);
        assert_eq!(out, format!("{exact}\r\n"));
    }

    #[test]
    fn folds_at_75_octets_with_a_space_counted_on_continuations() {
        let line = "D".repeat(200);
        let mut out = String::new();
        fold_into(&line, &mut out);
        let lines = physical(&out);
        assert_eq!(lines[0].len(), 75);
        assert_eq!(lines[1].len(), 75);
        assert!(lines[1].starts_with(' '));
        assert_eq!(lines[2].len(), 200 - 75 - 74 + 1);
        assert!(!out.replace("\r\n", "").contains('\n'));
        assert_eq!(unfold(&out), vec![line]);
    }

    #[test]
    fn folds_by_octets_and_never_splits_a_character() {
        // Each 'é' is 2 octets, '😀' is 4, 'ü' 2: a character-counting fold
        // would produce lines of well over 75 octets.
        for name in [
            "é".repeat(100),
            "😀".repeat(60),
            format!("a{}", "ü".repeat(80)),
            format!("ab{}", "😀".repeat(40)),
        ] {
            let line = format!("SUMMARY:On call: {name}");
            let mut out = String::new();
            fold_into(&line, &mut out);
            for l in physical(&out) {
                assert!(l.len() <= 75, "{} octets: {l}", l.len());
                assert!(std::str::from_utf8(l.as_bytes()).is_ok());
            }
            // Every line but the last is as full as a whole character allows.
            let lines = physical(&out);
            for l in &lines[..lines.len() - 1] {
                assert!(l.len() > 75 - 4, "{} octets: {l}", l.len());
            }
            assert_eq!(unfold(&out), vec![line]);
        }
    }

    #[test]
    fn escapes_text_and_round_trips() {
        let raw = "a\\b;c,d\ne\r\nf\rg\u{7}h\ti: j";
        let esc = escape_text(raw);
        assert_eq!(esc, "a\\\\b\\;c\\,d\\ne\\nf\\ngh\ti: j");
        assert_eq!(unescape_text(&esc), "a\\b;c,d\ne\nf\ngh\ti: j");
        assert_eq!(unescape_text("x\\Ny"), "x\ny");
    }

    #[test]
    fn an_escape_sequence_may_be_folded_and_still_unfolds() {
        let value = format!("{}\\,", "a".repeat(66));
        let mut w = ContentWriter::new();
        w.raw("SUMMARY", &value);
        let out = w.finish();
        assert_eq!(unfold(&out), vec![format!("SUMMARY:{value}")]);
    }

    #[test]
    fn utc_values_end_in_z() {
        let at = Utc
            .with_ymd_and_hms(2027, 3, 14, 9, 5, 7)
            .single()
            .unwrap_or_default();
        let mut w = ContentWriter::new();
        w.utc("DTSTAMP", at);
        w.raw("REFRESH-INTERVAL;VALUE=DURATION", "PT1H");
        assert_eq!(
            w.finish(),
            "DTSTAMP:20270314T090507Z\r\nREFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n"
        );
    }
}
