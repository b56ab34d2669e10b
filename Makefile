# The two commands: `make demo` (set up, then analyze the bundled example) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TRAIN_STAMP := $(VENV)/.installed-train

.PHONY: demo corpus-demo test lint install clean browser

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

# The tests also train a tiny model, so they need the [train] extra (torch, CPU build).
$(TRAIN_STAMP): $(STAMP)
	$(BIN)/pip install --quiet -e '.[dev,train]'
	touch $(TRAIN_STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/claimscope analyze src/claimscope/examples/harbour.txt --html report.html --json report.json

# The corpus scenario: the example corpus into a fresh store, its largest claim clusters, who
# covered "troops" when, and the dated events of that story with their sources (HTML pages and
# the chart in build/corpus-demo/).
CORPUS_DEMO := build/corpus-demo
corpus-demo: $(STAMP)
	rm -rf $(CORPUS_DEMO) && mkdir -p $(CORPUS_DEMO)
	$(BIN)/claimscope ingest src/claimscope/examples/peru_corpus.jsonl --db $(CORPUS_DEMO)/peru.duckdb
	$(BIN)/claimscope claims --db $(CORPUS_DEMO)/peru.duckdb --top 5
	$(BIN)/claimscope coverage troops --db $(CORPUS_DEMO)/peru.duckdb --by outlet --by week \
		--chart $(CORPUS_DEMO)/coverage.svg --html $(CORPUS_DEMO)/coverage.html
	$(BIN)/claimscope timeline troops --db $(CORPUS_DEMO)/peru.duckdb --html $(CORPUS_DEMO)/timeline.html

# The workbench's end-to-end tests drive Debian's chromium with Playwright (not `playwright
# install`, which downloads its own browser build). As root (CI) it is installed when missing;
# elsewhere the browser tests are skipped without it.
browser:
	@if command -v chromium >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ]; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	else echo "chromium is not installed: the browser tests will be skipped (apt-get install chromium)"; fi

test: $(TRAIN_STAMP) browser
	$(BIN)/ruff check --no-cache src tests benchmarks
	$(BIN)/lint-imports --no-cache
	$(BIN)/mypy
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check --no-cache src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/lint-imports --no-cache
	$(BIN)/mypy

clean:
	rm -rf $(VENV) report.html report.json .pytest_cache .hypothesis
