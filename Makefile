# The two commands of the README, and a few for daily work.
.PHONY: run test test-fast lint format bench clean

PY := .venv/bin/python

run:            ## Set up, load the demo world and start web + worker + beat on 127.0.0.1:$${PORT:-8000}
	@scripts/setup.sh run
	@scripts/run.sh

test:           ## Set up and run the whole suite: lint, unit, integration, browser
	@scripts/setup.sh test
	@.venv/bin/ruff check .
	@.venv/bin/ruff format --check .
	@scripts/test.sh $(PYTEST_ARGS)

test-fast:      ## Unit tests only (no browser, no worker process); assumes `make test` ran once
	@$(PY) -m pytest -n $${TEST_WORKERS:-auto} --dist loadgroup -m "not browser and not integration" -q $(PYTEST_ARGS)

lint:
	@.venv/bin/ruff check . && .venv/bin/ruff format --check .

format:
	@.venv/bin/ruff check --fix . && .venv/bin/ruff format .

bench:          ## Benchmarks under production settings (see bench/README.md)
	@scripts/setup.sh run
	@$(PY) bench/run.py $(BENCH_ARGS)

clean:
	rm -rf var staticfiles test-results .pytest_cache
