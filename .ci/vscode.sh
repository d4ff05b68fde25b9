#!/usr/bin/env bash
# The VS Code extension (editors/vscode) built from its lock file and packaged with vsce, so
# it cannot rot: editors/vscode/dsf-connections.vsix.
set -euo pipefail
cd editors/vscode
npm ci --no-audit --no-fund --loglevel=error
npm run --silent compile
npm run --silent package
