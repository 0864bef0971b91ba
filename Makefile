# Campus Booking: `make run` serves the API on SQLite, `make test` runs the whole suite.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000

NODE_TOOLS := tools/node

.PHONY: install node-tools run migrate test lint bench lock clean

install: $(VENV)/.installed

$(VENV)/.installed: requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@

# Node.js tools the tests run (Redocly's OpenAPI linter), pinned by tools/node/package-lock.json.
node-tools: $(NODE_TOOLS)/node_modules/.installed

# Without npm the Redocly test skips (in CI it fails), so `make test` needs only Python and make.
$(NODE_TOOLS)/node_modules/.installed: $(NODE_TOOLS)/package.json $(NODE_TOOLS)/package-lock.json
	@if command -v npm >/dev/null; then \
		cd $(NODE_TOOLS) && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error && touch node_modules/.installed; \
	else \
		echo "npm not found: the Redocly lint test will skip"; \
	fi

migrate: install
	$(BIN)/campus-booking migrate

run: migrate
	$(BIN)/campus-booking serve --host $(HOST) --port $(PORT)

lint: install
	$(BIN)/ruff check src tests migrations benchmarks
	$(BIN)/ruff format --check src tests migrations benchmarks
	$(BIN)/mypy

test: lint node-tools
	$(BIN)/pytest

# Benchmarks against the framework's ceiling (not part of `make test`); on PostgreSQL:
#   make bench BENCH_ARGS="--postgres postgresql+asyncpg://postgres@127.0.0.1:5432/test"
bench: install
	$(BIN)/python -m benchmarks.run $(BENCH_ARGS)

# Re-pin every dependency after editing pyproject.toml; requirements-runtime.lock (the
# container image's) holds the same pins without the development tools.
lock: install
	$(BIN)/python -m pip install --quiet uv
	$(BIN)/uv pip compile pyproject.toml --extra dev --universal --python-version 3.11 \
		--generate-hashes --quiet -o requirements.lock
	$(BIN)/uv pip compile pyproject.toml --constraint requirements.lock --universal --python-version 3.11 \
		--generate-hashes --quiet -o requirements-runtime.lock

clean:
	rm -rf $(VENV) $(NODE_TOOLS)/node_modules .pytest_cache .mypy_cache .ruff_cache .hypothesis
