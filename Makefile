# Connector Hub. Two commands on a fresh machine:
#   make run   install, migrate, load the catalogue, start web + worker + beat, print the URL
#   make test  install and run the whole suite (lint, types, tests)

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python
HOST   ?= 127.0.0.1
PORT   ?= 8000
# honcho gives every process its own $PORT (base + 100 per process), so the web port travels
# as WEB_PORT.
# With ETH_RPC_URL set (e.g. mainnet), the local dev chain is not started.
PROCESSES ?= $(if $(ETH_RPC_URL),web worker beat,chain web worker beat)$(HEALTH_PROCESSES)
# "ready" prints one line per process once it answers, then the URL (core announce_when_ready).
# health: HEALTH_USE_SIMULATOR=true also starts the exchange simulator, which the checks probe.
HEALTH_PROCESSES := $(if $(filter true 1 yes on,$(HEALTH_USE_SIMULATOR)), exchange_sim)

.PHONY: run test install lint format typecheck pytest lock browser-deps clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)

# Reinstall only when the lock file changes.
$(VENV)/.installed: requirements-dev.lock pyproject.toml | $(BIN)/activate
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.lock
	touch $@

install: $(VENV)/.installed

run: install
	@mkdir -p var
	$(PY) manage.py migrate --noinput
	$(PY) manage.py import_catalogue
	$(PY) manage.py load_governance_history
	@echo
	@echo "  Starting $(PROCESSES); the URL is printed once the site answers."
	@echo "  Chain: $(if $(ETH_RPC_URL),ETH_RPC_URL as set in the environment,local dev chain on http://127.0.0.1:8545 (demo HBOT; keys on the sign-in page))"
	@echo "  Exchanges: $(if $(filter true 1 yes on,$(HEALTH_USE_SIMULATOR)),the exchange simulator on $${HEALTH_SIMULATOR_URL:-http://127.0.0.1:8765} (offline),the live exchanges (HEALTH_USE_SIMULATOR=true for the offline simulator))"
	@echo
	PATH="$(CURDIR)/$(BIN):$$PATH" WEB_HOST=$(HOST) WEB_PORT=$(PORT) SEED_DEMO=$(if $(ETH_RPC_URL),,1) READY_PROCESSES="$(PROCESSES)" $(BIN)/honcho -f Procfile.dev start $(PROCESSES) ready

test: install browser-deps lint typecheck pytest

lint: install
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

typecheck: install
	$(BIN)/mypy

pytest: install
	$(BIN)/pytest $(PYTEST_ARGS)

# Debian's chromium for the Playwright browser tests (Playwright's own download is not used),
# and axe-core, which they inject into every page to check its accessibility.
browser-deps: node_modules/axe-core/axe.min.js
	@scripts/ensure-chromium

# The npm packages exactly as package-lock.json pins them, without their install scripts;
# again whenever the lock file changes.
node_modules/axe-core/axe.min.js: package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund
	@touch $@

# Regenerate the lock files after editing pyproject.toml.
lock: | $(BIN)/activate
	$(PY) -m pip install --quiet pip-tools
	$(BIN)/pip-compile --quiet --strip-extras --no-emit-index-url --no-emit-find-links \
		-o requirements.lock pyproject.toml
	$(BIN)/pip-compile --quiet --strip-extras --no-emit-index-url --no-emit-find-links \
		--extra dev -o requirements-dev.lock pyproject.toml

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache node_modules
