// What the JavaScript peer scripts (tfjs_w1.mjs, jaxjs_w1.mjs, startup_footprint.mjs) share: a
// seeded generator, a shuffle, and the summary statistics of bench/harness/stats.ts (which the
// page benches and the shell benches' node one-liners use too). Plain .mjs with no dependency, so
// each script still runs by itself under `node`.

// mulberry32: a small seeded generator, so the shuffle order (and a twin's initial weights) are reproducible.
export function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A random permutation of 0 … n−1 (Fisher–Yates). */
export function permutation(n, random) {
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const t = p[i]; p[i] = p[j]; p[j] = t;
  }
  return p;
}

/** Median, min, max, spread ((max − min) / median) and count: the definitions of bench/harness/stats.ts. */
export function summarize(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  const median = s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
  return { median, min: s[0], max: s[s.length - 1], spread: median ? (s[s.length - 1] - s[0]) / median : 0, n: s.length };
}
