// When the playground's views run, so that they slow training by a bounded share: each kind of
// view work has a budget, a share of the time spent training, and runs only while it has spent
// less than that (so it overshoots by at most one piece of work, which the following steps pay
// back). Drawing on canvases waits for an animation frame at least MIN_FRAME_MS after the last
// one, where the drawings asked for since are drawn once each (a view asked for twice is drawn
// once, with its latest data): every changed canvas costs the browser a repaint, on the CPU too
// when it composites in software.
import type { Drawing } from './views.js';

const MIN_FRAME_MS = 500;

export class ViewBudget {
  spentMs = 0;
  constructor(readonly share: number) {}

  /** Whether more view work may start: so far it took under `share` of `trainMs`. */
  allows(trainMs: number): boolean {
    return this.spentMs < this.share * trainMs;
  }

  /** Runs `work`, charging its time to this budget. */
  async charge<T>(work: () => Promise<T> | T): Promise<T> {
    const t0 = performance.now();
    try {
      return await work();
    } finally {
      this.spentMs += performance.now() - t0;
    }
  }
}

export class FrameDrawer {
  private readonly pending = new Map<string, { drawing: Drawing; charged: boolean }>();
  private requested = false;
  private lastFlush = -Infinity;

  /** Drawing time is charged to `budget`. */
  constructor(private readonly budget: ViewBudget) {}

  /**
   * Draws `drawing` in the next animation frame (replacing one of the same name not drawn yet);
   * `charged` false leaves its time off the budget (the loss curve, drawn with the views off too).
   */
  draw(name: string, drawing: Drawing | undefined, charged = true): void {
    if (!drawing) return;
    this.pending.set(name, { drawing, charged });
    if (this.requested) return;
    this.requested = true;
    const wait = Math.max(0, this.lastFlush + MIN_FRAME_MS - performance.now());
    setTimeout(() => requestAnimationFrame(() => this.flush(true)), wait);
  }

  /** Draws what is pending now; `charge` false: outside the budget (the first step, a paused page). */
  flush(charge = true): void {
    this.requested = false;
    this.lastFlush = performance.now();
    const drawings = [...this.pending.values()];
    this.pending.clear();
    for (const { drawing, charged } of drawings) {
      const t0 = performance.now();
      drawing();
      if (charged && charge) this.budget.spentMs += performance.now() - t0;
    }
  }

  clear(): void {
    this.pending.clear();
  }
}
