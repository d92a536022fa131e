# fansite: `make run` serves the site on 127.0.0.1:8000, `make test` runs the suite.
# Both set up the virtual environment first; nothing else needs installing.

SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV   ?= .venv
PY     := $(VENV)/bin/python
PORT   ?= 8000
HOST   ?= 127.0.0.1
# Parallel test workers (pytest-xdist); "0" runs in one process.
WORKERS ?= auto

# Find a Python >= 3.12: the one .python-version names (through pyenv when
# present), then python3.13, python3.12, python3. Never an older one. The search
# stops at the first that fits and runs at most once per make, only when a
# recipe needs it (creating the venv): each try starts a Python, through pyenv's
# shims a slow one, and the old search ran all four on every mention.
PYTHON_CANDIDATES = $(shell cat .python-version 2>/dev/null | sed 's/^/python/') python3.13 python3.12 python3
find_python = $(shell for p in $(PYTHON_CANDIDATES); do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null && { echo $$p; break; }; \
	done)
ifeq ($(origin BOOTSTRAP_PYTHON),undefined)
BOOTSTRAP_PYTHON = $(eval BOOTSTRAP_PYTHON := $(find_python))$(BOOTSTRAP_PYTHON)
endif

.PHONY: help venv venv-test run serve test test-server browser-deps migrate superuser backup restore bench check lint format clean

help:
	@echo "make run        set up, migrate and serve on http://$(HOST):$(PORT)/ (PORT=... to change)"
	@echo "make test       add the test tools to the venv and run the whole test suite"
	@echo "make serve      run like production: gunicorn and the task worker, DEBUG off, collected static files"
	@echo "make superuser  create an admin account"
	@echo "make backup     database and uploads into var/backups/ (BACKUP_DIR=... to change)"
	@echo "make restore FILE=var/backups/....tar.gz   replace the database and uploads with a backup"
	@echo "make bench      the performance benchmark (BENCH_ARGS=--quick for a short run)"
	@echo "make lint       ruff check, format check and the import layers (lint-imports)"
	@echo "make venv       install the site's packages into $(VENV) (make venv-test: and the test tools)"

# The virtual environment, in two layers, each installed once and again whenever
# pyproject.toml changes (stamp files in $(VENV)):
#   .site-installed  what the site needs: make run, serve, migrate, backup, ...
#   .test-installed  plus the test tools (pytest, Playwright, moto, ruff, ...):
#                    make test, test-server, bench, lint, format
# pip shows what it fetches. Byte-compiling is left to the first import
# (--no-compile), so only the modules the site uses are compiled, not every file
# of Django and botocore.
SITE_STAMP := $(VENV)/.site-installed
TEST_STAMP := $(VENV)/.test-installed
PIP_INSTALL := $(PY) -m pip install --no-compile --disable-pip-version-check

$(PY):
	@if [ -z "$(BOOTSTRAP_PYTHON)" ]; then echo "fansite needs Python 3.12 or newer: install python3.13 (e.g. 'pyenv install 3.13' or 'apt-get install python3.13') and run make again." >&2; exit 1; fi
	@echo "==> Creating $(VENV) with $(BOOTSTRAP_PYTHON) ($$($(BOOTSTRAP_PYTHON) --version))"
	@$(BOOTSTRAP_PYTHON) -m venv $(VENV)

$(SITE_STAMP): pyproject.toml | $(PY)
	@echo "==> Installing fansite and the packages the site needs into $(VENV) (the first time takes about a minute)"
	@$(PIP_INSTALL) -e .
	@touch $@

# The test extras include everything the site needs, so this install also
# counts as the site's.
$(TEST_STAMP): pyproject.toml | $(PY)
	@echo "==> Installing the test tools (pytest, Playwright, moto, ruff, ...) into $(VENV) (the first time takes a few minutes)"
	@$(PIP_INSTALL) -e '.[test]'
	@touch $@ $(SITE_STAMP)

venv: $(SITE_STAMP)
venv-test: $(TEST_STAMP)

var:
	@mkdir -p var/mail var/media

migrate: venv var
	@echo "==> Migrating the database (the SQLite file var/db.sqlite3 unless DATABASE_URL says otherwise)"
	DEBUG=$${DEBUG-1} $(PY) manage.py migrate --noinput

run: migrate
	@echo "==> Serving http://$(HOST):$(PORT)/ (Ctrl-C stops it). Email goes to files in var/mail/; each one's links are printed here."
	DEBUG=$${DEBUG-1} $(PY) manage.py runserver $(HOST):$(PORT)

