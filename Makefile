# kb: two commands do all the set-up: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SITE ?= examples/site
INDEX_DIR ?= .kb-index
HOST ?= 127.0.0.1
PORT ?= 5000
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
CATALOGS := $(wildcard kb/translations/*/LC_MESSAGES/messages.po)
COMPILED := $(CATALOGS:.po=.mo)

.PHONY: install install-test run test lint typecheck check bench clean htmx browser axe messages

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(BIN)/python pyproject.toml constraints.txt
	$(BIN)/python -m pip install --quiet -c constraints.txt -e .
	touch $@

$(TEST_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test]'
	touch $@

## install: create .venv with the `kb` command, compile the UI's catalogs, fetch htmx (pinned, checksum-verified)
install: $(STAMP) $(COMPILED) htmx

%.mo: %.po $(STAMP)
	$(BIN)/pybabel -q compile -i $< -o $@

## messages: extract the UI's words into messages.pot and merge them into every catalog
messages: $(STAMP)
	$(BIN)/pybabel -q extract -F kb/translations/babel.cfg -k _l -k N_ -k said --no-location --sort-output -o kb/translations/messages.pot .
	$(BIN)/pybabel -q update -i kb/translations/messages.pot -d kb/translations --no-fuzzy-matching --ignore-obsolete

htmx: $(STAMP)
	@$(BIN)/python scripts/fetch_htmx.py || echo "htmx not installed: pages still work without JavaScript enhancements"

## run: install, index the example docs and serve them on http://$(HOST):$(PORT)
run: install
	$(BIN)/kb index $(SITE) --index-dir $(INDEX_DIR)
	$(BIN)/kb serve --index-dir $(INDEX_DIR) --host $(HOST) --port $(PORT)

## axe: fetch axe-core for the accessibility tests (pinned, checksum-verified)
axe: $(TEST_STAMP)
	@$(BIN)/python scripts/fetch_axe.py || echo "axe-core not installed: the accessibility tests will be skipped"

## browser: install Debian's chromium for the browser tests where it is missing
browser:
	@scripts/ensure_chromium.sh

## test: install test dependencies and run every test (lint and types included)
test: $(TEST_STAMP) $(COMPILED) htmx axe browser lint typecheck
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## lint: ruff, and the import contracts of the pipeline's layers (pyproject.toml, docs/architecture.md)
lint: $(TEST_STAMP)
	$(BIN)/ruff check kb tests bench scripts wsgi.py
	$(BIN)/ruff format --check kb tests bench scripts wsgi.py
	$(BIN)/lint-imports

typecheck: $(TEST_STAMP)
	$(BIN)/mypy

clean:
	rm -rf $(VENV) $(INDEX_DIR) static/vendor tests/browser/vendor .pytest_cache .mypy_cache .ruff_cache
