# udkecon: `make` lists the targets. The environment (.venv) is created on first use.
.DEFAULT_GOAL := help
SHELL := /bin/bash

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.udkecon-installed
# Reports run from the project's environment; a conda user can point BIN at theirs.
PY := $(BIN)/python

.PHONY: help env report handouts test lint lab bench clean

## help: list the targets (the default)
help:
	@echo "udkecon: make <target>"
	@grep -E '^## ' $(MAKEFILE_LIST) | sed -e 's/^## /  /' -e 's/: /\t/' | expand -t 12

$(STAMP): pyproject.toml requirements.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -c requirements.lock -e '.[dev]'
	$(BIN)/python -m ipykernel install --sys-prefix --name udkecon --display-name "Python (udkecon)" >/dev/null
	@touch $(STAMP)

## env: create or update the environment in .venv (pinned by requirements.lock)
env: $(STAMP)

## report: produce the default reports (PDF + Excel + executed notebook) under reports/
report: $(STAMP)
	@$(PY) -m udkecon report

## test: run the test suite (unit tests, notebooks end to end, LibreOffice recalculation)
test: $(STAMP)
	$(BIN)/pytest

## lint: ruff on the package and tests; notebooks must have no outputs
lint: $(STAMP)
	$(BIN)/ruff check udkecon tests benchmarks
	$(BIN)/pytest -q tests/test_notebooks.py

## lab: open JupyterLab on work/, a git-ignored copy of notebooks/ (your edits are kept)
lab: $(STAMP)
	$(PY) -m udkecon.lab sync
	$(BIN)/jupyter lab --notebook-dir=work --MappingKernelManager.default_kernel_name=udkecon

## handouts: one handout (PDF + Excel) per municipality, all 98, in parallel
handouts: $(STAMP)
	$(PY) -m udkecon batch municipality_handout --municipalities all --resume

## bench: time make report (old way vs warm kernels) and the handouts (naive vs batch)
bench: $(STAMP)
	$(PY) benchmarks/reports.py
	$(PY) benchmarks/handouts.py

## clean: remove generated reports and caches (keeps .venv)
clean:
	find reports -mindepth 1 -not -name README.md -prune -exec rm -rf {} +
	rm -rf .pytest_cache .ruff_cache
	find . -name __pycache__ -not -path './$(VENV)/*' -prune -exec rm -rf {} +
