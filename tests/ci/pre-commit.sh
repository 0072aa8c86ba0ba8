#!/usr/bin/env bash
# The pre-commit hook (.pre-commit-hooks.yaml) end to end: pre-commit, from a
# virtualenv, builds relaylint from this repository's HEAD (`try-repo` clones
# it, so commit first) and runs it on a scratch repository holding an open and
# a closed Postfix host. The hook must fail on a file of the open host and
# pass on the closed one, including when only master.cf or a lookup table
# changed.
#
#   tests/ci/pre-commit.sh
#
# Needs python3 (venv, pip) and cargo. PRE_COMMIT_VENV=/path reuses a venv
# that already has pre-commit.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."
repo=$PWD
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

venv=${PRE_COMMIT_VENV:-$scratch/venv}
if [ ! -x "$venv/bin/pre-commit" ]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check pre-commit
fi
export PRE_COMMIT_HOME=$scratch/cache
# pre-commit builds the hook with `cargo install`: a shared target folder lets
# later runs reuse compiled dependencies, and a lower optimisation level
# halves the build (the hook's behaviour does not depend on it).
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$repo/target/pre-commit}
export CARGO_PROFILE_RELEASE_OPT_LEVEL=${CARGO_PROFILE_RELEASE_OPT_LEVEL:-1}

work=$scratch/configs
mkdir -p "$work/open/etc/postfix" "$work/closed/etc/postfix"
cat >"$work/open/etc/postfix/main.cf" <<'CF'
compatibility_level = 3.6
myhostname = mx.example.com
mynetworks = 127.0.0.0/8, 0.0.0.0/0
smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
CF
cat >"$work/closed/etc/postfix/main.cf" <<'CF'
compatibility_level = 3.6
myhostname = mx.example.com
mynetworks = 127.0.0.0/8 [::1]/128
smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
CF
for host in open closed; do
    printf 'smtp      inet  n       -       y       -       -       smtpd\n' >"$work/$host/etc/postfix/master.cf"
    printf '192.0.2.7 REJECT\n' >"$work/$host/etc/postfix/access"
done
git -C "$work" init --quiet
git -C "$work" add -A
git -C "$work" -c user.name=ci -c user.email=ci@example.invalid commit --quiet -m configs

cd "$work"
# `|| status=$?` keeps `set -e` from stopping at the expected failures.
expect() {
    local want=$1
    shift
    local status=0
    "$venv/bin/pre-commit" try-repo "$repo" relaylint --files "$@" >"$scratch/out.txt" 2>&1 || status=$?
    if { [ "$want" = fail ] && [ "$status" -eq 0 ]; } || { [ "$want" = pass ] && [ "$status" -ne 0 ]; }; then
        echo "pre-commit.sh: expected the hook to $want on $*, exit $status:"
        cat "$scratch/out.txt"
        exit 1
    fi
    # A failure must be relaylint's verdict, not a broken build.
    if [ "$want" = fail ] && ! grep -q 'error\[PF001\]' "$scratch/out.txt"; then
        echo "pre-commit.sh: the hook failed on $* without reporting PF001:"
        cat "$scratch/out.txt"
        exit 1
    fi
    echo "pre-commit.sh: hook ${want}ed on $* (as expected)"
}
expect fail open/etc/postfix/main.cf
expect fail open/etc/postfix/master.cf
expect fail open/etc/postfix/access
expect pass closed/etc/postfix/main.cf
expect pass closed/etc/postfix/master.cf closed/etc/postfix/access
if grep -q 'PF001' "$scratch/out.txt"; then
    echo "pre-commit.sh: the closed host reported PF001"
    exit 1
fi
echo "pre-commit.sh: ok"
