//! Input files as text with positions: byte offsets become 1-based line and
//! column, and CSV records and fields are located in the text.

use std::ops::Range;
use std::path::PathBuf;

use crate::input::diagnostic::Diagnostic;
use crate::model::Origin;

/// A text file, to turn byte offsets into line and column.
pub(super) struct Source {
    /// The path relative to the workspace root.
    pub(super) rel: PathBuf,
    pub(super) text: String,
    /// The byte offset where each line starts, ascending; the first is 0.
    line_starts: Vec<usize>,
}

impl Source {
    pub(super) fn new(rel: PathBuf, text: String) -> Self {
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        Source {
            rel,
            text,
            line_starts,
        }
    }

    /// 1-based line and column (in characters) of a byte offset. The line is
    /// found by binary search over the line starts, so each call costs the
    /// length of one line, not of the file before it.
    pub(super) fn pos(&self, offset: usize) -> (usize, usize) {
        let mut end = offset.min(self.text.len());
        while end > 0 && !self.text.is_char_boundary(end) {
            end -= 1;
        }
        // At least one start (0) is at or before `end`, so `line >= 1`.
        let line = self.line_starts.partition_point(|&s| s <= end);
        let start = line
            .checked_sub(1)
            .and_then(|i| self.line_starts.get(i))
            .copied()
            .unwrap_or(0);
        let col = self.text.get(start..end).map_or(0, |l| l.chars().count()) + 1;
        (line, col)
    }

    pub(super) fn at(&self, span: Range<usize>, message: impl Into<String>) -> Diagnostic {
        let (line, col) = self.pos(span.start);
        Diagnostic::new(&self.rel, line, col, message)
    }

    pub(super) fn origin(&self, span: Range<usize>) -> Origin {
        Origin {
            file: self.rel.clone(),
            line: self.pos(span.start).0,
        }
    }

    /// The byte offset where a CSV record starts. Lines are counted from it
    /// rather than taken from the csv crate: with CRLF line ends, its positions
    /// point at the `\n` ending the previous line.
    pub(super) fn record_start(&self, pos: Option<&csv::Position>) -> usize {
        let byte = pos.map_or(0, |p| usize::try_from(p.byte()).unwrap_or(usize::MAX));
        let rest = self.text.get(byte..).unwrap_or("");
        byte + (rest.len() - rest.trim_start_matches(['\r', '\n']).len())
    }

    /// Where field `index` of the CSV record starting at byte `start` begins,
    /// as 1-based line and column; `(fallback_line, 0)` when it cannot be
    /// found.
    pub(super) fn csv_field_pos(
        &self,
        start: usize,
        index: usize,
        fallback_line: usize,
    ) -> (usize, usize) {
        let Some(rest) = self.text.get(start..) else {
            return (fallback_line, 0);
        };
        let Some(mut offset) = csv_field_offset(rest, index) else {
            return (fallback_line, 0);
        };
        let tail = rest.get(offset..).unwrap_or("");
        offset += tail.len() - tail.trim_start_matches([' ', '\t']).len();
        self.pos(start + offset)
    }
}

/// The byte offset of field `index` in the CSV record at the start of
/// `record`, skipping commas inside quotes; `None` if the record ends first.
fn csv_field_offset(record: &str, index: usize) -> Option<usize> {
    let mut field = 0;
    let mut quoted = false;
    let mut at = Some(0);
    for (i, c) in record.char_indices() {
        if field == index {
            break;
        }
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => {
                field += 1;
                at = Some(i + 1);
            }
            '\n' if !quoted => {
                at = None;
                break;
            }
            _ => {}
        }
    }
    at.filter(|_| field == index)
}

/// 1-based line and column (in characters) just past `valid`, the valid
/// UTF-8 prefix of a file that is not UTF-8 as a whole.
pub(super) fn invalid_utf8_pos(valid: &[u8]) -> (usize, usize) {
    let line = valid.iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = valid.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    let column = valid
        .get(line_start..)
        .and_then(|s| std::str::from_utf8(s).ok())
        .map_or(0, |s| s.chars().count() + 1);
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_one_based_and_char_counted() {
        let src = Source::new(PathBuf::from("x.toml"), "a = 1\nb = \"é\" # x\n".into());
        assert_eq!(src.pos(0), (1, 1));
        assert_eq!(src.pos(6), (2, 1));
        // Offsets inside a multi-byte character round down instead of panicking.
        assert_eq!(src.pos(11), (2, 6));
        assert_eq!(src.pos(1000), (3, 1));
    }

    #[test]
    fn csv_columns_skip_quoted_commas() {
        let src = Source::new(
            PathBuf::from("people.csv"),
            "id,name,tz\nbob,\"Brown, Bob\", Europe/Berln\n".into(),
        );
        assert_eq!(src.csv_field_pos(11, 0, 2), (2, 1));
        assert_eq!(src.csv_field_pos(11, 2, 2), (2, 19));
        assert_eq!(src.csv_field_pos(11, 5, 2), (2, 0));
    }

    /// Reference positions, counted from the start of the text.
    fn counted(text: &str, offset: usize) -> (usize, usize) {
        let mut end = offset.min(text.len());
        while end > 0 && !text.is_char_boundary(end) {
            end -= 1;
        }
        let upto = &text[..end];
        let line = upto.matches('\n').count() + 1;
        let col = upto.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        (line, col)
    }

    #[test]
    fn positions_match_counting_from_the_start() {
        for text in [
            "",
            "\n",
            "a",
            "\n\nx",
            "id,name\r\nbob,Bøb\r\n\r\n",
            "é\nüñ\n\n日本語 = 1\nlast line without end",
        ] {
            let src = Source::new(PathBuf::from("x"), text.to_string());
            for offset in 0..=text.len() + 2 {
                assert_eq!(
                    src.pos(offset),
                    counted(text, offset),
                    "{text:?} at {offset}"
                );
            }
        }
    }
}
