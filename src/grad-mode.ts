// Whether ops record the graph: the one switch that ops (which record) and autograd (which
// turns it off for the backward sweep) share, kept apart so that neither imports the other.

/**
 * A module-wide setting that `with` changes for the duration of fn, restoring it even when fn
 * throws: grad mode here, the default dtype in ops/op.ts.
 */
export function scopedSetting<V>(initial: V): { get: () => V; with: <T>(value: V, fn: () => T) => T } {
  let current = initial;
  return {
    get: () => current,
    with(value, fn) {
      const previous = current;
      current = value;
      try {
        return fn();
      } finally {
        current = previous;
      }
    },
  };
}

const gradEnabled = scopedSetting(true);

export const isGradEnabled = (): boolean => gradEnabled.get();

/** Runs fn without recording a graph (inference, optimizer updates, metrics). */
export const noGrad = <T>(fn: () => T): T => gradEnabled.with(false, fn);

/** Runs fn with the graph recorded even inside noGrad (used by createGraph backward). */
export const enableGrad = <T>(fn: () => T): T => gradEnabled.with(true, fn);
