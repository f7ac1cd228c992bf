//! What the schedule refuses, and what keeps working, when oncall runs
//! unattended: `--force` never stores a malformed plan, nonsense changes are
//! refused with a reason and the right exit status, store constraints speak
//! plainly, and readers work for a user who may only read.

use crate::run::{as_taker, ok, oncall, oncall_as};
use crate::support::workspace::{copy_of, copy_with_store, text};
use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use oncall::schedule::store::{Store, StoreRead};
use serde_json::Value;

/// A quickstart workspace with 2027Q1 planned (`q1.json`) and published.
fn published() -> (tempfile::TempDir, Value) {
    let tmp = copy_of("quickstart");
    let dir = tmp.path();
    let path = dir.join("q1.json");
    ok(&oncall(
        dir,
        &[
            "plan",
            "payments",
            "--quarter",
            "2027Q1",
            "--format",
            "json",
            "--out",
        ]
        .into_iter()
        .chain([path.to_str().unwrap()])
        .collect::<Vec<_>>(),
    ));
    ok(&oncall(
        dir,
        &["publish", "payments", path.to_str().unwrap()],
    ));
    let json = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    (tmp, json)
}

fn versions(dir: &Path) -> usize {
    Store::open(dir)
        .unwrap()
        .versions("payments")
        .unwrap()
        .len()
}

/// Asserts a refusal that `--force` cannot overrule: exit 1, the reason, and
/// no suggestion to force it.
fn malformed(out: &Output, reason: &str) {
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("refused"), "{err}");
    assert!(err.contains(reason), "expected `{reason}` in:\n{err}");
    assert!(!err.contains("pass --force"), "{err}");
    assert!(err.contains("--force cannot"), "{err}");
}

