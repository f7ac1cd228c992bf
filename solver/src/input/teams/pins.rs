//! The `[[pins]]` of a team file: a person fixed to a role for a week.

use chrono::{Datelike, Duration, NaiveDate};
use serde::Deserialize;
use toml::Spanned;

use crate::input::context::{suggest, Cx};
use crate::input::parse::{backticked, weekday_name};
use crate::input::source::Source;
use crate::model::{Handoff, Person, PersonIdx, Pin, Role, RoleIdx};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawPin {
    week: Spanned<toml::Value>,
    role: Spanned<String>,
    person: Spanned<String>,
}

/// What a pin is checked against.
pub(super) struct PinContext<'a> {
    pub(super) roles: &'a [Role],
    pub(super) members: &'a [PersonIdx],
    pub(super) people: &'a [Person],
    pub(super) handoff: Option<Handoff>,
}

impl Cx {
    /// The team's pins. A pin that clashes with an earlier one is diagnosed
    /// but kept.
    pub(super) fn pins(&mut self, src: &Source, raw: &[RawPin], team: &PinContext<'_>) -> Vec<Pin> {
        let mut pins: Vec<Pin> = Vec::new();
        for pin in raw {
            if let Some(p) = self.pin(src, pin, team) {
                self.pin_clash(src, pin, &p, &pins);
                pins.push(p);
            }
        }
        pins
    }

    /// One pin; `None` when its person, week or role is unusable.
    fn pin(&mut self, src: &Source, pin: &RawPin, team: &PinContext<'_>) -> Option<Pin> {
        let person = self.person(src, team.people, &pin.person);
        let week = self.date(src, "week", &pin.week);
        let role = self.pin_role(src, pin, team.roles);
        if let Some(p) = person {
            if !team.members.contains(&p) {
                self.push(
                    src.at(
                        pin.person.span(),
                        format!("pinned person `{}` is not a member", pin.person.get_ref()),
                    )
                    .help(format!(
                        "add `{}` to `members` or fix the pin",
                        pin.person.get_ref()
                    )),
                );
            }
        }
        if let (Some(w), Some(h)) = (week, team.handoff) {
            self.pin_week_on_handoff(src, pin, w, h);
        }
        Some(Pin {
            week: week?,
            role: role?,
            person: person?,
            origin: src.origin(pin.week.span()),
        })
    }

    fn pin_role(&mut self, src: &Source, pin: &RawPin, roles: &[Role]) -> Option<RoleIdx> {
        let role = roles
            .iter()
            .position(|r| &r.name == pin.role.get_ref())
            .map(RoleIdx);
        if role.is_none() {
            let names: Vec<&str> = roles.iter().map(|r| r.name.as_str()).collect();
            let d = src.at(
                pin.role.span(),
                format!("unknown role `{}` in pin", pin.role.get_ref()),
            );
            let otherwise = if names.is_empty() {
                "the team has no roles yet".to_string()
            } else {
                format!("the team's roles are {}", backticked(&names))
            };
            self.push(suggest(
                d,
                pin.role.get_ref(),
                names.iter().copied(),
                otherwise,
            ));
        }
        role
    }

    /// Diagnoses a pin week that is not a handoff day, suggesting the
    /// handoff before it.
    fn pin_week_on_handoff(&mut self, src: &Source, pin: &RawPin, w: NaiveDate, h: Handoff) {
        if w.weekday() == h.weekday {
            return;
        }
        let back = (7 + w.weekday().num_days_from_monday() - h.weekday.num_days_from_monday()) % 7;
        let before = w - Duration::days(i64::from(back));
        self.push(
            src.at(
                pin.week.span(),
                format!(
                    "pin week {w} is a {}, but the team hands off on {}s",
                    weekday_name(w.weekday()),
                    weekday_name(h.weekday)
                ),
            )
            .help(format!(
                "a pin's `week` is the date of the week's first handoff; did you mean {before}?"
            )),
        );
    }

    /// Diagnoses a pin for a slot or a person already pinned that week.
    fn pin_clash(&mut self, src: &Source, raw: &RawPin, pin: &Pin, earlier: &[Pin]) {
        let week = pin.week;
        if earlier.iter().any(|x| x.week == week && x.role == pin.role) {
            self.push(
                src.at(
                    raw.week.span(),
                    format!(
                        "two pins for role `{}` in the week of {week}",
                        raw.role.get_ref()
                    ),
                )
                .help("keep one pin per slot"),
            );
        } else if earlier
            .iter()
            .any(|x| x.week == week && x.person == pin.person)
        {
            self.push(
                src.at(
                    raw.person.span(),
                    format!(
                        "`{}` is pinned to two roles in the week of {week}",
                        raw.person.get_ref()
                    ),
                )
                .help("a person holds at most one role per week; remove one of the pins"),
            );
        }
    }
}
