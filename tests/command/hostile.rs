//! What hostile or careless input cannot do to the store or the tool: no
//! horizon leaves the supported range of time, a store the binary cannot
//! read says which row and how to recover (exit 3), a store from a newer or
//! an invalid schema is refused, and `--out` never replaces a special file.

use std::os::unix::fs::FileTypeExt;
use std::path::Path;
use std::process::Command;

use crate::cli_fairness::published_quickstart;
use crate::run::{ok, oncall};
use crate::support::workspace::text;
use oncall::schedule::store::{Store, StoreRead};

/// Inserts, straight into SQLite, a second version of payments whose one
/// slot ends in year 10000: what an unchecked writer could once store.
pub(crate) fn poison(ws: &Path) {
    let store = Store::open(ws).unwrap();
    store
        .conn()
        .execute_batch(
            "INSERT INTO plan_versions VALUES ('payments', 2, '2026-12-01T00:00:00Z', 'x', 0, \
             '', '9999-12-27', 1, 'optimal', '{}');
             INSERT INTO slots VALUES ('payments', 2, '9999-12-27', 'primary', 'alice', \
             '9999-12-27T18:00:00Z', '+10000-01-03T18:00:00Z', 8.0);",
        )
        .unwrap();
}

#[test]
fn no_horizon_leaves_the_supported_range_of_time() {
    let tmp = published_quickstart();
    let ws = tmp.path();
    let out = oncall(ws, &["plan", "payments", "--quarter", "9999Q4"]);
    let err = text(&out.stderr);
    assert_ne!(out.status.code(), Some(0), "{err}");
    assert!(err.contains("outside the supported time range"), "{err}");
    let out = oncall(
        ws,
        &["plan", "payments", "--from", "9999-11-01", "--weeks", "8"],
    );
    assert!(
        text(&out.stderr).contains("supported time range"),
        "{}",
        text(&out.stderr)
    );
    let out = oncall(ws, &["plan", "payments", "--quarter", "1899Q4"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    // The last quarter that fits is planned, checked and published.
    let q3 = ws.join("q3.json");
    ok(&oncall(
        ws,
        &[
            "plan",
            "payments",
            "--quarter",
            "9999Q3",
            "--format",
            "json",
            "--out",
        ]
        .into_iter()
        .chain([q3.to_str().unwrap()])
        .collect::<Vec<_>>(),
    ));
    ok(&oncall(
        ws,
        &["check-plan", "payments", q3.to_str().unwrap()],
    ));
    // A plan moved past the range by hand is malformed: --force cannot store it.
    let mut plan: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&q3).unwrap()).unwrap();
    plan["horizon"]["first_week"] = "9999-12-27".into();
    let late = ws.join("late.json");
    std::fs::write(&late, plan.to_string()).unwrap();
    let out = oncall(ws, &["check-plan", "payments", late.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let out = oncall(
        ws,
        &["publish", "payments", late.to_str().unwrap(), "--force"],
    );
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("supported time range"), "{err}");
    assert_eq!(
        Store::open(ws).unwrap().versions("payments").unwrap().len(),
        1
    );
    ok(&oncall(ws, &["show", "payments"]));
}

#[test]
fn a_row_the_binary_cannot_read_is_named_with_a_recovery_command() {
    let tmp = published_quickstart();
    let ws = tmp.path();
    poison(ws);
    for args in [
        &["who", "payments", "--at", "2027-01-05T12:00"][..],
        &["show", "payments"][..],
    ] {
        let out = oncall(ws, args);
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(3), "{args:?}: {err}");
        for want in [
            "oncall.db",
            "slots.end",
            "+10000-01-03T18:00:00Z",
            "team payments, version 2, week 9999-12-27, role primary",
            "published version 2 of team payments; remove that version with \
             `oncall store repair --drop-version payments 2` (audited)",
        ] {
            assert!(err.contains(want), "{args:?}: `{want}` not in {err}");
        }
    }
}

/// `store check` lists the poisoned row with its recovery command; `store
/// repair --drop-version` removes the version, audited, and every reader
/// works again, with the immutability triggers back in place.
#[test]
fn store_check_finds_the_poisoned_version_and_repair_drops_it() {
    let tmp = published_quickstart();
    let ws = tmp.path();
    let clean = ok(&oncall(ws, &["store", "check"]));
    assert!(clean.contains("every row reads back"), "{clean}");
    poison(ws);
    let out = oncall(ws, &["store", "check"]);
    let found = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{found}{}", text(&out.stderr));
    assert!(found.contains("unreadable: state store"), "{found}");
    assert!(found.contains("+10000-01-03T18:00:00Z"), "{found}");
    assert!(
        found.contains("`oncall store repair --drop-version payments 2`"),
        "{found}"
    );
    assert!(
        found.contains("corrupt value `{}` in plan_versions.plan_json"),
        "{found}"
    );
    assert!(found.contains("2 problem(s)"), "{found}");
    let fixed = ok(&oncall(
        ws,
        &["store", "repair", "--drop-version", "payments", "2"],
    ));
    assert!(
        fixed.contains("dropped version 2 of team payments (1 slot(s))"),
        "{fixed}"
    );
    assert!(ok(&oncall(ws, &["store", "check"])).contains("every row reads back"));
    ok(&oncall(
        ws,
        &["who", "payments", "--at", "2027-01-05T12:00"],
    ));
    assert!(ok(&oncall(ws, &["log"])).contains("store-repair"));
    let again = oncall(ws, &["store", "repair", "--drop-version", "payments", "2"]);
    assert_eq!(again.status.code(), Some(1), "{}", text(&again.stderr));
    assert!(text(&again.stderr).contains("no published version 2"));
    let store = Store::open(ws).unwrap();
    let err = store.conn().execute("DELETE FROM slots", []).unwrap_err();
    assert!(err.to_string().contains("immutable"), "{err}");
}

