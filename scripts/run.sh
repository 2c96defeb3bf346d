#!/usr/bin/env bash
# `make run`: migrate, load the demo world, then web + Celery worker + beat on 127.0.0.1:$PORT.
# Ctrl-C stops all three.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT="${PORT:-8000}"
HOST="${HOST:-127.0.0.1}"
PY=.venv/bin/python
# Passkeys (WebAuthn) work only on a secure context or localhost, never on an IP address.
export OTP_WEBAUTHN_ALLOWED_ORIGINS="${OTP_WEBAUTHN_ALLOWED_ORIGINS:-http://localhost:$PORT}"
mkdir -p var/run var/log

$PY manage.py migrate --noinput -v0
$PY manage.py seed_demo

pids=()
stop() {
  trap - INT TERM EXIT
  echo "Stopping web, worker and beat (the worker finishes its current task first)..."
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap stop INT TERM EXIT

# A worker and beat left over from an earlier run that was killed hard would hold their pid files.
for name in worker beat; do
  if [ -f "var/run/$name.pid" ] && ! kill -0 "$(cat "var/run/$name.pid")" 2>/dev/null; then rm -f "var/run/$name.pid"; fi
done

.venv/bin/celery -A portal worker --loglevel=INFO --concurrency=2 --hostname="worker@%h" \
  --pidfile=var/run/worker.pid >var/log/worker.log 2>&1 &
pids+=($!)
.venv/bin/celery -A portal beat --loglevel=INFO --pidfile=var/run/beat.pid >var/log/beat.log 2>&1 &
pids+=($!)

cat <<MSG

  Provider portal:  http://localhost:$PORT/   (passkeys need localhost; http://$HOST:$PORT/ works for the rest)
  Reviewer admin:   http://localhost:$PORT/admin/
  Health:           http://$HOST:$PORT/health/
  Worker and beat logs: var/log/worker.log, var/log/beat.log
  Demo logins are listed above (password for all: ${DEMO_PASSWORD:-Evergreen#Clinic48}).
  Stop with Ctrl-C.

MSG
$PY manage.py runserver "$HOST:$PORT" --noreload &
pids+=($!)
wait -n "${pids[@]}"
