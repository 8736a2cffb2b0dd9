# Every command a newcomer needs. `make` alone lists them.
# Tools are called from .venv/bin directly: no virtualenv activation needed.

SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON_BOOTSTRAP ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
APPS := core accounts budgets grants reporting demo config webhooks api
HOST ?= 127.0.0.1
PORT ?= 8000

# Settings fail closed (production without DJANGO_ENV): every command meant for a laptop says
# development explicitly. The demo always uses the local SQLite file and runs Celery tasks
# in-process, whatever the shell exports; `make test` and `make migrate` honour DATABASE_URL /
# CELERY_BROKER_URL.
DEV_ENV := DJANGO_ENV=development
DEMO_ENV := $(DEV_ENV) DJANGO_DEBUG=1 \
	DATABASE_URL=sqlite:///$(CURDIR)/db.sqlite3 CELERY_BROKER_URL=memory://

# `make serve-prod`: production settings against PostgreSQL and Redis on this machine, the
# processes of the Procfile under honcho. Each variable may come from the shell; the secret key
# is generated once into var/ (never committed).
PROD_STATE := var/serve-prod
PROD_ENV = DJANGO_ENV=production \
	DJANGO_SECRET_KEY="$$(cat $(PROD_STATE)/secret_key)" \
	DATABASE_URL="$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/foerderverwaltung}" \
	CELERY_BROKER_URL="$${CELERY_BROKER_URL:-redis://127.0.0.1:6379/0}" \
	CACHE_URL="$${CACHE_URL:-redis://127.0.0.1:6379/1}" \
	EMAIL_BACKEND="$${EMAIL_BACKEND:-django.core.mail.backends.filebased.EmailBackend}" \
	EMAIL_FILE_PATH="$${EMAIL_FILE_PATH:-$(CURDIR)/$(PROD_STATE)/mail}" \
	CELERY_BEAT_SCHEDULE_FILE="$(CURDIR)/$(PROD_STATE)/celerybeat-schedule" \
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH"

.PHONY: help install demo test serve-prod lint format messages migrate openapi bench bench-receipts bench-export clean _compile-messages

help: ## List the commands
	@echo "Usage: make <command>"
	@echo
	@awk 'BEGIN {FS = ":.*## "} /^[a-z][a-z-]*:.*## / {printf "  make %-15s %s\n", $$1, $$2}' \
		$(MAKEFILE_LIST)
	@echo
	@echo "Pass extra pytest options with ARGS, e.g. make test ARGS='-k approval -x'."

$(PY):
	$(PYTHON_BOOTSTRAP) -m venv $(VENV)

# Reinstalls only when pyproject.toml changed since the last install.
$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $@

# axe-core for the accessibility test (tests/test_accessibility.py), pinned in package-lock.json;
# without npm the test skips with the reason.
AXE := node_modules/axe-core/axe.min.js
$(AXE): package.json package-lock.json
	@if command -v npm >/dev/null; then npm ci --no-audit --no-fund --loglevel=error && touch $@; \
	else echo "npm is missing: the accessibility test will skip (apt-get install npm)" >&2; fi

install: $(STAMP) $(AXE) ## Create .venv (Python 3.11) and install the project with dev tools (and axe-core from npm)

demo: install ## Migrate db.sqlite3, seed demo data (prints logins), serve on http://127.0.0.1:8000
	@$(MAKE) --no-print-directory _compile-messages
	$(DEMO_ENV) $(PY) manage.py migrate --noinput
	$(DEMO_ENV) $(PY) manage.py seed_demo
	@echo "Serving on http://$(HOST):$(PORT)/ (Ctrl-C stops)"
	$(DEMO_ENV) $(PY) manage.py runserver $(HOST):$(PORT)

test: install ## Run the test suite (PostgreSQL/Redis tests run when DATABASE_URL/CELERY_BROKER_URL are set)
	$(DEV_ENV) $(VENV)/bin/pytest $(ARGS)

$(PROD_STATE)/secret_key: | $(PY)
	@mkdir -p $(PROD_STATE)
	@umask 077 && $(PY) -c "import secrets; print(secrets.token_urlsafe(64))" > $@

serve-prod: install $(PROD_STATE)/secret_key ## Production settings here: gunicorn, Celery worker and beat on PostgreSQL + Redis (PORT, default 8000)
	@$(MAKE) --no-print-directory _compile-messages
	$(PROD_ENV) $(PY) manage.py migrate --noinput
	$(PROD_ENV) $(PY) manage.py collectstatic --noinput --verbosity 0
	@echo "Serving production settings on http://$(HOST):$(PORT)/ behind no proxy (Ctrl-C stops all three)"
	$(PROD_ENV) HOST=$(HOST) exec $(VENV)/bin/honcho start --procfile Procfile --env /dev/null --port $(PORT)

