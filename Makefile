# Two commands do all the set-up on a fresh machine with Python 3.11+ and pip:
#   make dist   build every article in source/ into dist/
#   make test   run the whole suite
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: dist test lint clean bytecode

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test,dask]'
	touch $(STAMP)

# An editable install compiles no bytecode (a normal one does): every galleys process would
# compile the package again (~0.2 s) where PYTHONDONTWRITEBYTECODE is set.
bytecode: $(STAMP)
	$(BIN)/python -m compileall -q src/galleys

dist: bytecode
	$(BIN)/galleys build source -o dist

test: bytecode
	$(BIN)/python -m pytest -q
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy
	$(BIN)/galleys build source -o dist --check

lint: $(STAMP)
	$(BIN)/ruff check src tests bench

clean:
	rm -rf $(VENV) build src/*.egg-info
