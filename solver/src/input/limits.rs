//! What the loader accepts, so that files many people edit cannot make an
//! unattended run hang, exhaust memory, overflow or name paths.
//!
//! - **Ids** (people, teams, roles) match [`ID_PATTERN`]: ASCII lowercase
//!   letters, digits, `_` and `-`, starting with a letter or digit, at most
//!   [`MAX_ID_LEN`] characters. They are used in file names, feed URLs and
//!   `TEAM.ROLE` references, so `/`, `\`, `.`, whitespace and control
//!   characters are refused.
//! - **Files** are read only when they are regular files (symbolic links are
//!   followed; their target must be a regular file), and only up to
//!   [`MAX_FILE_BYTES`]; a FIFO, a device or a directory is refused unread.
//! - **Numbers** that weigh or pay (load and role weights, carry-over, rates,
//!   multipliers, days off in lieu, incident pay) are finite and at most
//!   [`MAX_VALUE`]; carry-over may be as low as `-MAX_VALUE`, the others not
//!   below 0. Whole-number settings counted in weeks are at most
//!   [`MAX_WEEKS`], tenure at most [`MAX_TENURE_DAYS`].

use std::fmt;
use std::fs::{self, File};
use std::io::{self, Read};
use std::path::Path;

/// The largest input file read, in bytes (16 MiB).
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// The longest id, in characters.
pub const MAX_ID_LEN: usize = 64;

/// The pattern every person, team and role id matches.
pub const ID_PATTERN: &str = "^[a-z0-9][a-z0-9_-]{0,63}$";

/// The largest weight, carry-over, rate, multiplier or days off in lieu.
pub const MAX_VALUE: f64 = 1_000_000.0;

/// The largest whole number of weeks (`rest_weeks`, `max_shifts`,
/// `history_weeks`): 100 years.
pub const MAX_WEEKS: u32 = 5_200;

/// The largest `min_tenure_days`: 100 years.
pub const MAX_TENURE_DAYS: i64 = 36_525;

/// What is wrong with an id, if anything.
pub fn id_problem(id: &str) -> Option<String> {
    let len = id.chars().count();
    if len == 0 {
        return Some("is empty".into());
    }
    if len > MAX_ID_LEN {
        return Some(format!(
            "is {len} characters long; the limit is {MAX_ID_LEN}"
        ));
    }
    if let Some(c) = id.chars().find(|c| !is_id_char(*c)) {
        return Some(format!("contains {}", describe(c)));
    }
    if !id.starts_with(|c: char| c.is_ascii_alphanumeric()) {
        return Some("must start with a letter or digit".into());
    }
    None
}

fn is_id_char(c: char) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-'
}

fn describe(c: char) -> String {
    match c {
        c if c.is_ascii_uppercase() => format!("the uppercase letter `{c}`"),
        c if c.is_control() => format!("the control character {}", c.escape_unicode()),
        c if c.is_whitespace() => "whitespace".into(),
        c => format!("`{c}`"),
    }
}

/// A valid id close to `id`: lowercased, other characters turned into `-`,
/// trimmed and shortened; `None` when nothing usable is left.
pub fn suggest_id(id: &str) -> Option<String> {
    let mut out = String::new();
    for c in id.chars().flat_map(char::to_lowercase) {
        let c = if is_id_char(c) { c } else { '-' };
        if !(c == '-' && (out.is_empty() || out.ends_with('-'))) {
            out.push(c);
        }
    }
    let trimmed: String = out
        .trim_matches(|c: char| !c.is_ascii_alphanumeric())
        .chars()
        .take(MAX_ID_LEN)
        .collect();
    let trimmed = trimmed.trim_end_matches(['-', '_']).to_string();
    (!trimmed.is_empty()).then_some(trimmed)
}

/// The help for an invalid id.
pub fn id_help(id: &str) -> String {
    let rule = format!(
        "ids use lowercase letters, digits, `_` and `-`, start with a letter or digit and are at most {MAX_ID_LEN} characters"
    );
    match suggest_id(id) {
        Some(s) => format!("{rule}; e.g. `{s}`"),
        None => rule,
    }
}