# Production set-up, locally: gunicorn (gunicorn.conf.py), DEBUG off, hashed and
# compressed static files through WhiteNoise, migrations first. Uses DATABASE_URL
# when set (PostgreSQL), else the SQLite file. Plain HTTP on 127.0.0.1, so HTTPS
# redirects and secure-only cookies are switched off here (and only here).
SERVE_ENV = DEBUG=0 SECURE_SSL_REDIRECT=0 SECURE_COOKIES=0 SECURE_HSTS_SECONDS=0 \
	SECRET_KEY="$${SECRET_KEY:-$$(cat var/secret_key)}" \
	ALLOWED_HOSTS="$${ALLOWED_HOSTS:-127.0.0.1,localhost}" SERVE_MEDIA=1 \
	EMAIL_URL="$${EMAIL_URL:-filemail:///$(CURDIR)/var/mail}"

var/secret_key: | var
	@$(PY) -c 'import secrets; print(secrets.token_urlsafe(50))' > $@
	@chmod 600 $@

# The task worker (it sends the site's email) runs beside gunicorn, as in
# production (deploy/fansite-worker.service); Ctrl-C stops both.
serve: venv var var/secret_key
	$(SERVE_ENV) $(PY) manage.py migrate --noinput
	$(SERVE_ENV) $(PY) manage.py collectstatic --noinput -v 0
	$(SERVE_ENV) $(PY) manage.py requeue_email --verbosity 0
	$(SERVE_ENV) $(PY) manage.py requeue_notifications --verbosity 0
	$(SERVE_ENV) $(PY) manage.py db_worker --verbosity 0 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT; \
	$(SERVE_ENV) PORT=$(PORT) $(VENV)/bin/gunicorn -c gunicorn.conf.py

superuser: migrate
	DEBUG=$${DEBUG-1} $(PY) manage.py createsuperuser

# The browser tests run on their own, after the rest: they use a live server
# and transactional databases, which must not interleave with the fast tests.
# The server tests start gunicorn with databases of their own (SQLite files and
# scratch PostgreSQL databases), whatever DATABASE_URL says; SERVER_TESTS=0 skips
# them (CI's PostgreSQL pass, which would only repeat them).
SERVER_TESTS ?= 1
test: venv-test var browser-deps
	$(PY) -m pytest -n $(WORKERS) -m "not browser and not server" $(PYTEST_ARGS)
	$(PY) -m pytest -m browser -p no:randomly $(PYTEST_ARGS) tests/browser
	@if [ "$(SERVER_TESTS)" = 1 ]; then $(MAKE) --no-print-directory test-server; fi

test-server: venv-test var
	$(PY) -m pytest -m server -p no:randomly $(PYTEST_ARGS)

# axe-core for the browser tests' accessibility checks, from the npm registry
# into var/npm (never from a CDN). Without npm the browser tests are skipped.
AXE_VERSION := 4.14.1
browser-deps: var
	@if [ -f var/npm/node_modules/axe-core/axe.min.js ]; then :; \
	elif command -v npm >/dev/null 2>&1; then \
	  npm install --silent --no-save --no-package-lock --no-audit --no-fund --prefix var/npm axe-core@$(AXE_VERSION); \
	else echo "npm not found: browser tests will be skipped (they need axe-core)"; fi

# Backups: one archive holding the database (SQLite copy or pg_dump) and the
# uploaded files. See docs/backups.md.
backup: venv var
	DEBUG=$${DEBUG-1} $(PY) manage.py backup $(if $(BACKUP_DIR),--dir "$(BACKUP_DIR)")

restore: venv var
	@[ -n "$(FILE)" ] || { echo "usage: make restore FILE=var/backups/<archive>.tar.gz" >&2; exit 2; }
	DEBUG=$${DEBUG-1} $(PY) manage.py restore "$(FILE)" $(RESTORE_ARGS)

# The benchmark (docs/performance.md): seeds its own databases, serves them with
# gunicorn and loads them with wrk. BENCH_ARGS=--quick for the short CI run.
bench: venv-test var
	$(PY) -m tests.benchmarks $(BENCH_ARGS)

check: venv
	DEBUG=$${DEBUG-1} $(PY) manage.py makemigrations --check --dry-run
	DEBUG=$${DEBUG-1} $(PY) manage.py check

lint: venv-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache

format: venv-test
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
