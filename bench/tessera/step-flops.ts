// The FLOP lines under step-kernels.ts's table, apart from it so they can be tested: a step's
// matmul and convolution FLOPs (2·m·n·k per matmul, 2·n·cout·oh·ow·cin·kh·kw per conv kernel), their rate over the whole step and over the matmuls alone, and
// each rate as a share of the measured FMA peak (an FMA counts as 2 FLOPs on both sides).

export interface StepFlops {
  /** 2·m·n·k summed over one step's matmul calls, plus the direct convolution kernels' products. */
  matmulFlops: number;
  /** Milliseconds per step inside matmul and convolution calls. */
  matmulMs: number;
  /** Wall milliseconds per step (the instrumented step: every kernel call timed). */
  stepMs: number;
  batch: number;
  /** The FMA peak on the same thread count, or null where it could not be measured. */
  peakGflops: { gflops: number; isa: string } | null;
}

/** Lines: FLOPs per step and per image, GFLOP/s of the step and of the matmuls, % of peak. */
export function stepFlopsSummary(s: StepFlops): string[] {
  if (!(s.stepMs > 0) || !(s.matmulMs >= 0) || !(s.matmulFlops >= 0) || !(s.batch >= 1)) {
    throw new Error(`bench/tessera/step-flops.ts: expected stepMs > 0, matmulMs ≥ 0, matmulFlops ≥ 0, batch ≥ 1, got ${JSON.stringify(s)}`);
  }
  const stepRate = s.matmulFlops / (s.stepMs * 1e6); // FLOP / ms → GFLOP/s: / 1e6
  const gemmRate = s.matmulMs > 0 ? s.matmulFlops / (s.matmulMs * 1e6) : 0;
  const share = (g: number) => (s.peakGflops ? ` = ${((g / s.peakGflops.gflops) * 100).toFixed(1)}% of the measured ${s.peakGflops.isa} FMA peak (${s.peakGflops.gflops.toFixed(1)} GFLOP/s)` : ' (FMA peak not measured: no gcc)');
  return [
    `matmul and conv FLOPs per step: ${(s.matmulFlops / 1e6).toFixed(1)} MFLOP (${(s.matmulFlops / s.batch / 1e6).toFixed(2)} MFLOP per image)`,
    `step: ${s.stepMs.toFixed(2)} ms wall (instrumented), ${stepRate.toFixed(1)} GFLOP/s${share(stepRate)}`,
    `matmuls and convs alone: ${s.matmulMs.toFixed(2)} ms, ${gemmRate.toFixed(1)} GFLOP/s${share(gemmRate)}`,
  ];
}
