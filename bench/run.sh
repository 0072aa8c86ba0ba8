#!/usr/bin/env bash
# Scale benchmark for relaylint.
#
#   bench/run.sh [--hosts N] [--big] [--seed S] [--runs R] [--sample K] [--work DIR] [--keep]
#
# Builds the release binary and the corpus generator, writes a deterministic
# dump of N hosts (examples/gen_corpus.rs), then measures on that same dump,
# in the same run:
#
#   - relaylint: `relaylint check --format json --fail-on never DIR`, wall
#     time (median of R runs), files/s and MB/s over the whole tree, peak RSS
#     (/usr/bin/time -f %M);
#   - ripgrep: `rg -c -F --no-ignore LITERAL DIR` (read-speed baseline), and
#     relaylint / ripgrep;
#   - the daemons' own validators, each over K units of its daemon spread
#     over the dump, run one after the other, then scaled to the number of
#     such units in the dump: `postconf -n -c DIR/hostX/etc/postfix`,
#     `squid -k parse -f DIR/hostX/etc/squid/squid.conf` (Squid reads the
#     includes it names, /etc/squid/conf.d/*.conf, from this machine) and
#     `danted -V -f DIR/hostX/etc/danted.conf`; their sum / relaylint
#     (bench/validators.sh; as root, in a network namespace of their own
#     that holds the interfaces the generated danted.conf files name);
#     and validators / ripgrep, the same ratio for the read-speed
#     baseline, which only reads and searches;
#   - the single-file check (the pre-commit case): `relaylint check` on one
#     main.cf, best of many runs (hyperfine when installed, else a loop);
#   - with --big: peak RSS (and wall time) on a 10,000-host dump as well, to
#     see whether memory stays flat, in JSON and in SARIF. Needs about 3 GB of disk and a minute.
#
# Every timing is taken with a warm page cache (one untimed pass of each tool
# first): the numbers compare CPU work, not the disk.
#
# Environment equivalents: HOSTS, BIG=1, SEED, RUNS, SAMPLE, WORK, KEEP=1.
# Needs: cargo, GNU time (/usr/bin/time), ripgrep, postfix (postconf);
# squid and dante-server (danted) are measured when installed; hyperfine is
# optional; unshare (util-linux) and ip (iproute2) for the validators'
# namespace. On Debian: apt-get install ripgrep hyperfine postfix squid
# dante-server time iproute2.
# Targets: relaylint <= 2.0x ripgrep, >= 100x faster than the validators
# over the dump, single file <= 10 ms, peak RSS flat from 1,000 to 10,000 hosts.

set -euo pipefail

HOSTS=${HOSTS:-1000}
BIG=${BIG:-0}
SEED=${SEED:-1}
RUNS=${RUNS:-5}
SAMPLE=${SAMPLE:-50}
WORK=${WORK:-${TMPDIR:-/tmp}/relaylint-bench}
KEEP=${KEEP:-0}
BIG_HOSTS=10000
LITERAL=reject_unauth_destination

while [ $# -gt 0 ]; do
    case "$1" in
        --hosts) HOSTS=$2; shift 2 ;;
        --big) BIG=1; shift ;;
        --seed) SEED=$2; shift 2 ;;
        --runs) RUNS=$2; shift 2 ;;
        --sample) SAMPLE=$2; shift 2 ;;
        --work) WORK=$2; shift 2 ;;
        --keep) KEEP=1; shift ;;
        -h|--help) sed -n '2,40p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "bench/run.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
done

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"

