// k-nearest-neighbour classification of codes: how well a representation keeps classes apart,
// without training anything. Euclidean distance, majority vote of the k nearest training rows.
//
// ‖q − x‖² = ‖q‖² − 2·q·x + ‖x‖²; ‖q‖² is the same for every x, so ranking by ‖x‖² − 2·q·x is
// enough, and the q·x for a batch of queries against every training row is one matmul
// [b, d]·[n, d]ᵀ on the current backend. The top-k per query is kept by insertion on the host.
import type { Tensor } from '../tensor.js';
import { matmulT } from '../ops/matmul.js';
import { slice } from '../ops/shape-ops.js';
import { square } from '../ops/elementwise.js';
import { sum } from '../ops/reduce.js';
import { tidy } from '../memory.js';
import { accuracy } from './metrics.js';

export interface KnnOptions {
  /** Neighbours that vote (default 5). */
  k?: number;
  /** Queries per distance matmul (default 256: 256 × 60,000 floats = 61 MB). */
  batchRows?: number;
}

function checkRows(op: string, train: Tensor, trainLabels: ArrayLike<number>, query: Tensor): void {
  if (train.rank !== 2 || query.rank !== 2 || train.shape[1] !== query.shape[1]) {
    throw new Error(`${op}: expected train [n, d] and queries [m, d] with the same d, got [${train.shape.join(', ')}] and [${query.shape.join(', ')}]`);
  }
  if (trainLabels.length !== train.shape[0]) throw new Error(`${op}: ${trainLabels.length} labels for ${train.shape[0]} training rows`);
}

/**
 * The majority label among the k nearest training rows of each query. A tie between classes goes
 * to the class whose nearest member is closest.
 */
export async function knnPredict(train: Tensor, trainLabels: ArrayLike<number>, query: Tensor, options: KnnOptions = {}): Promise<Int32Array> {
  checkRows('knnPredict', train, trainLabels, query);
  const k = options.k ?? 5;
  const batch = options.batchRows ?? 256;
  const n = train.shape[0], m = query.shape[0], d = train.shape[1];
  if (!Number.isInteger(k) || k < 1 || k > n) throw new Error(`knnPredict: k must be an integer in [1, ${n}] (training rows), got ${k}`);
  if (!Number.isInteger(batch) || batch < 1) throw new Error(`knnPredict: batchRows must be a positive integer, got ${batch}`);
  let classes = 0;
  for (let i = 0; i < n; i++) {
    const l = trainLabels[i];
    if (!Number.isInteger(l) || l < 0) throw new Error(`knnPredict: label ${l} at row ${i} is not a non-negative integer`);
    classes = Math.max(classes, l + 1);
  }
  const normsT = tidy(() => sum(square(train), 1));
  const norms = await normsT.data();
  normsT.dispose();
  const out = new Int32Array(m);
  const bestDist = new Float64Array(k), bestLabel = new Int32Array(k);
  const votes = new Int32Array(classes), nearest = new Float64Array(classes);
  for (let q0 = 0; q0 < m; q0 += batch) {
    const q1 = Math.min(m, q0 + batch);
    const dotsT = tidy(() => matmulT(q0 === 0 && q1 === m ? query : slice(query, [q0, 0], [q1, d]), train, false, true));
    const dots = await hostView(dotsT);
    for (let r = 0; r < q1 - q0; r++) {
      let filled = 0;
      const row = r * n;
      for (let j = 0; j < n; j++) {
        const dist = norms[j] - 2 * dots[row + j];
        if (filled === k && dist >= bestDist[k - 1]) continue;
        // Insert keeping bestDist ascending; on equal distance the earlier training row stays first.
        let p = filled < k ? filled++ : k - 1;
        while (p > 0 && bestDist[p - 1] > dist) { bestDist[p] = bestDist[p - 1]; bestLabel[p] = bestLabel[p - 1]; p--; }
        bestDist[p] = dist; bestLabel[p] = trainLabels[j];
      }
      votes.fill(0); nearest.fill(Infinity);
      for (let i = 0; i < filled; i++) {
        votes[bestLabel[i]]++;
        if (nearest[bestLabel[i]] === Infinity) nearest[bestLabel[i]] = bestDist[i];
      }
      let best = -1;
      for (let c = 0; c < classes; c++) {
        if (votes[c] === 0) continue;
        if (best < 0 || votes[c] > votes[best] || (votes[c] === votes[best] && nearest[c] < nearest[best])) best = c;
      }
      out[q0 + r] = best;
    }
    dotsT.dispose();
  }
  return out;
}

/** The values of t: its own storage on CPU backends (no 100 MB copy per batch), else a download. */
async function hostView(t: Tensor): Promise<ArrayLike<number>> {
  const direct = t.peek('knnPredict');
  return direct ?? t.data();
}

/** Fraction of queries whose kNN label matches their true label. */
export async function knnAccuracy(train: Tensor, trainLabels: ArrayLike<number>, query: Tensor, queryLabels: ArrayLike<number>,
  options: KnnOptions = {}): Promise<number> {
  if (queryLabels.length !== query.shape[0]) throw new Error(`knnAccuracy: ${queryLabels.length} labels for ${query.shape[0]} queries`);
  return accuracy(await knnPredict(train, trainLabels, query, options), queryLabels);
}
