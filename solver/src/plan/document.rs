//! A plan becomes its document (plan JSON, schema 1).

use crate::model::document::{
    round4, FairnessDoc, HorizonDoc, PersonFairnessDoc, PhaseDoc, PlanDoc, ShiftDoc, SolverDoc,
    UnfilledDoc, SCHEMA,
};
use crate::plan::Plan;

impl Plan {
    /// The plan as schema-1 JSON data.
    pub fn to_doc(&self, ws: &crate::model::Workspace) -> PlanDoc {
        let team = ws.team(self.team);
        let mut shifts = Vec::new();
        for (w, row) in self.assignment.iter().enumerate() {
            for (r, slot) in row.iter().enumerate() {
                if let (Some(p), Some(week), Some(role)) =
                    (slot, self.weeks.get(w), team.roles.get(r))
                {
                    shifts.push(ShiftDoc {
                        week: week.first_day,
                        role: role.name.clone(),
                        person: ws.person(*p).id.clone(),
                        start: week.start,
                        end: week.end,
                        load: round4(self.slot_load[w][r]),
                    });
                }
            }
        }
        let unfilled = self
            .unfilled
            .iter()
            .filter_map(|u| {
                Some(UnfilledDoc {
                    week: self.weeks.get(u.week)?.first_day,
                    role: team.roles.get(u.role.0)?.name.clone(),
                    reason: u.reason.clone(),
                })
            })
            .collect();
        let people = self
            .fairness
            .iter()
            .map(|f| PersonFairnessDoc {
                person: ws.person(f.person).id.clone(),
                available_weeks: f.available_weeks,
                carry: round4(f.carry),
                load: round4(f.load),
                share: round4(f.share),
                deviation: round4(f.deviation),
            })
            .collect();
        PlanDoc {
            schema: SCHEMA,
            team: team.id.clone(),
            timezone: team.timezone.name().to_string(),
            status: self.status.as_str().to_string(),
            solver: SolverDoc {
                backend: "highs".to_string(),
                seconds: (self.stats.seconds * 1000.0).round() / 1000.0,
                objective: round4(self.max_excess),
                bound: round4(self.stats.bound.min(self.max_excess)),
                gap: round4(self.stats.gap),
                spread: round4(self.stats.spread),
                spread_bound: round4(self.stats.spread_bound),
                phases: self
                    .stats
                    .phases
                    .iter()
                    .map(|p| PhaseDoc {
                        name: p.name.to_string(),
                        seconds: round4(p.seconds),
                    })
                    .collect(),
            },
            shifts,
            unfilled,
            fairness: FairnessDoc {
                max_excess: round4(self.max_excess),
                people,
            },
            horizon: self.weeks.first().map(|w| HorizonDoc {
                first_week: w.first_day,
                weeks: u32::try_from(self.weeks.len()).unwrap_or(u32::MAX),
            }),
            inputs_sha256: Some(ws.inputs_sha256.clone()),
            explanation: None,
        }
    }
}
