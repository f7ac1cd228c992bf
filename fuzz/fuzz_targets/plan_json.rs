//! The plan JSON reader and the checker behind `check-plan` and `publish`:
//! any bytes are refused as JSON or checked against the quickstart
//! workspace, never a panic.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use oncall::{PlanDoc, TeamIdx, Workspace};

fn workspace() -> &'static Workspace {
    static WS: OnceLock<Workspace> = OnceLock::new();
    WS.get_or_init(|| {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../data/quickstart");
        oncall::load_workspace(&root).expect("the quickstart loads")
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(doc) = serde_json::from_slice::<PlanDoc>(data) else {
        return;
    };
    let _ = oncall::checker::check_plan(workspace(), TeamIdx(0), &doc);
});
