import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { rmSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import type { AnirecError } from '../../src/errors/errors.js';
import {
  DEFAULT_OPS_CONFIG,
  DEFAULT_QUEUE_SCHEMA,
  JobBusyError,
  PostgresJobCoordinator,
  QueueWorker,
  queueEntries,
  queueName,
  runJob,
  tickJobId,
  type JobEnv,
  type JobName,
  type JobOutcome,
  type JobRunner,
  type OpsConfig,
  type QueuedRun,
} from '../../src/ops/index.js';
import { SqliteStore } from '../../src/store/index.js';
import { freshPostgresDatabase } from '../support/postgres.js';
import { tempPaths } from './helpers.js';

/**
 * The PostgreSQL queue on a real server (test/support/postgres.ts): several workers on one
 * database, each run executed once, none overlapping, a dead worker's run retried after its lease,
 * a shutting-down worker's run taken over, and the advisory job locks a hand-run command shares.
 * Jobs run through the runner seam (counted, never real training), with leases of seconds.
 */

const paths = tempPaths('anirec-queue-');
const databases: Array<() => Promise<void>> = [];
const workers: QueueWorker[] = [];
after(async () => {
  // A failed assertion must not leave a worker polling (the test process would never exit).
  await Promise.allSettled(workers.map((w) => w.stop()));
  for (const drop of databases) await drop();
  rmSync(paths.home, { recursive: true, force: true });
});

async function database(): Promise<string> {
  const db = await freshPostgresDatabase('anirec_queue');
  databases.push(db.drop);
  return db.url;
}

const NEVER = '0 0 1 1 *';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function opsConfig(deadline: number): OpsConfig {
  const config = structuredClone(DEFAULT_OPS_CONFIG);
  config.deadlineSeconds = { ingest: deadline, monitor: deadline, retrain: deadline };
  return config;
}

interface Execution {
  worker: string;
  job: JobName;
  run: QueuedRun;
  start: number;
  end: number;
}

/** Records every execution; `body` decides how each one goes (default: 150 ms, then ok). */
function recorder() {
  const executions: Execution[] = [];
  let active = 0;
  let maxActive = 0;
  const runner =
    (worker: string, body: (env: JobEnv) => Promise<JobOutcome['status']> = () => sleep(150).then(() => 'ok')): JobRunner =>
    async (job, env, run) => {
      active++;
      maxActive = Math.max(maxActive, active);
      const start = Date.now();
      try {
        const status = await body(env);
        return { job, status, ...(status === 'cancelled' ? { error: new Error('cancelled') } : {}) };
      } finally {
        active--;
        executions.push({ worker, job, run, start, end: Date.now() });
      }
    };
  return { executions, runner, maxActive: () => maxActive };
}

function worker(
  url: string,
  config: OpsConfig,
  schedule: Partial<OpsConfig['schedule']>,
  runner: JobRunner,
  lines: string[] = [],
  leaseGraceSeconds = 1,
): QueueWorker {
  const created = new QueueWorker(
    { paths, config, openStore: () => Promise.reject(new Error('the runner seam never opens the store')), log: (line) => lines.push(line) },
    { ...config.schedule, ingest: NEVER, monitor: NEVER, retrain: NEVER, ...schedule },
    { url, runner, pollingIntervalSeconds: 0.5, maintenanceIntervalSeconds: 1, leaseGraceSeconds },
  );
  workers.push(created);
  return created;
}

async function queueRows(url: string, job: JobName): Promise<Array<{ id: string; state: string; retry_count: number }>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ id: string; state: string; retry_count: number }>(
      `SELECT id, state::text, retry_count FROM ${DEFAULT_QUEUE_SCHEMA}.job WHERE name = $1
        UNION ALL SELECT id, state::text, retry_count FROM ${DEFAULT_QUEUE_SCHEMA}.archive WHERE name = $1`,
      [queueName(job)],
    );
    return rows;
  } finally {
    await client.end();
  }
}

async function waitFor(condition: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(50);
  }
}

