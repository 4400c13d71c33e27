// Autoencoder: x → encoder → code z → decoder → x̂, trained to make x̂ close to x.
// fit / evaluate / predict (Keras's model.fit) are attached from src/train/autoencoder-methods.ts,
// so that models/ never imports the training loop above it.
import type { Tensor } from '../tensor.js';
import { Module } from '../nn/module.js';

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

  override describe(): string {
    return `${this.constructor.name}(encoder ${this.encoder.describe()}, decoder ${this.decoder.describe()})`;
  }
}
