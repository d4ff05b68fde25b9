#!/usr/bin/env bash
# CI only: stops the servers start.sh STATE started (by their pid files) and removes STATE.
set -uo pipefail
STATE=${1:?usage: stop.sh STATE_DIR}
for pidfile in "$STATE/nginx.pid" "$STATE/oidc.pid"; do
    [ -s "$pidfile" ] || continue
    pid=$(cat "$pidfile")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
done
rm -rf "$STATE"
