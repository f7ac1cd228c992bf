//! The workspace loader's TOML and CSV readers: the first byte picks which
//! file of the quickstart workspace the rest replaces (people.csv,
//! oncall.toml, a team file or a time-off file); the whole workspace is then
//! loaded. It loads or is refused with diagnostics, never a panic.
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;

const FILES: [(&str, &str); 4] = [
    ("people.csv", include_str!("../../data/quickstart/people.csv")),
    ("oncall.toml", include_str!("../../data/quickstart/oncall.toml")),
    ("teams/payments.toml", include_str!("../../data/quickstart/teams/payments.toml")),
    (
        "time-off/vacations.toml",
        include_str!("../../data/quickstart/time-off/vacations.toml"),
    ),
];

fn root() -> &'static PathBuf {
    static ROOT: OnceLock<PathBuf> = OnceLock::new();
    ROOT.get_or_init(|| {
        let dir = tempfile::tempdir().expect("a temporary directory").keep();
        for sub in ["teams", "time-off"] {
            std::fs::create_dir_all(dir.join(sub)).expect("a workspace directory");
        }
        dir
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let root = root();
    let target = usize::from(pick) % FILES.len();
    for (k, (rel, text)) in FILES.iter().enumerate() {
        let bytes = if k == target { rest } else { text.as_bytes() };
        std::fs::write(root.join(rel), bytes).expect("write a workspace file");
    }
    let _ = oncall::load_workspace(root);
});
