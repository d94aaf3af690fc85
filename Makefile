# Two commands do all the set-up on a fresh machine with Python 3.11+ and pip:
#   make dist   build every article in source/ into dist/
#   make test   run the whole suite
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: dist test lint clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test,dask]'
	touch $(STAMP)

dist: $(STAMP)
	$(BIN)/galleys build source -o dist

test: $(STAMP)
	$(BIN)/python -m pytest -q
	$(BIN)/ruff check src tests bench
	$(BIN)/galleys build source -o dist --check

lint: $(STAMP)
	$(BIN)/ruff check src tests bench

clean:
	rm -rf $(VENV) build src/*.egg-info
