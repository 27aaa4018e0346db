# Two commands do everything on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
ARGS ?= serve

.PHONY: run test lint format bench clean web

run: $(VENV)/.installed
	$(BIN)/waypost $(ARGS)

test: $(VENV)/.installed
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed
	$(BIN)/ruff check --fix src tests bench
	$(BIN)/ruff format src tests bench

bench: $(VENV)/.installed
	$(BIN)/python bench/format.py

# The browser notebook: sources in web/, built into src/waypost/web/ (committed, so installing
# Waypost needs no Node). Needs Node 20.19+ and npm; versions are pinned in web/package-lock.json.
web:
	cd web && npm ci --no-audit --no-fund && npm run build

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e ".[dev]"
	touch $@

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
