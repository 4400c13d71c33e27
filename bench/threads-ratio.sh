#!/bin/bash
# tessera-native alone at 1 and 2 threads, alternating, for the issue's "two threads ≥ 1.6× one"
# (bench/RESULTS.md, "W2 conv: epilogue activations ..."). Prints each run's median s/epoch and
# the load average, and the most cores other processes kept busy in any of its epochs ("others", from
# /proc/stat: a run above ~0.1 shared its cores, whatever the lock); run from the repository root
# after `npx tsc -p tsconfig.build.json`.
#   bench/threads-ratio.sh [rounds] [workloads...]     e.g. bench/threads-ratio.sh 3 W1 W2
# EPOCHS=N (default 2, as the family bench) trains N epochs per run: the median epoch of 3 or more leaves out the first,
# in which V8 still compiles the engine on the second core, where at two threads the pool's worker runs. `background`
# is the CPU seconds V8's compiler and GC threads took over the run: on this 2-core machine it falls in W1's first four
# epochs and slows them at two threads only (bench/RESULTS.md, "V8's compiler threads and the first epochs at two threads").
source "$(dirname "$0")/alternate.sh"
rounds=${1:-3}; shift
workloads=${*:-W1 W2}
# One run: TESSERA_THREADS=$t node --expose-gc dist/bench/tessera/w1-child.js --workload $w --backend native
# --epochs ${EPOCHS:-2} --seed 0 --limit $rows (W2 on 12,000 images, as the family bench).
run() {
  local round=$1 w=$2 t=$3 out
  out=$(w1_child dist "$t" --workload "$w" --backend native --epochs "${EPOCHS:-2}" --seed 0 --limit "$(family_rows "$w")")
  local others
  others=$(echo "$out" | grep -o '"epoch_other_busy_cores":\[[^]]*\]' | head -1 | grep -o '[0-9.e-]*' | sort -g | tail -1)
  # CPU seconds that V8's compiler and GC threads took over the whole run (w1-child's epoch_background_cpu_seconds)
  local background
  background=$(echo "$out" | grep -o '"epoch_background_cpu_seconds":\[[^]]*\]' | head -1 | grep -o '[0-9.e-]*' | awk '{s += $1} END {if (NR) printf "%.3f", s}')
  echo "round $round $w threads $t $(echo "$out" | grep -o '"seconds_per_epoch":{[^}]*}' | head -1) load $(cut -d' ' -f1 /proc/loadavg) others ${others:-?} background ${background:-?}"
}
alternate "$rounds" "$workloads" "1 2" run
