// Every family member as the exporters must handle it, with weights and batch-norm statistics
// away from their initial values (a running variance of 1 and mean of 0 would hide a wrong
// eval-form batch norm), for the ONNX and PyTorch export tests.
import {
  Autoencoder, BatchNorm1d, BatchNorm2d, Conv2d, DenoisingAutoencoder, ELU, Flatten, GELU, Generator, LeakyReLU, Linear, MaxPool2d,
  SELU, Sequential, Softplus, SparseAutoencoder, Tanh, Unflatten, Upsample, assign, convAutoencoder, denseAutoencoder, denseVae, noGrad, rand,
} from '../../src/index.js';

export interface FamilyCase {
  name: string;
  model: Autoencoder;
  inputShape: number[];
}

/** Moves every batch norm's running statistics to random values (mean in [−½, ½], variance in [½, 2]). */
function scrambleBatchNorm(model: Autoencoder, gen: Generator): void {
  noGrad(() => {
    for (const [, m] of model.namedModules()) {
      if (m instanceof BatchNorm1d || m instanceof BatchNorm2d) {
        assign(m.runningMean!, rand([m.numFeatures], { generator: gen, low: -0.5, high: 0.5 }));
        assign(m.runningVar!, rand([m.numFeatures], { generator: gen, low: 0.5, high: 2 }));
        assign(m.weight!, rand([m.numFeatures], { generator: gen, low: 0.5, high: 1.5 }));
        assign(m.bias!, rand([m.numFeatures], { generator: gen, low: -0.5, high: 0.5 }));
      }
    }
  });
}

export function familyCases(): FamilyCase[] {
  const gen = new Generator(17);
  const cases: FamilyCase[] = [
    { name: 'dense', model: denseAutoencoder({ inputDim: 20, hidden: [16, 12], latent: 4, generator: gen }), inputShape: [20] },
    { name: 'dense, batch norm + dropout', model: denseAutoencoder({ inputDim: 20, hidden: [16], latent: 5, batchNorm: true, dropout: 0.3, activation: 'elu', generator: gen }), inputShape: [20] },
    { name: 'conv, transpose + batch norm + dense code', model: convAutoencoder({ inputShape: [1, 8, 8], channels: [4, 3], latent: 6, batchNorm: true, generator: gen }), inputShape: [1, 8, 8] },
    { name: 'conv, nearest upsampling', model: convAutoencoder({ inputShape: [2, 8, 12], channels: [3], upsample: 'nearest', activation: 'tanh', generator: gen }), inputShape: [2, 8, 12] },
    { name: 'denoising', model: DenoisingAutoencoder.from(denseAutoencoder({ inputDim: 20, hidden: [10], latent: 3, generator: gen }), { noise: { kind: 'gaussian', std: 0.3, clip: [0, 1] }, generator: gen }), inputShape: [20] },
    { name: 'sparse', model: SparseAutoencoder.from(denseAutoencoder({ inputDim: 20, hidden: [10], latent: 6, latentActivation: 'sigmoid', generator: gen }), { penalty: 'kl', weight: 0.1, rho: 0.1 }), inputShape: [20] },
    { name: 'vae', model: denseVae({ inputDim: 20, hidden: [12], latent: 3, generator: gen }), inputShape: [20] },
    {
      // Hand-built: the activation modules the built-in families do not use, unfused layers,
      // a Flatten/Unflatten pair and a 1d batch norm in a conv encoder.
      name: 'hand-built layers',
      model: new Autoencoder(
        new Sequential(new Conv2d(1, 2, 3, { padding: 1, stride: 2, generator: gen }), new GELU(), new MaxPool2d(2), new Flatten(), new Linear(8, 5, { generator: gen }), new BatchNorm1d(5), new SELU()),
        new Sequential(new Linear(5, 8, { activation: 'tanh', generator: gen }), new LeakyReLU(0.2), new Unflatten(1, [2, 2, 2]), new Upsample(2), new Conv2d(2, 1, 3, { padding: 1, generator: gen }), new Softplus(), new Tanh(), new ELU(0.5)),
      ),
      inputShape: [1, 8, 8],
    },
  ];
  for (const c of cases) {
    scrambleBatchNorm(c.model, gen);
    c.model.eval();
  }
  return cases;
}

/** max |a − b| / max |b|: the error relative to the output's magnitude. */
export function relativeError(got: Float32Array, want: Float32Array): number {
  if (got.length !== want.length) throw new Error(`relativeError: ${got.length} values against ${want.length}`);
  let err = 0, scale = 0;
  for (let i = 0; i < want.length; i++) {
    err = Math.max(err, Math.abs(got[i] - want[i]));
    scale = Math.max(scale, Math.abs(want[i]));
  }
  return err / Math.max(scale, 1e-30);
}
