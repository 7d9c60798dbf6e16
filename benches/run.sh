#!/usr/bin/env bash
# Runs the benchmarks (release mode) and prints one markdown table of every result.
#
#   benches/run.sh                 # user_get and paging (~2 minutes after the build)
#   benches/run.sh --quick         # fewer rounds (~30 s), for a smoke test
#   benches/run.sh --with-builds   # also the build times (benches/build-times.sh, ~10 minutes)
#
# Ratios compare the SDK with its baseline in the same run; read them, not the absolute numbers,
# when other work shares the machine. Progress goes to stderr, the table to stdout.
set -euo pipefail
cd "$(dirname "$0")/.."

with_builds=0
bench_args=()
for arg in "$@"; do
    case "$arg" in
        --with-builds) with_builds=1 ;;
        --quick) bench_args+=(--quick) ;;
        *) echo "usage: $0 [--quick] [--with-builds]" >&2; exit 2 ;;
    esac
done

echo "building the bench binaries (release) ..." >&2
cargo bench --no-run --bench user_get --bench paging >&2

rows="$(mktemp)"
trap 'rm -f "$rows"' EXIT
busy_before="$(pgrep -c rustc || true)"
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"

for bench in user_get paging; do
    echo "running $bench ..." >&2
    cargo bench -q --bench "$bench" -- "${bench_args[@]}" >>"$rows"
done
if [ "$with_builds" = 1 ]; then
    benches/build-times.sh >>"$rows"
fi

cpu="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
mem="$(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo)"
echo "Machine: $(nproc) CPUs ($cpu), $mem RAM; $(rustc --version); $(date -u +%Y-%m-%dT%H:%MZ)"
echo "Other load at start: $busy_before rustc processes, load average $load_before"
echo
echo "| benchmark | measure | SDK | baseline | SDK ÷ baseline (cost) |"
echo "|---|---|---|---|---|"
grep '^|' "$rows"