#[test]
fn a_store_from_a_newer_or_an_invalid_schema_exits_3() {
    let tmp = published_quickstart();
    let ws = tmp.path();
    for (version, want) in [
        (
            99,
            "this oncall.db was written by a newer oncall (schema 99",
        ),
        (-1, "schema -1 is not a valid oncall.db schema"),
    ] {
        let store = Store::open(ws).unwrap();
        store
            .conn()
            .pragma_update(None, "user_version", version)
            .unwrap();
        drop(store);
        let plan = ws.join("plan.json");
        let publish = ["publish", "payments", plan.to_str().unwrap()];
        for args in [&["show", "payments"][..], &publish[..]] {
            let out = oncall(ws, args);
            let err = text(&out.stderr);
            assert_eq!(out.status.code(), Some(3), "{args:?}: {err}");
            assert!(err.contains(want), "{args:?}: {err}");
        }
        // Back to the schema this binary writes, for the next round.
        let conn = rusqlite::Connection::open(ws.join("oncall.db")).unwrap();
        let current = oncall::schedule::store::MIGRATIONS.len() as i64;
        conn.pragma_update(None, "user_version", current).unwrap();
    }
}

/// `oncall ... --out target` for every kind of writer.
fn writers(target: &str) -> Vec<Vec<String>> {
    let s = |v: &[&str]| v.iter().map(ToString::to_string).collect::<Vec<_>>();
    vec![
        s(&["plan", "payments", "--quarter", "2027Q1", "--out", target]),
        s(&[
            "comp",
            "--from",
            "2027-01-01",
            "--to",
            "2027-02-01",
            "--out",
            target,
        ]),
        s(&[
            "report",
            "fairness",
            "--from",
            "2027-01-01",
            "--to",
            "2027-04-01",
            "--out",
            target,
        ]),
    ]
}

#[test]
fn out_writes_regular_files_only_and_leaves_special_files_untouched() {
    let tmp = published_quickstart();
    let ws = tmp.path();
    let fifo = ws.join("fifo");
    assert!(Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    let dir = ws.join("a-directory");
    std::fs::create_dir(&dir).unwrap();
    let mut targets = vec![(fifo.clone(), "a FIFO"), (dir.clone(), "a directory")];
    let device = ws.join("null");
    let made = Command::new("mknod")
        .arg(&device)
        .args(["c", "1", "3"])
        .status()
        .is_ok_and(|s| s.success());
    if made {
        targets.push((device.clone(), "a character device"));
    } else {
        // Not root: the FIFO stands for every special file.
        assert_ne!(unsafe_euid(), 0, "root must be able to mknod");
    }
    for (target, kind) in &targets {
        for args in writers(target.to_str().unwrap()) {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let out = oncall(ws, &args);
            let err = text(&out.stderr);
            assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
            assert!(
                err.contains(&format!("it is {kind}, not a regular file")),
                "{err}"
            );
        }
    }
    let fifo_kind = std::fs::symlink_metadata(&fifo).unwrap().file_type();
    assert!(fifo_kind.is_fifo());
    assert!(std::fs::read_dir(&dir).unwrap().next().is_none());
    if made {
        let meta = std::fs::symlink_metadata(&device).unwrap();
        assert!(meta.file_type().is_char_device());
        use std::os::unix::fs::MetadataExt;
        assert_eq!(meta.rdev(), std::fs::metadata("/dev/null").unwrap().rdev());
    }
    // A regular file is still written (and replaced) as before.
    let plain = ws.join("plain.txt");
    std::fs::write(&plain, "old").unwrap();
    ok(&oncall(
        ws,
        &[
            "report",
            "fairness",
            "--from",
            "2027-01-01",
            "--to",
            "2027-04-01",
            "--out",
            plain.to_str().unwrap(),
        ],
    ));
    assert_ne!(std::fs::read_to_string(&plain).unwrap(), "old");
}

fn unsafe_euid() -> u32 {
    let out = Command::new("id").arg("-u").output().unwrap();
    text(&out.stdout).trim().parse().unwrap()
}
