import cluster, { type Worker } from 'node:cluster';
import { availableParallelism } from 'node:os';
import { AggregatorRegistry, type Registry } from 'prom-client';

/**
 * Several API processes on one port (node:cluster), so a multi-core machine serves with every
 * core: each request runs synchronously on one JavaScript thread, so one process tops out at one
 * core. Each worker is a complete server (own store connection, own model, own caches); the
 * primary only forks, restarts crashed workers, stops them on a signal and merges their
 * Prometheus metrics so /metrics still describes the whole server.
 */

const METRICS_REQUEST = 'anirec:cluster-metrics-request';
const METRICS_RESPONSE = 'anirec:cluster-metrics-response';
/** A worker that dies this soon after starting, this many times in a row, is not restarted again. */
const CRASH_WINDOW_MS = 10_000;
const MAX_QUICK_CRASHES = 3;

/** `--workers`: a whole number ≥ 1, or "auto" for one per CPU core. */
export function parseWorkerCount(value: string | number): number {
  if (value === 'auto') return availableParallelism();
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 256)
    throw new RangeError(`workers must be a whole number from 1 to 256, or "auto" (got ${JSON.stringify(value)})`);
  return n;
}

export function isClusterWorker(): boolean {
  return cluster.isWorker;
}

export interface PrimaryOptions {
  workers: number;
  /** Command-line arguments of the worker processes (the same script is run). */
  args: string[];
  /** Environment added to every worker (e.g. which port to listen on). */
  env?: Record<string, string>;
  log: (line: string) => void;
  /** Called once, when the first worker listens: its port (the same for all workers). */
  onListening?: (port: number) => void;
}

/**
 * Runs the primary until SIGINT/SIGTERM (or `stop()`), forking `workers` processes that run this
 * process's script with `options.args`.
 */
export function runPrimary(options: PrimaryOptions): { stopped: Promise<'signal' | 'crash-loop'>; stop: () => void } {
  cluster.setupPrimary({ args: options.args });
  const aggregator = new AggregatorRegistry();
  let stopping = false;
  let quickCrashes = 0;
  let announced = false;
  const startedAt = new Map<number, number>();

  const fork = (): Worker => {
    const worker = cluster.fork(options.env ?? {});
    startedAt.set(worker.id, Date.now());
    worker.on('message', (message: { type?: string; id?: number }) => {
      if (message?.type !== METRICS_REQUEST) return;
      aggregator.clusterMetrics().then(
        (text) => worker.isConnected() && worker.send({ type: METRICS_RESPONSE, id: message.id, text }),
        (error: Error) => worker.isConnected() && worker.send({ type: METRICS_RESPONSE, id: message.id, error: error.message }),
      );
    });
    return worker;
  };

  let crashLoop = false;
  let resolveStopped!: (why: 'signal' | 'crash-loop') => void;
  const stopped = new Promise<'signal' | 'crash-loop'>((resolve) => (resolveStopped = resolve));
  const finishIfDone = (): void => {
    if (stopping && Object.keys(cluster.workers ?? {}).length === 0) resolveStopped(crashLoop ? 'crash-loop' : 'signal');
  };

  cluster.on('listening', (_worker, address) => {
    if (announced) return;
    announced = true;
    options.onListening?.(address.port);
  });
  cluster.on('exit', (worker, code, signal) => {
    const lived = Date.now() - (startedAt.get(worker.id) ?? 0);
    startedAt.delete(worker.id);
    if (stopping) return finishIfDone();
    quickCrashes = lived < CRASH_WINDOW_MS ? quickCrashes + 1 : 0;
    const how = signal ? `signal ${signal}` : `code ${code}`;
    if (quickCrashes >= MAX_QUICK_CRASHES) {
      options.log(
        `anirec serve: worker ${worker.process.pid} exited (${how}); ${MAX_QUICK_CRASHES} workers died within ${CRASH_WINDOW_MS / 1000}s of starting, so no more restarts. Fix the error above and start again.`,
      );
      crashLoop = true;
      stop();
      return;
    }
    options.log(`anirec serve: worker ${worker.process.pid} exited (${how}); starting a replacement.`);
    fork();
  });

  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    // Workers close their servers gracefully on SIGTERM (in-flight requests finish).
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM');
    finishIfDone();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  for (let i = 0; i < options.workers; i++) fork();
  return { stopped, stop };
}

let nextRequestId = 0;
const pending = new Map<number, { resolve: (text: string) => void; reject: (error: Error) => void; timer: NodeJS.Timeout }>();
let workerListening = false;

/**
 * In a worker: lets the primary read this registry (prom-client's cluster protocol), and returns
 * a function that fetches the merged metrics of all workers through the primary.
 */
export function clusterMetricsReader(registry: Registry): () => Promise<string> {
  // Constructing an AggregatorRegistry in a worker installs prom-client's answering listener.
  new AggregatorRegistry();
  AggregatorRegistry.setRegistries([registry]);
  if (!workerListening) {
    workerListening = true;
    process.on('message', (message: { type?: string; id?: number; text?: string; error?: string }) => {
      if (message?.type !== METRICS_RESPONSE || message.id === undefined) return;
      const request = pending.get(message.id);
      if (request === undefined) return;
      pending.delete(message.id);
      clearTimeout(request.timer);
      if (message.error !== undefined) request.reject(new Error(`merging worker metrics failed: ${message.error}`));
      else request.resolve(message.text ?? '');
    });
  }
  return () =>
    new Promise<string>((resolve, reject) => {
      const id = nextRequestId++;
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error('the primary process did not answer the metrics request within 10 s'));
      }, 10_000);
      pending.set(id, { resolve, reject, timer });
      process.send!({ type: METRICS_REQUEST, id });
    });
}
