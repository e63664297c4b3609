/**
 * Worker threads for the blocked SPD inverse: each runs the same SIMD kernel on the same shared
 * WebAssembly memory, taking its share of every step's rank-b update (dense-inverse-share.ts).
 *
 * The inverse is synchronous (EASE training is), so the main thread drives the steps through
 * Atomics on a small shared control block instead of messages: it publishes a step, does its own
 * share, then waits until every worker has counted itself done. Node lets the main thread block
 * in Atomics.wait, and workers start without the main thread's event loop.
 */
import { availableParallelism } from 'node:os';
import { env } from '../env/env.js';
import { Worker } from 'node:worker_threads';
import { updateShare, type GemmSub } from './dense-inverse-share.js';

/** Control block slots (Int32). */
const GEN = 0; // step counter; workers wait for it to change
const DONE = 1; // workers finished with the current step
const FAILED = 2; // a worker's share threw
const STOP = 3;
const K0 = 4;
const K1 = 5;
const KB = 6;
const SLOTS = 8;

/** How long the main thread waits without any worker finishing before it gives up. */
const STALL_MS = 10 * 60_000;

// `__name` is the helper a TypeScript loader may insert when it keeps function names.
const WORKER_SOURCE = `
var __name = (f) => f;
const { workerData } = require('node:worker_threads');
const updateShare = ${updateShare.toString()};
const { module, memory, ctrlBuffer, w, T, N, mOff, pOff, qOff, chunk } = workerData;
const kernel = new WebAssembly.Instance(module, { env: { memory } }).exports;
const ctrl = new Int32Array(ctrlBuffer);
let gen = 0;
for (;;) {
  Atomics.wait(ctrl, ${GEN}, gen);
  gen = Atomics.load(ctrl, ${GEN});
  if (Atomics.load(ctrl, ${STOP}) === 1) break;
  try {
    updateShare(kernel.gemmSub, w, T, N, ctrl[${K0}], ctrl[${K1}], ctrl[${KB}], mOff, pOff, qOff, chunk);
  } catch (error) {
    Atomics.store(ctrl, ${FAILED}, 1);
  }
  Atomics.add(ctrl, ${DONE}, 1);
  Atomics.notify(ctrl, ${DONE});
}
`;

/** Threads to use: the caller's request, else `env.threads` (ANIREC_THREADS), else every core the process may use. */
export function resolveThreads(requested?: number): number {
  return Math.max(1, Math.floor(requested ?? (env.threads > 0 ? env.threads : availableParallelism())));
}

export interface StepLayout {
  N: number;
  mOff: number;
  pOff: number;
  qOff: number;
  chunk: number;
}

export class UpdatePool {
  private readonly ctrl = new Int32Array(new SharedArrayBuffer(SLOTS * 4));
  private readonly workers: Worker[] = [];

  /** Starts T − 1 workers; the caller's thread is the T-th. */
  constructor(
    module: WebAssembly.Module,
    memory: WebAssembly.Memory,
    private readonly gemmSub: GemmSub,
    readonly T: number,
    private readonly layout: StepLayout,
  ) {
    for (let w = 1; w < T; w++) {
      const worker = new Worker(WORKER_SOURCE, {
        eval: true,
        workerData: { module, memory, ctrlBuffer: this.ctrl.buffer, w, T, ...layout },
      });
      worker.unref();
      this.workers.push(worker);
    }
  }

  /** Runs one step's update on every thread and returns when all are done. */
  step(k0: number, k1: number, kb: number): void {
    const { ctrl, layout } = this;
    ctrl[K0] = k0;
    ctrl[K1] = k1;
    ctrl[KB] = kb;
    Atomics.store(ctrl, DONE, 0);
    Atomics.add(ctrl, GEN, 1);
    Atomics.notify(ctrl, GEN);
    updateShare(this.gemmSub, 0, this.T, layout.N, k0, k1, kb, layout.mOff, layout.pOff, layout.qOff, layout.chunk);
    const others = this.T - 1;
    for (;;) {
      const done = Atomics.load(ctrl, DONE);
      if (done >= others) break;
      if (Atomics.wait(ctrl, DONE, done, STALL_MS) === 'timed-out' && Atomics.load(ctrl, DONE) === done) {
        throw new Error(`dense inverse: a worker thread gave no answer for ${STALL_MS / 1000} s`);
      }
    }
    if (Atomics.load(ctrl, FAILED) !== 0) throw new Error('dense inverse: a worker thread failed in its share of the update');
  }

  close(): void {
    Atomics.store(this.ctrl, STOP, 1);
    Atomics.add(this.ctrl, GEN, 1);
    Atomics.notify(this.ctrl, GEN);
    for (const worker of this.workers) void worker.terminate();
  }
}