#[test]
fn force_skips_rules_but_never_publishes_a_malformed_plan() {
    let (tmp, q1) = published();
    let dir = tmp.path();
    type Edit = fn(&mut Value);
    let cases: [(&str, Edit, &str); 8] = [
        (
            "outside",
            |p| p["shifts"][0]["week"] = "2027-06-07".into(),
            "not a week of the horizon",
        ),
        (
            "reversed",
            |p| p["shifts"][0]["end"] = "2027-01-01T00:00:00Z".into(),
            "but the handoffs are",
        ),
        (
            "forever",
            |p| p["shifts"][0]["end"] = "9999-12-31T00:00:00Z".into(),
            "but the handoffs are",
        ),
        (
            "stranger",
            |p| p["shifts"][0]["person"] = "mallory".into(),
            "nobody in the roster has id `mallory`",
        ),
        (
            "role",
            |p| p["shifts"][0]["role"] = "tertiary".into(),
            "the team has no role `tertiary`",
        ),
        (
            "team",
            |p| p["team"] = "platform".into(),
            "the plan is for team `platform`",
        ),
        (
            "twice",
            |p| {
                let first = p["shifts"][0].clone();
                p["shifts"].as_array_mut().unwrap().push(first);
            },
            "listed 2 times",
        ),
        (
            "missing",
            |p| {
                p["shifts"].as_array_mut().unwrap().remove(0);
            },
            "neither a shift nor listed as unfilled",
        ),
    ];
    for (name, edit, reason) in cases {
        let mut plan = q1.clone();
        edit(&mut plan);
        let path = dir.join(format!("{name}.json"));
        std::fs::write(&path, plan.to_string()).unwrap();
        let out = oncall(
            dir,
            &["publish", "payments", path.to_str().unwrap(), "--force"],
        );
        malformed(&out, reason);
    }
    assert_eq!(versions(dir), 1);
    // A rule (tenure) is still skipped with --force, and audited.
    let mut ruled = q1.clone();
    ruled["shifts"][0]["person"] = "ivan".into();
    let path = dir.join("ruled.json");
    std::fs::write(&path, ruled.to_string()).unwrap();
    let out = oncall(dir, &["publish", "payments", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("pass --force"),
        "{}",
        text(&out.stderr)
    );
    ok(&oncall(
        dir,
        &["publish", "payments", path.to_str().unwrap(), "--force"],
    ));
    assert_eq!(versions(dir), 2);
    // `who` never reads a holder out of a malformed plan.
    let who = ok(&oncall(
        dir,
        &["who", "payments", "--at", "2027-01-05T12:00"],
    ));
    assert!(who.contains("until Mon 2027-01-11 10:00 PST"), "{who}");
}

#[test]
fn the_team_argument_must_be_the_plans_team() {
    let (tmp, _) = published();
    let dir = tmp.path();
    let team = std::fs::read_to_string(dir.join("teams/payments.toml")).unwrap();
    std::fs::write(
        dir.join("teams/platform.toml"),
        team.replace("Payments", "Platform"),
    )
    .unwrap();
    let plan = dir.join("q1.json");
    let out = oncall(
        dir,
        &["publish", "platform", plan.to_str().unwrap(), "--force"],
    );
    malformed(&out, "the plan is for team `payments`, not `platform`");
    assert!(Store::open(dir)
        .unwrap()
        .versions("platform")
        .unwrap()
        .is_empty());
}

#[test]
fn a_store_constraint_is_reported_in_plain_words() {
    let (tmp, _) = published();
    let dir = tmp.path();
    // A store whose audit log takes one entry per team: the next change of
    // payments breaks a UNIQUE constraint inside the transaction.
    let store = Store::open(dir).unwrap();
    store
        .conn()
        .execute("CREATE UNIQUE INDEX one_entry_per_team ON audit (team)", [])
        .unwrap();
    drop(store);
    let out = as_taker(
        dir,
        &[
            "override",
            "payments",
            "--role",
            "primary",
            "--person",
            "bob",
            "--from",
            "2027-01-05T08:00",
            "--to",
            "2027-01-05T20:00",
            "--force",
        ],
    );
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(!err.contains("UNIQUE constraint failed"), "{err}");
    assert!(err.contains("the change was not recorded"), "{err}");
    assert!(err.contains("the same entry twice"), "{err}");
    assert!(Store::open(dir)
        .unwrap()
        .overrides("payments")
        .unwrap()
        .is_empty());
}

#[test]
fn nonsense_changes_are_refused_with_a_reason() {
    let (tmp, q1) = published();
    let dir = tmp.path();
    let cover = |from: &str, to: &str| {
        as_taker(
            dir,
            &[
                "override", "payments", "--role", "primary", "--person", "bob", "--from", from,
                "--to", to, "--force",
            ],
        )
    };
    malformed(&cover("2027-01-05T08:00", "2027-01-05T08:00"), "is empty");
    malformed(
        &cover("2027-01-05T16:00:00Z", "2027-01-05T16:00:00.5Z"),
        "not on a whole second",
    );
    let holder = q1["shifts"][0]["person"].as_str().unwrap().to_string();
    let request = |want: &[&str]| {
        let mut args = vec!["swap", "request", &holder, "--give", "2027-01-04"];
        for w in want {
            args.extend(["--want", w]);
        }
        oncall_as(dir, &holder, &args)
    };
    malformed(&request(&["2027-01-06"]), "both given away and asked for");
    malformed(
        &request(&["2028-06-05"]),
        "nothing is published in the week of 2028-06-05",
    );
    ok(&request(&["2027-02-01"]));
    malformed(&request(&["2027-02-01"]), "already offers that week");
    let out = oncall_as(
        dir,
        &holder,
        &[
            "swap",
            "request",
            &holder,
            "--give",
            "2028-06-05",
            "--want",
            "2027-02-01",
        ],
    );
    malformed(&out, "nothing is published in the week of 2028-06-05");
    // A swap that gives a week for itself, or to its holder.
    let swap = |with: &str, theirs: Option<&str>| {
        let mut args = vec![
            "swap",
            "payments",
            "--role",
            "primary",
            "--week",
            "2027-01-04",
            "--with",
            with,
            "--force",
        ];
        args.extend(theirs.iter().flat_map(|t| ["--their-week", *t]));
        oncall(dir, &args)
    };
    malformed(&swap(&holder, None), "nothing to swap");
    malformed(
        &swap("erin", Some("2027-01-05")),
        "both given away and asked for",
    );
}

#[test]
fn usage_errors_exit_2_and_bad_inputs_exit_1() {
    let (tmp, _) = published();
    let dir = tmp.path();
    for args in [
        &[
            "show",
            "payments",
            "--from",
            "2027-02-01",
            "--to",
            "2027-01-04",
        ][..],
        &[
            "show",
            "payments",
            "--from",
            "2027-02-01",
            "--to",
            "2027-02-01",
        ],
        &[
            "ical",
            "--team",
            "payments",
            "--from",
            "2027-02-01",
            "--to",
            "2027-01-04",
        ],
        &["who", "payments", "--at", "yesterday-ish"],
        &[
            "plan",
            "payments",
            "--quarter",
            "2027Q1",
            "--time-limit",
            "0",
        ],
    ] {
        let out = oncall(dir, args);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{args:?}: {}",
            text(&out.stderr)
        );
        assert!(
            text(&out.stderr).starts_with("error: "),
            "{}",
            text(&out.stderr)
        );
    }
    let out = oncall(
        dir,
        &[
            "show",
            "payments",
            "--from",
            "2027-02-01",
            "--to",
            "2027-01-04",
        ],
    );
    assert!(
        text(&out.stderr).contains("is not after --from"),
        "{}",
        text(&out.stderr)
    );
    std::fs::write(dir.join("people.csv"), "id,name\nx\n").unwrap();
    let out = oncall(dir, &["who", "payments", "--at", "2027-01-05T12:00"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
}

/// Every file under `dir`: its bytes and mode.
fn tree(dir: &Path) -> BTreeMap<PathBuf, (Vec<u8>, u32)> {
    let mut out = BTreeMap::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let e = e.unwrap();
        let mode = e.metadata().unwrap().permissions().mode();
        if e.file_type().unwrap().is_dir() {
            out.insert(e.path(), (Vec::new(), mode));
            out.extend(tree(&e.path()));
        } else {
            out.insert(e.path(), (std::fs::read(e.path()).unwrap(), mode));
        }
    }
    out
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| text(&o.stdout).trim() == "0")
}

