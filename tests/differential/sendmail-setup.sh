#!/usr/bin/env bash
# Gets the real Sendmail for the Sendmail differential suite
# (tests/differential/sendmail.py) without installing it.
#
# Debian's sendmail-bin conflicts with the installed Postfix (both provide
# mail-transport-agent), so the three Sendmail packages of the machine's
# Debian release are fetched with `apt-get download` and unpacked with
# `dpkg -x` into a cache directory:
#
#   $RELAYLINT_SENDMAIL_CACHE        default /var/cache/relaylint-sendmail
#     debs/                          sendmail-bin, sendmail-base, sendmail-cf .deb files
#     root/usr/libexec/sendmail/     sendmail, makemap, ...
#     root/usr/share/sendmail/cf/    the m4 configuration tree
#     READY                          written last: version and the unpacked root
#
# The m4 tree names its own location by absolute path
# (include(`/usr/share/sendmail/cf/debian/autoconf.m4') in Debian's OSTYPE and
# DOMAIN files); those paths are pointed at the unpacked copy, so an .mc can be
# built with m4 exactly as on a Debian host, without /usr/share/sendmail.
#
# Also installs, with apt-get, the shared libraries sendmail-bin links against
# and m4 (ordinary packages that do not conflict with Postfix).
#
# Idempotent: with READY present and the binary in place it does nothing.
# Needs root (apt-get). Debian/Ubuntu only.
set -euo pipefail

cache=${RELAYLINT_SENDMAIL_CACHE:-/var/cache/relaylint-sendmail}
bin="$cache/root/usr/libexec/sendmail/sendmail"
libs=(m4 libdb5.3 libldap-2.5-0 liblockfile1 libnsl2 libsasl2-2 libssl3 libwrap0)

if [ "$(id -u)" -ne 0 ]; then
    echo "sendmail-setup.sh: must run as root (apt-get)" >&2
    exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "sendmail-setup.sh: apt-get not found; this script supports Debian/Ubuntu only" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive

updated=
apt_update_once() {
    if [ -z "$updated" ]; then
        apt-get update -qq
        updated=1
    fi
}

missing=()
for p in "${libs[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
        missing+=("$p")
    fi
done
if [ "${#missing[@]}" -gt 0 ]; then
    echo "sendmail-setup.sh: installing ${missing[*]}"
    apt_update_once
    apt-get install -y --no-install-recommends "${missing[@]}"
fi

if [ -f "$cache/READY" ] && [ -x "$bin" ]; then
    echo "sendmail-setup.sh: already unpacked: $(cat "$cache/READY")"
    exit 0
fi

mkdir -p "$cache/debs"
cd "$cache/debs"
if ! ls sendmail-bin_*.deb sendmail-base_*.deb sendmail-cf_*.deb >/dev/null 2>&1; then
    rm -f ./*.deb
    if ! apt-get download sendmail-bin sendmail-base sendmail-cf; then
        apt_update_once
        apt-get download sendmail-bin sendmail-base sendmail-cf
    fi
fi

# unpack into a fresh directory, patch, then move into place
tmp="$cache/root.new"
rm -rf "$tmp" "$cache/root"
mkdir -p "$tmp"
for f in sendmail-bin_*.deb sendmail-base_*.deb sendmail-cf_*.deb; do
    dpkg -x "$f" "$tmp"
done
cfdir="$cache/root/usr/share/sendmail/cf"
# `/usr/share/sendmail/cf... -> the unpacked tree (only where a path starts
# after a quote, so the result does not depend on how often this runs)
{ grep -rlZ '`/usr/share/sendmail/cf' "$tmp/usr/share/sendmail/cf" || true; } \
    | xargs -0 -r sed -i "s#\`/usr/share/sendmail/cf#\`$cfdir#g"
mv "$tmp" "$cache/root"

# the binary must find its shared libraries
if ldd "$cache/root/usr/libexec/sendmail/sendmail" | grep -q 'not found'; then
    echo "sendmail-setup.sh: sendmail lacks libraries:" >&2
    ldd "$cache/root/usr/libexec/sendmail/sendmail" | grep 'not found' >&2
    exit 1
fi
version=$(dpkg-deb -f "$(ls sendmail-bin_*.deb | head -n1)" Version)
echo "sendmail $version unpacked in $cache/root" > "$cache/READY"
echo "sendmail-setup.sh: $(cat "$cache/READY")"
