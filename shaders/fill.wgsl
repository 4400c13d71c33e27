// fill: out[i] = value for i < size.   out: [size]
// One thread per element; the grid is 2-D when size / WG overflows one dimension.

struct Params {
  size: u32,
  value: f32,
}

@group(0) @binding(0) var<storage, read_write> out: array<f32>;
@group(0) @binding(1) var<uniform> u: Params;

const WG: u32 = {{WG}}u;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let i = (wid.y * nwg.x + wid.x) * WG + lid;
  if (i < u.size) { out[i] = u.value; }
}
