#!/usr/bin/env bash
# The whole test suite (`make test` runs it after lint), in two pytest runs:
#   1. the unit tests, spread over the cores by pytest-xdist: each worker process has its own test database
#      (test_<name>_gw0, ... on PostgreSQL; its own file on SQLite) and its own tmp_path;
#   2. the browser and integration tests, one at a time: they start Chromium, a live server and real Celery
#      workers, and wait on them with timeouts that a second suite on the same cores would eat into.
# Arguments go to both runs (e.g. `--screenshot only-on-failure --output test-results`, or a path); a `-m` among
# them replaces each run's own. Both runs run even if the first fails; the status is the first failure's.
# TEST_WORKERS sets the unit run's processes (default: one per core; 0 runs them in this process).
set -uo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python

status=0
selected=0
run() {
  "$PY" -m pytest "$@"
  local code=$?
  case $code in
    0) selected=1 ;;
    5) ;; # no test selected in this run (e.g. a path with unit tests only)
    *) [ "$status" -ne 0 ] || status=$code ;;
  esac
}

run -n "${TEST_WORKERS:-auto}" --dist loadgroup -m "not browser and not integration" "$@"
run -p no:xdist -m "browser or integration" "$@"
if [ "$status" -eq 0 ] && [ "$selected" -eq 0 ]; then
  status=5
fi
exit "$status"
