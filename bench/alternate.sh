# What bench/threads-ratio.sh, wasm-threads.sh and peak-rss.sh share (sourced, not run): runs of the
# workload child (bench/tessera/w1-child.ts), each in its own process, alternating so that the runs a
# ratio compares see the same load. Paths are relative to the repository root.
#
#   alternate ROUNDS "WORKLOADS" "SIDES" REPORT
#     calls `REPORT ROUND WORKLOAD SIDE` for each round, each workload in turn within it and each side
#     in turn within that (a side is what the script compares: a thread count, a dist folder).
#   w1_child DIST THREADS CHILD_ARGS...
#     runs DIST/bench/tessera/w1-child.js at TESSERA_THREADS=THREADS and prints its last line (the JSON);
#     the child's errors go to stderr as they are.
#   family_rows WORKLOAD
#     the --limit the family bench trains that workload on: 12,000 images for W2, all (0) for the others.

alternate() {
  local rounds=$1 workloads=$2 sides=$3 report=$4 round workload side
  for round in $(seq "$rounds"); do
    for workload in $workloads; do
      for side in $sides; do "$report" "$round" "$workload" "$side"; done
    done
  done
}

w1_child() {
  local dist=$1 threads=$2
  shift 2
  TESSERA_THREADS=$threads node --expose-gc "$dist/bench/tessera/w1-child.js" "$@" | tail -1
}

family_rows() { if [ "$1" = W2 ]; then echo 12000; else echo 0; fi; }
