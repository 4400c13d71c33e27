#!/bin/bash
# tessera-native alone at 1 and 2 threads, alternating, for the issue's "two threads ≥ 1.6× one"
# (bench/RESULTS.md, "W2 conv: epilogue activations ..."). Prints each run's median s/epoch and
# the load average; run from the repository root after `npx tsc -p tsconfig.build.json`.
#   bench/threads-ratio.sh [rounds] [workloads...]     e.g. bench/threads-ratio.sh 3 W1 W2
rounds=${1:-3}; shift
workloads=${*:-W1 W2}
for r in $(seq "$rounds"); do
  for w in $workloads; do
    rows=60000; [ "$w" = W2 ] && rows=12000   # W2 trains on 12,000 images, as the family bench
    for t in 1 2; do
      out=$(TESSERA_THREADS=$t node --expose-gc dist/bench/tessera/w1-child.js --workload "$w" --backend native --epochs 2 --seed 0 --limit $rows 2>&1 | tail -1)
      echo "round $r $w threads $t $(echo "$out" | grep -o '"seconds_per_epoch":{[^}]*}' | head -1) load $(cut -d' ' -f1 /proc/loadavg)"
    done
  done
done
