#!/usr/bin/env bash
# Validates action.yml against the GitHub Actions schema (check-jsonschema's
# built-in `vendor.github-actions`, installed into a scratch virtualenv) and
# checks that .pre-commit-hooks.yaml names the hook the docs promise.
#
#   tests/ci/action-schema.sh
#
# CHECK_JSONSCHEMA_VENV=/path reuses a venv that already has check-jsonschema.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
venv=${CHECK_JSONSCHEMA_VENV:-$scratch/venv}
if [ ! -x "$venv/bin/check-jsonschema" ]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check check-jsonschema pyyaml
fi
"$venv/bin/check-jsonschema" --builtin-schema vendor.github-actions action.yml
"$venv/bin/python" - <<'PY'
import re, sys, yaml
hooks = yaml.safe_load(open(".pre-commit-hooks.yaml"))
hook = next((h for h in hooks if h.get("id") == "relaylint"), None)
if hook is None:
    sys.exit("action-schema.sh: .pre-commit-hooks.yaml has no `relaylint` hook")
for key in ("name", "entry", "language", "files"):
    if key not in hook:
        sys.exit(f"action-schema.sh: the hook lacks `{key}`")
assert hook["language"] == "rust" and hook["entry"] == "relaylint check", hook
files = re.compile(hook["files"])
want = ["etc/postfix/main.cf", "etc/postfix/master.cf", "hosts/mx1-main.cf", "etc/squid/squid.conf",
        "etc/sockd.conf", "etc/danted.conf", "etc/mail/sendmail.mc", "etc/mail/sendmail.cf",
        "etc/mail/access", "etc/postfix/access", "etc/mail/relay-domains", "etc/aliases"]
never = ["README.md", "etc/postfix/main.cf.orig", "etc/squid/squid.conf.d/readme", "docs/access.md"]
bad = [p for p in want if not files.search(p)] + [p for p in never if files.search(p)]
if bad:
    sys.exit(f"action-schema.sh: `files` is wrong for {bad}")
print("action-schema.sh: action.yml and .pre-commit-hooks.yaml ok")
PY
