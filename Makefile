# xxgk — `make run` checks and stores the bundled sample reports and serves the web application;
# `make test` runs every test
# (against SQLite and a throwaway PostgreSQL server that scripts/with-postgres starts).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup run test lint bench fuzz load score screenshots clean

# an installed .venv whose python cannot import xxgk (moved, its python gone) is made anew
setup:
	@[ ! -e $(STAMP) ] || $(BIN)/python -c 'import xxgk' 2>/dev/null || { \
		echo "xxgk: $(VENV) is broken; rebuilding it" >&2; rm -rf $(VENV); }
	@$(MAKE) --no-print-directory $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev,ocr,cluster]'
	touch $(STAMP)

# read and check the samples, store them in xxgk.db (SQLite), serve http://127.0.0.1:8000
run: setup
	$(BIN)/xxgk check samples/*.txt || [ $$? -eq 1 ]
	$(BIN)/xxgk ingest samples/*.txt
	$(BIN)/xxgk serve --host 127.0.0.1 --port 8000

test: setup
	scripts/system-deps
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/ruff format --check src tests bench scripts
	scripts/with-postgres $(BIN)/pytest

lint: setup
	$(BIN)/ruff check src tests bench scripts

# the README's pictures of the check and statistics pages (docs/screenshot-*.png), in chromium
screenshots: setup
	scripts/system-deps
	$(BIN)/python scripts/screenshots.py

bench: setup
	scripts/system-deps
	$(BIN)/python bench/bench_reader.py
	$(BIN)/python bench/bench_cli.py
	$(BIN)/python bench/bench_formats.py
	$(BIN)/python bench/bench_ocr.py
	$(BIN)/python bench/bench_compile.py
	scripts/with-postgres $(BIN)/python bench/bench_store.py
	scripts/with-postgres $(BIN)/python bench/bench_register.py
	$(BIN)/python bench/bench_api.py
	$(BIN)/python bench/bench_documents.py

# damaged files of every format read for FUZZ_SECONDS: any exception but xxgk's own error fails
# (tests/test_fuzz.py runs a few seconds of the same in every test run)
FUZZ_SECONDS ?= 300
fuzz: setup
	$(BIN)/python bench/fuzz.py --seconds $(FUZZ_SECONDS)

# 50 concurrent checks for 30 s against `xxgk serve` on 127.0.0.1, then /api/health's latency while
# a 19 MB upload and a DOCX zip bomb are read (p95, p99 and errors printed; exit 1 past the targets)
load: setup
	$(BIN)/python bench/load.py

# the reader's score on the shared corpus (developers only: needs ../shared)
score: setup
	$(PYTHON) ../shared/tools/score.py --cmd '$(BIN)/xxgk parse --json {}' ../shared/corpus/seeds ../shared/corpus/dev

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis build dist src/*.egg-info