need() {
    command -v "$1" >/dev/null 2>&1 && return 0
    if [ -n "${2:-}" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "bench: installing Debian package $2 for $1" >&2
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$2" >/dev/null
    fi
    command -v "$1" >/dev/null 2>&1 || { echo "bench: $1 is required (Debian package ${2:-$1})" >&2; exit 2; }
}
need cargo
need rg ripgrep
need postconf postfix
[ -x /usr/bin/time ] || need /usr/bin/time time
HAVE_HYPERFINE=0
command -v hyperfine >/dev/null 2>&1 && HAVE_HYPERFINE=1

echo "== build (release)" >&2
cargo build --release --quiet --bin relaylint --example gen_corpus
TARGET_DIR=$(cargo metadata --format-version 1 --no-deps 2>/dev/null \
    | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
TARGET_DIR=${TARGET_DIR:-$ROOT/target}
RL=$TARGET_DIR/release/relaylint
GEN=$TARGET_DIR/release/examples/gen_corpus

mkdir -p "$WORK"
cleanup() {
    if [ "$KEEP" != 1 ]; then
        rm -rf "$WORK/corpus-$HOSTS" "$WORK/corpus-$BIG_HOSTS" \
            "$WORK/corpus-$HOSTS".{done,gen,manifest} "$WORK/corpus-$BIG_HOSTS".{done,gen,manifest}
    fi
}
trap cleanup EXIT

# ---------------------------------------------------------------------------
# helpers

median() { sort -g | awk '{a[NR]=$1} END {if (NR==0) print "nan"; else if (NR%2) print a[(NR+1)/2]; else printf "%.4f\n", (a[NR/2]+a[NR/2+1])/2}'; }
calc() { awk "BEGIN { printf \"%.${2:-2}f\", $1 }"; }

# gen DIR N: writes the corpus (and its manifest) unless it is already there.
gen() {
    local dir=$1 n=$2
    if [ -d "$dir" ] && [ -f "$dir.done" ] && [ "$(cat "$dir.done")" = "$n $SEED $(stat -c %Y "$GEN")" ]; then
        echo "== corpus $dir ($n hosts) already generated" >&2
        return
    fi
    rm -rf "$dir" "$dir.done"
    echo "== generating $n hosts into $dir" >&2
    local t0 t1
    t0=$(date +%s.%N)
    GEN_CORPUS_MANIFEST="$dir.manifest" "$GEN" "$dir" "$n" "$SEED" >"$dir.gen"
    t1=$(date +%s.%N)
    echo "   $(cat "$dir.gen") in $(calc "$t1 - $t0" 1) s" >&2
    # The dump is still in dirty pages: written back now, not by the
    # kernel's flusher threads while the first tool is being timed.
    sync
    echo "$n $SEED $(stat -c %Y "$GEN")" >"$dir.done"
}

# timed CMD...: runs CMD RUNS times under /usr/bin/time; prints
# "median_wall_s max_rss_kb". Wall time comes from date (ns) rather than
# time's %e (10 ms resolution).
timed() {
    local walls=() rss=0 i m t0 t1 out=$WORK/time.out
    for ((i = 0; i < RUNS; i++)); do
        t0=$(date +%s%N)
        /usr/bin/time -o "$out" -f '%M' "$@" >/dev/null 2>&1 || true
        t1=$(date +%s%N)
        walls+=("$(calc "($t1 - $t0) / 1e9" 3)")
        m=$(tail -n 1 "$out")
        [ "$m" -gt "$rss" ] && rss=$m
    done
    printf '%s\n' "${walls[@]}" | median | tr '\n' ' '
    echo "$rss"
}

# measure_relaylint DIR -> "wall rss"
measure_relaylint() {
    "$RL" check --format json --fail-on never "$1" >/dev/null   # warm-up
    timed "$RL" check --format json --fail-on never "$1"
}

measure_rg() {
    rg -c -F --no-ignore "$LITERAL" "$1" >/dev/null || true     # warm-up
    timed rg -c -F --no-ignore "$LITERAL" "$1"
}

# measure_validator DIR DAEMON: bench/validators.sh over SAMPLE units of
# DAEMON; prints "units_in_dump sample_size median_sample_wall_s accepted".
# As root, in a network namespace of its own (see VALIDATOR_NET).
measure_validator() {
    local n k accepted walls
    if [ "$VALIDATOR_NET" = private ]; then
        read -r n k accepted walls < <(unshare -n bash "$ROOT/bench/validators.sh" --private-net "$1" "$2" "$RUNS" "$SAMPLE")
    else
        read -r n k accepted walls < <(bash "$ROOT/bench/validators.sh" "$1" "$2" "$RUNS" "$SAMPLE")
    fi
    echo "$n $k $(printf '%s\n' $walls | median) $accepted"
}

# single-file check: best and mean in ms.
measure_single() {
    local file=$1
    if [ "$HAVE_HYPERFINE" = 1 ]; then
        local json=$WORK/hyperfine.json
        hyperfine -N -i --warmup 10 --min-runs 100 --export-json "$json" \
            "$RL check $file" >/dev/null 2>&1
        python3 - "$json" <<'EOF' 2>/dev/null || echo "nan nan hyperfine(no-python3)"
import json, sys
r = json.load(open(sys.argv[1]))["results"][0]
print(f'{r["min"] * 1000:.2f} {r["mean"] * 1000:.2f} hyperfine({len(r["times"])})')
EOF
    else
        local best=999999 sum=0 i t0 t1 d runs=100
        for ((i = 0; i < 10; i++)); do "$RL" check "$file" >/dev/null 2>&1 || true; done
        for ((i = 0; i < runs; i++)); do
            t0=$(date +%s%N)
            "$RL" check "$file" >/dev/null 2>&1 || true
            t1=$(date +%s%N)
            d=$(((t1 - t0) / 1000))
            sum=$((sum + d))
            [ "$d" -lt "$best" ] && best=$d
        done
        echo "$(calc "$best / 1000") $(calc "$sum / $runs / 1000") loop($runs)"
    fi
}

tree_stats() { # DIR -> "files bytes"
    local files bytes
    files=$(find "$1" -type f | wc -l)
    bytes=$(find "$1" -type f -printf '%s\n' | awk '{s+=$1} END {printf "%d", s}')
    echo "$files $bytes"
}

# ---------------------------------------------------------------------------

CORPUS=$WORK/corpus-$HOSTS
gen "$CORPUS" "$HOSTS"
read -r FILES BYTES < <(tree_stats "$CORPUS")
MB=$(calc "$BYTES / 1048576" 1)

echo "== relaylint over $HOSTS hosts ($FILES files, $MB MB), $RUNS runs" >&2
read -r RL_WALL RL_RSS < <(measure_relaylint "$CORPUS")
echo "== ripgrep" >&2
read -r RG_WALL RG_RSS < <(measure_rg "$CORPUS")
# The validators run in a network namespace of their own when this script
# can make one (root, unshare and ip from util-linux and iproute2), holding
# the interfaces the generated danted.conf files name: danted then checks
# every file to its end, and no validator's time includes waiting on this
# machine's DNS (bench/validators.sh says why that matters).
VALIDATOR_NET=host
if [ "$(id -u)" = 0 ] && command -v unshare >/dev/null 2>&1 && command -v ip >/dev/null 2>&1 \
    && unshare -n ip link add probe0 type veth peer name probe1 2>/dev/null; then
    VALIDATOR_NET=private
else
    echo "bench: validators run on this machine's network: danted stops at interfaces it lacks and may wait on DNS (needs root, unshare, ip)" >&2
fi
VALIDATORS=()
VAL_TOTAL=0
for daemon in postfix squid dante; do
    case $daemon in
        postfix) tool=postconf; how='postconf -n -c' ;;
        squid) tool=squid; how='squid -k parse -f' ;;
        dante) tool=danted; how='danted -V -f' ;;
    esac
    if ! command -v "$tool" >/dev/null 2>&1; then
        VALIDATORS+=("$daemon|$how|-|-|-|-|-|$tool not installed")
        continue
    fi
    echo "== $how over a sample of the $daemon units" >&2
    read -r V_N V_K V_WALL V_OK < <(measure_validator "$CORPUS" "$daemon")
    [ "$V_K" = 0 ] && continue
    V_SCALED=$(calc "$V_WALL * $V_N / $V_K" 3)
    VAL_TOTAL=$(calc "$VAL_TOTAL + $V_SCALED" 3)
    VALIDATORS+=("$daemon|$how|$V_N|$V_K|$V_WALL|$V_SCALED|$V_OK|")
