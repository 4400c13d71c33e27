// latent: the VAE's latent layer (src/ops/latent.ts; reference src/backend/js/latent.ts, whose
// expressions and order this keeps, in f32). stats [rows, 2·latent] = μ ‖ v (v = log σ²),
// eps [rows, latent].
//   sample    one invocation per row: z[r, j] = μ + e^(v/2)·ε, kl[r] = ½ Σ_j ((μ² + e^v) − 1 − v)
//   backward  one invocation per (r, j): dμ = dz + dkl·μ, dv = ½·dz·e^(v/2)·ε + ½·dkl·(e^v − 1),
//             a term dropped where its gradient is absent (u.has_dz, u.has_dkl: the binding is a placeholder)

struct Params {
  rows: u32,
  latent: u32,
  has_dz: u32,
  has_dkl: u32,
}

@group(0) @binding(0) var<storage, read> stats: array<f32>;
@group(0) @binding(1) var<storage, read> eps: array<f32>;
// Bindings 2 and 3: z and kl, written by sample; dz and dkl, read by backward (one variable of
// each pair per entry point, as the bind group layout of that entry point says).
@group(0) @binding(2) var<storage, read_write> z: array<f32>;
@group(0) @binding(3) var<storage, read_write> kl: array<f32>;
@group(0) @binding(2) var<storage, read> dz: array<f32>;
@group(0) @binding(3) var<storage, read> dkl: array<f32>;
@group(0) @binding(4) var<storage, read_write> dstats: array<f32>;
@group(0) @binding(5) var<uniform> u: Params;

const WG: u32 = {{WG}}u;

@compute @workgroup_size(WG)
fn sample(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
          @builtin(local_invocation_index) lid: u32) {
  let r = (wid.y * nwg.x + wid.x) * WG + lid;
  if (r >= u.rows) { return; }
  let l = u.latent;
  var sum = 0.0;
  for (var j = 0u; j < l; j++) {
    let m = stats[r * 2u * l + j];
    let v = stats[r * 2u * l + l + j];
    z[r * l + j] = m + exp(0.5 * v) * eps[r * l + j];
    sum += m * m + exp(v) - 1.0 - v;
  }
  kl[r] = 0.5 * sum;
}

@compute @workgroup_size(WG)
fn backward(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
            @builtin(local_invocation_index) lid: u32) {
  let i = (wid.y * nwg.x + wid.x) * WG + lid;
  let l = u.latent;
  if (i >= u.rows * l) { return; }
  let r = i / l;
  let j = i - r * l;
  let m = stats[r * 2u * l + j];
  let v = stats[r * 2u * l + l + j];
  var dz_mu = 0.0; var dz_v = 0.0; var dkl_mu = 0.0; var dkl_v = 0.0;
  if (u.has_dz != 0u) {
    let gz = dz[i];
    dz_mu = gz;
    dz_v = 0.5 * gz * exp(0.5 * v) * eps[i];
  }
  if (u.has_dkl != 0u) {
    let gk = dkl[r];
    dkl_mu = gk * m;
    dkl_v = 0.5 * gk * (exp(v) - 1.0);
  }
  dstats[r * 2u * l + j] = dz_mu + dkl_mu;
  dstats[r * 2u * l + l + j] = dz_v + dkl_v;
}
