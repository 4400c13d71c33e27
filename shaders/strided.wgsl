// Walking a row-major index over up to three strided operands, pasted into binary, where and
// copy by `#include "strided.wgsl"`. Shapes and strides are two vec4s (rank ≤ 8, padded with
// ones and zeros); a stride of 0 is a broadcast axis. Operands a shader does not have get
// NO_STRIDES.

alias Dims = array<vec4<i32>, 2>;

const NO_STRIDES = Dims(vec4<i32>(0), vec4<i32>(0));

// Where index i sits in each operand (x, y, z: flat offsets), and i's coordinate on the last axis.
struct Located {
  off: vec3<i32>,
  last: i32,
}

// Peels the row-major index of `shape` off i, last axis first (integer divisions: slow on
// CPUs, so a thread does this once per row it touches, not once per element).
fn locate_strided(i: u32, rank: u32, shape: Dims, sx: Dims, sy: Dims, sz: Dims) -> Located {
  var rest = i32(i);
  var p = Located(vec3<i32>(0), 0);
  for (var d = i32(rank) - 1; d >= 0; d--) {
    let n = shape[d / 4][d % 4];
    let c = rest % n;
    rest = rest / n;
    if (d == i32(rank) - 1) { p.last = c; }
    p.off += c * vec3<i32>(sx[d / 4][d % 4], sy[d / 4][d % 4], sz[d / 4][d % 4]);
  }
  return p;
}

// The entry of v on the last axis: the row length of a shape, the step of a stride (rank 0
// reads the padding: length 1).
fn last_axis(rank: u32, v: Dims) -> i32 {
  let d = max(i32(rank) - 1, 0);
  return v[d / 4][d % 4];
}
