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

.PHONY: install run serve db catalog demo train test lint bench clean

install: $(VENV)/.installed

$(VENV)/.installed: setup.cfg pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

$(VAR)/secret_key:
	mkdir -p $(VAR)
	umask 077; $(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(48))' > $@

# Everything the service needs, then gunicorn on 127.0.0.1:8000.
run: install $(VAR)/secret_key
	export RECO_SECRET_KEY=$$(cat $(VAR)/secret_key); \
	$(FLASK) db upgrade && \
	$(FLASK) catalog import catalog/data && \
	$(FLASK) demo populate --workers $(DEMO_WORKERS) && \
	$(FLASK) demo outcomes && \
	$(FLASK) train && \
	$(FLASK) demo keys --out $(VAR)/demo-keys.env && \
	exec $(BIN)/gunicorn -c gunicorn.conf.py wsgi:app

serve: install $(VAR)/secret_key
	export RECO_SECRET_KEY=$$(cat $(VAR)/secret_key); exec $(BIN)/gunicorn -c gunicorn.conf.py wsgi:app

test: install
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check . && $(BIN)/mypy && $(BIN)/lint-imports

bench: install
	$(BIN)/python bench/bench_eligibility.py && $(BIN)/python bench/bench_scoring.py \
	&& $(BIN)/python bench/bench_push_audience.py

clean:
	rm -rf $(VAR) .pytest_cache .hypothesis
