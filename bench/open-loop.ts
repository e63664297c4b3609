/**
 * Open-loop load at a constant arrival rate: request i is sent at start + i / rate whether or
 * not earlier ones have answered, and its latency is measured from that intended send time (as
 * wrk2 does), so a slow server cannot slow the load down and hide its own queueing.
 *
 * autocannon's rate option does not do this: each connection sends back-to-back until it has
 * used its per-second quota, then waits for the next second (mcollina/autocannon#174), so
 * "500 req/s" arrives as bursts at full concurrency. It stays in use for maximum throughput.
 */
import { Pool } from 'undici';

export interface LoadRequest {
  method: 'GET' | 'POST';
  path: string;
  body?: string;
}

export interface OpenLoopResult {
  rate: number;
  sent: number;
  completed: number;
  /** Non-2xx answers plus network errors. */
  errors: number;
  achievedRps: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  /** With `keepSamples`: each request's intended send time (epoch ms) and latency (ms), in send order. */
  samples?: { sentAt: Float64Array; latency: Float64Array };
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const round2 = (x: number): number => Math.round(x * 100) / 100;

const CONNECTIONS = 64;

/**
 * Opens every connection of the pool before the clock starts (as wrk2 connects before it
 * measures). Otherwise the first ~0.3 s of a run measures TCP set-up, and with `--workers` the
 * primary handing each new socket to a worker, while requests queue for sockets: at 500 req/s
 * the first cold fold-in requests of a run waited 100–200 ms.
 */
async function openConnections(pool: Pool): Promise<void> {
  await Promise.all(
    Array.from({ length: CONNECTIONS }, () =>
      pool.request({ method: 'GET', path: '/health/live' }).then((response) => response.body.dump()),
    ),
  );
}

/**
 * Calls `send(i)` for i = 0 … total − 1 at `start + i · interval` ms, never waiting for answers
 * (open loop: a slow server does not slow the arrivals), and resolves when every call has settled.
 * Timers fire late under load, so each tick catches up on every request whose time has come.
 */
export async function paceOpenLoop(total: number, interval: number, start: number, send: (i: number) => Promise<void>): Promise<void> {
  const inFlight: Promise<void>[] = [];
  let sent = 0;
  await new Promise<void>((resolve) => {
    const tick = (): void => {
      const now = performance.now();
      while (sent < total && start + sent * interval <= now) inFlight.push(send(sent++));
      if (sent >= total) return resolve();
      setTimeout(tick, Math.max(0, start + sent * interval - performance.now()));
    };
    tick();
  });
  await Promise.all(inFlight);
}

export async function openLoop(
  base: string,
  rate: number,
  seconds: number,
  next: () => LoadRequest,
  options: { keepSamples?: boolean } = {},
): Promise<OpenLoopResult> {
  // Enough sockets that requests wait in the server, not for a free client connection.
  const pool = new Pool(base, { connections: CONNECTIONS, pipelining: 1 });
  await openConnections(pool);
  const total = Math.round(rate * seconds);
  const interval = 1000 / rate;
  const latencies = new Float64Array(total);
  let completed = 0;
  let errors = 0;
  const start = performance.now();

  const send = (i: number): Promise<void> => {
    const intended = start + i * interval;
    const r = next();
    return pool
      .request({
        method: r.method,
        path: r.path,
        ...(r.body !== undefined ? { body: r.body, headers: { 'content-type': 'application/json' } } : {}),
      })
      .then(async (response) => {
        await response.body.dump();
        if (response.statusCode < 200 || response.statusCode >= 300) errors++;
      })
      .catch(() => {
        errors++;
      })
      .finally(() => {
        latencies[i] = performance.now() - intended;
        completed++;
      });
  };

  await paceOpenLoop(total, interval, start, send);
  const elapsed = (performance.now() - start) / 1000;
  await pool.close();
  const sorted = latencies.slice(0, completed).sort();
  const epochStart = performance.timeOrigin + start;
  const samples = options.keepSamples
    ? { sentAt: Float64Array.from({ length: total }, (_, i) => epochStart + i * interval), latency: latencies.slice(0, total) }
    : undefined;
  return {
    rate,
    sent: total,
    completed,
    errors,
    achievedRps: round2(completed / elapsed),
    p50: round2(percentile(sorted, 50)),
    p90: round2(percentile(sorted, 90)),
    p99: round2(percentile(sorted, 99)),
    max: round2(sorted.at(-1) ?? Number.NaN),
    ...(samples ? { samples } : {}),
  };
}
