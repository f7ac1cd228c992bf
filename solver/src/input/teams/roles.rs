//! The `[[roles]]` of a team file: name, weight, tenure and skills.

use std::collections::BTreeSet;

use serde::Deserialize;
use toml::Spanned;

use crate::input::context::{suggest, Cx};
use crate::input::diagnostic::Diagnostic;
use crate::input::limits::{id_help, id_problem, in_range, shown, MAX_TENURE_DAYS, MAX_VALUE};
use crate::input::source::Source;
use crate::model::{Person, PersonIdx, Role};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawRole {
    name: Spanned<String>,
    #[serde(default)]
    weight: Option<Spanned<f64>>,
    #[serde(default)]
    min_tenure_days: Option<Spanned<i64>>,
    #[serde(default)]
    skills: Vec<Spanned<String>>,
    #[serde(default)]
    runbook: Option<Spanned<String>>,
}

impl Cx {
    /// The team's roles; empty and repeated names are diagnosed and dropped.
    pub(super) fn roles(
        &mut self,
        src: &Source,
        raw: &[RawRole],
        members: &[PersonIdx],
        people: &[Person],
    ) -> Vec<Role> {
        if raw.is_empty() {
            self.push(
                Diagnostic::new(&src.rel, 1, 1, "the team has no roles")
                    .help("add a [[roles]] table with at least `name = \"primary\"`"),
            );
        }
        let member_skills: BTreeSet<&str> = members
            .iter()
            .filter_map(|p| people.get(p.0))
            .flat_map(|x| x.skills.iter().map(String::as_str))
            .collect();
        let mut roles: Vec<Role> = Vec::new();
        for r in raw {
            if let Some(role) = self.role(src, r, &roles, members, &member_skills) {
                roles.push(role);
            }
        }
        roles
    }

    fn role(
        &mut self,
        src: &Source,
        r: &RawRole,
        earlier: &[Role],
        members: &[PersonIdx],
        member_skills: &BTreeSet<&str>,
    ) -> Option<Role> {
        let name = r.name.get_ref();
        if name.trim().is_empty() {
            self.push(
                src.at(r.name.span(), "empty role name")
                    .help("name the role, e.g. `name = \"primary\"`"),
            );
            return None;
        }
        if let Some(problem) = id_problem(name) {
            self.push(
                src.at(
                    r.name.span(),
                    format!("role name `{}` {problem}", shown(name)),
                )
                .help(id_help(name)),
            );
            return None;
        }
        if earlier.iter().any(|x| &x.name == name) {
            self.push(
                src.at(r.name.span(), format!("duplicate role `{name}`"))
                    .help("role names must be unique within a team; rename or remove one"),
            );
            return None;
        }
        let weight = self.role_weight(src, r);
        let min_tenure_days = self.role_tenure(src, r);
        let skills = self.role_skills(src, r, members, member_skills);
        let runbook = r.runbook.as_ref().and_then(|u| self.runbook(src, u));
        Some(Role {
            name: name.clone(),
            weight,
            min_tenure_days,
            skills,
            runbook,
        })
    }

    /// The role's weight, 1 when not given; diagnosed when negative, too
    /// large or not finite.
    fn role_weight(&mut self, src: &Source, r: &RawRole) -> f64 {
        let weight = r.weight.as_ref().map_or(1.0, |w| *w.get_ref());
        if !in_range(weight, 0.0) {
            let span = r.weight.as_ref().map_or(r.name.span(), Spanned::span);
            self.push(
                src.at(
                    span,
                    format!(
                        "weight of role `{}` must be from 0 to {MAX_VALUE}, got {weight:?}",
                        r.name.get_ref()
                    ),
                )
                .help("a role weight multiplies the load of its shifts; use e.g. 0.5"),
            );
        }
        weight
    }

    /// The role's minimum tenure in days, 0 when not given; diagnosed when
    /// negative or over 100 years.
    fn role_tenure(&mut self, src: &Source, r: &RawRole) -> i64 {
        let tenure = r.min_tenure_days.as_ref().map_or(0, |t| *t.get_ref());
        if !(0..=MAX_TENURE_DAYS).contains(&tenure) {
            let span = r
                .min_tenure_days
                .as_ref()
                .map_or(r.name.span(), Spanned::span);
            self.push(
                src.at(
                    span,
                    format!(
                        "`min_tenure_days` of role `{}` must be from 0 to {MAX_TENURE_DAYS}, got {tenure}",
                        r.name.get_ref()
                    ),
                )
                .help("give the days of tenure needed; use 0 for no requirement"),
            );
        }
        tenure
    }

    /// The role's skills without repeats; a skill no member has is diagnosed.
    fn role_skills(
        &mut self,
        src: &Source,
        r: &RawRole,
        members: &[PersonIdx],
        member_skills: &BTreeSet<&str>,
    ) -> Vec<String> {
        let mut skills: Vec<String> = Vec::new();
        for skill in &r.skills {
            let s = skill.get_ref();
            if skills.contains(s) {
                continue;
            }
            if !members.is_empty() && !member_skills.contains(s.as_str()) {
                let d = src.at(
                    skill.span(),
                    format!(
                        "role `{}` requires skill `{s}`, which no member has",
                        r.name.get_ref()
                    ),
                );
                let d = suggest(
                    d,
                    s,
                    member_skills.iter().copied(),
                    format!(
                        "add `{s}` to a member's skills in people.csv, or add a member who has it"
                    ),
                );
                self.push(d);
            }
            skills.push(s.clone());
        }
        skills
    }
}
