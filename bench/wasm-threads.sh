#!/usr/bin/env bash
# W1 on the wasm backend at one thread against two (issue 18: two threads >= 1.5x one), each run its
# own process, alternating 1, 2, 1, 2, ... so both see the same load. Prints one line per run (a round's
# ratio is its one-thread s/epoch over its two-thread one): the median of fit's epoch times (the test
# pass outside), the first epoch dropped as warm-up.
#   npx tsc -p tsconfig.build.json && bash bench/wasm-threads.sh [rounds=5] [epochs=3] [limit=12000]
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/alternate.sh
rounds=${1:-5} epochs=${2:-3} limit=${3:-12000}
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
# One run: TESSERA_THREADS=$t node --expose-gc dist/bench/tessera/w1-child.js --backend wasm --epochs $epochs --limit $limit
run() {
  local round=$1 t=$3
  w1_child dist "$t" --backend wasm --epochs "$epochs" --limit "$limit" \
    | node --input-type=module -e 'import { readFileSync } from "node:fs"; import { summarize } from "./bench/peers/peer-common.mjs";
      const o = JSON.parse(readFileSync(0, "utf8"));
      console.log(`round '"$round"' threads ${o.threads} s/epoch ${summarize(o.epoch_seconds.slice(1)).median.toFixed(3)} (epochs ${o.epoch_seconds.map((x) => x.toFixed(3)).join(" ")}) test loss ${o.test_loss.at(-1)}`)'
}
alternate "$rounds" W1 "1 2" run
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