/// Runs `program -C dir args` as a user who may not write the copy: as root,
/// the unprivileged user `nobody` (root ignores file modes); otherwise the
/// current user, whom the read-only modes already stop.
fn as_nobody(program: &Path, dir: &Path, args: &[&str]) -> Output {
    let mut cmd = if is_root() {
        let mut c = Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
            .arg(program);
        c
    } else {
        Command::new(program)
    };
    cmd.arg("-C")
        .arg(dir)
        .args(args)
        .env("HOME", "/nonexistent")
        .output()
        .unwrap()
}

fn chmod(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// The readers, as they run for someone who may only read.
const READERS: [&[&str]; 5] = [
    &["who", "payments", "--at", "2027-01-12T12:00"],
    &[
        "show",
        "payments",
        "--from",
        "2027-01-04",
        "--to",
        "2027-02-08",
    ],
    &["log", "payments"],
    &[
        "comp",
        "--from",
        "2027-01-01",
        "--to",
        "2027-02-01",
        "--format",
        "table",
    ],
    &[
        "ical",
        "--team",
        "payments",
        "--from",
        "2027-01-01",
        "--to",
        "2027-04-01",
    ],
];

/// Copies the published workspace `from` into a fresh directory under
/// `/tmp` that `nobody` can reach, with the binary, and makes it read-only.
fn read_only_copy(from: &Path, keep_wal: bool) -> (tempfile::TempDir, PathBuf, PathBuf) {
    let tmp = tempfile::Builder::new()
        .prefix("oncall-ro-")
        .tempdir_in("/tmp")
        .unwrap();
    chmod(tmp.path(), 0o755);
    let ws = tmp.path().join("ws");
    copy_with_store(from, &ws);
    if !keep_wal {
        for f in ["oncall.db-wal", "oncall.db-shm"] {
            let _ = std::fs::remove_file(ws.join(f));
        }
    }
    let bin = tmp.path().join("oncall");
    std::fs::copy(env!("CARGO_BIN_EXE_oncall"), &bin).unwrap();
    chmod(&bin, 0o755);
    let status = Command::new("chmod")
        .arg("-R")
        .arg("a+rX,a-w")
        .arg(&ws)
        .status()
        .unwrap();
    assert!(status.success());
    (tmp, ws, bin)
}

/// `--out` into a directory its user may not write is refused with the
/// directory named, and nothing appears there.
#[test]
fn out_into_a_directory_that_is_not_writable_is_refused() {
    let (tmp, _) = published();
    let (_ro, ws, bin) = read_only_copy(tmp.path(), false);
    let target = ws.join("plan.json");
    let t = target.to_str().unwrap();
    let out = as_nobody(
        &bin,
        &ws,
        &[
            "plan",
            "payments",
            "--quarter",
            "2027Q1",
            "--format",
            "json",
            "--out",
            t,
        ],
    );
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("cannot write in") && err.contains("ws"),
        "{err}"
    );
    assert!(!target.exists());
}

