#!/usr/bin/env bash
# Deployment smoke test (issue #19 §3): docs/deploy.md done on local ports in a throw-away directory —
# PostgreSQL database, env file, migrate/collectstatic/demo, gunicorn from deploy/tuijin-web.service,
# nginx from deploy/nginx-tuijin.conf with a self-signed certificate — then checked through nginx over
# HTTPS (health, static files, sign-in, ledger, a monthly report handed in) and removed. Details and
# environment variables: scripts/smoke.py. Needs nginx, openssl and a PostgreSQL server
# (TUIJIN_SMOKE_DATABASE_URL or TUIJIN_TEST_DATABASE_URL, default postgresql://postgres@127.0.0.1:5432/postgres).
set -euo pipefail
cd "$(dirname "$0")/.."
exec .venv/bin/python scripts/smoke.py "$@"
