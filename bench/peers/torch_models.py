"""The PyTorch twins of tessera's benchmark workloads (bench/tessera/workloads.ts), layer for layer.

Every layer keeps PyTorch's default initialisation, which tessera's init 'torch' reproduces
(U(+-1/sqrt(fan_in)) on weights and biases; fan_in of a ConvTranspose2d from weight.shape[1]).
Each model's objective(x) is its training loss on a batch x (the target is x itself); in eval
mode it is the test loss: no input noise, and the VAE decodes mu.
"""
import torch
import torch.nn.functional as F
from torch import nn

WORKLOADS = ["W1", "W2", "W3", "W4", "W5"]
FEATURE_SHAPE = {"W1": (784,), "W2": (1, 28, 28), "W3": (784,), "W4": (784,), "W5": (784,)}

NOISE_STD = 0.3        # W4: Gaussian input noise, clipped to [0, 1] as tessera's CLI does
L1_WEIGHT = 1e-4       # W5: the CLI's default sparsity (src/models/build-model.ts DEFAULT_SPARSITY)
VAE_LATENT = 32


class Autoencoder(nn.Module):
    """W1 and W2: x -> encoder -> z -> decoder, MSE against x."""

    def __init__(self, encoder, decoder):
        super().__init__()
        self.encoder = encoder
        self.decoder = decoder

    def forward(self, x):
        return self.decoder(self.encoder(x))

    def objective(self, x):
        return F.mse_loss(self(x), x)


class Denoising(Autoencoder):
    """W4: the input is corrupted in training, the target stays the clean x."""

    def objective(self, x):
        noisy = (x + NOISE_STD * torch.randn_like(x)).clamp_(0.0, 1.0) if self.training else x
        return F.mse_loss(self(noisy), x)


class Sparse(Autoencoder):
    """W5: MSE + L1_WEIGHT * sum|z| / n, Keras's activity_regularizer l1 per example."""

    def objective(self, x):
        z = self.encoder(x)
        return F.mse_loss(self.decoder(z), x) + L1_WEIGHT * z.abs().sum() / x.shape[0]


class VAE(Autoencoder):
    """W3: the encoder gives [mu | log var]; BCE summed per image + KL, averaged over the batch."""

    def objective(self, x):
        h = self.encoder(x)
        mu, logvar = h[:, :VAE_LATENT], h[:, VAE_LATENT:]
        z = mu + torch.exp(0.5 * logvar) * torch.randn_like(mu) if self.training else mu
        reconstruction = F.binary_cross_entropy(self.decoder(z), x, reduction="sum")
        kl = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
        return (reconstruction + kl) / x.shape[0]


def dense_pair():
    """W1's layers: 784 -> 64 ReLU -> 32 ReLU | 32 -> 64 ReLU -> 784 sigmoid (the code is after a ReLU)."""
    encoder = nn.Sequential(nn.Linear(784, 64), nn.ReLU(), nn.Linear(64, 32), nn.ReLU())
    decoder = nn.Sequential(nn.Linear(32, 64), nn.ReLU(), nn.Linear(64, 784), nn.Sigmoid())
    return encoder, decoder


def conv_pair():
    """The CLI's --model conv: channels 16, 8 and a dense code of 32."""
    encoder = nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(392, 32),
    )
    decoder = nn.Sequential(
        nn.Linear(32, 392), nn.ReLU(), nn.Unflatten(1, (8, 7, 7)),
        nn.ConvTranspose2d(8, 8, 3, stride=2, padding=1, output_padding=1), nn.ReLU(),
        nn.ConvTranspose2d(8, 16, 3, stride=2, padding=1, output_padding=1), nn.ReLU(),
        nn.Conv2d(16, 1, 3, padding=1), nn.Sigmoid(),
    )
    return encoder, decoder


def vae_pair():
    encoder = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 2 * VAE_LATENT))
    decoder = nn.Sequential(nn.Linear(VAE_LATENT, 256), nn.ReLU(), nn.Linear(256, 784), nn.Sigmoid())
    return encoder, decoder


def build(workload):
    """The twin of WORKLOAD_TABLE[workload] in bench/tessera/workloads.ts."""
    if workload == "W1":
        return Autoencoder(*dense_pair())
    if workload == "W2":
        return Autoencoder(*conv_pair())
    if workload == "W3":
        return VAE(*vae_pair())
    if workload == "W4":
        return Denoising(*dense_pair())
    if workload == "W5":
        return Sparse(*dense_pair())
    raise ValueError("torch_models.py: unknown workload %r; expected one of %s" % (workload, ", ".join(WORKLOADS)))
