// Eigenvalues and eigenvectors of a real symmetric matrix, in float64 on the host: Householder
// reduction to tridiagonal form (tred2), then the implicit QL algorithm with Wilkinson-style
// shifts (tql2), after EISPACK / JAMA. Both are O(n³); for PCA's 784×784 covariance this takes
// about a second in JS, and it gives every eigenvalue (the explained-variance curve) at once.
//
// The matrix is A = V·diag(λ)·Vᵀ with V orthogonal. We keep V transposed (row i = eigenvector i)
// during QL so that each Givens rotation touches two contiguous rows.

export interface SymmetricEigen {
  /** Eigenvalues, in descending order. */
  values: Float64Array;
  /** n × n, row i is the unit eigenvector of values[i] (sign: its largest-magnitude entry is positive). */
  vectors: Float64Array;
  n: number;
}

/** Checks that `a` (n × n, row-major) is square, finite and symmetric to rounding. */
function checkSymmetric(a: ArrayLike<number>, n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new Error(`symmetricEigen: n must be a positive integer, got ${n}`);
  if (a.length !== n * n) throw new Error(`symmetricEigen: expected ${n}×${n} = ${n * n} values, got ${a.length}`);
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    if (!Number.isFinite(a[i])) throw new Error(`symmetricEigen: element (${Math.floor(i / n)}, ${i % n}) is ${a[i]}, expected a finite number`);
    scale = Math.max(scale, Math.abs(a[i]));
  }
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      if (Math.abs(a[i * n + j] - a[j * n + i]) > 1e-6 * scale + 1e-300) {
        throw new Error(`symmetricEigen: the matrix is not symmetric: (${i}, ${j}) = ${a[i * n + j]} but (${j}, ${i}) = ${a[j * n + i]}`);
      }
    }
  }
}

/**
 * Householder tridiagonalisation. On entry v holds A (n × n, row-major); on exit v holds the
 * orthogonal Q with A = Q·T·Qᵀ, d the diagonal of T and e its sub-diagonal in e[1..n-1].
 */
function tridiagonalize(v: Float64Array, d: Float64Array, e: Float64Array, n: number): void {
  for (let j = 0; j < n; j++) d[j] = v[(n - 1) * n + j];
  for (let i = n - 1; i > 0; i--) {
    // Reflect row i's part left of the diagonal onto a multiple of e_{i-1}.
    let scale = 0, h = 0;
    for (let k = 0; k < i; k++) scale += Math.abs(d[k]);
    if (scale === 0) {
      e[i] = d[i - 1];
      for (let j = 0; j < i; j++) {
        d[j] = v[(i - 1) * n + j];
        v[i * n + j] = 0;
        v[j * n + i] = 0;
      }
    } else {
      for (let k = 0; k < i; k++) { d[k] /= scale; h += d[k] * d[k]; }
      let f = d[i - 1];
      let g = Math.sqrt(h);
      if (f > 0) g = -g;
      e[i] = scale * g;
      h -= f * g;
      d[i - 1] = f - g;
      for (let j = 0; j < i; j++) e[j] = 0;
      // e = A·u (lower triangle of A only), u = d[0..i-1].
      for (let j = 0; j < i; j++) {
        f = d[j];
        v[j * n + i] = f;
        g = e[j] + v[j * n + j] * f;
        for (let k = j + 1; k <= i - 1; k++) {
          const vkj = v[k * n + j];
          g += vkj * d[k];
          e[k] += vkj * f;
        }
        e[j] = g;
      }
      // p = A·u / h, K = uᵀp / 2h, q = p − K·u; A ← A − q·uᵀ − u·qᵀ.
      f = 0;
      for (let j = 0; j < i; j++) { e[j] /= h; f += e[j] * d[j]; }
      const hh = f / (h + h);
      for (let j = 0; j < i; j++) e[j] -= hh * d[j];
      for (let j = 0; j < i; j++) {
        f = d[j];
        g = e[j];
        for (let k = j; k <= i - 1; k++) v[k * n + j] -= f * e[k] + g * d[k];
        d[j] = v[(i - 1) * n + j];
        v[i * n + j] = 0;
      }
    }
    d[i] = h;
  }
  // Accumulate the reflections into Q.
  for (let i = 0; i < n - 1; i++) {
    v[(n - 1) * n + i] = v[i * n + i];
    v[i * n + i] = 1;
    const h = d[i + 1];
    if (h !== 0) {
      for (let k = 0; k <= i; k++) d[k] = v[k * n + i + 1] / h;
      for (let j = 0; j <= i; j++) {
        let g = 0;
        for (let k = 0; k <= i; k++) g += v[k * n + i + 1] * v[k * n + j];
        for (let k = 0; k <= i; k++) v[k * n + j] -= g * d[k];
      }
    }
    for (let k = 0; k <= i; k++) v[k * n + i + 1] = 0;
  }
  for (let j = 0; j < n; j++) {
    d[j] = v[(n - 1) * n + j];
    v[(n - 1) * n + j] = 0;
  }
  v[(n - 1) * n + n - 1] = 1;
  e[0] = 0;
}

