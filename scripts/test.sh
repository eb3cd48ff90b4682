#!/usr/bin/env bash
# The whole suite: lint, migrations check, pytest on SQLite, and again on PostgreSQL when
# TUIJIN_TEST_DATABASE_URL is set. Browser tests run when Debian's Chromium is installed.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
export TUIJIN_DATA_DIR="${TUIJIN_TEST_DATA_DIR:-$(mktemp -d /tmp/tuijin-test.XXXXXX)}"
unset DATABASE_URL

echo "== ruff"
$BIN/ruff check .
echo "== migrations up to date"
$BIN/tuijin makemigrations --check --dry-run >/dev/null

if [ ! -x /usr/bin/chromium ]; then
  echo "######################################################################"
  echo "## WARNING: /usr/bin/chromium not found — BROWSER (e2e) TESTS SKIPPED ##"
  echo "## install with: apt-get install chromium fonts-noto-cjk             ##"
  echo "######################################################################"
fi

status=0
echo "== pytest on SQLite"
$BIN/pytest -q "$@" || status=$?

if [ -n "${TUIJIN_TEST_DATABASE_URL:-}" ]; then
  echo "== pytest on PostgreSQL (${TUIJIN_TEST_DATABASE_URL%%@*}@…)"
  DATABASE_URL="$TUIJIN_TEST_DATABASE_URL" $BIN/pytest -q "$@" || status=$?
else
  echo "(TUIJIN_TEST_DATABASE_URL not set: PostgreSQL run skipped)"
fi
exit $status
