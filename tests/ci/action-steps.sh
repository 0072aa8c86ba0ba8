#!/usr/bin/env bash
# Runs the steps of the GitHub Action (action.yml) the way the runner does:
# scripts/action-run.sh with GITHUB_ACTION_PATH, GITHUB_WORKSPACE,
# GITHUB_OUTPUT and GITHUB_ENV set, on fixtures of this repository, and checks
# the outputs, the SARIF file, the annotations and the exit codes.
#
#   tests/ci/action-steps.sh
#
# The build step is the action's own (`cargo build --release --locked`).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."
repo=$PWD
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

export GITHUB_ACTION_PATH=$repo GITHUB_WORKSPACE=$repo
export GITHUB_OUTPUT=$scratch/output GITHUB_ENV=$scratch/env RUNNER_TEMP=$scratch
fail() {
    echo "action-steps.sh: $*"
    exit 1
}
output() { # NAME -> last value written for it
    sed -n "s/^$1=//p" "$GITHUB_OUTPUT" | tail -n 1
}

# Step "Build relaylint".
: >"$GITHUB_OUTPUT"
RELAYLINT_VERSION= RELAYLINT_TOOLCHAIN=${RELAYLINT_TOOLCHAIN:-stable} bash scripts/action-run.sh build
bin=$(output relaylint)
[ -x "$bin" ] || fail "build: no binary at '$bin'"
grep -q "^RELAYLINT_BIN=$bin$" "$GITHUB_ENV" || fail "build: RELAYLINT_BIN not exported"
export RELAYLINT_BIN=$bin

# Step "Run relaylint" on an open and a closed fixture, annotations in the log.
open_case=fixtures/postfix/02-office-mynetworks-everything
closed_case=fixtures/postfix/01-debian-default
: >"$GITHUB_OUTPUT"
RELAYLINT_PATHS="$open_case
$closed_case" RELAYLINT_FORMAT=github RELAYLINT_FAIL_ON=warning \
    RELAYLINT_SARIF_FILE=target/action-steps/relaylint.sarif \
    bash scripts/action-run.sh run >"$scratch/log"
[ "$(output exit-code)" = 1 ] || fail "run: exit-code $(output exit-code), want 1"
sarif=$(output sarif-file)
[ "$sarif" = "$repo/target/action-steps/relaylint.sarif" ] || fail "run: sarif-file '$sarif'"
grep -q "^::error file=$open_case/etc/postfix/main.cf,line=12,.*title=PF001 postfix-open-relay::" "$scratch/log" ||
    fail "run: no PF001 annotation in the log: $(cat "$scratch/log")"
python3 - "$sarif" <<'PY' || fail "run: bad SARIF"
import json, sys
log = json.load(open(sys.argv[1]))
results = log["runs"][0]["results"]
assert log["version"] == "2.1.0"
assert any(r["ruleId"] == "PF001" for r in results), results
PY
# Step "Exit with relaylint's exit code".
status=0
RELAYLINT_EXIT_CODE=$(output exit-code) bash scripts/action-run.sh finish || status=$?
[ "$status" = 1 ] || fail "finish: exit $status, want 1"

# The closed fixture alone passes with fail-on error; extra args are passed on.
: >"$GITHUB_OUTPUT"
RELAYLINT_PATHS=$closed_case RELAYLINT_FORMAT=human RELAYLINT_FAIL_ON=error \
    RELAYLINT_SARIF_FILE=$scratch/closed.sarif RELAYLINT_ARGS="--no-config --ignore PF011" \
    bash scripts/action-run.sh run >"$scratch/log"
[ "$(output exit-code)" = 0 ] || fail "closed: exit-code $(output exit-code)"
[ "$(output sarif-file)" = "$scratch/closed.sarif" ] || fail "closed: sarif-file"
grep -q "PF011" "$scratch/closed.sarif" && ! grep -q '"ruleId": "PF011"' "$scratch/closed.sarif" ||
    fail "closed: --ignore PF011 from args was not applied"
RELAYLINT_EXIT_CODE=0 bash scripts/action-run.sh finish || fail "finish: clean run failed"

# A usage error (unknown format, missing path) is exit code 2.
: >"$GITHUB_OUTPUT"
RELAYLINT_PATHS=$closed_case RELAYLINT_FORMAT=xml bash scripts/action-run.sh run >"$scratch/log"
[ "$(output exit-code)" = 2 ] || fail "bad format: exit-code $(output exit-code)"
: >"$GITHUB_OUTPUT"
RELAYLINT_PATHS=no/such/dir RELAYLINT_SARIF_FILE=$scratch/x.sarif bash scripts/action-run.sh run >"$scratch/log" 2>&1
[ "$(output exit-code)" = 2 ] || fail "missing path: exit-code $(output exit-code)"
status=0
RELAYLINT_EXIT_CODE= bash scripts/action-run.sh finish >/dev/null || status=$?
[ "$status" = 2 ] || fail "finish without a run: exit $status"
rm -rf "$repo/target/action-steps"
echo "action-steps.sh: ok"
