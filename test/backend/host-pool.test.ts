// The CPU backends' host buffer pool: exact-size reuse, and a request with no free array of its
// size borrowing a free one of up to twice its size as a view (the whole array comes back on
// release), so that an epoch's short last batch runs in the full batches' arrays.
import { describe, expect, it } from 'vitest';
import { setBackend } from '../../src/index.js';
import { HostBufferPool, hostPool } from '../../src/backend/js/host-pool.js';
import { SGD } from '../../src/optim/index.js';
import { fit } from '../../src/train/index.js';
import { mlp, regression } from '../train/helpers.js';

setBackend('js');

describe('HostBufferPool', () => {
  it('reuses a freed array of the same size, and creates one when none is free', () => {
    const pool = new HostBufferPool();
    const a = pool.alloc('float32', 1000);
    pool.release(a);
    expect(pool.alloc('float32', 1000)).toBe(a);
    expect(pool.alloc('float32', 1000)).not.toBe(a);
    expect(pool.stats()).toMatchObject({ reused: 1, borrowed: 0, created: 2, pooledBytes: 0 });
  });

  it('lends the smallest free array of up to twice the size as a view, and takes the whole array back', () => {
    const pool = new HostBufferPool();
    const [big, mid] = [pool.alloc('float32', 1000), pool.alloc('float32', 700)];
    pool.release(big);
    pool.release(mid);
    const view = pool.alloc('float32', 600);
    expect(view.length).toBe(600);
    expect(view.buffer).toBe(mid.buffer);              // 700 is the smallest free array ≥ 600
    expect(pool.stats()).toMatchObject({ borrowed: 1, pooledBytes: 4000 });
    pool.release(view);
    expect(pool.stats().pooledBytes).toBe(6800);      // all of mid's 700 floats are back
    expect(pool.alloc('float32', 700)).toBe(mid);
    // 1000 is more than twice 400: a small request never pins a large array.
    const small = pool.alloc('float32', 400);
    expect(small.buffer).not.toBe(big.buffer);
    expect(small.buffer.byteLength).toBe(1600);
    // float64 and float32 arrays never stand in for each other.
    expect(pool.alloc('float64', 900).buffer).not.toBe(big.buffer);
  });

  it('refuses views it did not lend (they alias memory someone else owns)', () => {
    const pool = new HostBufferPool();
    const owner = new Float32Array(100);
    pool.release(owner.subarray(0, 50));
    expect(pool.stats().pooledBytes).toBe(0);
  });

  it('a training epoch whose last batch is short creates no arrays beyond those of full batches', async () => {
    // Old pool: the 40-row last batch made a second set of arrays next to the 64-row ones.
    const created = async (rows: number) => {
      hostPool.clear();
      const before = hostPool.stats().created;
      const model = mlp(3);
      const { x, y } = regression(rows, 1);
      await fit(model, x, y, { optimizer: new SGD(model.parameters(), { lr: 0.01 }), loss: 'mse', epochs: 2, batchSize: 64, shuffle: false });
      return hostPool.stats().created - before;
    };
    const full = await created(128);
    expect(await created(128 + 40)).toBe(full);
  });
});
