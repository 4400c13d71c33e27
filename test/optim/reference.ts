// PyTorch's optimizer update rules in plain float64 JavaScript, written from the torch.optim
// documentation independently of src/optim, to check the implementations against.

export type Vec = number[];

export interface SgdRef { lr: number; momentum?: number; dampening?: number; nesterov?: boolean; wd?: number; maximize?: boolean }

/** Parameter values after each step of torch.optim.SGD. */
export function sgdRef(p0: Vec, grads: Vec[], o: SgdRef): Vec[] {
  const p = [...p0];
  let buf: Vec | null = null;
  const out: Vec[] = [];
  for (const grad of grads) {
    let g = grad.map((v) => (o.maximize ? -v : v));
    if (o.wd) g = g.map((v, i) => v + o.wd! * p[i]);
    if (o.momentum) {
      const mu = o.momentum;
      buf = buf === null ? [...g] : buf.map((b, i) => mu * b + (1 - (o.dampening ?? 0)) * g[i]);
      const b = buf;
      g = o.nesterov ? g.map((v, i) => v + mu * b[i]) : [...b];
    }
    for (let i = 0; i < p.length; i++) p[i] -= o.lr * g[i];
    out.push([...p]);
  }
  return out;
}

export interface AdamRef { lr: number; beta1: number; beta2: number; eps: number; wd?: number; amsgrad?: boolean; decoupled?: boolean }

/** torch.optim.Adam (decoupled: AdamW), following the pseudo-code of the docs. */
export function adamRef(p0: Vec, grads: Vec[], o: AdamRef): Vec[] {
  const p = [...p0];
  const m = p.map(() => 0), v = p.map(() => 0), vMax = p.map(() => 0);
  const out: Vec[] = [];
  grads.forEach((grad, k) => {
    const t = k + 1;
    for (let i = 0; i < p.length; i++) {
      let g = grad[i];
      if (o.wd) {
        if (o.decoupled) p[i] = p[i] - o.lr * o.wd * p[i];
        else g = g + o.wd * p[i];
      }
      m[i] = o.beta1 * m[i] + (1 - o.beta1) * g;
      v[i] = o.beta2 * v[i] + (1 - o.beta2) * g * g;
      const mHat = m[i] / (1 - o.beta1 ** t);
      let vHat: number;
      if (o.amsgrad) {
        vMax[i] = Math.max(vMax[i], v[i]);
        vHat = vMax[i] / (1 - o.beta2 ** t);
      } else {
        vHat = v[i] / (1 - o.beta2 ** t);
      }
      p[i] = p[i] - (o.lr * mHat) / (Math.sqrt(vHat) + o.eps);
    }
    out.push([...p]);
  });
  return out;
}

export interface RmsRef { lr: number; alpha: number; eps: number; momentum?: number; centered?: boolean; wd?: number }

export function rmspropRef(p0: Vec, grads: Vec[], o: RmsRef): Vec[] {
  const p = [...p0];
  const sq = p.map(() => 0), ga = p.map(() => 0), buf = p.map(() => 0);
  const out: Vec[] = [];
  for (const grad of grads) {
    for (let i = 0; i < p.length; i++) {
      let g = grad[i];
      if (o.wd) g += o.wd * p[i];
      sq[i] = o.alpha * sq[i] + (1 - o.alpha) * g * g;
      let avg: number;
      if (o.centered) {
        ga[i] = o.alpha * ga[i] + (1 - o.alpha) * g;
        avg = Math.sqrt(sq[i] - ga[i] * ga[i]) + o.eps;
      } else {
        avg = Math.sqrt(sq[i]) + o.eps;
      }
      if (o.momentum) {
        buf[i] = o.momentum * buf[i] + g / avg;
        p[i] -= o.lr * buf[i];
      } else {
        p[i] -= (o.lr * g) / avg;
      }
    }
    out.push([...p]);
  }
  return out;
}

export interface AdagradRef { lr: number; lrDecay?: number; wd?: number; init?: number; eps: number }

export function adagradRef(p0: Vec, grads: Vec[], o: AdagradRef): Vec[] {
  const p = [...p0];
  const s = p.map(() => o.init ?? 0);
  const out: Vec[] = [];
  grads.forEach((grad, k) => {
    const clr = o.lr / (1 + k * (o.lrDecay ?? 0));
    for (let i = 0; i < p.length; i++) {
      let g = grad[i];
      if (o.wd) g += o.wd * p[i];
      s[i] += g * g;
      p[i] -= (clr * g) / (Math.sqrt(s[i]) + o.eps);
    }
    out.push([...p]);
  });
  return out;
}