#[test]
fn readers_work_on_a_read_only_workspace_for_a_user_who_may_only_read() {
    let (tmp, _) = published();
    // The store left as a writer leaves it (no -wal, -shm), and with both
    // files present, as while another process has it open. Copied before
    // any feed is written, so that `ical` has sequences to save.
    let copies: Vec<_> = [false, true]
        .into_iter()
        .map(|keep_wal| {
            let holder = keep_wal.then(|| {
                let s = Store::open(tmp.path()).unwrap();
                s.conn()
                    .execute_batch("SELECT count(*) FROM audit")
                    .unwrap();
                s
            });
            (keep_wal, read_only_copy(tmp.path(), keep_wal), holder)
        })
        .collect();
    let expected: Vec<String> = READERS.iter().map(|a| ok(&oncall(tmp.path(), a))).collect();
    for (keep_wal, (_ro, ws, bin), holder) in copies {
        drop(holder);
        assert_eq!(ws.join("oncall.db-shm").exists(), keep_wal);
        let before = tree(&ws);
        for (args, expected) in READERS.iter().zip(&expected) {
            let out = as_nobody(&bin, &ws, args);
            let err = text(&out.stderr);
            assert_eq!(
                out.status.code(),
                Some(0),
                "{args:?} (wal files {keep_wal}): {err}"
            );
            assert_eq!(&text(&out.stdout), expected, "{args:?}");
            if args[0] == "ical" {
                assert!(err.contains("SEQUENCE numbers were not saved"), "{err}");
            }
        }
        assert_eq!(tree(&ws), before, "a reader changed the workspace");
        Command::new("chmod")
            .arg("-R")
            .arg("u+w")
            .arg(&ws)
            .status()
            .unwrap();
    }
}