done
SINGLE_FILE=$CORPUS/host00001/etc/postfix/main.cf
echo "== single-file check ($(wc -l <"$SINGLE_FILE") lines)" >&2
read -r SF_BEST SF_MEAN SF_HOW < <(measure_single "$SINGLE_FILE")
# The longest single file a pre-commit hook meets: Debian's squid.conf.
SQ_HOST=$(awk -F '\t' '$2 == "squid" { print $1; exit }' "$CORPUS.manifest")
SQ_LINE=""
if [ -n "$SQ_HOST" ]; then
    SQ_FILE=$CORPUS/$SQ_HOST/etc/squid/squid.conf
    echo "== single-file check, squid.conf ($(wc -l <"$SQ_FILE") lines)" >&2
    read -r SQ_BEST SQ_MEAN SQ_HOW < <(measure_single "$SQ_FILE")
    SQ_LINE=1
fi

# Sanity: the verdicts on the dump (hosts with PF001 vs hosts built open).
"$RL" check --format json --fail-on never "$CORPUS" >"$WORK/report-$HOSTS.json"
VERDICTS=$(python3 - "$WORK/report-$HOSTS.json" "$CORPUS.manifest" "$CORPUS" <<'EOF' 2>/dev/null || echo "(python3 missing: no verdict check)"
import json, sys
report = json.load(open(sys.argv[1]))
root = sys.argv[3].rstrip("/") + "/"
units = [l.rstrip("\n").split("\t") for l in open(sys.argv[2])]
s = report["summary"]
parts = [f'units={s["units"]} findings={s["findings"]}']
for daemon, open_code, refuse_code in (("postfix", "PF001", None), ("squid", "SQ001", "SQ002"), ("dante", "DN001", "DN002"), ("sendmail", "SM001", "SM002")):
    for verdict, code in (("open", open_code), ("refuses", refuse_code)):
        if code is None:
            continue
        built = {u[0] for u in units if u[1] == daemon and u[2] == verdict}
        found = {f["path"][len(root):].split("/")[0] for f in report["findings"] if f["code"] == code}
        if not built and not found:
            continue
        line = f'{daemon} {verdict}: built {len(built)}, {code} on {len(found)}'
        if built - found:
            line += f' (missed {",".join(sorted(built - found)[:5])})'
        if found - built:
            line += f' (unexpected {",".join(sorted(found - built)[:5])})'
        parts.append(line)
print("; ".join(parts))
EOF
)

BIG_LINE=""
if [ "$BIG" = 1 ]; then
    BIGC=$WORK/corpus-$BIG_HOSTS
    gen "$BIGC" "$BIG_HOSTS"
    read -r BFILES BBYTES < <(tree_stats "$BIGC")
    echo "== relaylint over $BIG_HOSTS hosts ($BFILES files)" >&2
    OLD_RUNS=$RUNS
    RUNS=1
    read -r BRL_WALL BRL_RSS < <(measure_relaylint "$BIGC")
    read -r BRG_WALL BRG_RSS < <(measure_rg "$BIGC")
    # SARIF streams its results as JSON does: its peak should match.
    read -r BSARIF_WALL BSARIF_RSS < <(timed "$RL" check --format sarif --fail-on never "$BIGC")
    RUNS=$OLD_RUNS
    BIG_LINE=1
fi

# ---------------------------------------------------------------------------
# report

CORES=$(nproc)
CPU=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
echo
echo "relaylint benchmark: $HOSTS hosts, seed $SEED, $FILES files, $MB MB, $CORES cores ($CPU), warm cache"
echo "commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet 2>/dev/null || echo '+dirty'), $("$RL" --version)"
echo
printf '| %-44s | %12s | %s\n' "measure" "value" "notes"
printf '|%s|%s|%s\n' "----------------------------------------------" "--------------" "------"
printf '| %-44s | %10s s | median of %s, peak RSS %s MiB\n' "relaylint check (whole dump)" "$RL_WALL" "$RUNS" "$(calc "$RL_RSS / 1024" 1)"
printf '| %-44s | %12s | \n' "  files/s" "$(calc "$FILES / $RL_WALL" 0)"
printf '| %-44s | %12s | \n' "  MB/s" "$(calc "$BYTES / 1048576 / $RL_WALL" 1)"
printf '| %-44s | %10s s | rg -c -F --no-ignore %s\n' "ripgrep (read-speed baseline)" "$RG_WALL" "$LITERAL"
printf '| %-44s | %11sx | target <= 2.0x\n' "relaylint / ripgrep" "$(calc "$RL_WALL / $RG_WALL" 1)"
for v in "${VALIDATORS[@]}"; do
    IFS='|' read -r daemon how n k wall scaled accepted missing <<<"$v"
    if [ -n "$missing" ]; then
        printf '| %-44s | %12s | %s\n' "$how" "-" "$missing"
    else
        printf '| %-44s | %10s s | %s units in the dump; %s took %s s, sequential; %s accepted\n' "$how (scaled to the dump)" "$scaled" "$n" "$k" "$wall" "$accepted"
    fi
done
printf '| %-44s | %10s s | \n' "validators, total over the dump" "$VAL_TOTAL"
printf '| %-44s | %11sx | target >= 100x\n' "validators / relaylint" "$(calc "$VAL_TOTAL / $RL_WALL" 1)"
printf '| %-44s | %11sx | the read-speed baseline'\''s own ratio\n' "validators / ripgrep" "$(calc "$VAL_TOTAL / $RG_WALL" 1)"
printf '| %-44s | %9s ms | mean %s ms, %s, target <= 10 ms\n' "single main.cf check (best)" "$SF_BEST" "$SF_MEAN" "$SF_HOW"
[ -n "$SQ_LINE" ] && printf '| %-44s | %9s ms | mean %s ms, %s, target <= 10 ms\n' "single squid.conf check (best)" "$SQ_BEST" "$SQ_MEAN" "$SQ_HOW"
printf '| %-44s | %8s MiB | \n' "peak RSS, $HOSTS hosts" "$(calc "$RL_RSS / 1024" 1)"
if [ -n "$BIG_LINE" ]; then
    printf '| %-44s | %8s MiB | wall %s s, %s files; ripgrep %s s (%sx)\n' "peak RSS, $BIG_HOSTS hosts" "$(calc "$BRL_RSS / 1024" 1)" "$BRL_WALL" "$BFILES" "$BRG_WALL" "$(calc "$BRL_WALL / $BRG_WALL" 1)"
    printf '| %-44s | %8s MiB | --format sarif, wall %s s\n' "peak RSS, $BIG_HOSTS hosts, SARIF" "$(calc "$BSARIF_RSS / 1024" 1)" "$BSARIF_WALL"
else
    printf '| %-44s | %12s | run with --big\n' "peak RSS, $BIG_HOSTS hosts" "-"
fi
echo
echo "verdicts: $VERDICTS"
