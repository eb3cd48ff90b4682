#!/usr/bin/env bash
# The whole suite: lint, migrations check, pytest on SQLite, and again on PostgreSQL when
# TUIJIN_TEST_DATABASE_URL is set. Browser tests run when Debian's Chromium is installed, the bulletins'
# PDF tests when LibreOffice and poppler are, the deployment smoke test (scripts/smoke.sh) when nginx, openssl
# and the PostgreSQL server are.
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

if ! command -v soffice >/dev/null || ! command -v pdftoppm >/dev/null; then
  echo "######################################################################"
  echo "## WARNING: LibreOffice or poppler not found — BULLETIN PDF TESTS SKIPPED"
  echo "## install with: apt-get install libreoffice-writer-nogui poppler-utils"
  echo "######################################################################"
fi

# The deployment smoke test (scripts/smoke.sh: docs/deploy.md on local ports behind nginx with TLS) needs
# nginx, openssl and a PostgreSQL server; it runs after the SQLite run, and its failure fails the suite.
smoke=1
if ! { command -v nginx >/dev/null || [ -x /usr/sbin/nginx ]; } || ! command -v openssl >/dev/null \
    || [ -z "${TUIJIN_TEST_DATABASE_URL:-}" ]; then
  smoke=0
  echo "######################################################################"
  echo "## WARNING: nginx, openssl or TUIJIN_TEST_DATABASE_URL missing —    ##"
  echo "## DEPLOYMENT SMOKE TEST (scripts/smoke.sh) SKIPPED                 ##"
  echo "## install with: apt-get install nginx openssl, and set             ##"
  echo "## TUIJIN_TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test ##"
  echo "######################################################################"
fi

status=0
# The two databases run side by side, each in TUIJIN_TEST_WORKERS pytest-xdist workers (default 2): the
# four processes share the two cores to the end, where one process per database left a core idle while
# the longer run finished alone. The PostgreSQL run's output is shown when it ends.
workers="${TUIJIN_TEST_WORKERS:-2}"
parallel=()
if [ "$workers" -gt 1 ]; then parallel=(-n "$workers"); fi
pg_pid=""
if [ -n "${TUIJIN_TEST_DATABASE_URL:-}" ]; then
  pg_log="$TUIJIN_DATA_DIR/pytest-postgresql.log"
  echo "== pytest on PostgreSQL (${TUIJIN_TEST_DATABASE_URL%%@*}@…), in the background: $pg_log"
  DATABASE_URL="$TUIJIN_TEST_DATABASE_URL" $BIN/pytest -q -p no:cacheprovider "${parallel[@]}" "$@" >"$pg_log" 2>&1 &
  pg_pid=$!
else
  echo "(TUIJIN_TEST_DATABASE_URL not set: PostgreSQL run skipped)"
fi

echo "== pytest on SQLite"
$BIN/pytest -q "${parallel[@]}" "$@" || status=$?

# The smoke test runs while the PostgreSQL run (the longer one) finishes, on the core the SQLite run freed.
if [ "$smoke" -eq 1 ] && [ "$#" -gt 0 ]; then
  echo "(pytest arguments given: a chosen part of the suite, the deployment smoke test is not run)"
elif [ "$smoke" -eq 1 ]; then
  echo "== deployment smoke test (scripts/smoke.sh)"
  TUIJIN_SMOKE_DATABASE_URL="$TUIJIN_TEST_DATABASE_URL" bash scripts/smoke.sh || status=1
fi

if [ -n "$pg_pid" ]; then
  pg_status=0
  wait "$pg_pid" || pg_status=$?
  echo "== pytest on PostgreSQL (${TUIJIN_TEST_DATABASE_URL%%@*}@…)"
  cat "$pg_log"
  [ "$pg_status" -eq 0 ] || status=$pg_status
fi
exit $status
