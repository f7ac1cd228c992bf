#!/usr/bin/env bash
# Plans the example workspace's payments team for 2027Q1 and checks the plan.
# Extra arguments go to `oncall plan` (e.g. --format json).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
cargo build --release -q -p oncall-cli
status=0
./target/release/oncall -C data/quickstart plan payments --quarter 2027Q1 "$@" || status=$?
exit "$status"