lint: install ## ruff check, ruff format --check, mypy (django-stubs), import-linter layers
	@status=0; \
	echo "== ruff check";         $(VENV)/bin/ruff check . || status=1; \
	echo "== ruff format --check"; $(VENV)/bin/ruff format --check . || status=1; \
	echo "== mypy";               $(DEV_ENV) $(VENV)/bin/mypy $(APPS) || status=1; \
	echo "== lint-imports";       $(VENV)/bin/lint-imports || status=1; \
	exit $$status

format: install ## Fix what ruff can fix and format the code
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

messages: install ## Update the de/en catalogues in locale/ and compile them (needs GNU gettext)
	@command -v msgfmt >/dev/null || { echo "GNU gettext is missing: apt-get install gettext" >&2; exit 1; }
	$(DEV_ENV) $(PY) manage.py makemessages -l de -l en --add-location=file \
		--ignore=.venv --ignore=tests --ignore=benchmarks --ignore=staticfiles --ignore=build
	$(DEV_ENV) $(PY) manage.py compilemessages --ignore=.venv

define COMPILE_WITH_POLIB
import glob, os, polib
for po in glob.glob("locale/*/LC_MESSAGES/*.po"):
    mo = po[:-3] + ".mo"
    if not os.path.exists(mo) or os.path.getmtime(mo) < os.path.getmtime(po):
        polib.pofile(po).save_as_mofile(mo)
        print("compiled", po, "with polib")
endef
export COMPILE_WITH_POLIB

# Compiled .mo files are committed; this refreshes them from the .po files, with GNU gettext
# when it is installed and with polib (a dev dependency) otherwise.
_compile-messages:
	@if ls locale/*/LC_MESSAGES/django.po >/dev/null 2>&1; then \
		if command -v msgfmt >/dev/null; then \
			$(DEV_ENV) $(PY) manage.py compilemessages --ignore=.venv; \
		else \
			$(PY) -c "$$COMPILE_WITH_POLIB"; \
		fi; \
	fi

openapi: install ## Write the API's OpenAPI document to docs/openapi.json (a test fails when it differs from the served one)
	$(DEV_ENV) $(PY) manage.py export_openapi_schema --api api.v1.api.api --indent 2 --sorted --output docs/openapi.json
	@echo >> docs/openapi.json

migrate: install ## Apply database migrations (DATABASE_URL, default db.sqlite3; DJANGO_ENV, default development)
	DJANGO_ENV=$${DJANGO_ENV:-development} $(PY) manage.py migrate

# The benchmark data generator wipes the budget tables: it never takes DATABASE_URL from the
# shell (that may be your development database), only BENCH_DATABASE_URL; without it,
# benchmarks/run.py uses var/bench.sqlite3.
BENCH_EXPORTS_DATABASE_URL ?= $(if $(BENCH_DATABASE_URL),$(BENCH_DATABASE_URL)_exports)
bench: install ## Run the timed scenarios in benchmarks/run.py (results: docs/benchmarks.md)
	@test -f benchmarks/run.py || { echo "benchmarks/run.py does not exist yet" >&2; exit 1; }
	$(if $(BENCH_DATABASE_URL),DATABASE_URL=$(BENCH_DATABASE_URL),env -u DATABASE_URL) \
		$(DEV_ENV) $(PY) benchmarks/run.py $(ARGS)
	@# Exports and notices (issue 14): PostgreSQL only, a database of their own (the rollup generator
	@# truncates the offices), created when missing; EXPORT_ARGS=--help lists the options.
	$(if $(BENCH_EXPORTS_DATABASE_URL),$(DEV_ENV) DATABASE_URL=$(BENCH_EXPORTS_DATABASE_URL) \
		$(PY) benchmarks/export.py --write-docs $(EXPORT_ARGS))

bench-receipts: install ## Time importing 10,000 receipts (BENCH_DATABASE_URL or var/receipt_bench.sqlite3)
	$(if $(BENCH_DATABASE_URL),DATABASE_URL=$(BENCH_DATABASE_URL),env -u DATABASE_URL) \
		$(DEV_ENV) $(PY) benchmarks/receipt_import.py $(ARGS)

bench-export: install ## Time the finance export on 100,000 grants (needs BENCH_DATABASE_URL, PostgreSQL)
	@test -n "$(BENCH_DATABASE_URL)" || { echo "Set BENCH_DATABASE_URL to a database of its own" >&2; exit 1; }
	$(DEV_ENV) DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) benchmarks/export.py $(ARGS)

clean: ## Remove caches and build output (keeps .venv, db.sqlite3 and private_media/)
	find . -path ./.venv -prune -o -type d -name __pycache__ -exec rm -rf {} +
	rm -rf .pytest_cache .mypy_cache .ruff_cache .hypothesis staticfiles build test-results *.egg-info
