#!/usr/bin/env bash
# Installs, from Debian's own packages, everything the differential suites
# (tests/differential/) need: the real Postfix (with the pcre/lmdb/cdb
# lookup-table plug-ins and the SASL mechanism modules), Squid and Dante
# servers, iproute2 for network namespaces, openssl for the
# throwaway certificate, swaks for poking at an instance by hand.
#
# Idempotent and noninteractive: when everything is already installed it does
# nothing; otherwise it runs `apt-get update` and installs what is missing.
# The packaged Postfix service is never started: Postfix is preseeded with
# "No configuration" and a policy-rc.d that refuses service starts is in place
# while apt-get runs. Needs root.
set -euo pipefail

if [ "$(id -u)" -ne 0 ]; then
    echo "install-daemons.sh: must run as root (it installs Debian packages)" >&2
    exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "install-daemons.sh: apt-get not found; this script supports Debian/Ubuntu only" >&2
    exit 1
fi

# command the suite runs -> package that provides it (checked after install)
packages=(
    postfix          # postfix, postconf, postmap, postalias, master, smtpd, postscreen
    postfix-pcre     # pcre: tables
    postfix-lmdb     # lmdb: tables
    postfix-cdb      # cdb: tables
    libsasl2-modules # SASL mechanisms, so smtpd_sasl_auth_enable=yes (cyrus) can start
    iproute2         # ip netns, ip link (veth)
    util-linux       # unshare
    mount            # mount --bind (private /etc/hosts, /etc/resolv.conf)
    hostname         # hostname inside the daemon's UTS namespace
    openssl          # self-signed certificate for TLS-only listeners
    python3          # the suite itself (3.11+: tomllib)
    netbase          # /etc/services (smtp, submission, submissions port names)
    swaks            # manual SMTP probing when debugging a fixture
    squid            # squid -k parse, squid -N: the Squid differential suite
    faketime         # starts Squid at the moment a witness names (`time` acls)
    dante-server     # danted: the Dante differential suite
    python3-venv     # venvs for check-jsonschema and pre-commit (tests/ci/)
    chromium         # headless browser for the HTML report (tests/ci/html-chromium.sh)
)
# Node.js runs Microsoft's SARIF validator (tests/ci/sarif-validate.sh); a
# machine that already has node and npm keeps its own.
if ! command -v npm >/dev/null 2>&1; then
    packages+=(nodejs npm)
fi

missing=()
for p in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
        missing+=("$p")
    fi
done

if [ "${#missing[@]}" -eq 0 ]; then
    echo "install-daemons.sh: all packages already installed: ${packages[*]}"
else
    echo "install-daemons.sh: installing: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    # Keep invoke-rc.d from starting any packaged service during the install.
    made_policy=
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        printf '#!/bin/sh\n# temporary, from relaylint .ci/install-daemons.sh\nexit 101\n' \
            > /usr/sbin/policy-rc.d
        chmod 755 /usr/sbin/policy-rc.d
        made_policy=1
    fi
    cleanup_policy() { if [ -n "$made_policy" ]; then rm -f /usr/sbin/policy-rc.d; fi; }
    trap cleanup_policy EXIT
    echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
    apt-get update
    apt-get install -y --no-install-recommends \
        -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
        "${missing[@]}"
fi

# Never leave a packaged Postfix running (e.g. on a machine where it was
# configured before): the suite starts its own private instances only.
if [ -f /etc/postfix/main.cf ] && postfix status >/dev/null 2>&1; then
    echo "install-daemons.sh: stopping the packaged postfix service"
    if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet postfix 2>/dev/null; then
        systemctl stop postfix || true
    fi
    postfix stop >/dev/null 2>&1 || true
fi

# The packaged Squid and Dante services are never used either. Only the
# packaged instances (their pid files) are stopped: the differential suites'
# own daemons run in private namespaces and are left alone.
for pidfile in /run/squid.pid /run/danted.pid /var/run/danted.pid; do
    if [ -s "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
        echo "install-daemons.sh: stopping the packaged daemon of $pidfile"
        kill "$(cat "$pidfile")" 2>/dev/null || true
    fi
done

# Final check: every command the suite needs must now be present.
status=0
for cmd in postfix postconf postmap postalias squid danted ss ip unshare mount hostname openssl python3; do
    if ! command -v "$cmd" >/dev/null 2>&1 && [ ! -x "/usr/sbin/$cmd" ]; then
        echo "install-daemons.sh: '$cmd' still missing after install" >&2
        status=1
    fi
done
python3 -c 'import tomllib' 2>/dev/null || {
    echo "install-daemons.sh: python3 >= 3.11 (tomllib) is required" >&2
    status=1
}
exit "$status"
