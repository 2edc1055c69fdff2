# Two commands do everything on a fresh machine: `make demo` and `make test`.
# Both build .venv first (through `make setup`) when it is missing or out of date.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
export TF_CPP_MIN_LOG_LEVEL := 3
export PYTHONDONTWRITEBYTECODE := 1

# Headless runs: no display, and one BLAS thread per process because tests and
# notebooks run two at a time on two cores. (Not for `make lab`: plots show there.)
test test-fast demo validate bench: export MPLBACKEND := Agg
test test-fast demo validate bench: export OPENBLAS_NUM_THREADS := 1
test test-fast demo validate bench: export OMP_NUM_THREADS := 1

.PHONY: setup sandbox demo test test-fast lab release validate bench clean

setup: $(STAMP)
	@command -v bwrap >/dev/null 2>&1 || $(MAKE) --no-print-directory sandbox

# The grader's sandbox (bubblewrap): installed when we can (root with apt-get), else the
# one command to run is printed. `autograde doctor` says whether it works, and why not.
sandbox:
	@if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing bubblewrap, the grader's sandbox"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	        bubblewrap >/dev/null) || echo "could not install bubblewrap: apt-get install bubblewrap"; \
	else \
	    echo "note: the grader's sandbox needs bubblewrap: sudo apt-get install bubblewrap" \
	         "(then check with: $(BIN)/autograde doctor)"; \
	fi

# Re-install only when the pinned set or the package metadata changed.
$(STAMP): pyproject.toml requirements/lock.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"
	$(BIN)/python -m pip install --quiet -c requirements/lock.txt -e ".[test]"
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (course)" >/dev/null
	@touch $(STAMP)

demo: setup
	$(BIN)/autograde demo

# Everything, what CI runs (about 7 minutes on 2 cores). Timings are `make bench`'s job.
test: setup
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -n 2 --dist loadfile --durations=15

# The unit tier, to run often: no whole notebook is run or graded (under 2 minutes).
test-fast: setup
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -n 2 -m "not slow" --durations=10

lab: setup
	$(BIN)/jupyter lab --notebook-dir=notebooks

release: setup
	$(BIN)/autograde release

validate: setup
	$(BIN)/autograde validate

bench: setup
	$(BIN)/python bench/run_all.py --out build/bench/BENCH.md

clean:
	rm -rf build .pytest_cache
