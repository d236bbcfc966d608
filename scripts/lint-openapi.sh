#!/usr/bin/env bash
# Lints an OpenAPI document with Redocly CLI under redocly.yaml; exits non-zero on any error.
# Redocly is installed with npm into tools/redocly (gitignored) the first time.
# Usage: scripts/lint-openapi.sh [target/openapi.json]   (the file OpenApiDocumentTest writes)
set -euo pipefail
cd "$(dirname "$0")/.."
REDOCLY_VERSION=2.77.0
doc=${1:-target/openapi.json}
[ -f "$doc" ] || { echo "no $doc: run ./mvnw test -Dtest=OpenApiDocumentTest first" >&2; exit 1; }
bin=tools/redocly/node_modules/.bin/redocly
if [ ! -x "$bin" ] || [ "$("$bin" --version 2>/dev/null)" != "$REDOCLY_VERSION" ]; then
  mkdir -p tools/redocly
  (cd tools/redocly && npm install --no-audit --no-fund --loglevel=error "@redocly/cli@$REDOCLY_VERSION")
fi
export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true
"$bin" lint --config redocly.yaml --format=stylish "$doc"
