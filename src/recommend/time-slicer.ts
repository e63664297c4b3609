import { setImmediate as nextMacrotask } from 'node:timers/promises';

/**
 * Long builds (a model's catalogue, title and tag indexes) written as generators that `yield`
 * every few hundred items, so one piece of code can run either way:
 *
 * - `runToEnd`: straight through, synchronously (the CLI, the library, tests);
 * - `runSliced`: in slices of at most `budgetMs` of the event loop, giving way to everything
 *   queued (requests, timers, I/O) between slices, so a server keeps answering while a new
 *   model is built next to the one it serves.
 *
 * Yielding costs one clock read; only a yield that finds the slice used up goes back to the
 * event loop.
 */
export type Steps<T> = Generator<void, T, void>;

export function runToEnd<T>(steps: Steps<T>): T {
  for (;;) {
    const next = steps.next();
    if (next.done) return next.value;
  }
}

export class TimeSlicer {
  private sliceStart = performance.now();
  /** Times the build gave way to the event loop. */
  yields = 0;

  constructor(readonly budgetMs: number) {}

  /** True when the current slice has used its budget. */
  due(): boolean {
    return performance.now() - this.sliceStart >= this.budgetMs;
  }

  /** Gives way to the event loop (setImmediate: after pending I/O callbacks), then starts a new slice. */
  async yield(): Promise<void> {
    this.yields++;
    await nextMacrotask();
    this.sliceStart = performance.now();
  }

  /** Yields if the slice is used up: call between steps of work that cannot be generators. */
  async maybeYield(): Promise<void> {
    if (this.due()) await this.yield();
  }

  /** Runs a generator build, yielding to the event loop whenever a slice is used up. */
  async run<T>(steps: Steps<T>): Promise<T> {
    for (;;) {
      const next = steps.next();
      if (next.done) return next.value;
      if (this.due()) await this.yield();
    }
  }
}

/** Shorthand: `runSliced(steps, slicer)`, or straight through when there is no slicer. */
export async function runSliced<T>(steps: Steps<T>, slicer: TimeSlicer | null): Promise<T> {
  return slicer === null ? runToEnd(steps) : slicer.run(steps);
}
