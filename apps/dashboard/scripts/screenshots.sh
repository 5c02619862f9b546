#!/usr/bin/env bash
# Writes docs/images/dashboard-*.png: runs the dashboard's browser tests (e2e/src/dashboard) with
# LYNQ_DASHBOARD_SCREENSHOTS=1, which photograph every page once the scenario is in place.
# Needs the local control plane (the e2e global setup starts or reuses it), MariaDB and Chromium.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
cd "$repo/e2e"
LYNQ_DASHBOARD_SCREENSHOTS=1 npx vitest run --config vitest.config.ts src/dashboard "$@"
ls -1 "$repo"/docs/images/dashboard-*.png
