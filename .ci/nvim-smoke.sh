#!/usr/bin/env bash
# Headless Neovim (Debian's package, installed when missing) starts `dsf-connections lsp` on a
# compose file and reads back its diagnostics; they must be `check --format json`'s.
# Usage: .ci/nvim-smoke.sh BINARY
set -euo pipefail
bin=$(realpath "$1")
if ! command -v nvim >/dev/null; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends neovim >/dev/null
fi
file=$(realpath tests/lsp/nvim/docker-compose.yml)
out=$(mktemp)
trap 'rm -f "$out"' EXIT
DSF_CONNECTIONS_BIN=$bin DSF_NVIM_OUT=$out timeout 60 \
    nvim --headless -u NONE -i NONE -n -c "luafile tests/lsp/nvim/smoke.lua" "$file" </dev/null
# check exits 1: the file has mistakes
json=$("$bin" check --format json --base-dir "$(dirname "$file")" "$file" || true)
want=$(printf '%s' "$json" | python3 -c '
import json, sys
for d in sorted("%d:%d %s" % (d["line"], d["column"], d["code"]) for d in json.load(sys.stdin)["diagnostics"]):
    print(d)')
got=$(cat "$out")
if [ "$got" != "$want" ]; then
    printf 'nvim smoke: diagnostics differ from check\n--- nvim\n%s\n--- check\n%s\n' "$got" "$want" >&2
    exit 1
fi
printf 'nvim smoke: %s diagnostics as check reports them\n' "$(wc -l < "$out")"
