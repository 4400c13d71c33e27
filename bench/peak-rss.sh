#!/bin/bash
# Peak RSS of each workload (issue 15: "peak RSS of each workload within 1.5× of W1's"), the
# harness's epoch_peak_rss_mib: VmHWM of the child after the data set is loaded, so the training
# epochs plus the test pass of each epoch-end callback (bench/tessera/w1-child.ts). Native, one
# thread, seed 0; W2 on 12,000 images as in the family bench. Workloads alternate within each
# round, and so do the builds when several are given (a dist folder each, e.g. one built from
# main to compare with), so that ratios come from runs side by side. Each line is one run; the
# summary gives per build and workload the median peak and its ratio to W1's, the median
# s/epoch and CPU s/epoch (the child's epoch_cpu_seconds: steadier than wall time on a loaded
# machine), and with two builds the median over rounds of the second's time / the first's.
# Run from the repository root after `npx tsc -p tsconfig.build.json`.
#   bench/peak-rss.sh [rounds] [epochs] [dists] [workloads]   e.g. bench/peak-rss.sh 3 1 dist "W1 W2 W3 W4 W5"
source "$(dirname "$0")/alternate.sh"
rounds=${1:-3}; epochs=${2:-1}; dists=${3:-dist}; workloads=${4:-W1 W2 W3 W4 W5}
log=$(mktemp)
# One run: TESSERA_THREADS=1 node --expose-gc $d/bench/tessera/w1-child.js --workload $w --backend native
# --epochs $epochs --seed 0 --limit $rows (W2 on 12,000 images).
run() {
  local round=$1 w=$2 d=$3 line
  line=$(w1_child "$d" 1 --workload "$w" --backend native --epochs "$epochs" --seed 0 --limit "$(family_rows "$w")" \
    | node --input-type=module -e 'import { readFileSync } from "node:fs"; import { summarize } from "./bench/peers/peer-common.mjs";
      const o = JSON.parse(readFileSync(0, "utf8"));
      const cpu = summarize(o.epoch_cpu_seconds ?? [NaN]).median;
      console.log(o.epoch_peak_rss_mib.toFixed(1), o.seconds_per_epoch.median.toFixed(3), cpu.toFixed(3), o.test_loss.at(-1).toPrecision(6))')
  echo "round $round $d $w peak_mib/s_per_epoch/cpu_s_per_epoch/test_loss $line load $(cut -d' ' -f1 /proc/loadavg)" | tee -a "$log"
}
alternate "$rounds" "$workloads" "$dists" run
node --input-type=module -e '
import { readFileSync } from "node:fs";
import { summarize } from "./bench/peers/peer-common.mjs";
const runs = readFileSync(process.argv[1], "utf8").trim().split("\n").map((l) => l.split(" "));
const median = (v) => summarize(v).median;
const range = (v) => `${median(v).toFixed(3)} (${Math.min(...v).toFixed(3)}-${Math.max(...v).toFixed(3)})`;
const pick = (d, w, k) => runs.filter((r) => r[2] === d && r[3] === w).map((r) => Number(r[k]));
const dists = [...new Set(runs.map((r) => r[2]))], workloads = [...new Set(runs.map((r) => r[3]))];
for (const d of dists) {
  const w1 = median(pick(d, "W1", 5));
  for (const w of workloads) {
    const peak = pick(d, w, 5);
    console.log(`${d} ${w}: peak ${median(peak).toFixed(1)} MiB (${Math.min(...peak).toFixed(1)}-${Math.max(...peak).toFixed(1)}), x W1 ${Number.isNaN(w1) ? "-" : (median(peak) / w1).toFixed(2)}, s/epoch ${range(pick(d, w, 6))}, cpu s/epoch ${range(pick(d, w, 7))}`);
  }
}
if (dists.length === 2) for (const w of workloads) {
  const ratio = (k) => pick(dists[1], w, k).map((v, i) => v / pick(dists[0], w, k)[i]);
  console.log(`${w} ${dists[1]} / ${dists[0]}, median of rounds: s/epoch ${range(ratio(6))}, cpu s/epoch ${range(ratio(7))}`);
}' "$log"
rm -f "$log"
