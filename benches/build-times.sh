#!/usr/bin/env bash
# Build times of the trivoreid library (dev profile, `cargo build -p trivoreid --lib`), with
# default features and with `--features extension`:
#   - clean: an empty target directory (dependencies are compiled too; the crate sources are
#     already downloaded),
#   - incremental after touching src/lib.rs (the crate is recompiled),
#   - incremental after touching the spec openapi/trivoreid.yaml (build.rs runs progenitor
#     again, then the crate is recompiled).
#
# It builds a snapshot of the working tree copied to a scratch directory, with its own target
# directory, so that it neither touches the files others edit nor the shared target/.
# Prints markdown rows: | benchmark | measure | time | | |
#
#   benches/build-times.sh            # default features and extension
#   BUILD_TIMES_DIR=/tmp/x benches/build-times.sh
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
scratch="${BUILD_TIMES_DIR:-${TMPDIR:-/tmp}/trivoreid-build-times}"
jobs="${CARGO_BUILD_JOBS:-$(nproc)}"

rm -rf "$scratch"
mkdir -p "$scratch/src"
# The sources only: no target/, no .git.
tar -C "$repo" --exclude=./target --exclude=./.git -cf - . | tar -C "$scratch/src" -xf -

has_feature() {
    (cd "$scratch/src" && cargo metadata --no-deps --format-version 1 2>/dev/null) |
        python3 -c 'import json,sys
m = json.load(sys.stdin)
pkg = next(p for p in m["packages"] if p["name"] == "trivoreid")
sys.exit(0 if sys.argv[1] in pkg["features"] else 1)' "$1"
}

# Seconds taken by `cargo build` with the given arguments; "failed" if it fails.
timed_build() {
    local target="$1"
    shift
    local start end
    start=$(date +%s.%N)
    if (cd "$scratch/src" && CARGO_TARGET_DIR="$target" cargo build -p trivoreid --lib -j "$jobs" "$@") \
        >"$target.log" 2>&1; then
        end=$(date +%s.%N)
        python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f} s')" "$start" "$end"
    else
        echo "failed (see $target.log)"
    fi
}

row() { printf '| %s | %s | %s | | |\n' "$1" "$2" "$3"; }

for variant in default extension; do
    args=()
    name="build, default features"
    if [ "$variant" = extension ]; then
        name="build, --features extension"
        if ! has_feature extension; then
            for measure in clean "incremental: touch src/lib.rs" "incremental: touch the spec"; do
                row "$name" "$measure" "n/a: feature not yet present"
            done
            continue
        fi
        args=(--features extension)
    fi
    target="$scratch/target-$variant"
    echo "build-times: $name, clean (a few minutes) ..." >&2
    row "$name" "clean" "$(timed_build "$target" "${args[@]}")"
    sleep 1
    touch "$scratch/src/src/lib.rs"
    row "$name" "incremental: touch src/lib.rs" "$(timed_build "$target" "${args[@]}")"
    sleep 1
    touch "$scratch/src/openapi/trivoreid.yaml"
    row "$name" "incremental: touch the spec" "$(timed_build "$target" "${args[@]}")"
    row "$name" "no-op rebuild" "$(timed_build "$target" "${args[@]}")"
done

if [ -z "${BUILD_TIMES_KEEP:-}" ]; then
    rm -rf "$scratch"
fi
