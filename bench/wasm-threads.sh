#!/usr/bin/env bash
# W1 on the wasm backend at one thread against two (issue 18: two threads >= 1.5x one), each run its
# own process, alternating 1, 2, 1, 2, ... so both see the same load. Prints one line per run and the
# per-pair ratios; the epoch times are fit's (the test pass outside), the first epoch dropped as warm-up.
#   npx tsc -p tsconfig.build.json && bash bench/wasm-threads.sh [rounds=5] [epochs=3] [limit=12000]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-5} epochs=${2:-3} limit=${3:-12000}
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
for r in $(seq "$rounds"); do
  for t in 1 2; do
    TESSERA_THREADS=$t node --expose-gc dist/bench/tessera/w1-child.js --backend wasm --epochs "$epochs" --limit "$limit" \
      | node -e 'const o = JSON.parse(require("fs").readFileSync(0, "utf8")); const s = o.epoch_seconds.slice(1).sort((a, b) => a - b), mid = s.length >> 1;
        console.log(`round '"$r"' threads ${o.threads} s/epoch ${(s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2).toFixed(3)} (epochs ${o.epoch_seconds.map((x) => x.toFixed(3)).join(" ")}) test loss ${o.test_loss.at(-1)}`)'
  done
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
