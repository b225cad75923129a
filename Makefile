# triad — one-command set-up. Needs only Python 3.11, 3.12 or 3.13 on the PATH.
# PYTHON picks the interpreter (default: the first of python3.11, 3.12, 3.13 found); each
# interpreter gets its own venv: .venv for 3.11, .venv-3.12 / .venv-3.13 for the others
# (override with VENV=...), so `make run PYTHON=python3.12` never reuses a 3.11 venv.
PYTHON ?= $(shell for p in python3.11 python3.12 python3.13; do command -v $$p >/dev/null 2>&1 && { echo $$p; break; }; done)
PYVER  := $(shell $(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)
VENV   ?= .venv$(if $(filter-out 3.11,$(PYVER)),-$(PYVER))
BIN    := $(VENV)/bin
RUN_STAMP  := $(VENV)/.installed-run
TEST_STAMP := $(VENV)/.installed-test

# Bytecode caching on for our commands even where the environment turns it off (these
# machines set PYTHONDONTWRITEBYTECODE=1): without it every process of the test suite, each
# xdist worker and each `python -m sim` a test starts, compiles sim/ and the test modules
# again (about a second each on a fresh clone). Python treats the empty value as unset.
export PYTHONDONTWRITEBYTECODE :=

# pytest-xdist: one worker per core; a file's tests stay on one worker (tests/conftest.py)
XDIST  := -n auto --dist loadgroup

.PHONY: run test test-fast lint bench setup clean

$(BIN)/python:
	@test -n "$(PYVER)" || { echo "make: no Python found (tried '$(PYTHON)'); install Python 3.11, 3.12 or 3.13, or run 'make PYTHON=/path/to/python3.12'"; exit 2; }
	@case "$(PYVER)" in 3.11|3.12|3.13) ;; *) echo "make: $(PYTHON) is Python $(PYVER); triad needs 3.11, 3.12 or 3.13"; exit 2;; esac
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

## make test: set up with the test extra and run the whole test suite on every core,
## the slow end-to-end cases included, listing the 25 slowest tests at the end
test: $(TEST_STAMP)
	$(BIN)/python -m pytest -q $(XDIST) --durations=25 $(PYTEST_ARGS)

## make test-fast: the edit loop: everything but the tests marked slow (kill stages,
## launchers, wheel, notebook, browser)
test-fast: $(TEST_STAMP)
	$(BIN)/python -m pytest -q $(XDIST) -m "not slow" $(PYTEST_ARGS)

## make lint: ruff (pyflakes, bugbear, import order; configured in pyproject.toml)
lint: $(TEST_STAMP)
	$(BIN)/ruff check .

## make bench: replicate-days per second against the pre-issue engine, make run warm time, backtest wall time (writes benchmarks/results.json and the measured blocks of README.md and docs/ODD.md)
bench: $(RUN_STAMP)
	$(BIN)/python benchmarks/bench.py
	$(BIN)/python benchmarks/bench_backtest.py

clean:
	rm -rf $(VENV) outputs multirun .pytest_cache
