//! The yearly caps `max_weeks_per_year` (any one role) and
//! `max_weeks_per_year_all` (all roles together) as windows over the plan's
//! weeks (docs/design.md §2).
//!
//! A week counts in a window when its first day lies within the 365 days
//! ending on the window's last day. Every window that holds a plan week is
//! covered by one ending on the first day of a plan week, so there is one
//! window per plan week, person and role (and one over all roles). A
//! published week counts once per role a person held any part of it in, as
//! rest across the history boundary counts it.

use chrono::{Duration, NaiveDate};

use crate::plan::instance::Instance;

/// Days before a window's last day that still lie inside it.
pub const WINDOW_DAYS: i64 = 364;

/// Published weeks per member position: `(week's first day, role index or
/// None for a role the team no longer has)`, each pair once.
pub type PastWeeks = Vec<Vec<(NaiveDate, Option<usize>)>>;

/// One window of a yearly cap for one member.
#[derive(Clone, Debug, PartialEq)]
pub struct Window {
    /// Member position.
    pub person: usize,
    /// The role counted, or `None` for all roles together.
    pub role: Option<usize>,
    /// Plan week indices inside the window.
    pub weeks: Vec<usize>,
    /// Published weeks already counted in it.
    pub held: u32,
    /// The first day of the earliest published week counted, if any.
    pub since: Option<NaiveDate>,
    /// The cap.
    pub cap: u32,
}

impl Window {
    /// How many of the plan's weeks the member may still take in it.
    pub fn room(&self) -> u32 {
        self.cap.saturating_sub(self.held)
    }

    /// The rule's name in the team file.
    pub fn rule(&self) -> &'static str {
        if self.role.is_some() {
            "max_weeks_per_year"
        } else {
            "max_weeks_per_year_all"
        }
    }
}

impl Instance<'_> {
    /// Every window of the yearly caps that can bind: the plan's weeks
    /// inside it outnumber the room left by published history.
    pub fn year_windows(&self) -> Vec<Window> {
        let rules = self.ws.team(self.team).rules;
        let mut out = Vec::new();
        let roles: Vec<Option<usize>> = (0..self.roles()).map(Some).collect();
        for i in 0..self.members.len() {
            for e in 0..self.weeks.len() {
                if let Some(cap) = rules.max_weeks_per_year {
                    for &r in &roles {
                        out.extend(self.window(i, e, r, cap));
                    }
                }
                if let Some(cap) = rules.max_weeks_per_year_all {
                    out.extend(self.window(i, e, None, cap));
                }
            }
        }
        out
    }

    /// The window of member `i` ending on plan week `e`'s first day, when it
    /// can bind.
    fn window(&self, i: usize, e: usize, role: Option<usize>, cap: u32) -> Option<Window> {
        let end = self.weeks[e].first_day;
        let start = end - Duration::days(WINDOW_DAYS);
        let inside = |d: NaiveDate| d >= start && d <= end;
        let weeks: Vec<usize> = (0..=e)
            .filter(|&w| inside(self.weeks[w].first_day))
            .collect();
        let mut past: Vec<NaiveDate> = self
            .past_weeks
            .get(i)
            .into_iter()
            .flatten()
            .filter(|(d, r)| inside(*d) && (role.is_none() || *r == role))
            .map(|(d, _)| *d)
            .collect();
        past.sort();
        past.dedup();
        let held = u32::try_from(past.len()).unwrap_or(u32::MAX);
        let room = cap.saturating_sub(held);
        if weeks.len() <= room as usize {
            return None;
        }
        Some(Window {
            person: i,
            role,
            weeks,
            held,
            since: past.first().copied(),
            cap,
        })
    }

    /// Whether an assignment (`a[w][r]`: member position) keeps both yearly
    /// caps.
    pub fn keeps_year_caps(&self, a: &[Vec<Option<usize>>]) -> bool {
        self.year_windows().iter().all(|win| {
            let taken = win
                .weeks
                .iter()
                .filter_map(|&w| a.get(w))
                .filter(|row| {
                    row.iter()
                        .enumerate()
                        .any(|(r, s)| *s == Some(win.person) && win.role.is_none_or(|x| x == r))
                })
                .count();
            taken <= win.room() as usize
        })
    }
}
