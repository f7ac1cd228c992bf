//! Explanations in words: facts, fixes and conflicts as sentences, and the
//! explanation's JSON form.

use std::fmt::Write as _;

use super::{Fact, Fix, Infeasibility};
use crate::model::document::{ConflictDoc, ExplanationDoc, HallDoc};
use crate::model::{PersonIdx, RoleIdx, TeamIdx, Workspace};
use crate::plan::horizon::Week;

fn names(ws: &Workspace, people: &[PersonIdx]) -> String {
    let ids: Vec<String> = people.iter().map(|p| ws.person(*p).id.clone()).collect();
    match ids.as_slice() {
        [] => "nobody".into(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {}", init.join(", "), last),
    }
}

/// A fact in words.
pub fn fact_text(ws: &Workspace, team: TeamIdx, weeks: &[Week], fact: &Fact) -> String {
    let t = ws.team(team);
    let week = |w: usize| {
        weeks
            .get(w)
            .map(|x| x.first_day.to_string())
            .unwrap_or_default()
    };
    match fact {
        Fact::TimeOff(k) => match ws.time_off.get(*k) {
            Some(o) => format!(
                "{} is off {}..{} ({})",
                ws.person(o.person).id,
                o.start,
                o.end,
                o.origin
            ),
            None => "time off".into(),
        },
        Fact::Tenure(r) => match t.roles.get(r.0) {
            Some(role) => format!(
                "{} needs {} days' tenure ({})",
                role.name,
                role.min_tenure_days,
                t.origin.file.display()
            ),
            None => "tenure".into(),
        },
        Fact::Skill(r, s) => {
            let holders: Vec<PersonIdx> = t
                .members
                .iter()
                .copied()
                .filter(|m| ws.person(*m).skills.contains(s))
                .collect();
            let role = t.roles.get(r.0).map(|x| x.name.as_str()).unwrap_or("");
            format!(
                "{role} needs the skill `{s}`, which only {} hold{}",
                names(ws, &holders),
                if holders.len() == 1 { "s" } else { "" }
            )
        }
        Fact::Rest(p, w) => format!(
            "{} cannot take the week of {} right after the week of {} (rest_weeks = {})",
            ws.person(*p).id,
            week(w + 1),
            week(*w),
            t.rules.rest_weeks
        ),
        Fact::MaxShifts(p) => format!(
            "{} may take at most {} shifts (max_shifts)",
            ws.person(*p).id,
            t.rules.max_shifts.unwrap_or(0)
        ),
        Fact::Pin(k) => match t.pins.get(*k) {
            Some(pin) => format!(
                "{} is pinned to {} in the week of {} ({})",
                ws.person(pin.person).id,
                t.roles
                    .get(pin.role.0)
                    .map(|r| r.name.as_str())
                    .unwrap_or(""),
                pin.week,
                pin.origin
            ),
            None => "a pin".into(),
        },
        Fact::Elsewhere(p, other, ws_) => {
            let list: Vec<String> = ws_.iter().map(|w| week(*w)).collect();
            format!(
                "{} is on call for {other} in the week{} of {}",
                ws.person(*p).id,
                if list.len() == 1 { "" } else { "s" },
                list.join(", ")
            )
        }
        Fact::PastRest(p) => format!(
            "{} was on call just before the week of {} (rest_weeks = {})",
            ws.person(*p).id,
            week(0),
            t.rules.rest_weeks
        ),
        Fact::YearCap(p, held, since) => year_cap_text(ws, team, *p, *held, *since),
        Fact::Employment(p) => {
            let x = ws.person(*p);
            match x.left {
                Some(l) => format!("{} is employed {}..{} (left)", x.id, x.joined, l),
                None => format!("{} joins {}", x.id, x.joined),
            }
        }
    }
}

/// The yearly caps of `p` in words, with the published weeks they already
/// had, e.g. "alice may hold at most 2 weeks of one role in any 365 days
/// (max_weeks_per_year = 2) and already had 2 weeks since 2026-06-01".
fn year_cap_text(
    ws: &Workspace,
    team: TeamIdx,
    p: PersonIdx,
    held: u32,
    since: Option<chrono::NaiveDate>,
) -> String {
    let rules = ws.team(team).rules;
    let mut caps = Vec::new();
    let weeks = |n: u32| format!("{n} week{}", if n == 1 { "" } else { "s" });
    if let Some(n) = rules.max_weeks_per_year {
        caps.push(format!(
            "{} of one role in any 365 days (max_weeks_per_year = {n})",
            weeks(n)
        ));
    }
    if let Some(n) = rules.max_weeks_per_year_all {
        caps.push(format!(
            "{} of all roles in any 365 days (max_weeks_per_year_all = {n})",
            weeks(n)
        ));
    }
    let had = match since {
        Some(d) if held > 0 => format!(" and already had {} since {d}", weeks(held)),
        _ => String::new(),
    };
    format!(
        "{} may hold at most {}{had}",
        ws.person(p).id,
        caps.join(" and ")
    )
}

/// A fix in words.
pub fn fix_text(ws: &Workspace, team: TeamIdx, weeks: &[Week], fix: &Fix) -> String {
    let t = ws.team(team);
    let week = |w: usize| {
        weeks
            .get(w)
            .map(|x| x.first_day.to_string())
            .unwrap_or_default()
    };
    match fix {
        Fix::CancelTimeOff(k) => match ws.time_off.get(*k) {
            Some(o) => format!(
                "move or shorten {}'s time off {}..{} ({})",
                ws.person(o.person).id,
                o.start,
                o.end,
                o.origin
            ),
            None => "move the time off".into(),
        },
        Fix::LowerTenure(r, d) => format!(
            "lower {}.min_tenure_days to {d}",
            t.roles.get(r.0).map(|x| x.name.as_str()).unwrap_or("")
        ),
        Fix::GiveSkill(p, s) => format!("give {} the skill `{s}`", ws.person(*p).id),
        Fix::AddMember(r) => {
            let role = t.roles.get(r.0);
            let skills: Vec<String> = role
                .map(|x| x.skills.iter().map(|s| format!("`{s}`")).collect())
                .unwrap_or_default();
            if skills.is_empty() {
                format!(
                    "add a member who can take {}",
                    role.map(|x| x.name.as_str()).unwrap_or("")
                )
            } else {
                format!("add a member with the skill {}", skills.join(" and "))
            }
        }
        Fix::AllowBackToBack(p, w) => format!(
            "allow {} back-to-back in the weeks of {} and {}",
            ws.person(*p).id,
            week(*w),
            week(w + 1)
        ),
        Fix::RaiseMaxShifts(m) => format!("raise max_shifts to {m}"),
        Fix::RaiseYearCap(false, m) => format!("raise max_weeks_per_year to {m}"),
        Fix::RaiseYearCap(true, m) => format!("raise max_weeks_per_year_all to {m}"),
        Fix::RemovePin(k) => match t.pins.get(*k) {
            Some(pin) => format!(
                "remove the pin of {} on {} ({})",
                ws.person(pin.person).id,
                pin.week,
                pin.origin
            ),
            None => "remove the pin".into(),
        },
    }
}

/// The explanation as text.
pub fn render_text(ws: &Workspace, e: &Infeasibility) -> String {
    let t = ws.team(e.team);
    let mut out = String::new();
    let week = |w: usize| {
        e.weeks
            .get(w)
            .map(|x| x.first_day.to_string())
            .unwrap_or_default()
    };
    let role = |r: &RoleIdx| t.roles.get(r.0).map(|x| x.name.clone()).unwrap_or_default();
    let _ = writeln!(out, "{} cannot be planned completely.", t.id);
    for h in &e.hall {
        let roles: Vec<String> = h.roles.iter().map(role).collect();
        let need = if roles.len() == 1 {
            format!("a {}", roles.join(""))
        } else {
            roles.join(" and ")
        };
        let who = if h.people.is_empty() {
            "nobody can take it".to_string()
        } else {
            format!(
                "only {} can take {}",
                names(ws, &h.people),
                if roles.len() == 1 { "it" } else { "them" }
            )
        };
        let _ = writeln!(
            out,
            "\nThe week of {} needs {need}, but {who}.",
            week(h.week)
        );
    }
    for (i, c) in e.conflicts.iter().enumerate() {
        let mut slots: Vec<String> = c
            .slots
            .iter()
            .map(|(w, r)| format!("{} {}", week(*w), role(r)))
            .collect();
        slots.dedup();
        let _ = writeln!(
            out,
            "\n{} these facts together leave {} empty:",
            if e.conflicts.len() > 1 {
                format!("Conflict {}:", i + 1)
            } else {
                "Why:".to_string()
            },
            if slots.is_empty() {
                "a slot".to_string()
            } else {
                slots.join(", ")
            }
        );
        if c.facts.is_empty() {
            let _ = writeln!(out, "  - the team has too few members for its roles");
        }
        for f in &c.facts {
            let _ = writeln!(out, "  - {}", fact_text(ws, e.team, &e.weeks, f));
        }
    }
    if !e.fixes.is_empty() {
        let _ = writeln!(
            out,
            "\nAny one of these would make a complete plan (each checked):"
        );
        for f in &e.fixes {
            let _ = writeln!(out, "  try: {}", fix_text(ws, e.team, &e.weeks, f));
        }
    } else if e.conflicts.len() > 1 {
        let _ = writeln!(
            out,
            "\nEach conflict needs its own fix: relax one fact of each."
        );
    }
    out
}

impl Infeasibility {
    /// The facts of the conflict that leaves slot `(week, role)` empty, in
    /// words, as one line; else those of a conflict that names no slot (as
    /// yearly caps leave some slot empty, not a given one); `None` if
    /// neither.
    pub fn reason_for(&self, ws: &Workspace, week: usize, role: RoleIdx) -> Option<String> {
        let c = self
            .conflicts
            .iter()
            .find(|c| c.slots.contains(&(week, role)))
            .or_else(|| self.conflicts.iter().find(|c| c.slots.is_empty()))?;
        if c.facts.is_empty() {
            return None;
        }
        let facts: Vec<String> = c
            .facts
            .iter()
            .map(|f| fact_text(ws, self.team, &self.weeks, f))
            .collect();
        Some(facts.join("; "))
    }

    /// The JSON form.
    pub fn to_doc(&self, ws: &Workspace) -> ExplanationDoc {
        let t = ws.team(self.team);
        let role = |r: &RoleIdx| t.roles.get(r.0).map(|x| x.name.clone()).unwrap_or_default();
        let week = |w: usize| self.weeks.get(w).map(|x| x.first_day).unwrap_or_default();
        ExplanationDoc {
            hall: self
                .hall
                .iter()
                .map(|h| HallDoc {
                    week: week(h.week),
                    roles: h.roles.iter().map(role).collect(),
                    people: h.people.iter().map(|p| ws.person(*p).id.clone()).collect(),
                })
                .collect(),
            conflicts: self
                .conflicts
                .iter()
                .map(|c| ConflictDoc {
                    facts: c
                        .facts
                        .iter()
                        .map(|f| fact_text(ws, self.team, &self.weeks, f))
                        .collect(),
                    slots: c
                        .slots
                        .iter()
                        .map(|(w, r)| format!("{} {}", week(*w), role(r)))
                        .collect(),
                })
                .collect(),
            fixes: self
                .fixes
                .iter()
                .map(|f| fix_text(ws, self.team, &self.weeks, f))
                .collect(),
        }
    }
}
