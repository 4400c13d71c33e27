import { denseAutoencoder, Adam, loadFashionMnist, tensor } from '../src/index.js';

const train = loadFashionMnist({ split: 'train' });
const x = tensor(train.images, [train.n, 784]);
const model = denseAutoencoder({ inputDim: 784, hidden: [64], latent: 32 });
const history = await model.fit(x, x, { optimizer: new Adam(model.parameters(), { lr: 1e-3 }),
  loss: 'mse', epochs: 5, batchSize: 256, shuffle: true, progress: 'auto' });

export {};
