// softmax: x viewed as [outer, size, inner] → out, same shape, (log-)softmax over the middle axis.
// Stable: y_r = exp(x_r − max) / Σ exp(x_s − max);  log y_r = x_r − (max + log Σ exp(x_s − max)).
// LOG selects log-softmax. Entry points as in reduce.wgsl: softmax_tree (a workgroup per
// row, tree reductions for the max and the sum) and softmax_serial (a thread per row).

struct Params {
  outer: u32,
  size: u32,
  inner: u32,
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<uniform> u: Params;

const WG: u32 = {{WG}}u;
const LOG: bool = {{LOG}};

fn row_base(o: u32) -> u32 {
  return (o / u.inner) * u.size * u.inner + o % u.inner;
}

fn write_row(base: u32, lo: u32, step: u32, row_max: f32, sum: f32) {
  let lse = row_max + log(sum);
  let inv = 1.0 / sum;
  for (var r = lo; r < u.size; r += step) {
    let at = base + r * u.inner;
    if (LOG) { out[at] = x[at] - lse; } else { out[at] = exp(x[at] - row_max) * inv; }
  }
}

var<workgroup> partial: array<f32, WG>;

@compute @workgroup_size(WG)
fn softmax_tree(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
                @builtin(local_invocation_index) lid: u32) {
  let o = wid.y * nwg.x + wid.x;
  let valid = o < u.outer * u.inner;   // uniform across the workgroup
  let base = select(0u, row_base(o), valid);
  var m = x[base];
  if (valid) { for (var r = lid; r < u.size; r += WG) { m = max(m, x[base + r * u.inner]); } }
  partial[lid] = m;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    if (lid < s) { partial[lid] = max(partial[lid], partial[lid + s]); }
    workgroupBarrier();
  }
  let row_max = partial[0];
  workgroupBarrier();
  var sum = 0.0;
  if (valid) { for (var r = lid; r < u.size; r += WG) { sum += exp(x[base + r * u.inner] - row_max); } }
  partial[lid] = sum;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    if (lid < s) { partial[lid] += partial[lid + s]; }
    workgroupBarrier();
  }
  let total = partial[0];
  if (valid) { write_row(base, lid, WG, row_max, total); }
}

@compute @workgroup_size(WG)
fn softmax_serial(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
                  @builtin(local_invocation_index) lid: u32) {
  let o = (wid.y * nwg.x + wid.x) * WG + lid;
  if (o >= u.outer * u.inner) { return; }
  let base = row_base(o);
  var m = x[base];
  for (var r = 1u; r < u.size; r++) { m = max(m, x[base + r * u.inner]); }
  var sum = 0.0;
  for (var r = 0u; r < u.size; r++) { sum += exp(x[base + r * u.inner] - m); }
  write_row(base, 0u, 1u, m, sum);
}