describe('jobs on a PostgreSQL queue', () => {
  it('names a tick the same on every worker, and different ticks and jobs differently', () => {
    const tick = new Date('2026-12-03T03:00:00Z');
    assert.equal(tickJobId('ingest', tick), tickJobId('ingest', new Date(tick.getTime())));
    assert.notEqual(tickJobId('ingest', tick), tickJobId('ingest', new Date(tick.getTime() + 1000)));
    assert.notEqual(tickJobId('ingest', tick), tickJobId('monitor', tick));
    assert.match(tickJobId('retrain', tick), /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('two workers on one schedule: every tick runs exactly once, never two at a time', async () => {
    const url = await database();
    const config = opsConfig(30);
    const { executions, runner, maxActive } = recorder();
    const linesA: string[] = [];
    const linesB: string[] = [];
    const a = worker(url, config, { ingest: '*/2 * * * * *' }, runner('A'), linesA);
    const b = worker(url, config, { ingest: '*/2 * * * * *' }, runner('B'), linesB);
    await Promise.all([a.start(), b.start()]);
    await waitFor(() => executions.length >= 4, 20_000, 'four scheduled runs');
    await Promise.all([a.stop(), b.stop()]);

    const ids = executions.map((e) => e.run.id);
    assert.equal(new Set(ids).size, ids.length, `no run executed twice: ${ids.join(' ')}`);
    const ticks = executions.map((e) => Date.parse(e.run.scheduledFor!)).sort((x, y) => x - y);
    for (let i = 1; i < ticks.length; i++)
      assert.equal(
        ticks[i]! - ticks[i - 1]!,
        2000,
        `consecutive ticks, none skipped or doubled: ${ticks.map((t) => new Date(t).toISOString()).join(' ')}`,
      );
    for (const e of executions) assert.equal(e.run.id, tickJobId('ingest', new Date(e.run.scheduledFor!)));
    assert.equal(maxActive(), 1, 'never two runs at once');
    // Both workers offered every tick; the database kept one job for each.
    assert.ok(
      [...linesA, ...linesB].some((l) => /is already queued/.test(l)),
      'the second offer of a tick was refused',
    );
    const completed = (await queueRows(url, 'ingest'))
      .filter((r) => r.state === 'completed')
      .map((r) => r.id)
      .sort();
    assert.deepEqual(completed, [...ids].sort(), 'one completed queue job per execution');
    assert.equal(executions.filter((e) => e.job !== 'ingest').length, 0);
  });

  it('a worker killed mid-run: its run waits out the lease, then another worker retries it', async () => {
    const url = await database();
    const lease = 3;
    const { executions, runner } = recorder();
    const child: ChildProcessWithoutNullStreams = spawn(
      process.execPath,
      ['--import', 'tsx', fileURLToPath(new URL('./queue-child.ts', import.meta.url)), url, String(lease)],
      { stdio: ['pipe', 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const started = await new Promise<{ started: string; retryCount: number; at: number }>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d) => {
        out += d;
        const line = out.split('\n').find((l) => l.includes('"started"'));
        if (line) resolve(JSON.parse(line));
      });
      child.once('exit', (code) => reject(new Error(`the child worker exited (${code}) before starting its run: ${stderr}`)));
    });
    assert.equal(started.retryCount, 0);

    const b = worker(url, opsConfig(lease - 1), {}, runner('B'));
    await b.start();
    await sleep(1000);
    assert.equal(executions.length, 0, 'the run is still leased to the child: the other worker leaves it alone');
    const killedAt = Date.now();
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    await waitFor(() => executions.length >= 1, 20_000, 'the retry');
    await b.stop();

    assert.equal(executions.length, 1);
    const retry = executions[0]!;
    assert.equal(retry.run.id, started.started, 'the same run, not a new one');
    assert.equal(retry.run.retryCount, 1);
    assert.ok(
      retry.start - started.at >= lease * 1000,
      `retried only after the lease (${retry.start - started.at} ms after it started, lease ${lease} s)`,
    );
    assert.ok(retry.start >= killedAt);
    const rows = await queueRows(url, 'ingest');
    assert.deepEqual(
      rows.map((r) => [r.id, r.state]),
      [[started.started, 'completed']],
    );
  });

  it('a worker shutting down cancels its run and hands it back: another worker takes it over at once', async () => {
    const url = await database();
    const config = opsConfig(600); // a lease of minutes: the takeover must not wait for it
    const { executions, runner } = recorder();
    const untilCancelled = (env: JobEnv) =>
      new Promise<'cancelled'>((resolve) => env.signal!.addEventListener('abort', () => resolve('cancelled')));
    const a = worker(url, config, {}, runner('A', untilCancelled));
    await a.start();
    const id = await a.enqueue('monitor');
    assert.ok(id !== null);
    await waitFor(() => a.isRunning('monitor'), 10_000, 'worker A to start the run');
    const b = worker(url, config, {}, runner('B'));
    await b.start();
    const stoppedAt = Date.now();
    await a.stop();
    await waitFor(() => executions.some((e) => e.worker === 'B'), 10_000, 'worker B to take the run over');
    await b.stop();

    assert.deepEqual(
      executions.map((e) => [e.worker, e.run.id, e.run.retryCount]),
      [
        ['A', id, 0],
        ['B', id, 1],
      ],
    );
    assert.ok(executions[1]!.start - stoppedAt < 30_000, 'well before the lease');
    assert.equal(executions[0]!.end <= executions[1]!.start, true, 'the two runs did not overlap');
  });

  it('a start while the job runs waits as one run; a third start is refused', async () => {
    const url = await database();
    const { executions, runner, maxActive } = recorder();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const a = worker(
      url,
      opsConfig(30),
      {},
      runner('A', () => gate.then(() => 'ok')),
    );
    await a.start();
    const first = await a.enqueue('retrain');
    await waitFor(() => a.isRunning('retrain'), 10_000, 'the first run to start');
    const second = await a.enqueue('retrain');
    const third = await a.enqueue('retrain');
    assert.ok(first !== null && second !== null);
    assert.equal(third, null, 'one run waits behind the running one; more are not queued');
    const entries = await queueEntries(url);
    assert.deepEqual(
      entries.map((e) => [e.job, e.id, e.state]),
      [
        ['retrain', first, 'active'],
        ['retrain', second, 'created'],
      ],
    );
    const leaseLeft = Date.parse(entries[0]!.leaseEndsAt!) - Date.now();
    assert.ok(
      leaseLeft > 25_000 && leaseLeft <= 31_000,
      `the active run's lease is its deadline (30 s) plus grace (1 s): ${leaseLeft} ms left`,
    );
    release();
    await waitFor(() => executions.length >= 2, 10_000, 'the waiting run');
    await a.stop();
    assert.deepEqual(
      executions.map((e) => e.run.id),
      [first, second],
    );
    assert.equal(maxActive(), 1);
  });
});

describe('starting and stopping a queue worker', () => {
  it('a stop during start-up waits for it and undoes it (a SIGTERM right after launch)', async () => {
    const url = await database();
    const a = worker(url, opsConfig(30), { ingest: '* * * * * *' }, recorder().runner('A'));
    const starting = a.start();
    await a.stop();
    await starting;
    assert.deepEqual(Object.values(a.nextRuns()), [null, null, null], 'no schedule left running');
    assert.equal(await a.enqueue('ingest'), null, 'a stopped worker queues nothing');
  });

  it('an unreachable database is a store_unavailable error naming it, without its password', async () => {
    const a = worker('postgres://anirec:secret@127.0.0.1:1/anirec', opsConfig(30), {}, recorder().runner('A'));
    await assert.rejects(
      a.start(),
      (error: Error) =>
        (error as AnirecError).code === 'store_unavailable' &&
        /postgres:\/\/anirec:\*\*\*@127\.0\.0\.1:1\/anirec/.test(error.message) &&
        !error.message.includes('secret'),
    );
    await a.stop();
  });
});

describe('job locks and the job log in PostgreSQL', () => {
  it('a hand-run job is skipped while another process holds its lock, with who holds it', async () => {
    const url = await database();
    const first = new PostgresJobCoordinator(url);
    const second = new PostgresJobCoordinator(url);
    const lease = await first.acquire('ingest');
    await assert.rejects(
      second.acquire('ingest'),
      (error: Error) =>
        error instanceof JobBusyError && new RegExp(`already running: process ${process.pid} on \\S+ \\(since \\d{4}-`).test(error.message),
    );
    const other = await second.acquire('monitor');
    await other.release();
    const env: JobEnv = {
      paths,
      config: DEFAULT_OPS_CONFIG,
      openStore: () => Promise.reject(new Error('must not open the store')),
      log: () => {},
      trigger: 'cli',
      coordinator: second,
    };
    const skipped = await runJob('ingest', env);
    assert.equal(skipped.status, 'skipped');
    assert.match(skipped.error!.message, /The ingest job is already running/);
    await lease.release();
    const again = await second.acquire('ingest');
    await again.release();

    // The log is shared: what one process recorded, another reads, with who ran it.
    const history = await first.history(10);
    assert.equal(history.length, 1);
    assert.deepEqual([history[0]!.job, history[0]!.status, history[0]!.trigger], ['ingest', 'skipped', 'cli']);
    assert.match(history[0]!.runner!, new RegExp(`^${process.pid}@`));
    await first.close();
    await second.close();
  });

  it('the lock lives on its own connection: when that connection dies the lock is free and the job is told', async () => {
    const url = await database();
    const coordinator = new PostgresJobCoordinator(url);
    const lease = await coordinator.acquire('retrain');
    assert.equal(lease.lost.aborted, false);
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name LIKE 'anirec retrain %'`);
    await admin.end();
    await waitFor(() => lease.lost.aborted, 5000, 'the lease to report itself lost');
    assert.match((lease.lost.reason as Error).message, /lost its lock/);
    const next = await coordinator.acquire('retrain');
    await next.release();
    await lease.release();
    await coordinator.close();
  });

  it('a job past its deadline is stopped and logged as failed, with the setting to change', async () => {
    const url = await database();
    const coordinator = new PostgresJobCoordinator(url);
    const config = structuredClone(DEFAULT_OPS_CONFIG);
    config.ingest.users = ['Yuki'];
    config.ingest.titles = false;
    config.ingest.endpoint = 'http://127.0.0.1:9/graphql';
    const hanging: typeof fetch = (_input, init) =>
      new Promise((_resolve, reject) => init?.signal?.addEventListener('abort', () => reject(init.signal!.reason)));
    const outcome = await runJob('ingest', {
      paths,
      config,
      log: () => {},
      trigger: 'worker',
      coordinator,
      deadlineSeconds: 0.5,
      openStore: async () => SqliteStore.open(':memory:'),
      anilistClient: { fetch: hanging },
    });
    assert.equal(outcome.status, 'failed');
    assert.match(outcome.error!.message, /ran past its deadline of 0.5 s \(deadlineSeconds.ingest in ops.json\)/);
    const [logged] = await coordinator.history(1);
    assert.equal(logged!.status, 'failed');
    await coordinator.close();
  });
});
