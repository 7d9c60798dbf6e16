#!/usr/bin/env bash
# Runs the benchmarks (release mode) and prints one markdown table of every result.
#
#   benches/run.sh                 # user_get, paging and the callgrind count (~5 minutes)
#   benches/run.sh --quick         # fewer rounds, no callgrind (~40 s), for a smoke test
#   benches/run.sh --with-builds   # also the build times (benches/build-times.sh, ~15 minutes)
#
# Ratios compare the SDK with its baseline in the same run; read them, not the absolute numbers,
# when other work shares the machine (the header says how much did: rustc processes and the
# CPU time stolen by the hypervisor). The callgrind row (benches/profile.sh, needs valgrind)
# counts instructions and is not disturbed by other load. Progress goes to stderr, the table to
# stdout.
set -euo pipefail
cd "$(dirname "$0")/.."

with_builds=0
quick=0
bench_args=()
for arg in "$@"; do
    case "$arg" in
        --with-builds) with_builds=1 ;;
        --quick) quick=1; bench_args+=(--quick) ;;
        *) echo "usage: $0 [--quick] [--with-builds]" >&2; exit 2 ;;
    esac
done

echo "building the bench binaries (release) ..." >&2
cargo bench --no-run --bench user_get --bench paging >&2

rows="$(mktemp)"
trap 'rm -f "$rows"' EXIT
busy_before="$(pgrep -c rustc || true)"
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
# /proc/stat "cpu" line: user nice system idle iowait irq softirq steal ...
read -r _ u0 n0 s0 i0 w0 q0 sq0 st0 _ </proc/stat

for bench in user_get paging; do
    echo "running $bench ..." >&2
    cargo bench -q --bench "$bench" -- "${bench_args[@]}" >>"$rows"
done
read -r _ u1 n1 s1 i1 w1 q1 sq1 st1 _ </proc/stat
busy_after="$(pgrep -c rustc || true)"
if [ "$quick" = 0 ] && command -v valgrind >/dev/null; then
    echo "running callgrind (benches/profile.sh) ..." >&2
    benches/profile.sh >>"$rows"
fi
if [ "$with_builds" = 1 ]; then
    benches/build-times.sh >>"$rows"
fi

total=$(((u1 + n1 + s1 + i1 + w1 + q1 + sq1 + st1) - (u0 + n0 + s0 + i0 + w0 + q0 + sq0 + st0)))
steal="$(python3 -c "print(f'{100 * $((st1 - st0)) / max($total, 1):.0f}%')")"
cpu="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
mem="$(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo)"
echo "Machine: $(nproc) CPUs ($cpu), $mem RAM; $(rustc --version); $(date -u +%Y-%m-%dT%H:%MZ)"
echo "Other load: $busy_before rustc processes at the start, $busy_after at the end of the timed" \
    "benches; load average $load_before at the start; CPU time stolen by the hypervisor during" \
    "them: $steal"
echo
echo "| benchmark | measure | SDK | baseline | SDK ÷ baseline (cost) |"
echo "|---|---|---|---|---|"
grep '^|' "$rows"
