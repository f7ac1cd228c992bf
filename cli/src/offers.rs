//! Offers on the command line: `cover request`, `trade offer`, `offers`,
//! `accept`, `decline` and `cancel`. Each acts for the person `$ONCALL_USER`
//! names and is one call of the library's schedule service.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Result;
use chrono_tz::Tz;
use comfy_table::{presets, Table};
use oncall::model::Workspace;
use oncall::schedule::offers::{self, Offer, Span, Terms};
use oncall::schedule::service::{Outcome, Schedule};

use crate::args::{
    AcceptArgs, CoverRequestArgs, ListFormat, OfferIdArgs, OffersArgs, TradeOfferArgs,
};
use crate::render::{local, row, terminal};
use crate::schedule::{instant, outcome};
use crate::workspace::{find_team, identity, identity_opt, load};

/// A span from `--flag START END` texts in the team's zone.
fn span(from: &str, to: &str, tz: Tz, flag: &str) -> Result<Span> {
    Ok(Span {
        start: instant(from, tz, flag)?,
        end: instant(to, tz, flag)?,
    })
}

/// Prints why an offer could not be made or decided; returns exit status 1.
fn refused(what: &str, refusals: &[oncall::schedule::changes::Refusal]) -> ExitCode {
    eprintln!("refused: {}", terminal(what));
    for r in refusals {
        eprintln!("  - {}", terminal(&r.to_string()));
    }
    ExitCode::from(1)
}

/// Prints a new offer's id, or why it was refused.
fn offered(o: &Outcome<i64, oncall::schedule::changes::Refusal>, what: &str) -> ExitCode {
    match o {
        Outcome::Recorded { value: id, .. } => {
            println!("offer #{id}: {}", terminal(what));
            ExitCode::SUCCESS
        }
        Outcome::Refused(rs) | Outcome::Malformed(rs) => refused(what, rs),
    }
}

pub(crate) fn cover_request(dir: &Path, args: CoverRequestArgs) -> Result<ExitCode> {
    let ws = load(dir)?;
    let team = find_team(&ws, &args.team)?;
    let me = ws.person(identity(&ws)?).id.clone();
    let tz = ws.team(team).timezone;
    let s = span(&args.from, &args.to, tz, "--from/--to")?;
    let result =
        crate::workspace::open_schedule(&ws)?.cover_request(team, &me, args.role.as_deref(), s)?;
    let what = format!(
        "{me} asks to be covered in {} from {} to {}; anyone eligible may accept it",
        args.team,
        local(s.start, tz),
        local(s.end, tz)
    );
    Ok(offered(&result, &what))
}

pub(crate) fn trade_offer(dir: &Path, args: TradeOfferArgs) -> Result<ExitCode> {
    let ws = load(dir)?;
    let team = find_team(&ws, &args.team)?;
    let me = ws.person(identity(&ws)?).id.clone();
    let tz = ws.team(team).timezone;
    let [g0, g1] = args.give.as_slice() else {
        return Err(crate::UsageError::new("--give takes START END").into());
    };
    let [t0, t1] = args.take.as_slice() else {
        return Err(crate::UsageError::new("--take takes START END").into());
    };
    let give = span(g0, g1, tz, "--give")?;
    let take = span(t0, t1, tz, "--take")?;
    let result =
        crate::workspace::open_schedule(&ws)?.trade_offer(team, &me, &args.with, give, take)?;
    let what = format!(
        "{me} offers {} a trade in {}: {} takes {me}'s {}, {me} takes {}'s {}",
        args.with,
        args.team,
        args.with,
        span_text(give, tz),
        args.with,
        span_text(take, tz)
    );
    Ok(offered(&result, &what))
}

fn span_text(s: Span, tz: Tz) -> String {
    format!("{} to {}", local(s.start, tz), local(s.end, tz))
}

/// What an offer proposes, in the team's zone.
fn describe(ws: &Workspace, o: &Offer) -> String {
    let tz = ws
        .team_by_id(&o.team)
        .map_or(chrono_tz::UTC, |t| ws.team(t).timezone);
    match &o.terms {
        Terms::Cover { role, span } => format!("cover {role}, {}", span_text(*span, tz)),
        Terms::Trade { with, give, take } => format!(
            "{with} takes {}; {} takes {}",
            span_text(*give, tz),
            o.person,
            span_text(*take, tz)
        ),
        Terms::Swap { give, want } => {
            let want: Vec<String> = want.iter().map(ToString::to_string).collect();
            format!("the week of {give} for one of {}", want.join(", "))
        }
    }
}

/// Whether `me` made or is asked by `o`.
fn mine(o: &Offer, me: Option<&str>) -> bool {
    let Some(me) = me else { return false };
    o.person == me || matches!(&o.terms, Terms::Trade { with, .. } if with == me)
}

