import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createContext, type CliContext } from '../../src/cli/context.js';
import { buildProgram } from '../../src/cli/main.js';
import { AnirecError } from '../../src/errors/errors.js';
import { PostgresJobCoordinator, type JobLogEntry } from '../../src/ops/index.js';
import { freshPostgresDatabase } from '../support/postgres.js';
import { tempPaths } from './helpers.js';

/**
 * The CLI on a PostgreSQL store: a hand-run job meets the lock a worker (or another command)
 * holds in the database, `anirec jobs` reads the shared log, and `anirec worker --store
 * postgres://…` starts on the queue, runs a job, and stops cleanly on SIGTERM.
 */

const paths = tempPaths('anirec-queue-cli-');
let url = '';
let drop: () => Promise<void> = async () => {};
before(async () => {
  ({ url, drop } = await freshPostgresDatabase('anirec_queue_cli'));
});
after(async () => {
  await drop();
  rmSync(paths.home, { recursive: true, force: true });
});

async function anirec(...args: string[]): Promise<string[]> {
  const lines: string[] = [];
  const ctx: CliContext = { ...createContext(), paths, out: (l) => lines.push(l), err: () => {} };
  await buildProgram(ctx).parseAsync(args, { from: 'user' });
  return lines;
}

const jobsJson = async () => (JSON.parse((await anirec('jobs', '--store', url, '--json')).join('\n')) as { runs: JobLogEntry[] }).runs;

describe('anirec jobs, hand-run jobs and the worker on a PostgreSQL store', () => {
  it('a hand-run ingest is refused (exit 75) while another process holds the job in the database', async () => {
    assert.deepEqual(await anirec('jobs', '--store', url), ['no job has run yet (anirec ingest, monitor, retrain or worker)']);
    const holder = new PostgresJobCoordinator(url);
    const lease = await holder.acquire('ingest');
    try {
      const status = await anirec('jobs', '--store', url);
      assert.match(status.at(-1)!, new RegExp(`^running now: ingest \\(process ${process.pid} on \\S+ \\(ingest, since \\d{4}-`));
      await assert.rejects(anirec('ingest', '--store', url, '--users', 'Yuki', '--no-titles'), (error: Error) => {
        assert.ok(error instanceof AnirecError);
        assert.equal(error.code, 'job_busy');
        assert.match(
          error.message,
          new RegExp(`The ingest job is already running: process ${process.pid} on \\S+ .*holds its lock in postgres://`),
        );
        return true;
      });
    } finally {
      await lease.release();
      await holder.close();
    }
    const runs = await jobsJson();
    assert.equal(runs.length, 1);
    assert.deepEqual([runs[0]!.job, runs[0]!.status, runs[0]!.trigger], ['ingest', 'skipped', 'cli']);
  });

  it('`anirec worker --store postgres://…` runs a job through the queue and stops cleanly on SIGTERM', async () => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', fileURLToPath(new URL('./cli-child.ts', import.meta.url)), 'worker', '--store', url, '--run-now', 'monitor'],
      {
        env: { ...process.env, ANIREC_HOME: paths.home },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let err = '';
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    // No model is in production, so monitoring fails; what matters is that the queue ran it once.
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no monitor outcome within 60 s:\n${err}`)), 60_000);
      child.stderr.on('data', (d) => {
        err += d;
        if (/monitor: (ok|failed)/.test(err)) {
          clearTimeout(timer);
          resolve();
        }
      });
      void exited.then((code) => reject(new Error(`the worker exited (${code}) early:\n${err}`)));
    });
    child.kill('SIGTERM');
    assert.equal(await exited, 0, err);
    assert.match(err, /sharing the runs with every worker on postgres:\/\//);
    assert.match(err, /monitor: run [0-9a-f-]{36} queued/);
    assert.match(err, /SIGTERM received/);
    assert.match(err, /worker stopped/);
    const monitorRuns = (await jobsJson()).filter((r) => r.job === 'monitor');
    assert.equal(monitorRuns.length, 1, 'one run, recorded where every replica reads it');
    assert.equal(monitorRuns[0]!.trigger, 'worker');
    assert.match(monitorRuns[0]!.runner!, new RegExp(`^${child.pid}@`));
    const table = await anirec('jobs', '--store', url, '--limit', '1');
    assert.equal(table.length, 1);
    assert.match(table[0]!, /^\d{4}-\d\d-\d\dT\S+ {2}monitor {2}(ok|failed) +\d+\.\d s {2}worker \d+@/);
  });
});
