#!/usr/bin/env bash
# The language server end to end (tests/lsp, pytest-lsp): the pinned tools of
# tests/lsp/requirements.txt into the venv $2 (kept between runs, remade when the pins
# change), then the suite against the binary $1.
# Usage: .ci/lsp-test.sh BINARY VENV
set -euo pipefail
bin=$(realpath "$1")
venv=$2
req=tests/lsp/requirements.txt
if ! { [ -x "$venv/bin/pytest" ] && cmp -s "$req" "$venv/.requirements"; }; then
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check --no-deps -r "$req"
    "$venv/bin/pip" check >/dev/null
    cp "$req" "$venv/.requirements"
fi
cd tests/lsp
DSF_CONNECTIONS_BIN=$bin PYTHONDONTWRITEBYTECODE=1 "$OLDPWD/$venv/bin/pytest" -q
