#!/usr/bin/env bash
# Instructions per `user_get` call on the client thread, SDK vs raw reqwest, counted by
# valgrind's callgrind (deterministic: unaffected by other load on the machine).
#
# Each client is run twice, with 200 and 1200 calls after the same warm-up; the difference / 1000
# is the cost of one call, free of start-up. The callgrind files are kept in $OUT (default
# /tmp/trivoreid-profile) for attribution, e.g.
#   callgrind_annotate --inclusive=yes $OUT/sdk.1200.out-01 | grep -E 'annotate|transport'
#
#   benches/profile.sh            # builds the bench binary (release) if needed, then counts
#   BIN=path/to/user_get benches/profile.sh   # count another build (e.g. a patched tree)
set -euo pipefail
cd "$(dirname "$0")/.."

out="${OUT:-/tmp/trivoreid-profile}"
mkdir -p "$out"
if [ -z "${BIN:-}" ]; then
    BIN="$(cargo bench --no-run --bench user_get --message-format=json 2>/dev/null |
        python3 -c 'import json,sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m["target"]["name"] == "user_get" and m.get("executable"):
        print(m["executable"])')"
fi

# Instructions of the thread that ran `main` (the client; the server is another thread).
# `client_instructions sdk-no-retries N` runs the SDK with retries off, `sdk-8 N` / `raw-8 N`
# with 8 calls in flight.
client_instructions() {
    local which="$1" calls="$2"
    local file="$out/$which.$calls.out"
    local client="${which%-no-retries}"
    client="${client%-8}"
    local args=(--only "$client" --calls "$calls")
    [ "$which" = sdk-no-retries ] && args+=(--no-retries)
    [ "${which%-8}" != "$which" ] && args+=(--in-flight 8)
    rm -f "$file"*
    valgrind --tool=callgrind --separate-threads=yes --callgrind-out-file="$file" \
        "$BIN" "${args[@]}" >/dev/null 2>&1
    grep -m1 '^summary:' "$file-01" | cut -d' ' -f2
}

declare -A per_call
for which in sdk sdk-no-retries raw sdk-8 raw-8; do
    low="$(client_instructions "$which" 200)"
    high="$(client_instructions "$which" 1200)"
    per_call[$which]=$(((high - low) / 1000))
done
ratio() { python3 -c "print(f'{$1 / $2:.3f}')"; }
printf '| user_get, callgrind | client instructions per call | %s | %s | %s |\n' \
    "${per_call[sdk]}" "${per_call[raw]}" "$(ratio "${per_call[sdk]}" "${per_call[raw]}")"
printf '| user_get, callgrind | ... with retries off (no request copy kept for a retry) | %s | %s | %s |\n' \
    "${per_call[sdk-no-retries]}" "${per_call[raw]}" \
    "$(ratio "${per_call[sdk-no-retries]}" "${per_call[raw]}")"
printf '| user_get, callgrind | ... with 8 calls in flight | %s | %s | %s |\n' \
    "${per_call[sdk-8]}" "${per_call[raw-8]}" "$(ratio "${per_call[sdk-8]}" "${per_call[raw-8]}")"
