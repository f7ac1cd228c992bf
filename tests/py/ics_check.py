"""Reads calendars with Python's `icalendar` and `recurring_ical_events`,
parsers written independently of oncall, and prints what they see as JSON.

    ics_check.py feeds FILE...      every feed: its raw lines, calendar and events
    ics_check.py timeoff ZONE FILE  the days off a time-off calendar gives, in ZONE,
                                    with recurring events cut to oncall's window

Used by the calendar interop tests (tests/ical.rs).
"""

import datetime as dt
import json
import sys
import zoneinfo

import icalendar
import recurring_ical_events

FAR_PAST = dt.datetime(1990, 1, 1)
FAR_FUTURE = dt.datetime(2100, 1, 1)
WINDOW_YEARS = 10


def utc(value):
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            raise ValueError(f"floating date-time {value} in a feed")
        return value.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    raise ValueError(f"not a date-time: {value!r}")


def raw_problems(data):
    """Lines must end in CRLF and hold at most 75 octets."""
    problems = []
    if not data.endswith(b"\r\n"):
        problems.append("the file does not end in CRLF")
    lines = data.split(b"\r\n")
    for n, line in enumerate(lines[:-1], 1):
        if b"\n" in line or b"\r" in line:
            problems.append(f"line {n} has a bare CR or LF")
        if len(line) > 75:
            problems.append(f"line {n} has {len(line)} octets")
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            problems.append(f"line {n} splits a UTF-8 sequence")
    return problems


def feed(path):
    data = open(path, "rb").read()
    cal = icalendar.Calendar.from_ical(data)
    refresh = cal.get("REFRESH-INTERVAL")
    out = {
        "problems": raw_problems(data),
        "version": str(cal.get("VERSION")),
        "calname": str(cal.get("X-WR-CALNAME")),
        "refresh": refresh.to_ical().decode() if refresh is not None else None,
        "refresh_value": refresh.params.get("VALUE") if refresh is not None else None,
        "ttl": str(cal.get("X-PUBLISHED-TTL")),
        "method": str(cal.get("METHOD")) if cal.get("METHOD") is not None else None,
        "events": [],
    }
    seen = set()
    for ev in recurring_ical_events.of(cal).between(FAR_PAST, FAR_FUTURE):
        uid = str(ev.get("UID"))
        if uid in seen:
            raise ValueError(f"UID {uid} occurs twice")
        seen.add(uid)
        out["events"].append(
            {
                "uid": uid,
                "start": utc(ev.decoded("DTSTART")),
                "end": utc(ev.decoded("DTEND")),
                "stamp": utc(ev.decoded("DTSTAMP")),
                "sequence": int(ev.get("SEQUENCE")),
                "summary": str(ev.get("SUMMARY")),
                "description": str(ev.get("DESCRIPTION")),
                "transp": str(ev.get("TRANSP")),
                "busy": str(ev.get("X-MICROSOFT-CDO-BUSYSTATUS")),
                "organizer": ev.get("ORGANIZER") is not None,
            }
        )
    # Every event the parser sees must be one of the file's (no expansion).
    if len(out["events"]) != len(cal.walk("VEVENT")):
        raise ValueError("a feed event was expanded or lost")
    return out


def wall(value):
    """A DATE or DATE-TIME as a naive wall-clock datetime."""
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None)
    return dt.datetime.combine(value, dt.time())


def window_ends(cal):
    """oncall's expansion window: a recurring event's occurrences start
    within 10 years of its DTSTART and before 2100, by UID."""
    ends = {}
    for ev in cal.walk("VEVENT"):
        if "RECURRENCE-ID" in ev or "DTSTART" not in ev:
            continue
        start = wall(ev.decoded("DTSTART"))
        try:
            ten = start.replace(year=start.year + WINDOW_YEARS)
        except ValueError:  # 29 February
            ten = start.replace(year=start.year + WINDOW_YEARS, day=28)
        ends[str(ev.get("UID"))] = min(ten, FAR_FUTURE)
    return ends


def in_window(ev, ends):
    if "RECURRENCE-ID" not in ev:
        return True
    end = ends.get(str(ev.get("UID")))
    return end is None or wall(ev.decoded("RECURRENCE-ID")) < end


def timeoff(zone, path):
    tz = zoneinfo.ZoneInfo(zone)
    cal = icalendar.Calendar.from_ical(open(path, "rb").read())
    ends = window_ends(cal)
    blocks = []
    for ev in recurring_ical_events.of(cal).between(FAR_PAST, FAR_FUTURE):
        if not in_window(ev, ends):
            continue
        if str(ev.get("STATUS", "")).upper() == "CANCELLED":
            continue
        if str(ev.get("TRANSP", "")).upper() == "TRANSPARENT":
            continue
        start = ev.decoded("DTSTART")
        end = ev.decoded("DTEND") if "DTEND" in ev else None
        if end is None and "DURATION" in ev:
            end = start + ev.decoded("DURATION")
        if not isinstance(start, dt.datetime):
            last = (end - dt.timedelta(days=1)) if end is not None else start
            blocks.append([start.isoformat(), max(last, start).isoformat()])
            continue
        if start.tzinfo is None:
            start = start.replace(tzinfo=tz)
            end = end.replace(tzinfo=tz) if end is not None else None
        first = start.astimezone(tz).date()
        if end is None or end <= start:
            last = first
        else:
            last = (end - dt.timedelta(microseconds=1)).astimezone(tz).date()
        blocks.append([first.isoformat(), max(last, first).isoformat()])
    blocks.sort()
    return blocks


def main():
    mode = sys.argv[1]
    if mode == "feeds":
        print(json.dumps({p: feed(p) for p in sys.argv[2:]}))
    elif mode == "timeoff":
        print(json.dumps(timeoff(sys.argv[2], sys.argv[3])))
    else:
        sys.exit(f"unknown mode {mode}")


if __name__ == "__main__":
    main()
