#!/usr/bin/env bash
# Build times of the trivoreid library (dev profile, `cargo build -p trivoreid --lib`), with
# default features and with `--features extension`:
#   - clean: an empty target directory (dependencies are compiled too; their sources are
#     already downloaded),
#   - incremental after touching src/lib.rs (mtime only: the least a rebuild costs),
#   - incremental after editing src/lib.rs (a function added: the crate is recompiled),
#   - incremental after touching the spec openapi/trivoreid.yaml (build.rs runs progenitor
#     again; the generated code comes out the same),
#   - incremental after editing the spec (a property added to the User schema: the generated
#     code changes and the crate is recompiled),
#   - a no-op rebuild.
#
# It builds a snapshot of the working tree copied to a scratch directory, with its own target
# directory, so that it neither touches the files others edit nor the shared target/.
# When the `extension` feature does not exist (yet), its rows say so.
# Prints markdown rows: | benchmark | measure | time | | |
#
#   benches/build-times.sh                      # ~15 minutes on 2 cores
#   BUILD_TIMES_DIR=/tmp/x benches/build-times.sh
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
scratch="${BUILD_TIMES_DIR:-${TMPDIR:-/tmp}/trivoreid-build-times}"
jobs="${CARGO_BUILD_JOBS:-$(nproc)}"
spec_user_properties='^    User:$'

rm -rf "$scratch"
mkdir -p "$scratch"

# A fresh copy of the sources (no target/, no .git).
snapshot() {
    rm -rf "$scratch/src"
    mkdir -p "$scratch/src"
    tar -C "$repo" --exclude=./target --exclude=./.git -cf - . | tar -C "$scratch/src" -xf -
}

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
        >>"$target.log" 2>&1; then
        end=$(date +%s.%N)
        python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f} s')" "$start" "$end"
    else
        echo "failed (see $target.log)"
    fi
}

row() { printf '| %s | %s | %s | | |\n' "$1" "$2" "$3"; }

measures=(
    "clean"
    "incremental: touch src/lib.rs"
    "incremental: edit src/lib.rs (add a function)"
    "incremental: touch the spec"
    "incremental: edit the spec (add a User property)"
    "no-op rebuild"
)

for variant in default extension; do
    snapshot
    args=()
    name="build, default features"
    if [ "$variant" = extension ]; then
        name="build, --features extension"
        if ! has_feature extension; then
            for measure in "${measures[@]}"; do
                row "$name" "$measure" "n/a: feature not yet present"
            done
            continue
        fi
        args=(--features extension)
    fi
    target="$scratch/target-$variant"
    echo "build-times: $name, clean (a few minutes) ..." >&2
    row "$name" "${measures[0]}" "$(timed_build "$target" "${args[@]}")"
    sleep 1
    touch "$scratch/src/src/lib.rs"
    row "$name" "${measures[1]}" "$(timed_build "$target" "${args[@]}")"
    sleep 1
    printf '\n#[doc(hidden)]\npub fn __build_times_probe() -> u32 {\n    %s\n}\n' "$RANDOM" \
        >>"$scratch/src/src/lib.rs"
    row "$name" "${measures[2]}" "$(timed_build "$target" "${args[@]}")"
    sleep 1
    touch "$scratch/src/openapi/trivoreid.yaml"
    row "$name" "${measures[3]}" "$(timed_build "$target" "${args[@]}")"
    sleep 1
    # A new optional string property, first in the User schema's properties.
    python3 - "$scratch/src/openapi/trivoreid.yaml" "$spec_user_properties" <<'PY'
import re, sys
path, schema = sys.argv[1], sys.argv[2]
lines = open(path).read().split("\n")
at = next(i for i, l in enumerate(lines) if re.match(schema, l))
props = next(i for i in range(at, len(lines)) if lines[i].strip() == "properties:")
lines[props + 1:props + 1] = ["        buildTimesProbe:", "          type: string"]
open(path, "w").write("\n".join(lines))
PY
    row "$name" "${measures[4]}" "$(timed_build "$target" "${args[@]}")"
    row "$name" "${measures[5]}" "$(timed_build "$target" "${args[@]}")"
done

if [ -z "${BUILD_TIMES_KEEP:-}" ]; then
    rm -rf "$scratch"
fi
