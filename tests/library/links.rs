//! Secret links in the library: only hashes are stored, a secret opens its
//! own link and nothing else, revoking is immediate and audited, and every
//! creation draws a fresh secret.

use std::collections::BTreeSet;

use oncall::schedule::links::{is_secret_shaped, resolve, secret_sha256, LinkRefusal, LinkSubject};
use oncall::schedule::service::{Outcome, Schedule};
use oncall::schedule::store::{LinkRead, Store, StoreRead};

fn workspace() -> (tempfile::TempDir, oncall::model::Workspace) {
    let tmp = tempfile::tempdir().unwrap();
    crate::support::workspace::copy_dir(&crate::support::workspace::data("quickstart"), tmp.path());
    let ws = oncall::input::load_workspace(tmp.path()).unwrap();
    (tmp, ws)
}

#[test]
fn a_secret_opens_its_own_link_until_revoked() {
    let (_tmp, ws) = workspace();
    let mut schedule = Schedule::open(&ws).unwrap();
    let mut secrets = BTreeSet::new();
    let mut made = Vec::new();
    for subject in [
        LinkSubject::Team("payments".into()),
        LinkSubject::Person("alice".into()),
        LinkSubject::Person("alice".into()),
    ] {
        let Outcome::Recorded { value, .. } = schedule.create_link(subject).unwrap() else {
            panic!("a known subject gets a link");
        };
        assert!(is_secret_shaped(&value.secret), "{}", value.secret);
        assert!(
            secrets.insert(value.secret.clone()),
            "every secret is fresh"
        );
        made.push(value);
    }
    let store = Store::open(&ws.root).unwrap();
    for m in &made {
        assert_eq!(
            resolve(&store, &m.secret).unwrap().map(|l| l.id),
            Some(m.link.id)
        );
    }
    // Only hashes are stored.
    let hashes: Vec<String> = made.iter().map(|m| secret_sha256(&m.secret)).collect();
    for (m, h) in made.iter().zip(&hashes) {
        assert_eq!(
            store.link_by_hash(h).unwrap().map(|(l, _)| l.id),
            Some(m.link.id)
        );
    }
    let bytes = std::fs::read(ws.root.join("oncall.db")).unwrap();
    let text = String::from_utf8_lossy(&bytes);
    assert!(made.iter().all(|m| !text.contains(&m.secret)));

    // Near misses open nothing.
    let s = &made[0].secret;
    let mut flipped = s.clone().into_bytes();
    flipped[63] = if flipped[63] == b'0' { b'1' } else { b'0' };
    for wrong in [
        String::from_utf8(flipped).unwrap(),
        s.to_uppercase(),
        s[..63].to_string(),
        format!("{s}0"),
        hashes[0].clone(),
        String::new(),
    ] {
        assert_eq!(resolve(&store, &wrong).unwrap(), None, "{wrong}");
    }

    // Revoking is immediate, audited, and cannot be repeated.
    let id = made[0].link.id;
    assert!(schedule.revoke_link(id).unwrap().is_recorded());
    assert_eq!(resolve(&store, s).unwrap(), None);
    assert_eq!(
        schedule.revoke_link(id).unwrap(),
        Outcome::Malformed(vec![LinkRefusal::AlreadyRevoked(id)])
    );
    assert_eq!(
        schedule.revoke_link(99).unwrap(),
        Outcome::Malformed(vec![LinkRefusal::UnknownLink(99)])
    );
    assert!(
        resolve(&store, &made[1].secret).unwrap().is_some(),
        "others keep working"
    );
    let actions: Vec<String> = store
        .audit(None)
        .unwrap()
        .into_iter()
        .map(|a| a.action)
        .collect();
    assert_eq!(
        actions,
        ["link-create", "link-create", "link-create", "link-revoke"]
    );
    let listed = schedule.links().unwrap();
    assert_eq!(listed.len(), 3);
    assert!(listed[0].revoked.is_some() && listed[1].revoked.is_none());

    // Unknown subjects are refused and nothing is stored.
    let nobody = schedule
        .create_link(LinkSubject::Person("nobody".into()))
        .unwrap();
    assert!(matches!(nobody, Outcome::Malformed(_)));
    assert_eq!(store.links().unwrap().len(), 3);
}
