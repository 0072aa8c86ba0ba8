#!/usr/bin/env bash
# Validates relaylint's SARIF with Microsoft's SARIF validator
# (@microsoft/sarif-multitool, from the npm registry): one log per fixture
# folder, one for every fixture at once, one with suppression findings and one
# with an empty result list. The validator exits 0 even when it finds
# problems, so its own SARIF log is read: any result (error, warning or note)
# fails this script.
#
#   tests/ci/sarif-validate.sh [RELAYLINT_BINARY]
#
# Needs node/npm. Installs the validator into a scratch folder that is
# removed afterwards (SARIF_MULTITOOL_DIR=... reuses an existing install).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."
repo=$PWD
bin=${1:-}
if [ -z "$bin" ]; then
    cargo build --quiet
    bin=$repo/target/debug/relaylint
fi
bin=$(realpath "$bin")

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
tool_dir=${SARIF_MULTITOOL_DIR:-$scratch/multitool}
if [ ! -x "$tool_dir/node_modules/.bin/sarif-multitool" ] && [ ! -d "$tool_dir/node_modules/@microsoft/sarif-multitool" ]; then
    mkdir -p "$tool_dir"
    (cd "$tool_dir" && npm init -y >/dev/null && npm install --no-audit --no-fund --silent @microsoft/sarif-multitool@5 >/dev/null)
fi

logs=$scratch/logs
mkdir -p "$logs"
n=0
for case in fixtures/*/*/; do
    name=$(basename "$case")
    dialect=$(basename "$(dirname "$case")")
    "$bin" check --no-config --format sarif --fail-on never --output "$logs/$dialect-$name.sarif" "$case"
    n=$((n + 1))
done
"$bin" check --no-config --format sarif --fail-on never --output "$logs/all-fixtures.sarif" fixtures

# Suppression findings (RL009, RL010) and a clean run (no results).
extra=$scratch/extra
mkdir -p "$extra/etc/postfix" "$extra-clean/etc/postfix"
cat >"$extra/etc/postfix/main.cf" <<'CF'
compatibility_level = 3.6
# relaylint: disable=PF002
mynetworks = 127.0.0.0/8, 0.0.0.0/0
# relaylint: disable=PF008 -- nothing to silence here
smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
CF
printf 'compatibility_level = 3.6\ninet_interfaces = loopback-only\n' >"$extra-clean/etc/postfix/main.cf"
(cd "$scratch" && "$bin" check --no-config --format sarif --fail-on never --output "$logs/suppressions.sarif" extra)
(cd "$scratch" && "$bin" check --no-config --format sarif --fail-on never --output "$logs/clean.sarif" extra-clean)
rm -rf "$extra-clean"

# One validator run for every log (starting it costs seconds); its own SARIF
# log names the file each problem was found in.
out=$scratch/validation.sarif
(cd "$tool_dir" && npx --no-install @microsoft/sarif-multitool validate -o "$out" "$logs"/*.sarif >"$out.txt" 2>&1) || true
total=$(ls "$logs"/*.sarif | wc -l)
python3 - "$out" "$out.txt" "$total" "$n" <<'PY'
import json, sys
log, text, total, fixtures = sys.argv[1:]
try:
    v = json.load(open(log))
except Exception as e:
    print(f"sarif-validate: the validator wrote no log ({e}):")
    print(open(text).read())
    sys.exit(1)
problems = [r for run in v.get("runs", []) for r in run.get("results") or []]
for r in problems:
    loc = r.get("locations", [{}])[0].get("physicalLocation", {}).get("artifactLocation", {}).get("uri", "?")
    msg = r.get("message", {}).get("text") or r.get("message", {}).get("id", "")
    print(f"sarif-validate: {loc}: {r.get('level', 'warning')} {r.get('ruleId')}: {msg}")
if problems:
    print(f"sarif-validate: FAILED: {len(problems)} problem(s)")
    sys.exit(1)
print(f"sarif-validate: {total} SARIF logs ({fixtures} fixtures) pass the SARIF validator")
PY
