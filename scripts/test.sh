#!/usr/bin/env bash
# The whole test suite: formatting, lints, unit/integration/property/snapshot
# tests, and every benchmark run once as a test so none can rot.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== cargo clippy"
cargo clippy --workspace --all-targets -- -D warnings
echo "== cargo test"
INSTA_UPDATE=no cargo test --workspace
echo "== cargo bench -- --test"
cargo bench --workspace -- --test
