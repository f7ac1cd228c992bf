//! The parse tree of a calendar file: components with their properties, each
//! property with its line. The `ical` crate unfolds the lines and splits each
//! into name, parameters and value; this module nests them.

use std::path::Path;

use ical::property::{Property, PropertyError};

use crate::input::diagnostic::Diagnostic;

/// A component with its properties and their lines.
#[derive(Debug, Default)]
pub(super) struct Comp {
    pub(super) name: String,
    pub(super) line: usize,
    pub(super) props: Vec<(Property, usize)>,
    pub(super) children: Vec<Comp>,
}

impl Comp {
    pub(super) fn prop(&self, name: &str) -> Option<&(Property, usize)> {
        self.props.iter().find(|(p, _)| p.name == name)
    }

    pub(super) fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a (Property, usize)> {
        self.props.iter().filter(move |(p, _)| p.name == name)
    }

    pub(super) fn value(&self, name: &str) -> Option<&str> {
        self.prop(name).and_then(|(p, _)| p.value.as_deref())
    }

    /// The value trimmed and upper-cased.
    pub(super) fn upper(&self, name: &str) -> Option<String> {
        self.value(name).map(|v| v.trim().to_ascii_uppercase())
    }
}

/// The first value of a property parameter, any case.
pub(super) fn param<'a>(p: &'a Property, name: &str) -> Option<&'a str> {
    p.params
        .as_ref()?
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .and_then(|(_, v)| v.first())
        .map(String::as_str)
}

/// Splits the text into components, keeping each property's line.
///
/// # Errors
/// A file that cannot be read as one VCALENDAR: a malformed line, a `BEGIN`
/// never closed or closed by the wrong `END`, or no calendar at all.
pub(super) fn tree(rel: &Path, text: &str) -> Result<Comp, Diagnostic> {
    let at = |n: usize, m: String| Diagnostic::new(rel, n, 0, m);
    let mut stack: Vec<Comp> = Vec::new();
    let mut root: Option<Comp> = None;
    for line in ical::LineReader::new(text.as_bytes()) {
        let n = line.number();
        let prop = match ical::PropertyParser::from_reader(line.as_str().as_bytes()).next() {
            Some(Ok(p)) => p,
            Some(Err(e)) => return Err(property_error(rel, n, &e)),
            None => continue,
        };
        let prop = Property {
            name: prop.name.trim().to_ascii_uppercase(),
            ..prop
        };
        let value = prop
            .value
            .as_deref()
            .unwrap_or("")
            .trim()
            .to_ascii_uppercase();
        match prop.name.as_str() {
            "BEGIN" => {
                if stack.is_empty() && (root.is_some() || value != "VCALENDAR") {
                    return Err(at(n, format!("`BEGIN:{value}` outside `BEGIN:VCALENDAR`"))
                        .help("a calendar file holds one VCALENDAR with the VEVENTs inside it"));
                }
                stack.push(Comp {
                    name: value,
                    line: n,
                    ..Comp::default()
                });
            }
            "END" => {
                let Some(done) = stack.pop() else {
                    return Err(at(n, format!("`END:{value}` without a matching `BEGIN`"))
                        .help("remove the line or add the missing `BEGIN`"));
                };
                if done.name != value {
                    let m = format!(
                        "`END:{value}` closes `BEGIN:{}` of line {}",
                        done.name, done.line
                    );
                    return Err(at(n, m).help(format!("close it with `END:{}`", done.name)));
                }
                match stack.last_mut() {
                    Some(parent) => parent.children.push(done),
                    None => root = Some(done),
                }
            }
            _ => match stack.last_mut() {
                Some(c) => c.props.push((prop, n)),
                None => {
                    return Err(
                        at(n, format!("property `{}` outside the calendar", prop.name))
                            .help("start the file with `BEGIN:VCALENDAR`"),
                    )
                }
            },
        }
    }
    if let Some(open) = stack.last() {
        return Err(
            at(open.line, format!("`BEGIN:{}` is never closed", open.name))
                .help(format!("add `END:{}`", open.name)),
        );
    }
    root.ok_or_else(|| {
        at(1, "not an iCalendar file: no `BEGIN:VCALENDAR`".to_string())
            .help("export the calendar as .ics, or write the time off in a .toml file")
    })
}

fn property_error(rel: &Path, line: usize, e: &PropertyError) -> Diagnostic {
    let what = match e {
        PropertyError::MissingName { .. } => "a line with no property name".to_string(),
        PropertyError::MissingClosingQuote { .. } => {
            "a parameter value with no closing quote".to_string()
        }
        PropertyError::MissingDelimiter { delimiter, .. } => {
            format!("a parameter with no `{delimiter}`")
        }
        PropertyError::MissingContentAfter { letter, .. } => format!("nothing after `{letter}`"),
        PropertyError::MissingParamKey { .. } => "a parameter with no name".to_string(),
    };
    Diagnostic::new(rel, line, 0, format!("malformed calendar line: {what}"))
        .help("each line is `NAME;PARAM=VALUE:value`; continuation lines start with a space")
}
