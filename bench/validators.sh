#!/usr/bin/env bash
# The daemons' own validators over a sample of a generated dump, for
# bench/run.sh.
#
#   bench/validators.sh [--private-net] DUMP DAEMON RUNS SAMPLE
#
# Runs the validator of DAEMON (postfix: `postconf -n -c`, squid:
# `squid -k parse -f`, dante: `danted -V -f`) over SAMPLE units of that
# daemon spread over DUMP (DUMP.manifest says which hosts have one), one
# after the other, RUNS times after one untimed pass. Prints
# "units_in_dump sample_size accepted wall_s...", where accepted counts the
# sampled configs the validator exits 0 on, then each run's wall time.
#
# --private-net: the caller started this script in a network namespace of
# its own (`unshare -n`); the script brings up loopback and the interfaces
# the generated danted.conf files name (eth0, eth1, ens3), so that
# `danted -V` checks the whole file instead of stopping at an `external:`
# interface this machine lacks. Without them danted looks the name up in
# DNS, and a resolver that drops a query makes that one run wait its 5 s
# timeout: time spent waiting, not validating. In the namespace a lookup
# has no server to wait for.

set -euo pipefail

if [ "${1:-}" = --private-net ]; then
    shift
    ip link set lo up
    n=1
    for ifname in eth0 eth1 ens3; do
        ip link add "$ifname" type veth peer name "peer$n"
        ip addr add "192.0.2.$n/24" dev "$ifname"
        ip link set "$ifname" up
        ip link set "peer$n" up
        n=$((n + 1))
    done
fi

dump=$1 daemon=$2 runs=$3 sample=$4

mapfile -t all < <(awk -F '\t' -v d="$daemon" '$2 == d { print $1 }' "$dump.manifest")
if [ "${#all[@]}" = 0 ]; then
    echo "0 0 0"
    exit 0
fi
k=$sample
[ "$k" -gt "${#all[@]}" ] && k=${#all[@]}
step=$((${#all[@]} / k))
picked=()
for ((i = 0; i < k; i++)); do picked+=("$dump/${all[i * step]}"); done

validate() {
    case $daemon in
        postfix) postconf -n -c "$1/etc/postfix" ;;
        squid) squid -k parse -f "$1/etc/squid/squid.conf" ;;
        dante) danted -V -f "$1/etc/danted.conf" ;;
    esac >/dev/null 2>&1
}

# The untimed pass also counts what the validator accepts.
accepted=0
for h in "${picked[@]}"; do
    if validate "$h"; then accepted=$((accepted + 1)); fi
done
walls=()
for ((r = 0; r < runs; r++)); do
    t0=$(date +%s%N)
    for h in "${picked[@]}"; do validate "$h" || true; done
    t1=$(date +%s%N)
    walls+=("$(awk "BEGIN { printf \"%.4f\", ($t1 - $t0) / 1e9 }")")
done
echo "${#all[@]} $k $accepted ${walls[*]}"
