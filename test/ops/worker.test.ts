import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { rmSync, writeFileSync, existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createContext } from '../../src/cli/context.js';
import { buildProgram } from '../../src/cli/main.js';
import {
  acquireJobLock,
  DEFAULT_OPS_CONFIG,
  JobBusyError,
  jobLockPath,
  jobLogPath,
  judgeDrift,
  parseOpsConfig,
  quantile,
  readJobLog,
  runJob,
  Worker,
  type JobEnv,
  type JobOutcome,
} from '../../src/ops/index.js';
import type { MonitoringDay } from '../../src/store/index.js';
import { SqliteStore } from '../../src/store/index.js';
import { ReplayServer } from '../data/anilist/replay-server.js';
import { tempPaths } from './helpers.js';

const server = new ReplayServer();
const paths = tempPaths('anirec-worker-');
before(async () => {
  await server.start();
});
after(async () => {
  await server.close();
  rmSync(paths.home, { recursive: true, force: true });
});

function env(fetchImpl?: typeof fetch): Omit<JobEnv, 'trigger' | 'signal'> {
  const config = structuredClone(DEFAULT_OPS_CONFIG);
  config.ingest.users = ['Yuki'];
  config.ingest.endpoint = server.endpoint;
  return {
    paths,
    config,
    openStore: async () => SqliteStore.open(paths.database),
    log: () => {},
    anilistClient: fetchImpl ? { fetch: fetchImpl } : {},
  };
}

/** A fetch that answers after `ms`, or rejects when its request is aborted. */
const slowFetch =
  (ms: number): typeof fetch =>
  async (input, init) => {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(resolve, ms);
      init?.signal?.addEventListener('abort', () => {
        clearTimeout(timer);
        reject(init.signal!.reason);
      });
    });
    return fetch(input, init);
  };

describe('worker and job locks', () => {
  it('does not start a job that is already running in this process', async () => {
    const worker = new Worker(env(slowFetch(150)), DEFAULT_OPS_CONFIG.schedule);
    const first = worker.trigger('ingest');
    assert.equal(worker.isRunning('ingest'), true);
    assert.equal(await worker.trigger('ingest'), null, 'second start is skipped');
    assert.equal((await first)!.status, 'ok');
    await worker.stop();
  });

  it("does not start a job another process holds the lock for; takes over a dead owner's lock", async () => {
    const release = acquireJobLock(jobLockPath(paths, 'ingest'), 'ingest');
    assert.throws(() => acquireJobLock(jobLockPath(paths, 'ingest'), 'ingest'), JobBusyError);
    const outcome = await runJob('ingest', { ...env(), trigger: 'cli' });
    assert.equal(outcome.status, 'skipped');
    assert.match(outcome.error!.message, /already running: process \d+/);
    release();
    assert.equal(existsSync(jobLockPath(paths, 'ingest')), false);
    // A lock left by a process that no longer exists (pid far above pid_max) is stale.
    writeFileSync(
      jobLockPath(paths, 'ingest'),
      JSON.stringify({ pid: 2 ** 30, host: (await import('node:os')).hostname(), at: 'x', job: 'ingest' }),
    );
    assert.equal((await runJob('ingest', { ...env(), trigger: 'cli' })).status, 'ok');
    const statuses = readJobLog(jobLogPath(paths)).map((e) => e.status);
    assert.deepEqual(statuses.slice(-2), ['skipped', 'ok']);
    // `anirec jobs` prints the same log, newest last.
    const lines: string[] = [];
    await buildProgram({ ...createContext(), paths, out: (l) => lines.push(l), err: () => {} }).parseAsync(['jobs', '--limit', '2'], {
      from: 'user',
    });
    assert.equal(lines.length, 2);
    assert.match(lines[0]!, /^\d{4}-\d\d-\d\dT\S+ {2}ingest {3}skipped .* cli {2}The ingest job is already running/);
    assert.match(lines[1]!, /^\d{4}-\d\d-\d\dT\S+ {2}ingest {3}ok /);
  });

  it('runs jobs on their cron schedule and cancels a running job on stop()', async () => {
    const outcomes: JobOutcome[] = [];
    const schedule = { ...DEFAULT_OPS_CONFIG.schedule, ingest: '* * * * * *' }; // every second (croner's 6-field form)
    const worker = new Worker(env(slowFetch(60_000)), schedule, (o) => outcomes.push(o));
    worker.start();
    assert.ok(worker.nextRuns().ingest!.getTime() - Date.now() <= 1000);
    assert.equal(worker.nextRuns().retrain!.getUTCDay(), 0, 'retrain runs on Sundays');
    const deadline = Date.now() + 5000;
    while (!worker.isRunning('ingest') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.equal(worker.isRunning('ingest'), true, 'the schedule started the job');
    await worker.stop();
    assert.equal(outcomes.length, 1);
    assert.equal(outcomes[0]!.status, 'cancelled');
    assert.equal(existsSync(jobLockPath(paths, 'ingest')), false, 'the lock is released');
  });

  it('`anirec worker` shuts down cleanly on SIGTERM', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./cli-child.ts', import.meta.url)), 'worker'], {
      env: { ...process.env, ANIREC_HOME: paths.home },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    await new Promise<void>((resolve) => {
      child.stderr.on('data', (d) => {
        err += d;
        if (err.includes('worker started')) resolve();
      });
    });
    child.kill('SIGTERM');
    const code = await new Promise((resolve) => child.once('exit', resolve));
    assert.equal(code, 0, err);
    assert.match(err, /ingest: "0 3 \* \* \*" \(Etc\/UTC\), next at \d{4}-\d\d-\d\dT03:00/);
    assert.match(err, /SIGTERM received/);
    assert.match(err, /worker stopped/);
  });
});

