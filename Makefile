# Tuijin: `make run` sets everything up and serves the demo city; `make test` runs the whole suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export TUIJIN_DATA_DIR ?= $(CURDIR)/data
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install vendor lint bench clean dev

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(BIN)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

tuijin/static/vendor/.copied: node_modules/.package-lock.json scripts/copy_vendor.mjs
	npm run --silent vendor
	touch $@

vendor: tuijin/static/vendor/.copied

install: $(BIN)/.installed vendor

run: install
	$(BIN)/tuijin migrate --noinput -v0
	$(BIN)/tuijin collectstatic --noinput -v0
	$(BIN)/tuijin demo --if-empty
	@echo ""
	@echo "  推进 Tuijin 已启动： http://$(HOST):$(PORT)"
	@echo "  演示账号（密码均为 tuijin-demo）：admin, dispatcher, leader, reporter, reporter2, handler, inspector"
	@echo "  数据目录：$(TUIJIN_DATA_DIR)   后台任务进程：tuijin worker   按 Ctrl+C 停止"
	@echo ""
	@# The background worker beside gunicorn (jobs and schedules, tuijin/jobs); stopped with it on Ctrl+C.
	$(BIN)/tuijin worker -v0 & WORKER=$$!; trap 'kill $$WORKER 2>/dev/null; wait $$WORKER' EXIT; \
	$(BIN)/gunicorn tuijin.wsgi --bind $(HOST):$(PORT) --workers 2 --threads 4 --access-logfile - --log-level warning

dev: install
	DEBUG=1 $(BIN)/tuijin runserver $(HOST):$(PORT)

lint: install
	$(BIN)/ruff check .

test: install
	@bash scripts/test.sh

bench: install
	$(BIN)/tuijin bench ledger --json

clean:
	rm -rf $(VENV) node_modules tuijin/static/vendor .pytest_cache
