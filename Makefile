# xxgk — `make run` reads and checks the bundled sample reports; `make test` runs every test
# (against SQLite and a throwaway PostgreSQL server that scripts/with-postgres starts).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup run test lint bench score clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: setup
	$(BIN)/xxgk check samples/*.txt || [ $$? -eq 1 ]

test: setup
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	scripts/with-postgres $(BIN)/pytest

lint: setup
	$(BIN)/ruff check src tests bench

bench: setup
	$(BIN)/python bench/bench_reader.py

# the reader's score on the shared corpus (developers only: needs ../shared)
score: setup
	$(PYTHON) ../shared/tools/score.py --cmd '$(BIN)/xxgk parse --json {}' ../shared/corpus/seeds ../shared/corpus/dev

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis build dist src/*.egg-info
