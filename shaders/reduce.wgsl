// reduce: x viewed as [outer, size, inner] → out [outer, inner], over the middle axis.
// OP: a REDUCE_OPS code of src/backend/opcodes.ts (R_SUM, R_MAX, R_MIN, R_ARGMAX, R_ARGMIN: arg ops
// write the index as a float; the first extreme element wins, as in the js backend), or
// R_SUM_SQUARES: Σ x², each square rounded to f32 and added as sum adds values (pass 2 of a
// two-pass sumSquares is a plain sum).
//
// A row may be cut into `chunks` pieces of `chunk` elements; slot s = o·chunks + piece is
// one piece of output o's row, and each entry point writes one result per slot.
//   reduce_tree   one workgroup per slot: each thread folds a strided slice, then a
//                 shared-memory tree halves WG partials to one (WG a power of 2).
//   reduce_serial one thread per slot, a plain loop: for short rows or many outputs.
// Output o (of outer·inner) is row (o / inner, ·, o % inner). The grid is 2-D when the
// workgroup count overflows one dimension.
//
// Long rows with few outputs take two passes (src/backend/webgpu/kernels-reduce.ts): pass 1
// writes one partial per piece (its value, and its index into out_idx when PAIRS_OUT); pass 2
// reduces the partials, reading the indices back from x_idx (PAIRS_IN) so argmax/argmin
// still report positions in the row. Single-pass: chunks = 1, chunk = size.

struct Params {
  outer: u32,
  size: u32,
  inner: u32,
  chunk: u32,    // elements per piece of a row (size when single-pass)
  chunks: u32,   // pieces per row (1 when single-pass)
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> x_idx: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<storage, read_write> out_idx: array<f32>;
@group(0) @binding(4) var<uniform> u: Params;

const WG: u32 = {{WG}}u;
const OP: u32 = {{OP}}u;
const IS_ARG: bool = OP == {{R_ARGMAX}}u || OP == {{R_ARGMIN}}u;
const IS_SUM: bool = OP == {{R_SUM}}u || OP == {{R_SUM_SQUARES}}u;   // sum and sumSquares start at 0 and add
const PAIRS_IN: bool = {{PAIRS_IN}};
const PAIRS_OUT: bool = {{PAIRS_OUT}};

// A partial result: the value and, for arg ops, the row index it came from.
struct Acc {
  v: f32,
  i: u32,
}

// Folds `b` into `a`. Ties go to the lower index, so partials may be combined in any order;
// a NaN wins max/min (it propagates, as in NumPy and PyTorch).
fn combine(a: Acc, b: Acc) -> Acc {
  switch (OP) {
    case {{R_SUM}}u, {{R_SUM_SQUARES}}u: { return Acc(a.v + b.v, 0u); }
    case {{R_MAX}}u: { if (a.v != a.v) { return a; } if (b.v > a.v || b.v != b.v) { return b; } return a; }
    case {{R_MIN}}u: { if (a.v != a.v) { return a; } if (b.v < a.v || b.v != b.v) { return b; } return a; }
    case {{R_ARGMAX}}u: { if (b.v > a.v || (b.v == a.v && b.i < a.i)) { return b; } return a; }
    default: { if (b.v < a.v || (b.v == a.v && b.i < a.i)) { return b; } return a; }  // R_ARGMIN
  }
}

fn element(base: u32, r: u32) -> Acc {
  let at = base + r * u.inner;
  if (PAIRS_IN) { return Acc(x[at], u32(x_idx[at])); }
  if (OP == {{R_SUM_SQUARES}}u) { let v = x[at]; return Acc(v * v, r); }
  return Acc(x[at], r);
}

// Start value: 0 for sum (and sumSquares); otherwise the piece's first element (always present), which
// every reduction but sum may see twice without changing its result.
fn start(base: u32, first: u32) -> Acc {
  if (IS_SUM) { return Acc(0.0, 0u); }
  return element(base, first);
}

fn row_base(o: u32) -> u32 {
  return (o / u.inner) * u.size * u.inner + o % u.inner;
}

// slot = o·chunks + piece
fn write(slot: u32, acc: Acc) {
  if (PAIRS_OUT) {
    out[slot] = acc.v;
    out_idx[slot] = f32(acc.i);
  } else if (IS_ARG) {
    out[slot] = f32(acc.i);
  } else {
    out[slot] = acc.v;
  }
}

var<workgroup> partial_v: array<f32, WG>;
var<workgroup> partial_i: array<u32, WG>;

@compute @workgroup_size(WG)
fn reduce_tree(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
               @builtin(local_invocation_index) lid: u32) {
  let slot = wid.y * nwg.x + wid.x;
  // slot is per workgroup, so every thread takes the same branch: barriers stay uniform.
  let valid = slot < u.outer * u.inner * u.chunks;
  var acc = Acc(0.0, 0u);
  if (valid) {
    let o = slot / u.chunks;
    let first = (slot % u.chunks) * u.chunk;
    let last = min(u.size, first + u.chunk);
    let base = row_base(o);
    acc = start(base, first);
    for (var r = first + lid; r < last; r += WG) { acc = combine(acc, element(base, r)); }
  }
  partial_v[lid] = acc.v;
  partial_i[lid] = acc.i;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    if (lid < s) {
      let merged = combine(Acc(partial_v[lid], partial_i[lid]), Acc(partial_v[lid + s], partial_i[lid + s]));
      partial_v[lid] = merged.v;
      partial_i[lid] = merged.i;
    }
    workgroupBarrier();
  }
  if (valid && lid == 0u) { write(slot, Acc(partial_v[0], partial_i[0])); }
}

@compute @workgroup_size(WG)
fn reduce_serial(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
                 @builtin(local_invocation_index) lid: u32) {
  let slot = (wid.y * nwg.x + wid.x) * WG + lid;
  if (slot >= u.outer * u.inner * u.chunks) { return; }
  let first = (slot % u.chunks) * u.chunk;
  let last = min(u.size, first + u.chunk);
  let base = row_base(slot / u.chunks);
  var acc = start(base, first);
  for (var r = first; r < last; r++) { acc = combine(acc, element(base, r)); }
  write(slot, acc);
}