/// An id that would lead a file name out of `--out` is refused at load,
/// with its file and line, so no feed is written from it.
#[test]
fn an_id_that_would_escape_the_out_directory_is_refused() {
    let (tmp, _) = published();
    let dir = tmp.path();
    let people = std::fs::read_to_string(dir.join("people.csv")).unwrap();
    let line = people.lines().count() + 1;
    std::fs::write(
        dir.join("people.csv"),
        format!("{people}../../escaped,Eve Escape,eve@example.com,America/Los_Angeles,US,2020-01-01,,,,\n"),
    )
    .unwrap();
    let out_dir = dir.join("feeds/inner");
    let out = oncall(dir, &["ical", "--all", "--out", out_dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains(&format!("people.csv:{line}")), "{err}");
    assert!(!out_dir.exists() && !dir.join("escaped.ics").exists());
    assert!(!tmp.path().parent().unwrap().join("escaped.ics").exists());
}

/// Every `--out` write goes through a fresh temporary file with an
/// unpredictable name, never through a link: a symlink planted at the name
/// a temporary file once had (`.NAME.tmp`) or at any other name in the
/// directory leaves its target untouched.
#[test]
fn a_planted_symlink_never_redirects_a_write() {
    let (tmp, _) = published();
    let dir = tmp.path();
    let victim = dir.join("victim.txt");
    std::fs::write(&victim, "precious").unwrap();
    let out = dir.join("out");
    std::fs::create_dir(&out).unwrap();
    let names = [
        "plan.json",
        "comp.csv",
        "team-payments.ics",
        "person-alice.ics",
    ];
    for name in names {
        std::os::unix::fs::symlink(&victim, out.join(format!(".{name}.tmp"))).unwrap();
    }
    let at = |name: &str| out.join(name).to_str().unwrap().to_string();
    let (plan, comp, feeds) = (
        at("plan.json"),
        at("comp.csv"),
        out.to_str().unwrap().to_string(),
    );
    ok(&oncall(
        dir,
        &[
            "plan",
            "payments",
            "--quarter",
            "2027Q2",
            "--format",
            "json",
            "--out",
            &plan,
        ],
    ));
    ok(&oncall(dir, &["check-plan", "payments", &plan]));
    ok(&oncall(
        dir,
        &[
            "comp",
            "--from",
            "2027-01-01",
            "--to",
            "2027-03-31",
            "--out",
            &comp,
        ],
    ));
    ok(&oncall(dir, &["ical", "--all", "--out", &feeds]));
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
    for name in names {
        let meta = std::fs::symlink_metadata(out.join(name)).unwrap();
        assert!(meta.is_file(), "{name} is a new regular file");
        let planted = std::fs::symlink_metadata(out.join(format!(".{name}.tmp"))).unwrap();
        assert!(
            planted.file_type().is_symlink(),
            "the planted link is left alone"
        );
    }
}

/// A name and an `$ONCALL_USER` come from people other than the reader.
/// Holding an ANSI escape and a newline, they must not repaint the terminal
/// or forge a line: the name is refused at load, its error showing it
/// escaped, and the actor is shown escaped in every view.
#[test]
fn names_and_actors_cannot_forge_terminal_lines() {
    const FORGED: &str = "recorded: forged";
    let tmp = copy_of("quickstart");
    let dir = tmp.path();
    let people = std::fs::read_to_string(dir.join("people.csv")).unwrap();
    let hostile = format!("\"Alice\u{1b}[2J\n{FORGED}\u{9b}31m\"");
    std::fs::write(
        dir.join("people.csv"),
        people.replacen("Alice Adams", &hostile, 1),
    )
    .unwrap();
    let refused = oncall(dir, &["plan", "payments", "--quarter", "2027Q1"]);
    assert_eq!(refused.status.code(), Some(1), "{}", text(&refused.stderr));
    let shown = "Alice\\u{1b}[2J\\nrecorded: forged";
    assert!(
        text(&refused.stderr).contains(shown),
        "{}",
        text(&refused.stderr)
    );
    let mut refusals = vec![refused];
    std::fs::write(dir.join("people.csv"), people).unwrap();
    let plan = dir.join("q1.json");
    let p = plan.to_str().unwrap();
    let mut outputs = vec![oncall(dir, &["plan", "payments", "--quarter", "2027Q1"])];
    ok(&oncall(
        dir,
        &[
            "plan",
            "payments",
            "--quarter",
            "2027Q1",
            "--format",
            "json",
            "--out",
            p,
        ],
    ));
    let publish = crate::run::command()
        .args(["-C", dir.to_str().unwrap(), "publish", "payments", p])
        .env("ONCALL_USER", format!("mallory\u{1b}[31m\n{FORGED}"))
        .output()
        .unwrap();
    ok(&publish);
    outputs.push(publish);
    for args in [
        &["log"][..],
        &["show", "payments"],
        &["who", "payments", "--at", "2027-02-10T12:00"],
        &["comp", "--from", "2027-01-01", "--to", "2027-03-31"],
        &[
            "report",
            "fairness",
            "--from",
            "2027-01-01",
            "--to",
            "2027-03-31",
        ],
        &["toil", "--at", "2027-04-01"],
    ] {
        outputs.push(oncall(dir, args));
    }
    let mut saw_actor = 0;
    for out in &outputs {
        assert!(out.status.success(), "{}", text(&out.stderr));
    }
    outputs.append(&mut refusals);
    for out in &outputs {
        for stream in [text(&out.stdout), text(&out.stderr)] {
            assert!(
                !stream.chars().any(|c| c.is_control() && c != '\n'),
                "a control character reached the terminal:\n{stream}"
            );
            assert!(
                stream
                    .lines()
                    .all(|l| !l.trim_start_matches(['│', ' ']).starts_with(FORGED)),
                "a forged line:\n{stream}"
            );
            saw_actor += stream
                .matches("mallory\\u{1b}[31m\\u{a}recorded: forged")
                .count();
        }
    }
    assert!(saw_actor >= 1, "the actor is shown, escaped, in the log");
}
