/**
 * The processes of bench/replicas.ts: `anirec` commands run from the source tree (this file with
 * ANIREC_BENCH_CLI=1 runs src/cli/main.ts, so the benchmark measures the working tree, not a
 * stale dist/), API replicas started and SIGKILLed, and the PostgreSQL cluster held by a child
 * process (ANIREC_BENCH_POSTGRES=1), because pg_ctl runs synchronously and must not block the
 * load generator's event loop while the database restarts.
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SELF = fileURLToPath(import.meta.url);
const ROOT = fileURLToPath(new URL('../', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/**
 * Runs `anirec ARGS` (from source, through tsx) and resolves when it exits. Each run gets an
 * empty ANIREC_HOME of its own (deleted afterwards): with a PostgreSQL store no command may
 * depend on local files, and none may write into the working tree's .anirec/.
 */
export function runCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  const started = performance.now();
  const home = mkdtempSync(join(tmpdir(), 'anirec-bench-cli-'));
  const child = spawn(process.execPath, ['--import', 'tsx', SELF, ...args], {
    cwd: ROOT,
    env: { ...process.env, ANIREC_HOME: home, ...env, ANIREC_BENCH_CLI: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.on('exit', () => rmSync(home, { recursive: true, force: true }));
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) =>
    child.on('exit', (code) => resolve({ code, stdout, stderr, ms: Math.round(performance.now() - started) })),
  );
}

/** Like runCli, but a non-zero exit is an error that shows the command's output. */
export async function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  const result = await runCli(args, env);
  if (result.code !== 0) throw new Error(`anirec ${args.join(' ')} exited with ${result.code}:\n${result.stdout}${result.stderr}`);
  return result;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** CPU seconds (user + system) a live process has used so far (Linux /proc), or 0. */
export function cpuSecondsOf(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

/** Busy CPU seconds of the whole machine so far (/proc/stat), or null. */
export function machineBusySeconds(): number | null {
  try {
    const [user, nice, system, , , irq, softirq, steal] = readFileSync('/proc/stat', 'utf8')
      .split('\n')[0]!
      .trim()
      .split(/\s+/)
      .slice(1)
      .map(Number);
    return (user! + nice! + system! + irq! + softirq! + steal!) / 100;
  } catch {
    return null;
  }
}

/** One `anirec serve --store URL` process on a fixed loopback port, with its own empty ANIREC_HOME. */
export class Replica {
  child: ChildProcess | null = null;
  readonly home = mkdtempSync(join(tmpdir(), 'anirec-replica-'));
  log = '';
  starts: number[] = [];
  /** CPU seconds of the processes this replica ran before its current one (a killed one's). */
  private earlierCpu = 0;

  constructor(
    readonly index: number,
    readonly port: number,
    private readonly storeUrl: string,
  ) {}

  start(): void {
    this.starts.push(Date.now());
    const args = ['serve', '--store', this.storeUrl, '--host', '127.0.0.1', '--port', String(this.port), '--rate-limit', '0'];
    const child = spawn(process.execPath, ['--import', 'tsx', SELF, ...args], {
      cwd: ROOT,
      env: { ...process.env, ANIREC_HOME: this.home, ANIREC_BENCH_CLI: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const keep = (d: Buffer): void => {
      // The last few kB only: enough to say why a replica failed.
      this.log = (this.log + d.toString()).slice(-8000);
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    this.child = child;
  }

  /** SIGKILL: no graceful close, in-flight requests are cut, as when a node dies. */
  kill(): Promise<void> {
    const child = this.child;
    if (child === null || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    this.earlierCpu += cpuSecondsOf(child.pid);
    child.kill('SIGKILL');
    return exited;
  }

  /** CPU seconds every process of this replica has used so far. */
  cpuSeconds(): number {
    return this.earlierCpu + cpuSecondsOf(this.child?.exitCode === null ? this.child.pid : undefined);
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (child !== null && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(this.home, { recursive: true, force: true });
  }
}

/** Waits until GET url answers 200 (a replica's /health/ready), or throws after timeoutMs. */
export async function waitReady(url: string, timeoutMs: number, what: () => string): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(1000) });
      if (response.status === 200) return Date.now() - started;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${url} was not ready after ${timeoutMs} ms. ${what()}`);
}

/** The model a replica serves, from its /metrics (anirec_model_info{kind=…,version=…}), or null. */
export async function servedModel(port: number): Promise<{ kind: string; version: string } | null> {
  try {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(1000) })).text();
    const labels = /^anirec_model_info\{([^}]*)\}/m.exec(text)?.[1];
    if (labels === undefined) return null;
    const label = (name: string): string => new RegExp(`${name}="([^"]*)"`).exec(labels)?.[1] ?? '';
    return { kind: label('kind'), version: label('version') };
  } catch {
    return null;
  }
}

/** A throw-away PostgreSQL cluster held by a child process; `restart()` runs pg_ctl restart there. */
export interface PostgresHolder {
  url: string;
  restart(): Promise<number>;
  stop(): Promise<void>;
}

export async function holdPostgres(): Promise<PostgresHolder> {
  const child = fork(SELF, [], {
    env: { ...process.env, ANIREC_BENCH_POSTGRES: '1' },
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const next = <T>(key: string): Promise<T> =>
    new Promise((resolve, reject) => {
      const onMessage = (m: Record<string, unknown>): void => {
        if (!(key in m)) return;
        child.off('message', onMessage);
        if ('error' in m) reject(new Error(String(m.error)));
        else resolve(m[key] as T);
      };
      child.on('message', onMessage);
      child.once('exit', (code) => reject(new Error(`the PostgreSQL holder exited (${code})`)));
    });
  const url = await next<string>('url');
  return {
    url,
    restart: () => {
      const done = next<number>('restarted');
      child.send('restart');
      return done;
    },
    stop: async () => {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.send('stop');
      await exited;
    },
  };
}

if (process.env.ANIREC_BENCH_CLI === '1') {
  const { main } = await import('../src/cli/main.js');
  // Exit explicitly: a pool or listener a command forgot to close must not hang the benchmark.
  process.exit(await main(process.argv.slice(2)));
} else if (process.env.ANIREC_BENCH_POSTGRES === '1' && process.send) {
  // A plain .mjs module without type declarations: imported through a variable, typed here.
  const clusterModule = '../scripts/postgres-cluster.mjs';
  const { startPostgresCluster } = (await import(clusterModule)) as {
    startPostgresCluster: () => Promise<{ url: string; pgCtl: (...args: string[]) => void; stop: () => void }>;
  };
  const cluster = await startPostgresCluster();
  process.send({ url: cluster.url });
  process.on('message', (message) => {
    if (message === 'restart') {
      const started = performance.now();
      try {
        cluster.pgCtl('restart');
        process.send!({ restarted: Math.round(performance.now() - started) });
      } catch (error) {
        process.send!({ restarted: null, error: (error as Error).message });
      }
    }
    if (message === 'stop') {
      cluster.stop();
      process.exit(0);
    }
  });
}
