# The two commands a new user needs: `make demo` and `make test`.
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Every Python package at the version and hash `make lock` resolved: a release of a
# dependency or a dev tool changes nothing here until the lock is renewed.
LOCK := requirements.lock
# GraphiQL's files, from the npm registry, so that the hub serves them on a closed network.
GRAPHIQL := hub/graphiql/node_modules/.package-lock.json

.PHONY: demo test lint bench bench-news bench-peers lock wheelhouse clean

$(STAMP): pyproject.toml $(LOCK)
	$(PYTHON) -c 'import sys; sys.exit("Python 3.11 or newer is needed" if sys.version_info < (3, 11) else 0)'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes -r $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	@$(BIN)/python -m pip check >/dev/null || { $(BIN)/python -m pip check; \
	  echo "pyproject.toml asks for more than $(LOCK) holds: run 'make lock'"; exit 1; }
	touch $(STAMP)

$(GRAPHIQL): hub/graphiql/package-lock.json
	@if command -v npm >/dev/null; then \
	  npm ci --prefix hub/graphiql --ignore-scripts --no-audit --no-fund --loglevel=error; \
	else echo "npm not found: the hub will answer GraphQL but not serve GraphiQL"; fi

demo: $(STAMP) $(GRAPHIQL)
	$(BIN)/wenming demo --serve

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test: lint $(GRAPHIQL)
	$(BIN)/pytest

bench: $(STAMP)
	$(BIN)/python -m bench.county_tree

# The news path beside trafilatura + htmldate, installed in the bench's own environment.
BENCH_VENV := .venv-bench
$(BENCH_VENV)/.installed: pyproject.toml $(LOCK) bench/requirements-peer.txt
	$(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/python -m pip install --quiet --require-hashes -r $(LOCK)
	$(BENCH_VENV)/bin/python -m pip install --quiet --no-deps --no-build-isolation -e .
	$(BENCH_VENV)/bin/python -m pip install --quiet -r bench/requirements-peer.txt
	touch $@

bench-news: $(BENCH_VENV)/.installed
	$(BENCH_VENV)/bin/python -m bench.news_quality --peer

# The hub beside PostGraphile 5 on PostgreSQL (bench/peers.py): PostGraphile and the Node 22
# it needs come from npm into bench/peer, the load generator is Debian's wrk.
PEER_NODE := bench/peer/node_modules/.package-lock.json
$(PEER_NODE): bench/peer/package.json bench/peer/package-lock.json
	cd bench/peer && npm ci --no-audit --no-fund --loglevel=error
	touch $@

bench-peers: $(STAMP) $(PEER_NODE)
	command -v wrk >/dev/null || apt-get install -y wrk
	$(BIN)/python -m bench.peers

# Renew the lock after changing the dependencies in pyproject.toml.
lock: $(STAMP)
	$(BIN)/python -m pip install --quiet 'uv>=0.9,<1'
	echo 'setuptools>=77' | $(BIN)/uv pip compile pyproject.toml - --extra dev --universal \
	  --python-version 3.11 --generate-hashes --quiet --custom-compile-command 'make lock' -o $(LOCK)

# Everything an offline county server installs from (docs/operations.md), for this
# machine's platform and Python.
wheelhouse: $(STAMP) $(GRAPHIQL)
	$(BIN)/python -m pip download --quiet --require-hashes --no-deps -r $(LOCK) -d wheelhouse
	$(BIN)/python -m pip wheel --quiet --no-deps --no-build-isolation -w wheelhouse .
	cp $(LOCK) wheelhouse/

clean:
	rm -rf $(VENV) $(BENCH_VENV) .mypy_cache .ruff_cache .pytest_cache hub/graphiql/node_modules wheelhouse