/// `text` with control characters, bidirectional controls and backslashes
/// escaped, for messages.
pub fn shown(text: &str) -> String {
    text.chars()
        .map(|c| {
            if forbidden_char(c.encode_utf8(&mut [0; 4])).is_some() || c == '\\' {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// The first character of `text` that has no place in a name, a reason or
/// an address: a control character (C0, DEL, C1) or a bidirectional
/// override or isolate (U+202A–U+202E, U+2066–U+2069), which would let the
/// text reorder or repaint what is shown around it.
pub fn forbidden_char(text: &str) -> Option<char> {
    text.chars()
        .find(|&c| c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'))
}

/// `c` as `U+001B`.
pub fn code_point(c: char) -> String {
    format!("U+{:04X}", u32::from(c))
}

/// What is wrong with `text` as `what` (e.g. "name `…`"), if it holds a
/// [`forbidden_char`]: the message and its help.
pub fn text_problem(what: &str, text: &str) -> Option<(String, String)> {
    let c = forbidden_char(text)?;
    let kind = if c.is_control() {
        "the control character"
    } else {
        "the bidirectional control"
    };
    Some((
        format!("{what} `{}` contains {kind} {}", shown(text), code_point(c)),
        "remove it: names, reasons and URLs hold printable text only".to_string(),
    ))
}

/// Why a file was not read.
#[derive(Debug)]
pub enum ReadError {
    /// It could not be opened or read.
    Io(io::Error),
    /// It is not a regular file; what it is instead.
    NotAFile(&'static str),
    /// It is larger than [`MAX_FILE_BYTES`].
    TooLarge,
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadError::Io(e) => write!(f, "{e}"),
            ReadError::NotAFile(kind) => write!(f, "{kind}, not a regular file"),
            ReadError::TooLarge => write!(
                f,
                "larger than the {} MiB limit",
                MAX_FILE_BYTES / (1024 * 1024)
            ),
        }
    }
}

impl std::error::Error for ReadError {}

impl From<ReadError> for io::Error {
    fn from(e: ReadError) -> Self {
        match e {
            ReadError::Io(e) => e,
            other => io::Error::new(io::ErrorKind::InvalidInput, other.to_string()),
        }
    }
}

/// The bytes of a regular file of at most [`MAX_FILE_BYTES`]. The file is
/// opened without blocking, so opening a FIFO returns at once, and what was
/// opened is checked before a byte is read: a FIFO or a device is never read,
/// even one swapped in for a regular file after a path check.
///
/// # Errors
/// Not a regular file, too large, or any I/O error.
pub fn read_bytes(path: &Path) -> Result<Vec<u8>, ReadError> {
    let file = open_without_blocking(path).map_err(ReadError::Io)?;
    check_kind(&file.metadata().map_err(ReadError::Io)?)?;
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(ReadError::Io)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(ReadError::TooLarge);
    }
    Ok(bytes)
}

/// Opens `path` for reading; on Unix with `O_NONBLOCK`, which makes opening a
/// FIFO return at once instead of waiting for a writer, and changes nothing
/// for a regular file.
fn open_without_blocking(path: &Path) -> io::Result<File> {
    let mut options = fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    options.open(path)
}

/// [`read_bytes`] as UTF-8 text.
///
/// # Errors
/// As [`read_bytes`], and text that is not UTF-8.
pub fn read_to_string(path: &Path) -> io::Result<String> {
    String::from_utf8(read_bytes(path)?)
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e.utf8_error()))
}

fn check_kind(meta: &fs::Metadata) -> Result<(), ReadError> {
    let t = meta.file_type();
    if t.is_file() {
        if meta.len() > MAX_FILE_BYTES {
            return Err(ReadError::TooLarge);
        }
        return Ok(());
    }
    Err(ReadError::NotAFile(kind_of(&t)))
}

#[cfg(unix)]
fn kind_of(t: &fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    match t {
        t if t.is_dir() => "a directory",
        t if t.is_fifo() => "a FIFO (named pipe)",
        t if t.is_char_device() => "a character device",
        t if t.is_block_device() => "a block device",
        t if t.is_socket() => "a socket",
        _ => "something else",
    }
}

#[cfg(not(unix))]
fn kind_of(t: &fs::FileType) -> &'static str {
    if t.is_dir() {
        "a directory"
    } else {
        "something else"
    }
}

/// Whether `v` is finite and inside `[min, MAX_VALUE]`.
pub fn in_range(v: f64, min: f64) -> bool {
    v.is_finite() && v >= min && v <= MAX_VALUE
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn ids_follow_the_pattern() {
        for ok in ["alice", "a", "0", "sre-oncall", "bob_2", &"a".repeat(64)] {
            assert_eq!(id_problem(ok), None, "{ok}");
        }
        for bad in [
            "",
            "-a",
            "_a",
            "Alice",
            "a.b",
            "x/../../ESCAPED",
            "emea/1234",
            "a\\b",
            "a b",
            "a\u{7}",
            "é",
            &"a".repeat(65),
        ] {
            assert!(id_problem(bad).is_some(), "{bad:?}");
        }
    }

    #[test]
    fn control_and_bidi_characters_are_found_by_code_point() {
        assert_eq!(forbidden_char("Zoë Ünal"), None);
        for (bad, cp) in [
            ("a\u{0}", "U+0000"),
            ("a\u{1b}[2J", "U+001B"),
            ("x\ny", "U+000A"),
            ("\u{7f}", "U+007F"),
            ("\u{85}", "U+0085"),
            ("\u{202e}evil", "U+202E"),
            ("\u{2066}", "U+2066"),
        ] {
            let (m, _) = text_problem("name", bad).unwrap();
            assert!(m.contains(cp), "{m}");
            assert!(
                !m.chars().any(|c| forbidden_char(&c.to_string()).is_some()),
                "{m:?}"
            );
        }
    }

    #[test]
    fn suggestions_are_valid_ids() {
        assert_eq!(suggest_id("x/../../ESCAPED").as_deref(), Some("x-escaped"));
        assert_eq!(suggest_id("Alice Smith").as_deref(), Some("alice-smith"));
        assert_eq!(suggest_id("../"), None);
        for s in ["--a--", &"B".repeat(100), "a\u{0}b"] {
            let got = suggest_id(s).unwrap_or_default();
            assert_eq!(id_problem(&got), None, "{s:?} -> {got:?}");
        }
    }

    /// Reading a FIFO with no writer would wait forever; opening it without
    /// blocking and checking what was opened refuses it at once. There is
    /// no check of the path before the open, so a FIFO swapped in after one
    /// meets the same refusal.
    #[cfg(unix)]
    #[test]
    fn a_fifo_is_refused_without_waiting_for_a_writer() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("people.csv");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        assert!(made.is_ok_and(|s| s.success()), "mkfifo");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let _ = tx.send(read_bytes(&fifo).map(|b| b.len()));
        });
        let got = rx.recv_timeout(std::time::Duration::from_secs(10));
        assert!(
            matches!(got, Ok(Err(ReadError::NotAFile(_)))),
            "refused at once, not read or waited on: {got:?}"
        );
    }
}
