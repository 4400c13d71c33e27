// The progress reporter: a bar redrawn in place on a TTY, one plain line per epoch elsewhere.
import { describe, expect, it } from 'vitest';
import { setBackend } from '../../src/index.js';
import { SGD } from '../../src/optim/index.js';
import { fit, createProgressReporter, BarReporter, LineReporter, formatLoss, formatDuration } from '../../src/train/index.js';
import { mlp, regression } from './helpers.js';

setBackend('js');

class FakeStream {
  chunks: string[] = [];
  constructor(readonly isTTY: boolean, readonly columns?: number) {}
  write(s: string): boolean { this.chunks.push(s); return true; }
  get text(): string { return this.chunks.join(''); }
}

describe('progress reporter', () => {
  it("'auto' picks lines off a TTY and writes one summary line per epoch", () => {
    const s = new FakeStream(false);
    const r = createProgressReporter('auto', s);
    expect(r).toBeInstanceOf(LineReporter);
    r!.trainBegin({ epochs: 20, initialEpoch: 0, stepsPerEpoch: 10, samplesPerEpoch: 60000 });
    r!.batchEnd({ epoch: 2, step: 5, samplesDone: 1280, seconds: 0.5, loss: 0.03 });
    expect(s.text).toBe('');
    r!.epochEnd({ epoch: 2, loss: 0.02134, valLoss: 0.0208, seconds: 4.1, samplesPerSecond: 14600.4, lr: 1e-3 });
    r!.epochEnd({ epoch: 3, loss: 0.0002134, seconds: 61, samplesPerSecond: 999.6, lr: 1e-3 });
    r!.trainEnd();
    expect(s.text).toBe('epoch 3/20  loss 0.0213  val 0.0208  4.1 s  14,600 samples/s\n'
      + 'epoch 4/20  loss 2.13e-4  1m 01s  1,000 samples/s\n');
  });

  it("'auto' picks the bar on a TTY: redrawn in place with percent, loss, samples/s and ETA", () => {
    const s = new FakeStream(true);
    let clock = 0;
    const r = createProgressReporter('auto', s, { now: () => clock, minIntervalMs: 100, width: 10 });
    expect(r).toBeInstanceOf(BarReporter);
    r!.trainBegin({ epochs: 5, initialEpoch: 0, stepsPerEpoch: 4, samplesPerEpoch: 1000 });
    r!.batchEnd({ epoch: 0, step: 1, samplesDone: 256, seconds: 0.5, loss: 0.5 });
    clock = 50;                                      // too soon: not redrawn
    r!.batchEnd({ epoch: 0, step: 2, samplesDone: 512, seconds: 1, loss: 0.4 });
    clock = 200;
    r!.batchEnd({ epoch: 0, step: 3, samplesDone: 768, seconds: 1.5, loss: 0.3 });
    expect(s.chunks).toEqual([
      '\repoch 1/5 [==>       ]  25%  loss 0.500  512 samples/s  ETA 1.5 s\x1b[K',
      '\repoch 1/5 [=======>  ]  75%  loss 0.300  512 samples/s  ETA 0.5 s\x1b[K',
    ]);
    clock = 210;                                     // the last step is always drawn
    r!.batchEnd({ epoch: 0, step: 4, samplesDone: 1000, seconds: 2, loss: 0.25 });
    expect(s.chunks[2]).toBe('\repoch 1/5 [==========] 100%  loss 0.250  500 samples/s  ETA 0.0 s\x1b[K');
    r!.epochEnd({ epoch: 0, loss: 0.25, seconds: 2, samplesPerSecond: 500, lr: 0.1 });
    expect(s.chunks[3]).toBe('\repoch 1/5  loss 0.250  2.0 s  500 samples/s\x1b[K\n');
    r!.trainEnd();
    expect(s.chunks).toHaveLength(4);
  });

  it('the bar is cut to the terminal width', () => {
    const s = new FakeStream(true, 30);
    const r = new BarReporter(s, { minIntervalMs: 0 });
    r.trainBegin({ epochs: 1, initialEpoch: 0, stepsPerEpoch: 2, samplesPerEpoch: 4 });
    r.batchEnd({ epoch: 0, step: 1, samplesDone: 2, seconds: 1, loss: 1 });
    expect(s.chunks[0].replace('\r', '').replace('\x1b[K', '').length).toBe(29);
  });

  it('fit writes only to the stream it is given', async () => {
    const { x, y } = regression(32, 1);
    const model = mlp(2);
    const s = new FakeStream(false);
    await fit(model, x, y, { optimizer: new SGD(model.parameters(), { lr: 0.01 }), loss: 'mse', epochs: 3, batchSize: 8, progress: 'auto', progressStream: s });
    const lines = s.text.split('\n').filter((l) => l !== '');
    expect(lines).toHaveLength(3);
    lines.forEach((l, i) => expect(l).toMatch(new RegExp(`^epoch ${i + 1}/3  loss \\d\\.\\d+  \\d+\\.\\d s  [\\d,]+ samples/s$`)));
    const quiet = new FakeStream(false);
    await fit(model, x, y, { optimizer: new SGD(model.parameters(), { lr: 0.01 }), loss: 'mse', epochs: 1, batchSize: 8, progressStream: quiet });
    expect(quiet.text).toBe('');                     // the default is 'none'
  });

  it('formats numbers', () => {
    expect([formatLoss(1.5), formatLoss(0.00099), formatLoss(123456)]).toEqual(['1.50', '9.90e-4', '1.23e+5']);
    expect([formatDuration(0.04), formatDuration(125), formatDuration(3725)]).toEqual(['0.0 s', '2m 05s', '1h 02m']);
    expect(() => createProgressReporter('fancy' as 'bar')).toThrow(/progress: unknown mode 'fancy'/);
  });
});
