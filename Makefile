# Everyday targets. `make serve` and `make test` are the README's two set-up commands.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

ASSETS := serve/static/govuk/govuk-frontend.min.css

.PHONY: assets install serve test test-all test-model test-slow lint typecheck data baselines evaluate bench docs clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip wheel setuptools
	# torch is pinned to 2.13.0, the CPU build this machine keeps on disk (any other version downloads CUDA).
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e ".[train,dev]"
	touch $(STAMP)

install: $(STAMP)

# GOV.UK Frontend from its npm package (version locked in serve/assets/package-lock.json); `npm ci` also
# installs axe-core, which the browser tests load from serve/assets/node_modules (never served).
$(ASSETS): serve/assets/package-lock.json
	cd serve/assets && npm ci --no-audit --no-fund --loglevel=error
	mkdir -p serve/static/govuk
	cp serve/assets/node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.css serve/assets/node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js serve/static/govuk/
	cp -r serve/assets/node_modules/govuk-frontend/dist/govuk/assets serve/static/govuk/

assets: $(ASSETS)

serve: install assets
	$(BIN)/triage serve --host $(HOST) --port $(PORT)

test: install assets
	$(BIN)/pytest -m "not slow and not model" -q

test-all: install
	$(BIN)/pytest -q

test-model: install
	$(BIN)/pytest -m model -q

test-slow: install
	$(BIN)/pytest -m slow -q

lint: install
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy src/triage serve

data: install
	$(BIN)/triage data build

baselines: data
	$(BIN)/triage baseline tfidf-lr

evaluate: install
	$(BIN)/triage evaluate --model models/minilm-policy
	$(BIN)/triage evaluate --model tfidf-lr
	$(BIN)/triage evaluate --model profanity-check

bench: install
	$(BIN)/triage bench

docs: install
	$(BIN)/triage policy docs

clean:
	rm -rf $(VENV) data/build reports/*/raw .pytest_cache .mypy_cache .ruff_cache
