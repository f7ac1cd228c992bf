#!/usr/bin/env bash
# Coverage-guided fuzzing (libFuzzer through cargo-fuzz) of every reader of
# outside input: calendars, the workspace's TOML and CSV files, plan JSON.
# Not part of scripts/test.sh: it builds its own copy of HiGHS and runs for
# minutes. Usage: scripts/fuzz.sh [SECONDS_PER_TARGET] (default 60).
# Crashes are written to fuzz/artifacts/<target>/ and fail the run.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
command -v cargo-fuzz >/dev/null 2>&1 || cargo install --locked cargo-fuzz
# cargo-fuzz passes unstable flags to rustc; the stable toolchain accepts
# them under RUSTC_BOOTSTRAP. No sanitizer: the code under test is safe Rust.
export RUSTC_BOOTSTRAP=1
corpus() {
  local target="$1"
  mkdir -p "fuzz/corpus/$target"
  case "$target" in
    calendar) find tests/fixtures/ics -name '*.ics' -exec cp {} "fuzz/corpus/$target/" \; ;;
    workspace)
      local k=0
      for f in people.csv oncall.toml teams/payments.toml time-off/vacations.toml; do
        { printf "\\x$(printf %02x $k)"; cat "data/quickstart/$f"; } >"fuzz/corpus/$target/quickstart-$k"
        k=$((k + 1))
      done ;;
    plan_json) cp fuzz/seeds/plan_json/* "fuzz/corpus/$target/" ;;
  esac
}
cargo fuzz build --sanitizer none --fuzz-dir fuzz
for target in calendar workspace plan_json; do
  corpus "$target"
  echo "== fuzz $target for ${seconds}s"
  cargo fuzz run --sanitizer none --fuzz-dir fuzz "$target" "fuzz/corpus/$target" -- \
    -max_total_time="$seconds" -max_len=262144 -timeout=10 -rss_limit_mb=4096 \
    -print_final_stats=1 2>&1 | grep -E '^(stat::|#[0-9]+ +DONE|==|SUMMARY|.*(panicked|crash|deadly|timeout))' || true
  if compgen -G "fuzz/artifacts/$target/*" >/dev/null; then
    echo "fuzz $target found a crash: fuzz/artifacts/$target/" >&2
    exit 1
  fi
done
