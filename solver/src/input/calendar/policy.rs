//! Which events count as time off under the workspace's
//! [`CalendarPolicy`](crate::model::CalendarPolicy).

use super::tree::{param, Comp};
use crate::model::{CalendarCount, CalendarPolicy, TimeOffKind};

/// Whether event `e` is time off. Free (`TRANSP:TRANSPARENT`) and cancelled
/// events never are.
pub(super) fn counts(e: &Comp, policy: &CalendarPolicy) -> bool {
    if e.upper("STATUS").as_deref() == Some("CANCELLED")
        || e.upper("TRANSP").as_deref() == Some("TRANSPARENT")
    {
        return false;
    }
    match policy.count {
        CalendarCount::All => true,
        CalendarCount::AllDay => all_day(e),
        CalendarCount::OutOfOffice => out_of_office(e, &policy.words),
    }
}

/// A DATE-valued DTSTART, or Outlook's all-day flag on midnight times.
fn all_day(e: &Comp) -> bool {
    let dated = e.prop("DTSTART").is_some_and(|(p, _)| {
        param(p, "VALUE").is_some_and(|v| v.eq_ignore_ascii_case("DATE"))
            || p.value.as_deref().is_some_and(|v| !v.contains(['T', 't']))
    });
    dated || e.upper("X-MICROSOFT-CDO-ALLDAYEVENT").as_deref() == Some("TRUE")
}

/// Marked out of office by the client, or categorised or titled with one of
/// `words`.
fn out_of_office(e: &Comp, words: &[String]) -> bool {
    let marked = e.props.iter().any(|(p, _)| {
        let v = p.value.as_deref().unwrap_or("").trim().to_ascii_uppercase();
        let status = p.name.ends_with("-BUSYSTATUS") || p.name.ends_with("-INTENDEDSTATUS");
        let kind = p.name.starts_with("X-") && p.name.ends_with("EVENT-TYPE");
        (status && v == "OOF") || (kind && v.replace(['-', '_', ' '], "") == "OUTOFOFFICE")
    });
    let categories = e
        .all("CATEGORIES")
        .flat_map(|(p, _)| p.value.as_deref().unwrap_or("").split(','));
    let summary = e.value("SUMMARY").into_iter();
    marked
        || categories
            .chain(summary)
            .any(|text| words.iter().any(|w| has_word(text, w)))
}

/// Categories that mark an event as days off in lieu taken, compared with
/// case, spaces, hyphens and underscores ignored.
const TOIL_CATEGORIES: [&str; 3] = ["toil", "timeoffinlieu", "dayoffinlieu"];

/// Days off in lieu when one of the event's categories says so; leave
/// otherwise. Only categories count: a title is free text, and "TOIL" in
/// one may be about someone else's.
pub(super) fn kind(e: &Comp) -> TimeOffKind {
    let toil = e
        .all("CATEGORIES")
        .flat_map(|(p, _)| p.value.as_deref().unwrap_or("").split(','))
        .map(|c| {
            crate::text::ics::unescape_text(c)
                .chars()
                .filter(|c| !matches!(c, ' ' | '-' | '_') && !c.is_whitespace())
                .collect::<String>()
                .to_lowercase()
        })
        .any(|c| TOIL_CATEGORIES.contains(&c.as_str()));
    if toil {
        TimeOffKind::Toil
    } else {
        TimeOffKind::Leave
    }
}

/// Whether `text` holds `word` as a whole word (or phrase), any case.
pub(super) fn has_word(text: &str, word: &str) -> bool {
    let text = text.to_lowercase();
    let word = word.trim().to_lowercase();
    if word.is_empty() {
        return false;
    }
    let edge = |c: Option<char>| c.is_none_or(|c| !c.is_alphanumeric());
    text.match_indices(&word).any(|(i, _)| {
        edge(text.get(..i).and_then(|s| s.chars().next_back()))
            && edge(text.get(i + word.len()..).and_then(|s| s.chars().next()))
    })
}

#[cfg(test)]
mod tests {
    use super::has_word;

    #[test]
    fn words_match_whole_words_in_any_case() {
        assert!(has_word("PTO - dentist", "pto"));
        assert!(has_word("Out of Office", "out of office"));
        assert!(has_word("Holiday", "HOLIDAY"));
        assert!(!has_word("Leaves review", "leave"));
        assert!(!has_word("OOOps", "OOO"));
    }
}
