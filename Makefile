# Kontakt: `make run` sets everything up and starts the platform; `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
WEB_PORT ?= 8000
export WEB_PORT

.DEFAULT_GOAL := help
.PHONY: help install hooks run web worker beat migrate seed test test-future lint types format check bench bench-growth bench-load bench-mail bench-mail-esps ci messages clean

help:  ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "} {printf "  make %-10s %s\n", $$1, $$2}'

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Kontakt needs Python 3.11 or newer; set PYTHON=python3.x")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python requirements.txt requirements-dev.txt
	$(BIN)/pip install --quiet -r requirements-dev.txt
	@touch $@

install: $(VENV)/.installed  ## Create .venv and install the pinned dependencies

.env:
	@printf 'DEBUG=true\nSECRET_KEY=%s\n' "$$($(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))')" > .env
	@echo "Wrote .env for local development (DEBUG on, a fresh SECRET_KEY)."

migrate: install .env  ## Apply database migrations
	$(BIN)/python manage.py migrate --no-input

seed: migrate  ## Load the demo centres, logins and people (idempotent)
	$(BIN)/python manage.py seed_demo

run: seed  ## Set up and start web, Celery worker and beat on SQLite, no servers needed
	@echo ""
	@echo "Kontakt is starting at http://127.0.0.1:$(WEB_PORT)/  (admin: /admin/, API docs: /api/docs/)"
	@echo "Log in with one of the demo logins above. Stop with Ctrl+C."
	@echo ""
	$(BIN)/honcho start -f Procfile.dev

web: migrate  ## Only the web server
	$(BIN)/python manage.py runserver 127.0.0.1:$(WEB_PORT)

worker: install .env  ## Only a Celery worker
	$(BIN)/celery -A config worker --loglevel=INFO

beat: install .env  ## Only Celery beat (run exactly one)
	$(BIN)/celery -A config beat --loglevel=INFO

test: install  ## Run the whole test suite (PostgreSQL/Redis when DATABASE_URL/REDIS_URL are set)
	$(BIN)/pytest $(PYTEST_ARGS)

# libfaketime moves the clock of pytest and of every process it starts (worker, gunicorn), not the
# database server's: the code never asks the database for the time, so the two need not agree.
# tests/clock_ahead.py refuses to run unless the clock really moved. Keep the relative "+Nd" form:
# libfaketime's absolute "@date" form and FAKETIME_DONT_FAKE_MONOTONIC=1 make Python's time.sleep fail.
FUTURE_DAYS ?= 365
test-future: install  ## make test with the clock a year (FUTURE_DAYS=365) ahead: finds tests that pass only today
	@command -v faketime >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq faketime >/dev/null) || (echo "install libfaketime (Debian: faketime) first" && exit 1)
	KONTAKT_CLOCK_AHEAD_DAYS=$(FUTURE_DAYS) KONTAKT_REAL_TIME=$$(date +%s) \
		faketime -f "+$(FUTURE_DAYS)d" $(BIN)/python -m pytest -p tests.clock_ahead $(PYTEST_ARGS)

lint: install  ## ruff (lint, format, complexity), import-linter's layers and mypy
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(MAKE) types

types: install  ## mypy with the Django and DRF stubs (strict on services and selectors)
	DEBUG=true $(BIN)/mypy .

hooks: install  ## Install the pre-commit hooks (ruff, import-linter) into .git/hooks
	$(BIN)/pre-commit install

format: install  ## Apply ruff's fixes and formatting
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

check: install  ## Django system checks and the migration check
	DEBUG=true $(BIN)/python manage.py check
	DEBUG=true $(BIN)/python manage.py makemigrations --check --dry-run

messages: install  ## Refresh and compile the translation catalogues (needs GNU gettext)
	DEBUG=true $(BIN)/python manage.py makemessages --all --no-obsolete --ignore '.venv/*' --ignore 'var/*'
	DEBUG=true $(BIN)/python manage.py compilemessages --ignore '.venv/*'

bench: install  ## Every DESIGN.md §4 figure on the state-sized data set (PostgreSQL, Redis; SCALE=2 or 4)
	SCALE=$(or $(SCALE),1) $(BIN)/python -m tests.benchmarks.run

bench-growth: install  ## make bench at SCALE=1, 2 and 4, then how each figure grew
	for scale in 1 2 4; do SCALE=$$scale $(BIN)/python -m tests.benchmarks.run || exit 1; done
	$(BIN)/python -m tests.benchmarks.growth

bench-load: install  ## Load test: gunicorn on the benchmark data, wrk with 50 clients, 60 s per path
	@command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk) || (echo "install wrk first" && exit 1)
	$(BIN)/python -m tests.benchmarks.load

bench-mail: install  ## Reminders and a newsletter through Celery workers on Redis (WORKERS="1 2 4", ESP=mailgun)
	WORKERS="$(or $(WORKERS),2)" ESP="$(or $(ESP),postmark)" $(BIN)/python -m tests.benchmarks.mail

bench-mail-esps: install  ## make bench-mail through each ESP's batch path in turn (fake ESPs, 2 workers)
	for esp in postmark mailgun sendgrid brevo amazon_ses mailjet; do \
		WORKERS="$(or $(WORKERS),2)" ESP=$$esp $(BIN)/python -m tests.benchmarks.mail || exit 1; done

ci:  ## What CI runs (.ci/run)
	bash .ci/run

clean:  ## Remove the virtualenv and local data (SQLite database, broker folder)
	rm -rf $(VENV) var
