# The portal's two commands (README): `make run` serves it, `make test` tests it.
# Both set up everything on a fresh machine: virtualenv, packages, translations, database, demo data.
# With DATABASE_URL / REDIS_URL unset they start the embedded PostgreSQL and Redis (var/) and stop them on exit.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
PORT ?= 8000
PYTEST_ARGS ?=
# Runs a command with both servers available (civil_affairs/embedded.py).
WITH_SERVERS := $(PY) -m civil_affairs.embedded exec --
SETUP := $(PY) manage.py compile_translations && $(PY) manage.py migrate --noinput && $(PY) manage.py load_demo

.PHONY: run test install lint format clean-var

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed

run: install
	@$(WITH_SERVERS) bash -c '$(SETUP) \
		&& $(PY) manage.py collectstatic --noinput --verbosity 0 \
		&& echo && echo "Portal: http://127.0.0.1:$(PORT)/   (Ctrl-C stops the portal, the worker and beat)" && echo \
		&& HTTPS=$${HTTPS:-0} exec $(BIN)/honcho start --port $(PORT)'

test: install
	@tools/install-browser
	@$(WITH_SERVERS) bash -c '$(SETUP) && $(BIN)/ruff check . && $(BIN)/mypy . && exec $(BIN)/pytest $(PYTEST_ARGS)'

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .
