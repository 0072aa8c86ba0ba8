#!/usr/bin/env bash
# The shell half of the relaylint GitHub Action (action.yml): the action only
# wires inputs to environment variables and calls this script, so that CI
# can run exactly the same steps outside GitHub (tests/ci/action-steps.sh).
#
#   scripts/action-run.sh build   # build (or install) relaylint, sets RELAYLINT_BIN
#   scripts/action-run.sh run     # run it, write the SARIF file and the outputs
#   scripts/action-run.sh finish  # exit with relaylint's exit code
#
# Environment (GitHub sets the first four; the action maps its inputs):
#   GITHUB_ACTION_PATH  the action's checkout (this repository)
#   GITHUB_WORKSPACE    the scanned repository; paths are relative to it
#   GITHUB_OUTPUT       file receiving `name=value` outputs
#   GITHUB_ENV          file receiving environment for later steps (optional)
#   RELAYLINT_PATHS     paths to scan, separated by blanks or newlines (".")
#   RELAYLINT_FORMAT    report printed in the log: github|human|json|sarif (github)
#   RELAYLINT_FAIL_ON   error|warning|info|never (warning)
#   RELAYLINT_SARIF_FILE  where the SARIF log goes (relaylint.sarif)
#   RELAYLINT_VERSION   "" builds the action's own source; a version installs
#                       that release from crates.io
#   RELAYLINT_TOOLCHAIN Rust toolchain for the build (stable)
#   RELAYLINT_ARGS      extra `relaylint check` arguments (e.g. --config x.toml)
set -euo pipefail

step=${1:?usage: action-run.sh build|run|finish}
action_path=${GITHUB_ACTION_PATH:?GITHUB_ACTION_PATH is not set}
workspace=${GITHUB_WORKSPACE:-$PWD}
output_file=${GITHUB_OUTPUT:-/dev/null}

set_output() {
    printf '%s=%s\n' "$1" "$2" >>"$output_file"
}

build() {
    local version=${RELAYLINT_VERSION:-} toolchain=${RELAYLINT_TOOLCHAIN:-stable} bin
    local tc=()
    if command -v rustup >/dev/null 2>&1; then
        rustup toolchain install "$toolchain" --profile minimal --no-self-update >&2
        tc=("+$toolchain")
    fi
    if [ -z "$version" ]; then
        cargo "${tc[@]}" build --release --locked --manifest-path "$action_path/Cargo.toml" >&2
        bin=$action_path/target/release/relaylint
    else
        local root=${RUNNER_TEMP:-$action_path/target}/relaylint-$version
        if [ ! -x "$root/bin/relaylint" ]; then
            cargo "${tc[@]}" install relaylint --locked --version "$version" --root "$root" >&2
        fi
        bin=$root/bin/relaylint
    fi
    "$bin" --version >&2
    set_output relaylint "$bin"
    if [ -n "${GITHUB_ENV:-}" ]; then
        printf 'RELAYLINT_BIN=%s\n' "$bin" >>"$GITHUB_ENV"
    fi
}

run() {
    local bin=${RELAYLINT_BIN:-$action_path/target/release/relaylint}
    local format=${RELAYLINT_FORMAT:-github} fail_on=${RELAYLINT_FAIL_ON:-warning}
    local sarif=${RELAYLINT_SARIF_FILE:-relaylint.sarif}
    local -a paths extra
    read -r -d '' -a paths <<<"${RELAYLINT_PATHS:-.}" || true
    [ "${#paths[@]}" -gt 0 ] || paths=(.)
    read -r -d '' -a extra <<<"${RELAYLINT_ARGS:-}" || true
    case $format in github | human | json | sarif) ;; *)
        echo "::error title=relaylint::unknown format '$format' (github, human, json or sarif)"
        set_output exit-code 2
        return 0
        ;;
    esac
    cd "$workspace"
    mkdir -p "$(dirname "$sarif")"
    local code=0
    # The SARIF log is always written; its exit code is the verdict.
    "$bin" check --format sarif --fail-on "$fail_on" --output "$sarif" "${extra[@]}" -- "${paths[@]}" || code=$?
    if [ "$format" != sarif ] && [ "$code" -ne 2 ]; then
        "$bin" check --format "$format" --fail-on never --color never "${extra[@]}" -- "${paths[@]}" || true
    fi
    case $sarif in /*) ;; *) sarif=$workspace/$sarif ;; esac
    set_output sarif-file "$sarif"
    set_output exit-code "$code"
    echo "relaylint: exit code $code (fail-on: $fail_on), SARIF log: $sarif"
}

finish() {
    local code=${RELAYLINT_EXIT_CODE:-}
    if [ -z "$code" ]; then
        echo "::error title=relaylint::relaylint did not run"
        exit 2
    fi
    exit "$code"
}

case $step in
build) build ;;
run) run ;;
finish) finish ;;
*)
    echo "action-run.sh: unknown step '$step'" >&2
    exit 2
    ;;
esac