describe('ops config', () => {
  it('fills defaults and names the bad key in errors', () => {
    const c = parseOpsConfig({ ingest: { users: ['Yuki', ' Yuki '] }, retrain: { alpha: 0.01 } });
    assert.deepEqual(c.ingest.users, ['Yuki']);
    assert.equal(c.retrain.alpha, 0.01);
    assert.equal(c.schedule.retrain, '0 5 * * 0');
    assert.throws(
      () => parseOpsConfig({ schedule: { ingest: 'every day' } }),
      /schedule\.ingest "every day" is not a valid cron expression/,
    );
    assert.throws(() => parseOpsConfig({ retrain: { model: 'bert' } }), /retrain\.model must be one of anirec, ease/);
    assert.throws(() => parseOpsConfig({ monitor: { maeTreshold: 1 } }), /unknown key "monitor\.maeTreshold"; known: k, maeThreshold/);
    assert.throws(() => parseOpsConfig({ schedule: { timezone: 'Mars/Olympus' } }), /not a known IANA time zone/);
  });
});

describe('drift and calibration rules', () => {
  const day = (d: string, count: number, mae: number | null, hitRate: number): MonitoringDay => ({
    day: d,
    modelVersion: 'v1',
    count,
    scored: count,
    mae,
    rmse: mae,
    hitRate,
    meanRank: 10,
    drift: false,
    driftReason: null,
    computedAt: '',
  });
  const config = { ...DEFAULT_OPS_CONFIG.monitor, minCount: 10, maeThreshold: 0.5, hitRateDrop: 0.1, baselineDays: 7 };
  const baseline = [day('2026-11-01', 30, 1.0, 0.4), day('2026-11-02', 10, 2.0, 0.2)];

  it('flags a day whose MAE rose past the threshold over the count-weighted baseline', () => {
    // baseline MAE = (30·1 + 10·2) / 40 = 1.25; hit = (30·.4 + 10·.2) / 40 = 0.35
    assert.equal(judgeDrift(day('2026-11-03', 20, 1.7, 0.35), baseline, config).drift, false);
    const d = judgeDrift(day('2026-11-03', 20, 1.8, 0.35), baseline, config);
    assert.equal(d.drift, true);
    assert.match(d.reason!, /MAE 1\.80 vs baseline 1\.25/);
  });

  it('flags a hit-rate drop, and gives no verdict on thin days or without a baseline', () => {
    assert.match(judgeDrift(day('2026-11-03', 20, 1.0, 0.2), baseline, config).reason!, /hit-rate@20 0\.200 vs baseline 0\.350/);
    assert.equal(judgeDrift(day('2026-11-03', 5, 9, 0), baseline, config).drift, false, 'below minCount');
    assert.equal(judgeDrift(day('2026-11-20', 20, 9, 0), baseline, config).drift, false, 'baseline days out of the window');
  });

  it("maps percentiles onto the user's own score distribution", () => {
    assert.equal(quantile([4, 6, 8, 10], 0), 4);
    assert.equal(quantile([4, 6, 8, 10], 1), 10);
    assert.equal(quantile([4, 6, 8, 10], 0.5), 7);
  });
});
