# The verbs a developer uses. `make run` and `make test` each do all of their own set-up.
# Settings come from the environment, then `.env`, then the defaults below and in .env.example.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

VENV ?= .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
REQUIREMENTS := $(wildcard requirements/*.txt)

# Rasa reads ${ACTION_ENDPOINT_URL} and the stores' variables from endpoints.yml. `make run`
# derives the action server's URL from ACTIONS_PORT itself (scripts/run.py), so the default URL
# is given only to the other commands that read endpoints.yml: exported to all, it won over
# ACTIONS_PORT. The stores' defaults (a SQLite file and locks in memory; PostgreSQL and Redis
# with RASA_REPLICAS=2) are given by scripts/run.py and scripts/stack.py to every Rasa they
# start: exported from here, they would hide the values of .env from run.py.
ACTIONS_PORT ?= 5055
# The tests that need no real Rasa wait on sockets and child processes much of the time: on two
# workers they kept the 2-core machine's CPUs busy 1.2 of 2 (user and system 212 s in 182 s),
# so they run on four (pytest 181 s on two, 143, 149 and 154 s on four; docs/testing.md).
FAST_WORKERS ?= 4
conversations: export ACTION_ENDPOINT_URL ?= http://127.0.0.1:$(ACTIONS_PORT)/webhook
export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL ?= 2
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: help run test test-fast compare-languages train check lint typecheck validate pytest conversations nlu-eval \
        compare-pipelines region directory bench system-packages clean

help: ## List the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-18s %s\n", $$1, $$2}'

run: $(STAMP) ## Set up, then start Rasa (RASA_REPLICAS of them), the action server and the gateway with its web chat
	$(PY) scripts/model.py train
	$(PY) -m actions.directory ensure
	$(PY) scripts/run.py

test: $(STAMP) system-packages ## Set up, then run every check: lint, types, data, pytest, conversation tests, NLU held-out set
	$(PY) scripts/model.py train
	$(MAKE) --no-print-directory check

test-fast: $(STAMP) ## The edit-test loop: lint, types and every test that needs no real Rasa (about 3 min)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/pytest -m "not slow" -q -n $(FAST_WORKERS)

check: lint typecheck validate pytest conversations nlu-eval ## Every check, assuming set-up is done

train: $(STAMP) ## Train a model if none matches the current data and config
	$(PY) scripts/model.py train

lint: $(STAMP) ## ruff lint and format check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP) ## mypy on bot/, actions/, region/
	$(BIN)/mypy

validate: $(STAMP) ## rasa data validate --fail-on-warnings
	$(BIN)/rasa data validate --domain domain.yml --fail-on-warnings --quiet

pytest: $(STAMP) ## pytest: the tests that need no real Rasa on four workers, then the slow ones on two
	$(BIN)/pytest -m "not slow" -q -n $(FAST_WORKERS)
	$(BIN)/pytest -m slow -n 2 --dist loadfile

conversations: $(STAMP) ## Conversation tests tests/test_*.yml with --fail-on-prediction-errors
	$(BIN)/rasa test core --stories tests/ --model "$$($(PY) scripts/model.py path)" \
	    --fail-on-prediction-errors --out results/core --quiet

nlu-eval: $(STAMP) ## The held-out sets, end to end (what a client receives first), and their guards
	$(PY) -m actions.directory ensure
	$(PY) scripts/evaluate_nlu.py

compare-pipelines: $(STAMP) ## Cross-validate the candidate NLU pipelines (slow: minutes)
	$(PY) scripts/compare_pipelines.py

compare-languages: $(STAMP) ## One mixed NLU model or one per language, on the held-out sets (slow: three trainings)
	$(PY) scripts/compare_languages.py

region: $(STAMP) ## Regenerate what comes from the region file: the NLU lookup table, the region's slots in domain.yml
	$(PY) -m actions.gazetteer lookup > data/nlu/lookup_location.yml
	$(PY) -m region domain

directory: $(STAMP) ## Rebuild the service directory database from the shipped HSDS data
	$(PY) -m actions.directory build

bench: $(STAMP) ## Run the benchmarks under bench/ (starts its own servers)
	$(PY) bench/run_all.py

system-packages: ## Install what the tests need from Debian if missing: chromium, PostgreSQL, Redis
	@scripts/ensure-system-packages

clean: ## Remove the environment, models and runtime state
	rm -rf $(VENV) models results var .pytest_cache .mypy_cache .ruff_cache

$(STAMP): $(REQUIREMENTS)
	@test -x $(PY) || { python=$$(scripts/find-python) && "$$python" -m venv $(VENV); }
	$(BIN)/pip install --quiet -c requirements/constraints.txt -r requirements/dev.txt
	@touch $@
