# Two commands do everything on a fresh machine: `make demo` and `make test`.
# Both build .venv first (through `make setup`) when it is missing or out of date.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
export TF_CPP_MIN_LOG_LEVEL := 2
export PYTHONDONTWRITEBYTECODE := 1
export MPLBACKEND := Agg

.PHONY: setup demo test lab release validate clean

setup: $(STAMP)

# Re-install only when the pinned set or the package metadata changed.
$(STAMP): pyproject.toml requirements/lock.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"
	$(BIN)/python -m pip install --quiet -c requirements/lock.txt -e ".[test]"
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (course)" >/dev/null
	@touch $(STAMP)

demo: setup
	$(BIN)/autograde demo

test: setup
	$(BIN)/python -m pytest -n 2 --durations=15

lab: setup
	$(BIN)/jupyter lab --notebook-dir=notebooks

release: setup
	$(BIN)/autograde release

validate: setup
	$(BIN)/autograde validate

clean:
	rm -rf build .pytest_cache
