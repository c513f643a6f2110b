# DL Playground: `make run` serves the playground, `make test` runs every test.
VENV ?= .venv
PYTHON ?= python3
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?= 1

.PHONY: run test lint bench install install-dev lock clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	touch $@

# Tests run on the pinned versions of requirements-dev.lock (dev and torch extras; torch is the
# CPU build from PIP_FIND_LINKS). Regenerate both lock files with `make lock` after changing the
# dependencies in pyproject.toml; `make run` keeps the ranges.
$(VENV)/.installed-dev: pyproject.toml requirements-dev.lock
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.lock
	$(PY) -m pip install --quiet --no-deps -e .
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# One BLAS thread per request: a class's concurrent requests share the cores instead of
# fighting over them (a busy machine made multithreaded solves over 10x slower).
run: install
	@echo "DL Playground on http://$(HOST):$(PORT)  (API docs: http://$(HOST):$(PORT)/docs)"
	OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 \
	  $(VENV)/bin/dl-playground --host $(HOST) --port $(PORT) --workers $(WORKERS)

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

test: lint
	$(PY) -m pytest

bench: install-dev
	$(PY) bench/bench_api.py

lock: install-dev
	$(PY) -m pip install --quiet uv
	$(VENV)/bin/uv pip compile pyproject.toml --python-version 3.11 --no-header -q -o requirements.lock
	$(VENV)/bin/uv pip compile pyproject.toml --extra dev --extra torch --python-version 3.11 \
	  --no-header -q $(if $(PIP_FIND_LINKS),--find-links $(PIP_FIND_LINKS)) -o requirements-dev.lock

clean:
	rm -rf $(VENV) build test-results .pytest_cache .ruff_cache .hypothesis
