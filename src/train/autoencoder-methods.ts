// An Autoencoder's fit / evaluate / predict (Keras's model.fit on a Module), attached here in
// train/ rather than written in src/models/autoencoder.ts, so that models/ never imports the
// training loop above it. src/train/index.ts imports this file, so the library's entry point
// (src/index.ts) always has them.
import type { Tensor } from '../tensor.js';
import { Autoencoder } from '../models/autoencoder.js';
import type { Dataset } from '../data/dataset.js';
import type { DataLoader } from '../data/loader.js';
import { fit, type FitOptions } from './fit.js';
import { evaluate, predict, type EvaluateOptions } from './evaluate.js';
import type { History } from './history.js';

declare module '../models/autoencoder.js' {
  interface Autoencoder {
    /** Trains on x → y; y omitted or null means y = x (reconstruction). */
    fit(x: Tensor | Dataset | DataLoader, y: Tensor | Dataset | null | undefined, options: FitOptions): Promise<History>;
    /** Mean loss on x → y (y omitted: x → x), in eval mode without a graph. */
    evaluate(x: Tensor | Dataset, y: Tensor | Dataset | null | undefined, options: EvaluateOptions): Promise<number>;
    /** Reconstructions of every row of x, in eval mode, batch by batch. */
    predict(x: Tensor | Dataset, options?: { batchSize?: number }): Promise<Tensor>;
  }
}

Autoencoder.prototype.fit = function (this: Autoencoder, x, y, options) {
  return fit(this, x, y ?? null, options);
};
Autoencoder.prototype.evaluate = function (this: Autoencoder, x, y, options) {
  return evaluate(this, x, y ?? null, options);
};
Autoencoder.prototype.predict = function (this: Autoencoder, x, options = {}) {
  return predict(this, x, options);
};
