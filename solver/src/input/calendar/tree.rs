//! The parse tree of a calendar file: components with their properties, each
//! property with its line. The `ical` crate unfolds the lines and splits each
//! into name, parameters and value; this module nests them.

use std::path::Path;

use ical::property::{Property, PropertyError};

use crate::input::diagnostic::Diagnostic;
use crate::input::limits::shown;

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

/// Most components nested inside each other, the VCALENDAR included.
pub const MAX_DEPTH: usize = 32;

/// Most properties one component holds.
pub const MAX_PROPERTIES: usize = 10_000;

/// Most parameters one property holds.
pub const MAX_PARAMETERS: usize = 100;

/// Most lines (after unfolding) one calendar file holds.
pub const MAX_LINES: usize = 1_000_000;

/// Splits the text into components, keeping each property's line. Several
/// VCALENDARs in a row (an RFC 5545 `icalstream`) are read as one: their
/// properties and components are joined in file order. A property outside
/// every VCALENDAR is skipped with a warning.
///
/// # Errors
/// A file that cannot be read as a calendar: a malformed line, a component
/// outside the calendar, a `BEGIN` never closed or closed by the wrong
/// `END`, nesting deeper than [`MAX_DEPTH`], more than [`MAX_PROPERTIES`]
/// properties in a component, [`MAX_PARAMETERS`] parameters in a property
/// or [`MAX_LINES`] lines, or no calendar at all.
pub(super) fn tree(rel: &Path, text: &str) -> Result<(Comp, Vec<Diagnostic>), Diagnostic> {
    let mut b = Builder {
        rel,
        stack: Vec::new(),
        root: None,
        warnings: Vec::new(),
    };
    for (count, line) in ical::LineReader::new(text.as_bytes()).enumerate() {
        let n = line.number();
        if count >= MAX_LINES {
            return Err(b
                .at(n, format!("the calendar has more than {MAX_LINES} lines"))
                .help("export a shorter range of the calendar"));
        }
        match ical::PropertyParser::from_reader(line.as_str().as_bytes()).next() {
            Some(Ok(p)) => b.line(n, p)?,
            Some(Err(e)) => return Err(property_error(rel, n, &e)),
            None => {}
        }
    }
    b.finish()
}

/// The components open while the lines are read.
struct Builder<'a> {
    rel: &'a Path,
    stack: Vec<Comp>,
    root: Option<Comp>,
    warnings: Vec<Diagnostic>,
}

impl Builder<'_> {
    fn at(&self, n: usize, m: String) -> Diagnostic {
        Diagnostic::new(self.rel, n, 0, m)
    }

    fn line(&mut self, n: usize, prop: Property) -> Result<(), Diagnostic> {
        let prop = Property {
            name: prop.name.trim().to_ascii_uppercase(),
            ..prop
        };
        let params = prop.params.as_ref().map_or(0, Vec::len);
        if params > MAX_PARAMETERS {
            return Err(self
                .at(
                    n,
                    format!(
                        "property `{}` has {params} parameters; the limit is {MAX_PARAMETERS}",
                        shown(&prop.name)
                    ),
                )
                .help("remove the extra parameters"));
        }
        let value = prop
            .value
            .as_deref()
            .unwrap_or("")
            .trim()
            .to_ascii_uppercase();
        match prop.name.as_str() {
            "BEGIN" => self.begin(n, value),
            "END" => self.end(n, &value),
            _ => self.property(n, prop),
        }
    }

    fn begin(&mut self, n: usize, value: String) -> Result<(), Diagnostic> {
        if self.stack.is_empty() && value != "VCALENDAR" {
            return Err(self
                .at(
                    n,
                    format!("`BEGIN:{}` outside `BEGIN:VCALENDAR`", shown(&value)),
                )
                .help("a calendar file holds VCALENDARs with the VEVENTs inside them"));
        }
        if self.stack.len() >= MAX_DEPTH {
            return Err(self
                .at(
                    n,
                    format!("components are nested more than {MAX_DEPTH} deep"),
                )
                .help("close each component with its `END` before the next `BEGIN`"));
        }
        self.stack.push(Comp {
            name: value,
            line: n,
            ..Comp::default()
        });
        Ok(())
    }

    fn end(&mut self, n: usize, value: &str) -> Result<(), Diagnostic> {
        let Some(done) = self.stack.pop() else {
            return Err(self
                .at(
                    n,
                    format!("`END:{}` without a matching `BEGIN`", shown(value)),
                )
                .help("remove the line or add the missing `BEGIN`"));
        };
        if done.name != value {
            let m = format!(
                "`END:{}` closes `BEGIN:{}` of line {}",
                shown(value),
                shown(&done.name),
                done.line
            );
            return Err(self
                .at(n, m)
                .help(format!("close it with `END:{}`", shown(&done.name))));
        }
        match (self.stack.last_mut(), &mut self.root) {
            (Some(parent), _) => parent.children.push(done),
            (None, Some(root)) => {
                root.props.extend(done.props);
                root.children.extend(done.children);
            }
            (None, root) => *root = Some(done),
        }
        Ok(())
    }

    fn property(&mut self, n: usize, prop: Property) -> Result<(), Diagnostic> {
        let Some(c) = self.stack.last_mut() else {
            let w = self
                .at(
                    n,
                    format!(
                        "property `{}` outside the calendar is skipped",
                        shown(&prop.name)
                    ),
                )
                .help("move it inside `BEGIN:VCALENDAR` … `END:VCALENDAR`, or remove it");
            self.warnings.push(w);
            return Ok(());
        };
        if c.props.len() >= MAX_PROPERTIES {
            let m = format!(
                "`BEGIN:{}` of line {} has more than {MAX_PROPERTIES} properties",
                shown(&c.name),
                c.line
            );
            return Err(self
                .at(n, m)
                .help("split the component or remove properties"));
        }
        c.props.push((prop, n));
        Ok(())
    }

    fn finish(self) -> Result<(Comp, Vec<Diagnostic>), Diagnostic> {
        if let Some(open) = self.stack.last() {
            return Err(self
                .at(
                    open.line,
                    format!("`BEGIN:{}` is never closed", shown(&open.name)),
                )
                .help(format!("add `END:{}`", shown(&open.name))));
        }
        match self.root {
            Some(root) => Ok((root, self.warnings)),
            None => Err(self
                .at(1, "not an iCalendar file: no `BEGIN:VCALENDAR`".to_string())
                .help("export the calendar as .ics, or write the time off in a .toml file")),
        }
    }
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
