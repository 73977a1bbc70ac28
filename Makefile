# Two commands set everything up on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
VAR := var
export LIGHTFM_NO_CFLAGS := 1
export OPENBLAS_NUM_THREADS := 1
export OMP_NUM_THREADS := 1
FLASK := $(BIN)/flask --app wsgi
DEMO_WORKERS ?= 20000

.PHONY: install install-runtime run prepare serve stack cluster cluster-database db catalog demo train test lint bench clean what-next
BIND := $(or $(RECO_BIND),127.0.0.1:8000)
STACK_PORT ?= 8080

# A current setuptools in the environment too (the venv module seeds an old one with known advisories).
SETUPTOOLS := 84.2.1

# `install`: the developer's environment (runtime, test and lint tools). `make run`/`serve` need the
# runtime only (install_requires): a deployment carries no test tools.
install: $(VENV)/.installed
install-runtime: $(VENV)/.runtime

$(VENV)/.runtime: setup.cfg pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip setuptools==$(SETUPTOOLS)
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed: $(VENV)/.runtime
	$(BIN)/pip install --quiet -e '.[test,dev]'
	touch $@

$(VAR)/secret_key:
	mkdir -p -m 700 $(VAR)
	umask 077; $(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(48))' > $@

# Everything the service needs, then gunicorn on 127.0.0.1:8000 (no proxy: for this machine only).
# Idempotent: a second run reuses the database, the demo population, the served model and the
# demo keys (var/demo-keys.env).
run: prepare
	@$(MAKE) --no-print-directory what-next
	export RECO_SECRET_KEY=$$(cat $(VAR)/secret_key); exec $(BIN)/gunicorn -c gunicorn.conf.py wsgi:app

# The production stack on this machine: the same preparation, then nginx on 127.0.0.1:$(STACK_PORT)
# in front of gunicorn on a private unix socket (deploy/stack.py; README "Deployment").
stack: prepare
	export RECO_SECRET_KEY=$$(cat $(VAR)/secret_key); exec $(BIN)/python -m deploy.stack --port $(STACK_PORT)

# More than one host on this machine: nginx on 127.0.0.1:$(STACK_PORT) balancing $(CLUSTER_INSTANCES)
# gunicorn instances (ports $(STACK_PORT)+1, +2, …) on one PostgreSQL database, one Redis and one
# artifact store (deploy/cluster.py; README "More than one host"). The preparation runs on
# PostgreSQL (the database is created if missing).
CLUSTER_INSTANCES ?= 2
CLUSTER_DATABASE ?= postgresql+psycopg://postgres@127.0.0.1:5432/reco
CLUSTER_REDIS ?= redis://127.0.0.1:6379/0
cluster: export DATABASE_URL = $(CLUSTER_DATABASE)
cluster: export RECO_ARTIFACTS_DIR ?= $(VAR)/cluster-artifacts
cluster: cluster-database prepare
	export RECO_SECRET_KEY=$$(cat $(VAR)/secret_key); exec $(BIN)/python -m deploy.cluster \
	  --instances $(CLUSTER_INSTANCES) --port $(STACK_PORT) --database '$(CLUSTER_DATABASE)' --redis '$(CLUSTER_REDIS)'

cluster-database: install-runtime
	$(BIN)/python -m deploy.cluster --create-database --database '$(CLUSTER_DATABASE)' --redis '$(CLUSTER_REDIS)'

prepare: install-runtime $(VAR)/secret_key
	export RECO_SECRET_KEY=$$(cat $(VAR)/secret_key); \
	$(FLASK) db upgrade && \
	$(FLASK) catalog import catalog/data && \
	$(FLASK) demo populate --workers $(DEMO_WORKERS) && \
	$(FLASK) demo outcomes && \
	{ if [ -e "$${RECO_ARTIFACTS_DIR:-$(VAR)/artifacts}/CURRENT" ]; then \
	    echo "a model is already being served ($$(cat "$${RECO_ARTIFACTS_DIR:-$(VAR)/artifacts}/CURRENT")); retrain with: bin/reco train"; \
	  else $(FLASK) train; fi; } && \
	$(FLASK) demo keys --out $(VAR)/demo-keys.env

what-next:
	@echo ""
	@echo "The service is starting on http://$(BIND)"
	@echo "  Counselors' console (zh-CN): http://$(BIND)/console/   demo sign-in: see var/demo-keys.env"
	@echo "                               (RECO_DEMO_CONSOLE_USER / RECO_DEMO_CONSOLE_PASSWORD)"
	@echo "  API docs (OpenAPI):          http://$(BIND)/docs"
	@echo "  Try the API:                 . var/demo-keys.env; curl -H \"Authorization: Bearer \$$RECO_DEMO_COUNSELOR_KEY\" http://$(BIND)/v1/reference/counties"
	@echo "  Operator commands, in any shell: bin/reco keys list | bin/reco users create --username NAME --job-center JC-TINGHU"
	@echo ""

serve: install-runtime $(VAR)/secret_key
	export RECO_SECRET_KEY=$$(cat $(VAR)/secret_key); exec $(BIN)/gunicorn -c gunicorn.conf.py wsgi:app

test: install
	$(BIN)/python -m pytest

# The dependency audit works offline (deploy/advisories/advisories.json) and adds pip-audit's
# online check when the advisory service answers.
lint: install
	$(BIN)/ruff check . && $(BIN)/mypy && $(BIN)/lint-imports && $(BIN)/python deploy/advisories/audit.py

# The city-scale run (bench/run.py: ranking core, HTTP with wrk, catalog import, RSS; ~10 min),
# then the component benchmarks. BENCH_ARGS="--scale smoke" for a quick check of the harness.
bench: install
	$(BIN)/python bench/run.py $(BENCH_ARGS) && $(BIN)/python bench/bench_eligibility.py \
	&& $(BIN)/python bench/bench_scoring.py && $(BIN)/python bench/bench_push_audience.py \
	&& $(BIN)/python bench/bench_training.py --grid && $(BIN)/python bench/bench_memory.py

clean:
	rm -rf $(VAR) .pytest_cache .hypothesis
