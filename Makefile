# Audit Binder. `make demo` runs the app on the built-in demo account; `make test`
# runs the whole suite. Both create .venv and install what they need by themselves.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export QT_QPA_PLATFORM ?= offscreen

.PHONY: all venv test lint format demo screenshots package package-check bench clean

all: test

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip setuptools wheel
	$(BIN)/python -m pip install --quiet -e '.[test,dev,demo]'
	@touch $(STAMP)

venv: $(STAMP)

test: $(STAMP)
	@$(BIN)/python packaging/qt_preflight.py
	$(BIN)/python -m pytest -q -p no:cacheprovider $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check app tests bench migrations packaging
	$(BIN)/ruff format --check app tests bench migrations packaging
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff format app tests bench migrations packaging
	$(BIN)/ruff check --fix app tests bench migrations packaging

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .mypy_cache .ruff_cache
