# Merci: every task is a target here; the README and CI call these, never raw commands.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV   := .venv
PY     := $(VENV)/bin/python
UV     := $(VENV)/bin/uv
RASA   := $(PY) -m rasa
STAMP  := $(VENV)/.installed-$(shell cksum < requirements.lock | cut -d' ' -f1)
MODEL  := models/merci.tar.gz
TRAINING_DATA := config.yml domain.yml $(shell find data/nlu data/rules data/stories -name '*.yml' 2>/dev/null | sort)
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
export TF_CPP_MIN_LOG_LEVEL := 3
# Rasa's telemetry and error reports would call the internet: off, always.
export RASA_TELEMETRY_ENABLED := false
export PYTHONWARNINGS := ignore::DeprecationWarning

.PHONY: help setup run run-scaled studio shell train validate test test-stories pytest check migrate bench clean \
	report demo-data nlu-report lint

help: ## List the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-13s %s\n", $$1, $$2}'

# --- Python 3.10 and the virtual environment ---------------------------------
# Rasa 3.6 runs on Python 3.10 only. Look for it on PATH, then in pyenv, then ask uv.
$(PY):
	@py=""; \
	for candidate in "$$(command -v python3.10 2>/dev/null)" \
	    $$(ls -d "$${PYENV_ROOT:-$$HOME/.pyenv}"/versions/3.10.*/bin/python3.10 2>/dev/null | sort -V -r) \
	    "$$(command -v uv >/dev/null 2>&1 && uv python find 3.10 2>/dev/null)"; do \
	  if [ -n "$$candidate" ] && "$$candidate" -c 'import sys, venv; sys.exit(sys.version_info[:2] != (3, 10))' 2>/dev/null; then \
	    py="$$candidate"; break; \
	  fi; \
	done; \
	if [ -z "$$py" ] && command -v uv >/dev/null 2>&1; then \
	  echo "No Python 3.10 found: asking uv to install one..."; \
	  uv python install 3.10 >/dev/null 2>&1 && py="$$(uv python find 3.10 2>/dev/null)"; \
	fi; \
	if [ -z "$$py" ]; then \
	  echo "Merci needs Python 3.10 (Rasa 3.6 does not run on 3.11 or later): install it with 'pyenv install 3.10' or 'uv python install 3.10' (or your system's python3.10 package), then run make again." >&2; \
	  exit 1; \
	fi; \
	echo "Creating $(VENV) with $$py"; \
	"$$py" -m venv $(VENV) || { echo "Could not create a virtual environment with $$py: install its venv module (e.g. 'apt-get install python3.10-venv')." >&2; exit 1; }

$(STAMP): requirements.lock | $(PY)
	@echo "Installing the pinned dependencies (requirements.lock)..."
	@$(PY) -m pip install --quiet --disable-pip-version-check uv || { echo "Could not install uv from PyPI: check your network or proxy settings." >&2; exit 1; }
	@$(UV) pip install --quiet --python $(PY) -r requirements.lock || { echo "Could not install the dependencies from requirements.lock (see the message above)." >&2; exit 1; }
	@rm -f $(VENV)/.installed-*; touch $@

setup: $(STAMP) ## Create .venv and install the pinned dependencies (done by run and test)

# --- Model, database, content -------------------------------------------------
$(MODEL): $(TRAINING_DATA) | $(STAMP)
	@echo "Training the model (only when training data or config changed)..."
	@$(RASA) train --fixed-model-name merci --out models --quiet

train: $(MODEL) ## Train the model if the training data or config changed

migrate: $(STAMP) ## Create or upgrade the database schema
	@$(PY) -m bot migrate

check: $(STAMP) ## Check all content before publishing (French messages, includes rasa data validate)
	@$(PY) -m bot check

validate: $(STAMP) ## Validate the training data with Rasa
	@$(RASA) data validate --fail-on-warnings --quiet

# --- Main jobs ------------------------------------------------------------------
# run and shell check Merci's own content (fast); `make check` adds rasa data validate.
run: $(MODEL) migrate ## Start Merci: Rasa on 127.0.0.1:5005, actions on 127.0.0.1:5055, the studio on 5006
	@$(PY) -m bot check --no-rasa
	@$(PY) -m bot run --model $(MODEL)

# Same files, same model as `make run`; only environment variables differ (bot/runtime/scaled.py).
run-scaled: $(MODEL) postgresql redis nginx ## PostgreSQL, Redis, 2 Rasa + 2 action servers, scheduler, nginx on :5005
	@$(PY) -m bot check --no-rasa
	@$(PY) -m bot run-scaled --model $(MODEL)

