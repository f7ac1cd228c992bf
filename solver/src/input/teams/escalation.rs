//! The `escalation` chain of a team file, checked at load. A step is a role
//! of the team (`primary`), a role of another team (`sre.primary`), or a
//! person with a label (`manager:grace`). Other teams are known only once
//! every team file is read, so their steps are checked last.

use toml::Spanned;

use crate::input::context::{suggest, Cx};
use crate::input::diagnostic::Diagnostic;
use crate::input::source::Source;
use crate::model::{Escalation, Person, Role, Team};

/// A step naming another team, checked once every team is loaded.
pub(super) struct Pending {
    /// Where the step is written.
    at: Diagnostic,
    team: String,
    role: String,
}

impl Cx {
    /// The chain of one team file; steps naming another team are returned
    /// for [`Cx::check_team_steps`].
    pub(super) fn escalation(
        &mut self,
        src: &Source,
        raw: &[Spanned<String>],
        roles: &[Role],
        people: &[Person],
        pending: &mut Vec<Pending>,
    ) -> Vec<Escalation> {
        let mut out = Vec::new();
        for step in raw {
            let text = step.get_ref().trim();
            let at = || src.at(step.span(), String::new());
            if let Some((label, person)) = text.split_once(':') {
                let (label, person) = (label.trim(), person.trim());
                if label.is_empty() {
                    self.push(
                        with(
                            at(),
                            format!("escalation step `{text}` has no label before `:`"),
                        )
                        .help("write it as `manager:grace`"),
                    );
                } else if people.iter().any(|p| p.id == person) {
                    out.push(Escalation::Person {
                        label: label.into(),
                        person: person.into(),
                    });
                } else {
                    let d = with(
                        at(),
                        format!(
                            "escalation step `{text}` names `{person}`, who is not in people.csv"
                        ),
                    );
                    self.push(suggest(
                        d,
                        person,
                        people.iter().map(|p| p.id.as_str()),
                        "add them to people.csv, or name someone who is",
                    ));
                }
            } else if let Some((team, role)) = text.split_once('.') {
                pending.push(Pending {
                    at: at(),
                    team: team.trim().into(),
                    role: role.trim().into(),
                });
                out.push(Escalation::TeamRole {
                    team: team.trim().into(),
                    role: role.trim().into(),
                });
            } else if roles.iter().any(|r| r.name == text) {
                out.push(Escalation::Role(text.into()));
            } else {
                let d = with(
                    at(),
                    format!("escalation step `{text}` is not a role of this team"),
                );
                self.push(suggest(
                    d,
                    text,
                    roles.iter().map(|r| r.name.as_str()),
                    "name a role of this team, another team's role as `team.role`, or a person as `label:person`",
                ));
            }
        }
        out
    }

    /// Checks the steps that name another team against every team loaded.
    pub(super) fn check_team_steps(&mut self, pending: Vec<Pending>, teams: &[Team]) {
        for p in pending {
            let Some(team) = teams.iter().find(|t| t.id == p.team) else {
                let d = with(
                    p.at,
                    format!(
                        "escalation step `{}.{}` names team `{}`, which has no file in teams/",
                        p.team, p.role, p.team
                    ),
                );
                self.push(suggest(
                    d,
                    &p.team,
                    teams.iter().map(|t| t.id.as_str()),
                    "name a team of teams/",
                ));
                continue;
            };
            if team.role_by_name(&p.role).is_none() {
                let d = with(
                    p.at,
                    format!(
                        "escalation step `{}.{}`: team `{}` has no role `{}`",
                        p.team, p.role, p.team, p.role
                    ),
                );
                self.push(suggest(
                    d,
                    &p.role,
                    team.roles.iter().map(|r| r.name.as_str()),
                    "name one of its roles",
                ));
            }
        }
    }
}

impl Cx {
    /// A runbook address: an absolute http or https URL with a host, kept
    /// as the URL crate writes it (so it holds no space or control
    /// character); diagnosed otherwise.
    pub(super) fn runbook(&mut self, src: &Source, raw: &Spanned<String>) -> Option<String> {
        let text = raw.get_ref().trim();
        if let Some((message, help)) = crate::input::limits::text_problem("runbook", text) {
            self.push(src.at(raw.span(), message).help(help));
            return None;
        }
        match url::Url::parse(text) {
            Ok(u) if matches!(u.scheme(), "http" | "https") && u.host_str().is_some() => {
                self.round_trip(src, raw, u)
            }
            _ => {
                let shown = crate::input::limits::shown(text);
                self.push(
                    src.at(raw.span(), format!("runbook `{shown}` is not an http(s) URL"))
                        .help("write the whole address, e.g. `runbook = \"https://wiki.example.com/runbooks/payments\"`"),
                );
                None
            }
        }
    }
}

impl Cx {
    /// The runbook as written, when the URL reads it back the same (a
    /// host-only address may gain its `/`); otherwise the written form.
    fn round_trip(&mut self, src: &Source, raw: &Spanned<String>, u: url::Url) -> Option<String> {
        let text = raw.get_ref().trim();
        let read = u.as_str();
        if read == text || read.strip_suffix('/') == Some(text) {
            return Some(u.into());
        }
        let shown = crate::input::limits::shown(text);
        self.push(
            src.at(
                raw.span(),
                format!("runbook `{shown}` reads back as `{read}`, which is not what is written"),
            )
            .help(format!(
                "write `runbook = \"{read}\"` if that is the page meant"
            )),
        );
        None
    }
}

fn with(mut d: Diagnostic, message: String) -> Diagnostic {
    d.message = message;
    d
}
