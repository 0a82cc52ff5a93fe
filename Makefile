# Outstaff developer entry points. Needs only Python 3.11 (and, for `make test`, Debian's chromium,
# which this Makefile installs with apt-get when run as root). See README.md.
#
#   make run                       web + Celery worker + beat on http://127.0.0.1:8000 (PORT=... to move it)
#   make test                      the whole test suite
#   make test ARGS="workers -x"    a subset (anything pytest accepts)
#   make manage ARGS="risk_scan"   a manage.py command on make run's database (started if need be)

SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
# Re-installs only when a requirements file is newer than this stamp.
STAMP := var/.requirements-installed
CHROMIUM ?= /usr/bin/chromium
ARGS ?=
export CHROMIUM

.PHONY: help install run test manage chromium redis-server lint format ci clean-db

help:
	@echo "make run    start web, Celery worker and beat (embedded PostgreSQL unless DATABASE_URL is set)"
	@echo "make test   run the whole test suite (ARGS=\"...\" for a subset)"
	@echo "make manage ARGS=\"...\"  a manage.py command on make run's database, with or without make run running"
	@echo "make lint   ruff, ruff format --check, import-linter"
	@echo "make ci     what CI runs (.ci/run)"

$(PY):
	$(PYTHON) -m venv $(VENV)

$(STAMP): requirements.txt requirements-dev.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@mkdir -p $(dir $@) && touch $@

install: $(STAMP)

run: install
	$(PY) -m outstaff.launcher run

test: install chromium redis-server
	$(PY) -m outstaff.launcher test $(ARGS)

# A management command on the database `make run` uses: DATABASE_URL, else the embedded server in
# var/pgdata — reused while `make run` serves it, otherwise started (and migrated) for the command.
manage: install
	$(PY) -m outstaff.launcher manage $(ARGS)

# The fault tests (faults/) start and kill a redis-server of their own; never the machine's shared one.
redis-server:
	@if ! command -v redis-server >/dev/null; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			echo "Installing Debian's redis-server for the fault tests..."; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends redis-server >/dev/null || exit 1; \
		fi; \
	fi; \
	if ! command -v redis-server >/dev/null; then \
		echo "The fault tests need redis-server: run 'sudo apt-get install redis-server'." >&2; \
		exit 1; \
	fi

# Browser tests drive Debian's chromium (never a downloaded browser build); they are never skipped.
chromium:
	@if [ ! -x "$(CHROMIUM)" ]; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			echo "Installing Debian's chromium for the browser tests..."; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null || exit 1; \
		fi; \
	fi; \
	if [ ! -x "$(CHROMIUM)" ]; then \
		echo "The browser tests need Debian's chromium at $(CHROMIUM): run 'sudo apt-get install chromium'" \
			"(or set CHROMIUM=/path/to/chromium)." >&2; \
		exit 1; \
	fi

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

ci:
	bash .ci/run

# Throws away the embedded databases (var/pgdata, var/pgdata-test); the next `make run` re-seeds.
clean-db:
	rm -rf var/pgdata var/pgdata-test
