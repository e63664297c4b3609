/**
 * Worker threads for iALS training (simd.ts): each runs the SIMD kernel (wasm/als-cg.wat) on the
 * same shared WebAssembly memory, taking its share of every task (a half-step's rows, a
 * Gramian's row tiles, the loss's rows).
 *
 * The same pattern as the EASE inverse's pool (dense-inverse-pool.ts): training is synchronous,
 * so the main thread drives the tasks through Atomics on a small shared control block instead of
 * messages. It publishes a task, does its own share, then waits until every worker has counted
 * itself done. Every thread's calls for every task are fixed when the pool starts (the rows each
 * thread owns do not change between epochs), so a task is published as its number alone.
 */
import { Worker } from 'node:worker_threads';

/** One kernel call: the export's name and its arguments. */
export type KernelCall = [name: string, ...args: number[]];
/** tasks[task][thread]: the calls that thread makes for that task. */
export type TaskPlan = KernelCall[][][];

/** Control block slots (Int32). */
const GEN = 0; // task counter; workers wait for it to change
const DONE = 1; // workers finished with the current task
const FAILED = 2; // a worker's share threw
const STOP = 3;
const TASK = 4;
const SLOTS = 8;

/** How long the main thread waits without any worker finishing before it gives up. */
const STALL_MS = 10 * 60_000;

const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { module, memory, ctrlBuffer, resultsBuffer, w, calls } = workerData;
const kernel = new WebAssembly.Instance(module, { env: { memory } }).exports;
const ctrl = new Int32Array(ctrlBuffer);
const results = new Float64Array(resultsBuffer);
let gen = 0;
for (;;) {
  Atomics.wait(ctrl, ${GEN}, gen);
  gen = Atomics.load(ctrl, ${GEN});
  if (Atomics.load(ctrl, ${STOP}) === 1) break;
  try {
    let sum = 0;
    for (const [name, ...args] of calls[ctrl[${TASK}]]) {
      const value = kernel[name](...args);
      if (typeof value === 'number') sum += value;
    }
    results[w] = sum;
  } catch (error) {
    Atomics.store(ctrl, ${FAILED}, 1);
  }
  Atomics.add(ctrl, ${DONE}, 1);
  Atomics.notify(ctrl, ${DONE});
}
`;

type Kernel = Record<string, (...args: number[]) => number | undefined>;

export class AlsPool {
  private readonly ctrl = new Int32Array(new SharedArrayBuffer(SLOTS * 4));
  private readonly results: Float64Array;
  private readonly workers: Worker[] = [];
  private readonly kernel: Kernel;

  /** Starts T − 1 workers (T = plan's threads); the caller's thread is thread 0. */
  constructor(
    module: WebAssembly.Module,
    memory: WebAssembly.Memory,
    private readonly plan: TaskPlan,
    readonly T: number,
  ) {
    this.kernel = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as Kernel;
    this.results = new Float64Array(new SharedArrayBuffer(T * 8));
    for (let w = 1; w < T; w++) {
      const worker = new Worker(WORKER_SOURCE, {
        eval: true,
        workerData: {
          module,
          memory,
          ctrlBuffer: this.ctrl.buffer,
          resultsBuffer: this.results.buffer,
          w,
          calls: plan.map((task) => task[w] ?? []),
        },
      });
      worker.unref();
      this.workers.push(worker);
    }
  }

  /** Runs one task on every thread and returns the sum of the values its calls returned. */
  run(task: number): number {
    const { ctrl, results } = this;
    ctrl[TASK] = task;
    Atomics.store(ctrl, DONE, 0);
    Atomics.add(ctrl, GEN, 1);
    Atomics.notify(ctrl, GEN);
    let sum = 0;
    for (const [name, ...args] of this.plan[task]![0] ?? []) {
      const value = this.kernel[name]!(...args);
      if (typeof value === 'number') sum += value;
    }
    const others = this.T - 1;
    for (;;) {
      const done = Atomics.load(ctrl, DONE);
      if (done >= others) break;
      if (Atomics.wait(ctrl, DONE, done, STALL_MS) === 'timed-out' && Atomics.load(ctrl, DONE) === done) {
        throw new Error(`iALS: a worker thread gave no answer for ${STALL_MS / 1000} s`);
      }
    }
    if (Atomics.load(ctrl, FAILED) !== 0) throw new Error('iALS: a worker thread failed in its share of a task');
    for (let w = 1; w < this.T; w++) sum += results[w]!;
    return sum;
  }

  close(): void {
    Atomics.store(this.ctrl, STOP, 1);
    Atomics.add(this.ctrl, GEN, 1);
    Atomics.notify(this.ctrl, GEN);
    for (const worker of this.workers) void worker.terminate();
  }
}