function transposeInPlace(a: Float64Array, n: number): void {
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const t = a[i * n + j];
      a[i * n + j] = a[j * n + i];
      a[j * n + i] = t;
    }
  }
}

/**
 * Implicit QL on the tridiagonal (d, e) with the rotations applied to z, whose ROWS are the
 * basis vectors (zᵀ of Q). On exit d holds the eigenvalues and row i of z the i-th vector.
 */
function tridiagonalQl(d: Float64Array, e: Float64Array, z: Float64Array, n: number): void {
  for (let i = 1; i < n; i++) e[i - 1] = e[i];
  e[n - 1] = 0;
  let f = 0, tst1 = 0;
  const eps = 2 ** -52;
  for (let l = 0; l < n; l++) {
    // Find a negligible sub-diagonal element e[m]: the block l..m is unreduced.
    tst1 = Math.max(tst1, Math.abs(d[l]) + Math.abs(e[l]));
    let m = l;
    while (m < n - 1 && Math.abs(e[m]) > eps * tst1) m++;
    if (m > l) {
      let iter = 0;
      do {
        if (++iter > 60) throw new Error(`symmetricEigen: QL did not converge for eigenvalue ${l} after 60 iterations`);
        // Shift from the leading 2×2 block.
        let g = d[l];
        let p = (d[l + 1] - g) / (2 * e[l]);
        let r = Math.hypot(p, 1);
        if (p < 0) r = -r;
        d[l] = e[l] / (p + r);
        d[l + 1] = e[l] * (p + r);
        const dl1 = d[l + 1];
        let h = g - d[l];
        for (let i = l + 2; i < n; i++) d[i] -= h;
        f += h;
        // Chase the bulge with Givens rotations from m-1 down to l.
        p = d[m];
        let c = 1, c2 = 1, c3 = 1, s = 0, s2 = 0;
        const el1 = e[l + 1];
        for (let i = m - 1; i >= l; i--) {
          c3 = c2; c2 = c; s2 = s;
          g = c * e[i];
          h = c * p;
          r = Math.hypot(p, e[i]);
          e[i + 1] = s * r;
          s = e[i] / r;
          c = p / r;
          p = c * d[i] - s * g;
          d[i + 1] = h + s * (c * g + s * d[i]);
          // Rows i and i+1 of z: [zi; zi1] ← [c·zi − s·zi1; s·zi + c·zi1].
          const oi = i * n, oi1 = (i + 1) * n;
          for (let k = 0; k < n; k++) {
            const zi1 = z[oi1 + k], zi = z[oi + k];
            z[oi1 + k] = s * zi + c * zi1;
            z[oi + k] = c * zi - s * zi1;
          }
        }
        p = (-s * s2 * c3 * el1 * e[l]) / dl1;
        e[l] = s * p;
        d[l] = c * p;
      } while (Math.abs(e[l]) > eps * tst1);
    }
    d[l] += f;
    e[l] = 0;
  }
}

/**
 * All eigenpairs of the symmetric matrix `a` (n × n, row-major; only symmetry to rounding is
 * required). Values come back in descending order, vectors as rows.
 */
export function symmetricEigen(a: ArrayLike<number>, n: number): SymmetricEigen {
  checkSymmetric(a, n);
  const v = Float64Array.from(a);
  const d = new Float64Array(n), e = new Float64Array(n);
  if (n === 1) return { values: Float64Array.of(a[0]), vectors: Float64Array.of(1), n };
  tridiagonalize(v, d, e, n);
  transposeInPlace(v, n);
  tridiagonalQl(d, e, v, n);
  // Sort descending; fix each vector's sign so the result does not depend on rounding paths.
  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => d[y] - d[x]);
  const values = new Float64Array(n), vectors = new Float64Array(n * n);
  order.forEach((src, dst) => {
    values[dst] = d[src];
    let big = 0;
    for (let k = 0; k < n; k++) if (Math.abs(v[src * n + k]) > Math.abs(v[src * n + big])) big = k;
    const sign = v[src * n + big] < 0 ? -1 : 1;
    for (let k = 0; k < n; k++) vectors[dst * n + k] = sign * v[src * n + k];
  });
  return { values, vectors, n };
}
