# Audit Binder. `make demo` runs the app on the built-in demo account; `make test`
# runs the whole suite. Both create .venv and install what they need by themselves.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The user's own Qt platform (if any), before the tests' offscreen default: `make demo`
# opens a real window with it.
USER_QT_QPA := $(QT_QPA_PLATFORM)
export QT_QPA_PLATFORM ?= offscreen
DEMO_PDF ?= audit-binder-demo.pdf
PACKAGE_CHECK_PDF := build/package-check/audit-binder-demo.pdf

.PHONY: all venv test lint format demo screenshots package package-check bench clean

all: test

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip setuptools wheel
	$(BIN)/python -m pip install --quiet -e '.[test,dev,demo]'
	@touch $(STAMP)

venv: $(STAMP)

# The suite runs on PYTEST_WORKERS processes (pytest-xdist; each starts its own moto
# server and PostgreSQL cluster; a test module stays on one worker, so its module-scoped
# fixtures are built once); `make test PYTEST_WORKERS=0` runs it serially in one process.
# PYTEST_ARGS adds pytest arguments: `make test PYTEST_ARGS="tests/ui -x --durations=20"`.
PYTEST_WORKERS ?= auto

test: $(STAMP)
	@$(BIN)/python packaging/qt_preflight.py
	$(BIN)/python -m pytest -q -n $(PYTEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check app tests bench migrations packaging
	$(BIN)/ruff format --check app tests bench migrations packaging
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff format app tests bench migrations packaging
	$(BIN)/ruff check --fix app tests bench migrations packaging

# The GUI on the built-in demo account (a local fake AWS); with no display, the headless
# demo, which writes $(DEMO_PDF). macOS has a display without setting DISPLAY.
demo: $(STAMP)
	@if [ -n "$$DISPLAY$$WAYLAND_DISPLAY" ] || [ "$$(uname -s)" = Darwin ]; then \
		echo "Opening Audit Binder on the demo account (a local fake AWS; nothing real is touched)..."; \
		$(if $(USER_QT_QPA),QT_QPA_PLATFORM=$(USER_QT_QPA),env -u QT_QPA_PLATFORM) $(BIN)/audit-binder --demo; \
	else \
		echo "No display (neither DISPLAY nor WAYLAND_DISPLAY is set): running the headless demo instead."; \
		$(BIN)/audit-binder demo --pdf "$(DEMO_PDF)" && \
		echo "The demo binder is $(abspath $(DEMO_PDF))"; \
	fi

# One-folder bundle in dist/audit-binder/ (PyInstaller; see packaging/README.md).
package: $(STAMP)
	@$(BIN)/python -c "import PyInstaller" 2>/dev/null || $(BIN)/python -m pip install --quiet -e '.[package]'
	$(BIN)/python -m PyInstaller --noconfirm --clean --log-level WARN \
		--distpath dist --workpath build/pyinstaller packaging/audit-binder.spec
	@du -sh dist/audit-binder

# The frozen binary's headless demo: its binder read back, its results compared with
# the same demo run from the source tree.
package-check: $(STAMP)
	@test -x dist/audit-binder/audit-binder || { echo "No bundle: run make package first."; exit 1; }
	@rm -rf build/package-check && mkdir -p build/package-check
	dist/audit-binder/audit-binder demo --pdf $(PACKAGE_CHECK_PDF) \
		--db build/package-check/frozen.sqlite3
	$(BIN)/audit-binder demo --pdf build/package-check/source.pdf \
		--db build/package-check/source.sqlite3 > /dev/null
	$(BIN)/python packaging/check_binder.py $(PACKAGE_CHECK_PDF) \
		--db build/package-check/frozen.sqlite3 --reference-db build/package-check/source.sqlite3

# Every benchmark in bench/ with quick settings (a few minutes), printing their figures and
# the machine's load; BENCH_ARGS="--full" runs each at the sizes its aims are stated for,
# BENCH_ARGS="scan.py" only that one (see bench/all.py).
bench: $(STAMP)
	$(BIN)/python bench/all.py $(BENCH_ARGS)

# The README's screenshots (docs/screenshots/*.png): the main screens on the demo account,
# rendered offscreen in a temp HOME (nothing of yours is read or written).
screenshots: $(STAMP)
	$(BIN)/python docs/screenshots/render.py --out docs/screenshots

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .mypy_cache .ruff_cache
