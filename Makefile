# triad — one-command set-up. Needs only Python 3.11 on the PATH.
PYTHON ?= python3.11
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test bench setup clean

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "make: $(PYTHON) not found; install Python 3.11 or run 'make PYTHON=/path/to/python3.11'"; exit 2; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e ".[test,joblib,ray,submitit,explore]"
	@touch $(STAMP)

setup: $(STAMP)

## make run: set up and run the default experiment (the factual baseline with its report)
run: $(STAMP)
	$(BIN)/triad

## make test: set up and run the test suite
test: $(STAMP)
	$(BIN)/python -m pytest -q

## make bench: replicate-days per second and peak memory (writes benchmarks/results.json)
bench: $(STAMP)
	$(BIN)/python benchmarks/bench.py

clean:
	rm -rf $(VENV) outputs multirun .pytest_cache
