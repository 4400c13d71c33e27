// Codes to 2-D for the latent map: the code itself when it has two values (one: against 0),
// else its projection on the top two principal axes (power iteration on the covariance, in
// float64, with the first axis deflated before the second).

function topAxis(cov: Float64Array, d: number, avoid: Float64Array | null): Float64Array {
  let v = new Float64Array(d).map((_, i) => 1 + (i % 3) * 0.1);
  for (let it = 0; it < 100; it++) {
    if (avoid) { let dot = 0; for (let i = 0; i < d; i++) dot += v[i] * avoid[i]; for (let i = 0; i < d; i++) v[i] -= dot * avoid[i]; }
    const next = new Float64Array(d);
    for (let i = 0; i < d; i++) { let s = 0; for (let j = 0; j < d; j++) s += cov[i * d + j] * v[j]; next[i] = s; }
    const norm = Math.hypot(...next) || 1;
    v = next.map((x) => x / norm);
  }
  return v;
}

export function project2d(codes: Float32Array, d: number): { xs: Float64Array; ys: Float64Array; how: string } {
  const n = Math.floor(codes.length / d);
  const xs = new Float64Array(n), ys = new Float64Array(n);
  if (d <= 2) {
    for (let i = 0; i < n; i++) { xs[i] = codes[i * d]; ys[i] = d === 2 ? codes[i * d + 1] : 0; }
    return { xs, ys, how: d === 2 ? 'z₁ against z₂' : 'z₁ (code size 1)' };
  }
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += codes[i * d + j] / n;
  const cov = new Float64Array(d * d);
  for (let i = 0; i < n; i++) for (let a = 0; a < d; a++) {
    const ca = codes[i * d + a] - mean[a];
    for (let b = 0; b < d; b++) cov[a * d + b] += (ca * (codes[i * d + b] - mean[b])) / n;
  }
  const first = topAxis(cov, d, null), second = topAxis(cov, d, first);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) {
    const c = codes[i * d + j] - mean[j];
    xs[i] += c * first[j]; ys[i] += c * second[j];
  }
  return { xs, ys, how: `the ${d}-value code on its top two principal axes` };
}
