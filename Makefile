# triad — one-command set-up. Needs only Python 3.11 on the PATH.
PYTHON ?= python3.11
VENV   ?= .venv
BIN    := $(VENV)/bin
RUN_STAMP  := $(VENV)/.installed-run
TEST_STAMP := $(VENV)/.installed-test

.PHONY: run test lint bench setup clean

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "make: $(PYTHON) not found; install Python 3.11 or run 'make PYTHON=/path/to/python3.11'"; exit 2; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# the default run needs the base dependencies only: no launcher, Ray or ema_workbench
$(RUN_STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

# the tests need every extra (launchers, Ray, ema_workbench) and pytest, hypothesis, ruff
$(TEST_STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e ".[test]"
	@touch $@ $(RUN_STAMP)

setup: $(RUN_STAMP)

## make run: set up and run the default experiment (the factual baseline with its report)
run: $(RUN_STAMP)
	$(BIN)/triad

## make test: set up with the test extra and run the test suite
test: $(TEST_STAMP)
	$(BIN)/python -m pytest -q

## make lint: ruff (pyflakes, bugbear, import order; configured in pyproject.toml)
lint: $(TEST_STAMP)
	$(BIN)/ruff check .

## make bench: replicate-days per second against the pre-issue engine, make run warm time, backtest wall time (writes benchmarks/results.json and the measured blocks of README.md and docs/ODD.md)
bench: $(RUN_STAMP)
	$(BIN)/python benchmarks/bench.py
	$(BIN)/python benchmarks/bench_backtest.py

clean:
	rm -rf $(VENV) outputs multirun .pytest_cache
