// The playground's host-side helpers, in Node: the batch rows it gathers (src's gatherRows, with
// the order wrapping around) and the latent map's projection on the top two principal axes.
import { describe, expect, it } from 'vitest';
import { PIXELS, gatherRows } from '../../web/src/session.js';
import { project2d } from '../../web/src/project.js';

describe('playground session helpers', () => {
  it('gathers the rows order[from …] as bytes / 255, wrapping past the end of the order', () => {
    const images = Uint8Array.from({ length: 3 * PIXELS }, (_, i) => (i * 7 + (i >> 5)) & 255);
    const rows = gatherRows(images, [2, 0, 1], 2, 3);   // rows 1, 2, 0
    [1, 2, 0].forEach((row, r) => {
      for (const j of [0, 1, 400, PIXELS - 1]) expect(rows[r * PIXELS + j]).toBe(Math.fround(images[row * PIXELS + j] / 255));
    });
  });

  it('projects codes that lie on a plane onto its two axes, the wider spread first', () => {
    // 8-value codes c = a·u + b·w + offset with u, w orthonormal, a over [-3, 3] odd about the middle
    // row and b over [-1, 1] even about it (so uncorrelated, and b narrower): the projection gives the
    // centred (a, b) up to each axis's sign.
    const d = 8, n = 50;
    const u = [1, 1, 0, 0, 1, 1, 0, 0].map((x) => x / 2), w = [0, 0, 1, -1, 0, 0, 1, -1].map((x) => x / 2);
    const a = Array.from({ length: n }, (_, i) => -3 + (6 * i) / (n - 1)), b = Array.from({ length: n }, (_, i) => Math.cos(2 * Math.PI * ((2 * i) / (n - 1) - 1)));
    const codes = new Float32Array(n * d);
    for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) codes[i * d + j] = a[i] * u[j] + b[i] * w[j] + 0.5;
    const meanA = a.reduce((s, x) => s + x, 0) / n, meanB = b.reduce((s, x) => s + x, 0) / n;
    const { xs, ys, how } = project2d(codes, d);
    expect(how).toMatch(/top two principal axes/);
    const sx = Math.sign(xs[n - 1]), sy = Math.sign(ys[0] * (b[0] - meanB));
    for (let i = 0; i < n; i++) {
      expect(sx * xs[i]).toBeCloseTo(a[i] - meanA, 4);
      expect(sy * ys[i]).toBeCloseTo(b[i] - meanB, 4);
    }
  });
});
