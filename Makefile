# One command from a fresh clone: every target depends on the virtual environment.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install test lint bench train arena  # commands, not files: `arena/` is also a folder

install: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt torch
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev,solver,gym]"
	touch $(STAMP)

test: $(STAMP)
	$(BIN)/python -m pytest -n auto --dist loadfile -q

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: $(STAMP)
	$(BIN)/python benchmarks/run_all.py

train: $(STAMP)
	$(BIN)/muzero-train tictactoe

arena: $(STAMP)
	$(BIN)/muzero-arena
