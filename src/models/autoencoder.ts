// Autoencoder: x → encoder → code z → decoder → x̂, trained to make x̂ close to x.
// fit / evaluate / predict hand the model to src/train/fit.ts (Keras's model.fit on a Module).
import type { Tensor } from '../tensor.js';
import { Module } from '../nn/module.js';
import type { Dataset } from '../data/dataset.js';
import type { DataLoader } from '../data/loader.js';
import { fit, type FitOptions } from '../train/fit.js';
import { evaluate, predict, type EvaluateOptions } from '../train/evaluate.js';
import type { History } from '../train/history.js';

export class Autoencoder extends Module {
  constructor(readonly encoder: Module, readonly decoder: Module) {
    super();
    this.registerModule('encoder', encoder);
    this.registerModule('decoder', decoder);
  }

  encode(x: Tensor): Tensor {
    return this.encoder.call(x);
  }

  decode(z: Tensor): Tensor {
    return this.decoder.call(z);
  }

  forward(x: Tensor): Tensor {
    return this.decode(this.encode(x));
  }

  /** Trains on x → y; y omitted or null means y = x (reconstruction). */
  fit(x: Tensor | Dataset | DataLoader, y: Tensor | Dataset | null | undefined, options: FitOptions): Promise<History> {
    return fit(this, x, y ?? null, options);
  }

  /** Mean loss on x → y (y omitted: x → x), in eval mode without a graph. */
  evaluate(x: Tensor | Dataset, y: Tensor | Dataset | null | undefined, options: EvaluateOptions): Promise<number> {
    return evaluate(this, x, y ?? null, options);
  }

  /** Reconstructions of every row of x, in eval mode, batch by batch. */
  predict(x: Tensor | Dataset, options: { batchSize?: number } = {}): Promise<Tensor> {
    return predict(this, x, options);
  }

  override describe(): string {
    return `${this.constructor.name}(encoder ${this.encoder.describe()}, decoder ${this.decoder.describe()})`;
  }
}
