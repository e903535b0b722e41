# The README's two commands: `make demo` and `make test`. Both set up .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: setup demo test lint clean fuzz bench-neo4j bench-analysis bench-load bench-api

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,spark]'
	touch $@

# GraphiQL's scripts, fetched once into ~/.cache/groupgraph (pinned, hash-checked): the
# server's GraphiQL page loads nothing from elsewhere.
setup: $(VENV)/.installed
	scripts/vendor-graphiql

demo: setup
	$(BIN)/groupgraph demo

# Starts a real Neo4j for the suite (scripts/with-neo4j) unless NEO4J_URI points at one.
test: setup
	$(BIN)/ruff check .
	scripts/install-chromium
	scripts/with-neo4j $(BIN)/python -m pytest

# The fuzzers for ten minutes (FUZZ_SECONDS), with new random cases each run.
fuzz: setup
	scripts/fuzz $(or $(FUZZ_SECONDS),600)

lint: setup
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) demo-output .pytest_cache .ruff_cache *.egg-info

# Benchmarks (not tests): figures for the issues' notes.
bench-neo4j: setup
	scripts/with-neo4j $(BIN)/python scripts/bench/neo4j_load.py

bench-analysis: setup
	$(BIN)/python scripts/bench/analysis.py 10000 100000 1000000

bench-load: setup
	$(BIN)/python scripts/bench/load_serve.py 100000 1000000

# wrk (Debian's package) drives the load: Python clients would take a core from the server.
bench-api: setup
	command -v wrk >/dev/null || apt-get install -y wrk
	$(BIN)/python scripts/bench/api_load.py --parties 100000 --clients 20 --driver wrk --workers 2
