#!/usr/bin/env bash
# Builds the fuzz targets (release, -sanitize=fuzzer,address) and runs them.
#
#   Fuzz/run.sh TARGET SECONDS   run one target (e.g. FuzzKeys) for SECONDS
#   Fuzz/run.sh all SECONDS      run every target in turn, SECONDS each
#   Fuzz/run.sh seeds            regenerate the generated seeds in Fuzz/Corpus/<target>/
#   Fuzz/run.sh list             print the target names
#
# Each run reads the committed seeds in Fuzz/Corpus/<target>/ and keeps what it learns in
# Fuzz/.corpus/<target>/ (git-ignored; delete it for a fresh start). Crashes, timeouts and
# out-of-memory inputs go to Fuzz/.artifacts/<target>/, the libFuzzer log to
# Fuzz/.artifacts/<target>/fuzz.log. Exits non-zero if any target found something, after
# printing the input's path. Extra libFuzzer flags can be given in FUZZ_FLAGS.
set -euo pipefail
cd "$(dirname "$0")"

targets=(FuzzKeys FuzzMessage FuzzSignature FuzzMIME FuzzHeaders FuzzSMTPReply FuzzProxyReply FuzzSASL FuzzSMTPClient FuzzQueueEntry)

dictionary() {
    case "$1" in
        FuzzKeys | FuzzMessage | FuzzSignature) echo Dictionaries/openpgp.dict ;;
        FuzzMIME | FuzzHeaders) echo Dictionaries/mime.dict ;;
        FuzzSMTPReply | FuzzSMTPClient) echo Dictionaries/smtp.dict ;;
        FuzzProxyReply) echo Dictionaries/proxy.dict ;;
        FuzzSASL) echo Dictionaries/sasl.dict ;;
    esac
}

usage() {
    echo "usage: $0 TARGET|all SECONDS | $0 seeds | $0 list" >&2
    echo "targets: ${targets[*]}" >&2
    exit 2
}

# The Swift runtime's backtracer and ASan's report fight over the crashing process; let
# ASan report. Leak checking is off: OpenSSL's lazily made global state reads as leaks.
export SWIFT_BACKTRACE=enable=no
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=0:allocator_may_return_null=1}"

build() {
    # The package's own scratch folder (Fuzz/.build), never the main package's .build.
    echo "== building fuzz targets (release, -sanitize=fuzzer,address)"
    swift build --package-path . --scratch-path .build -c release -Xswiftc -sanitize=fuzzer,address
}

bin() { echo ".build/release/$1"; }

run_one() {
    local target="$1" seconds="$2"
    local corpus=".corpus/$target" artifacts=".artifacts/$target"
    mkdir -p "$corpus" "$artifacts"
    echo "== $target for ${seconds}s (corpus $corpus, seeds Corpus/$target)"
    local status=0 dict
    dict="$(dictionary "$target")"
    # shellcheck disable=SC2086
    "$(bin "$target")" "$corpus" "Corpus/$target" \
        ${dict:+-dict="$dict"} \
        -max_total_time="$seconds" -max_len=131072 -rss_limit_mb=2048 -malloc_limit_mb=2048 -timeout=10 \
        -detect_leaks=0 -artifact_prefix="$artifacts/" -print_final_stats=1 ${FUZZ_FLAGS:-} \
        >"$artifacts/fuzz.log" 2>&1 || status=$?
    grep -E '^#[0-9]+[[:space:]]+(INITED|DONE)' "$artifacts/fuzz.log" || true
    grep -E '^stat::(number_of_executed_units|peak_rss_mb)' "$artifacts/fuzz.log" || true
    if [ "$status" -ne 0 ]; then
        echo "!! $target found a problem (exit $status); log: Fuzz/$artifacts/fuzz.log"
        grep -E '^==[0-9]+==ERROR|^SUMMARY|Fatal error|ALARM|out-of-memory|deadly signal' "$artifacts/fuzz.log" | head -5 || true
        local unit
        unit="$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$artifacts/fuzz.log" | tail -1)"
        if [ -n "$unit" ]; then echo "!! input: Fuzz/$unit"; fi
        echo "!! reproduce: SWIFT_BACKTRACE=enable=no Fuzz/$(bin "$target") ${unit:+Fuzz/$unit}"
        return 1
    fi
}

[ $# -ge 1 ] || usage
case "$1" in
    list)
        printf '%s\n' "${targets[@]}"
        ;;
    seeds)
        build
        for target in "${targets[@]}"; do "$(bin "$target")" --write-seeds "Corpus/$target"; done
        ;;
    *)
        [ $# -eq 2 ] && [[ "$2" =~ ^[0-9]+$ ]] || usage
        if [ "$1" = all ]; then
            selected=("${targets[@]}")
        elif printf '%s\n' "${targets[@]}" | grep -qx -- "$1"; then
            selected=("$1")
        else
            usage
        fi
        build
        failed=()
        for target in "${selected[@]}"; do
            run_one "$target" "$2" || failed+=("$target")
        done
        if [ ${#failed[@]} -ne 0 ]; then
            echo "!! findings in: ${failed[*]}"
            exit 1
        fi
        echo "== no findings"
        ;;
esac