studio: migrate ## Merci Studio for marketers on http://127.0.0.1:5006/ (needs Merci running: make run starts both)
	@$(PY) -m bot studio serve

shell: $(MODEL) migrate ## Talk to Merci in the terminal
	@$(PY) -m bot check --no-rasa
	@$(PY) -m bot shell --model $(MODEL)

lint: $(STAMP) ## ruff (lint and format) and mypy (strict on bot/)
	@$(PY) -m ruff check bot actions tests benchmarks
	@$(PY) -m ruff format --check --quiet bot actions tests benchmarks || { echo "Run '$(PY) -m ruff format bot actions tests benchmarks' to format." >&2; exit 1; }
	@$(PY) -m mypy

test: lint $(MODEL) check test-stories pytest ## Run every test: lint, content checks (with rasa data validate), stories, pytest

test-stories: $(MODEL) ## Conversation tests: rasa test on tests/stories
	@$(RASA) test core --model $(MODEL) --stories tests/stories --fail-on-prediction-errors --out results/core --quiet

# Debian packages some tests need: as root they are installed (apt-get); otherwise one
# sentence says what to install. $(call debian_package,PACKAGE,PRESENT-CHECK,WHO-NEEDS-IT)
define debian_package
	@if ! $(2) >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing Debian's $(1) package for $(3)..."; \
	    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(1) >/dev/null; } \
	      || { echo "Could not install Debian's $(1) package with apt-get (see above)." >&2; exit 1; }; \
	  else \
	    echo "Debian's $(1) package is needed for $(3): install it ('sudo apt-get install $(1)'), then run make test again." >&2; \
	    exit 1; \
	  fi; \
	fi
endef

# Chromium for the widget's browser tests (Playwright drives it; its own browser download
# cannot work here).
.PHONY: browser
browser: ## Make sure Debian's Chromium is there for the browser tests (installs it as root)
	$(call debian_package,chromium,test -x /usr/bin/chromium,the browser tests)

# PostgreSQL for the database-outage test (tests/e2e/test_postgres_down.py starts its own
# throwaway server) and the scaled topology.
.PHONY: postgresql
postgresql: ## Make sure Debian's PostgreSQL is there (outage tests, scaled topology)
	$(call debian_package,postgresql,ls /usr/lib/postgresql/*/bin/pg_ctl,the database-outage tests and the scaled topology)

# Redis and nginx for the scaled topology (make run-scaled, tests/scaled/, bench_scaled):
# Merci starts its own servers from these binaries, with their data in var/ or a temp dir.
.PHONY: redis nginx
redis: ## Make sure Debian's Redis is there for the scaled topology
	$(call debian_package,redis-server,test -x /usr/bin/redis-server,the scaled topology (locks and socket.io))

nginx: ## Make sure Debian's nginx is there for the scaled topology
	$(call debian_package,nginx,test -x /usr/sbin/nginx,the scaled topology's load balancer)

pytest: $(MODEL) browser postgresql redis nginx
	@$(PY) -m pytest

clean: ## Remove the virtual environment, models, results and the local database
	rm -rf $(VENV) models results var/merci.db*

BENCH_VS_STOCK ?=
bench: $(MODEL) migrate postgresql redis nginx ## Benchmarks: Merci against stock Rasa and one vs two servers (reports/bench-vs-stock.md), turns, long messages, the report
	@$(PY) -m benchmarks.bench_scaled
	@$(PY) -m benchmarks.bench_vs_stock $(BENCH_VS_STOCK)
	@$(PY) -m benchmarks.bench_turns
	@$(PY) -m benchmarks.bench_input
	@$(PY) -m benchmarks.bench_report
	@$(PY) -m benchmarks.bench_catalogue

# --- For marketers --------------------------------------------------------------------
SINCE ?=
CONSUMERS ?= 5000

report: migrate ## The "invisible work" report (HTML with charts, CSV) in reports/; SINCE=2026-01-01
	@$(PY) -m bot report --out reports $(if $(SINCE),--since $(SINCE))

demo-data: migrate ## Replace the demo consumers with CONSUMERS=5000 realistic ones, for make report
	@$(PY) -m bot demo-data --consumers $(CONSUMERS)

CV ?=
nlu-report: $(MODEL) ## NLU quality on the held-out test file, in reports/ (CV=1: cross-validation too)
	@$(PY) -m bot nlu-report --model $(MODEL) --out reports $(if $(CV),--cross-validation)
