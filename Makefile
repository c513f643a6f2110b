# DL Playground: `make run` serves the playground, `make test` runs every test.
VENV ?= .venv
PYTHON ?= python3
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint bench install install-dev clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed
	$(PY) -m pip install --quiet -e '.[dev,torch]'
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# One BLAS thread per request: a class's concurrent requests share the cores instead of
# fighting over them (a busy machine made multithreaded solves over 10x slower).
run: install
	@echo "DL Playground on http://$(HOST):$(PORT)  (API docs: http://$(HOST):$(PORT)/docs)"
	OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 \
	  $(VENV)/bin/uvicorn server.main:app --host $(HOST) --port $(PORT)

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

test: lint
	$(PY) -m pytest

bench: install-dev
	$(PY) bench/bench_api.py

clean:
	rm -rf $(VENV) build test-results .pytest_cache .ruff_cache .hypothesis
