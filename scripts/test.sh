#!/usr/bin/env bash
# The whole test suite: formatting, lints, unit/integration/property/snapshot
# tests, doctests, and every criterion bench run once in test mode so none can
# rot. Everything builds in the one test profile, so HiGHS is compiled once.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== cargo clippy"
cargo clippy --workspace --all-targets -- -D warnings
echo "== python calendar parsers for the interop tests"
# The calendar interop tests read every feed back with icalendar and
# recurring_ical_events, and the e-mail notification tests send to an
# aiosmtpd server; they fail (not skip) without them.
PYENV_DIR="$PWD/target/py"
if ! "$PYENV_DIR/bin/python" -c "import icalendar, recurring_ical_events, aiosmtpd" 2>/dev/null; then
  python3 -m venv "$PYENV_DIR"
  "$PYENV_DIR/bin/python" -m pip install --quiet icalendar recurring_ical_events aiosmtpd
fi
export ONCALL_PYTHON="$PYENV_DIR/bin/python"
echo "== chromium for the HTML report tests"
# The fairness report's HTML is opened in headless Chromium; the test fails
# (not skips) without it.
if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium
  else
    echo "chromium is missing: install Debian's \`chromium\` package (sudo apt-get install chromium)" >&2
    exit 1
  fi
fi
echo "== cargo test (unit, integration, benches in test mode)"
INSTA_UPDATE=no cargo test --workspace --all-targets
echo "== cargo test --doc"
INSTA_UPDATE=no cargo test --workspace --doc
echo "== cargo doc (warnings are errors: broken intra-doc links and the like)"
RUSTDOCFLAGS="-D warnings" cargo doc --no-deps --workspace
