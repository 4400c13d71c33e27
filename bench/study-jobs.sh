#!/usr/bin/env bash
# tessera study --jobs 2 (two worker processes, one native thread each) against the same study run
# sequentially in one process at two threads, alternated in one script so both see the same load.
# Usage: bash bench/study-jobs.sh [rounds] [extra study options…]   (needs `npx tsc -p tsconfig.build.json`)
# Prints each run's wall time, the medians, the ratio, and whether the two reports' numbers agree.
set -euo pipefail
rounds=${1:-3}; shift || true
extra=("$@")
[ ${#extra[@]} -gt 0 ] || extra=(--budget quick --only activation,optimizers)
tmp=$(mktemp -d)
seq_t=(); job_t=()
run() { # name, options…
  local out="$tmp/$1-$RANDOM"; shift
  local t0=$(date +%s.%N)
  node bin/tessera.js study "${extra[@]}" --quiet --out "$out" "$@" >/dev/null
  local t1=$(date +%s.%N)
  echo "$out $(echo "$t1 - $t0" | bc)"
}
for r in $(seq 1 "$rounds"); do
  if (( r % 2 )); then
    read -r a ta < <(run seq --threads 2); read -r b tb < <(run jobs --jobs 2)
  else
    read -r b tb < <(run jobs --jobs 2); read -r a ta < <(run seq --threads 2)
  fi
  seq_t+=("$ta"); job_t+=("$tb")
  echo "round $r: sequential at 2 threads ${ta}s, --jobs 2 ${tb}s"
  same=$(diff <(sed -n '/^## /,$p' "$a/report.md") <(sed -n '/^## /,$p' "$b/report.md") >/dev/null && echo yes || echo no)
  echo "round $r: the two reports' sections identical: $same"
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
ms=$(median "${seq_t[@]}"); mj=$(median "${job_t[@]}")
echo "sequential 2 threads: median ${ms}s (runs ${seq_t[*]}); --jobs 2: median ${mj}s (runs ${job_t[*]}); ratio $(echo "scale=2; $ms / $mj" | bc)"
rm -rf "$tmp"