pub(crate) fn list(dir: &Path, args: OffersArgs) -> Result<ExitCode> {
    let ws = load(dir)?;
    let team = args
        .team
        .as_deref()
        .map(|t| find_team(&ws, t))
        .transpose()?;
    let me = identity_opt(&ws).map(|p| ws.person(p).id.clone());
    let schedule = Schedule::read_only(&ws)?;
    let mut open = schedule.open_offers(team)?;
    open.sort_by_key(|o| (!mine(o, me.as_deref()), o.id));
    if args.format == ListFormat::Json {
        println!(
            "{}",
            serde_json::to_string_pretty(&json(&ws, &schedule, &open, me.as_deref())?)?
        );
        return Ok(ExitCode::SUCCESS);
    }
    if open.is_empty() {
        println!("no open offers");
        return Ok(ExitCode::SUCCESS);
    }
    let mut table = Table::new();
    table.load_preset(presets::UTF8_FULL_CONDENSED);
    table.set_header(row([
        "#", "team", "kind", "from", "offer", "expires", "you",
    ]));
    for o in &open {
        let you = match &me {
            Some(me) => standing(&schedule, o, me)?,
            None => String::new(),
        };
        let expires = offers::expiry(&ws, o).map(|t| {
            let tz = ws
                .team_by_id(&o.team)
                .map_or(chrono_tz::UTC, |i| ws.team(i).timezone);
            local(t, tz)
        });
        let cells = [
            o.id.to_string(),
            o.team.clone(),
            o.terms.kind().to_string(),
            o.person.clone(),
            describe(&ws, o),
            expires.unwrap_or_default(),
            you,
        ];
        table.add_row(row(cells));
    }
    println!("{table}");
    if me.is_none() {
        println!("set ONCALL_USER to your id or e-mail to see which offers you could take");
    }
    Ok(ExitCode::SUCCESS)
}

/// `me`'s relation to `o`: theirs, asked of them, or whether they could take it.
fn standing(schedule: &Schedule<'_>, o: &Offer, me: &str) -> Result<String> {
    if o.person == me {
        return Ok("yours".into());
    }
    let asked = matches!(&o.terms, Terms::Trade { with, .. } if with == me);
    let why = schedule.could_take(o, me)?;
    Ok(match (asked, why.first()) {
        (true, None) => "asked of you: you can take it".into(),
        (true, Some(r)) => format!("asked of you, but: {r}"),
        (false, None) => "you can take it".into(),
        (false, Some(r)) => format!("cannot: {r}"),
    })
}

pub(crate) fn accept(dir: &Path, args: AcceptArgs) -> Result<ExitCode> {
    let ws = load(dir)?;
    let me = ws.person(identity(&ws)?).id.clone();
    let result = crate::workspace::open_schedule(&ws)?.accept(args.id, &me, args.week)?;
    let what = format!("{me} accepts offer #{}", args.id);
    Ok(match &result {
        Outcome::Recorded { .. } => outcome(&what, &result),
        Outcome::Refused(rs) | Outcome::Malformed(rs) => refused(&what, rs),
    })
}

pub(crate) fn decline(dir: &Path, args: OfferIdArgs) -> Result<ExitCode> {
    decide(dir, args.id, "declines", |s, id, me| s.decline(id, me))
}

pub(crate) fn cancel(dir: &Path, args: OfferIdArgs) -> Result<ExitCode> {
    decide(dir, args.id, "cancels", |s, id, me| s.cancel(id, me))
}

/// The outcome of one decision on an offer, as `Schedule::decline` or
/// `Schedule::cancel` gives it.
type Decided = Result<Outcome<(), oncall::schedule::changes::Refusal>, oncall::ScheduleError>;

fn decide(
    dir: &Path,
    id: i64,
    verb: &str,
    call: impl FnOnce(&mut Schedule<'_>, i64, &str) -> Decided,
) -> Result<ExitCode> {
    let ws = load(dir)?;
    let me = ws.person(identity(&ws)?).id.clone();
    let result = call(&mut crate::workspace::open_schedule(&ws)?, id, &me)?;
    let what = format!("{me} {verb} offer #{id}");
    Ok(match &result {
        Outcome::Recorded { .. } => outcome(&what, &result),
        Outcome::Refused(rs) | Outcome::Malformed(rs) => refused(&what, rs),
    })
}

/// An open offer as `offers --format json` lists it: the offer, when it
/// expires, and where the caller stands (`yours`, `asked of you`, ...).
#[derive(serde::Serialize)]
struct OfferRow<'a> {
    #[serde(flatten)]
    offer: &'a Offer,
    expires: Option<chrono::DateTime<chrono::Utc>>,
    you: Option<String>,
}

fn json<'a>(
    ws: &oncall::Workspace,
    schedule: &Schedule<'_>,
    open: &'a [Offer],
    me: Option<&str>,
) -> Result<Vec<OfferRow<'a>>> {
    open.iter()
        .map(|o| {
            Ok(OfferRow {
                offer: o,
                expires: offers::expiry(ws, o),
                you: me.map(|me| standing(schedule, o, me)).transpose()?,
            })
        })
        .collect()
}
