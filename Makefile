# OncoPRO: `make demo` starts the demo, `make test` runs every check. Both
# install what they need first, into .venv, and only again when the
# requirements change.

# The first Python 3.12+ on PATH; `python3` first so that pyenv's
# .python-version wins. If there is none, python3 is used and
# scripts/check_python.py says so in plain words.
PYTHON ?= $(shell for p in python3 python3.14 python3.13 python3.12; do \
	$$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1 && { echo $$p; exit 0; }; \
	done; echo python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: help install demo run worker test lint typecheck migrations-check pytest-sqlite pytest-postgres check-deploy lock clean

help:
	@echo "make demo    install, then start the demo clinic (SQLite) on http://127.0.0.1:8000"
	@echo "make test    install, then run every check and the whole test suite (SQLite and PostgreSQL)"
	@echo "make lint | typecheck | migrations-check | pytest-sqlite | pytest-postgres | lock | clean"

install: $(STAMP)

$(STAMP): requirements.txt requirements-dev.txt constraints.txt pyproject.toml
	@$(PYTHON) scripts/check_python.py
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt -c constraints.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	@touch $(STAMP)

demo: install
	$(BIN)/oncopro demo

worker: install
	$(BIN)/oncopro worker

test: install lint typecheck migrations-check pytest-sqlite pytest-postgres

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-logo

typecheck: install
	$(BIN)/mypy

migrations-check: install
	$(BIN)/python manage.py makemigrations --check --dry-run

pytest-sqlite: install
	$(BIN)/pytest --db=sqlite

pytest-postgres: install
	$(BIN)/pytest --db=postgres

# Pin every transitive dependency at the versions installed now.
lock: install
	$(BIN)/python -m pip freeze --exclude-editable | grep -v '^oncopro' > constraints.txt

clean:
	rm -rf $(VENV) test-artifacts .mypy_cache .ruff_cache .pytest_cache
