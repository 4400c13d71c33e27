// Whether ops record the graph: the one switch that ops (which record) and autograd (which
// turns it off for the backward sweep) share, kept apart so that neither imports the other.
let gradEnabled = true;

export function isGradEnabled(): boolean {
  return gradEnabled;
}

function withGrad<T>(enabled: boolean, fn: () => T): T {
  const previous = gradEnabled;
  gradEnabled = enabled;
  try {
    return fn();
  } finally {
    gradEnabled = previous;
  }
}

/** Runs fn without recording a graph (inference, optimizer updates, metrics). */
export function noGrad<T>(fn: () => T): T {
  return withGrad(false, fn);
}

/** Runs fn with the graph recorded even inside noGrad (used by createGraph backward). */
export function enableGrad<T>(fn: () => T): T {
  return withGrad(true, fn);
}
