/**
 * Several API replicas on one PostgreSQL state under load and faults (issue 14): `npm run bench --
 * replicas`. A throw-away PostgreSQL cluster gets the bundled sample and two small models through
 * the CLI (`anirec import`, `anirec train` twice: the first is production, the second a
 * candidate); three `anirec serve --store postgres://…` replicas, each with its own empty
 * ANIREC_HOME, run on loopback behind bench/replica-balancer.ts. Open-loop load (requests at
 * fixed intended times, latency from that time, as bench/open-loop.ts) of known-user
 * recommendations, from-titles, catalogue reads and feedback writes runs while
 *   (a) one replica is SIGKILLed and restarted, (b) the candidate is promoted with `anirec models
 *   promote`, (c) PostgreSQL is restarted (pg_ctl restart).
 * Every feedback write goes to its own (user, title) pair, so the store's final state says, for
 * each write, whether it was applied. The gate: every write acknowledged with a 2xx is in
 * PostgreSQL afterwards (read with SQL, not through the API). Failed requests by cause and
 * latency per phase are reported, not gated: everything shares the machine's cores.
 *
 * BENCH_SECONDS (default 60) and BENCH_REPLICAS_RATE (default 500 req/s) scale the run; the
 * events keep their place in it. Writes bench/results/replicas.json; exits 1 when a write is lost.
 */
import { fork } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { Pool } from 'undici';
import { cli, cpuSecondsOf, freePort, holdPostgres, machineBusySeconds, Replica, servedModel, waitReady } from './replica-fleet.js';
import { paceOpenLoop } from './open-loop.js';
import { printTable, writeResults } from './report.js';

export type EventAction = 'kill' | 'restart' | 'promote' | 'pg-restart';
export interface ScenarioEvent {
  at: number;
  action: EventAction;
  replica?: number;
}
export interface ScenarioOptions {
  storeUrl: string;
  prepared: PreparedStore;
  replicas: number;
  rate: number;
  seconds: number;
  /** Unrecorded reads at the same rate before the clock starts. */
  warmupSeconds: number;
  /** Phase names and start times (s); each lasts until the next one starts. */
  phases: Array<{ name: string; from: number }>;
  events: ScenarioEvent[];
  restartPostgres?: () => Promise<number>;
  log?: (line: string) => void;
}
export interface PreparedStore {
  users: number;
  titles: number[];
  production: { id: string; kind: string };
  candidate: { id: string; kind: string };
  setupMs: Record<string, number>;
}

type Kind = 'known-user' | 'from-titles' | 'catalogue' | 'feedback';
export interface Sample {
  kind: Kind;
  at: number;
  latency: number;
  status: number;
  cause: string;
  write?: { user: string; animeId: number; score: number };
}

const SELF = fileURLToPath(import.meta.url);
const WRITE_USERS = 250;
const CLIENT_TIMEOUT_MS = 15_000;

/** Imports the bundled sample and trains a production model and a candidate into `storeUrl`, through the CLI. */
export async function prepareStore(storeUrl: string, models: [string, string] = ['popularity', 'itemknn']): Promise<PreparedStore> {
  const env = { ANIREC_STORE: storeUrl };
  const setupMs: Record<string, number> = {};
  setupMs.import = (await cli(['import', '--store', storeUrl], env)).ms;
  setupMs[`train ${models[0]}`] = (await cli(['train', '--store', storeUrl, '--model', models[0]], env)).ms;
  setupMs[`train ${models[1]}`] = (await cli(['train', '--store', storeUrl, '--model', models[1]], env)).ms;
  const versions = JSON.parse((await cli(['models', 'list', '--json'], env)).stdout) as Array<{ id: string; kind: string; status: string }>;
  const production = versions.find((v) => v.status === 'production');
  const candidate = versions.find((v) => v.status === 'candidate' && v.kind === models[1]);
  if (!production || !candidate)
    throw new Error(`bench replicas: expected a production and a candidate version, the registry has ${JSON.stringify(versions)}`);
  const db = new pg.Client({ connectionString: storeUrl });
  await db.connect();
  try {
    const users = Number((await db.query<{ n: string }>("SELECT count(*) AS n FROM users WHERE source = 'kaggle2016'")).rows[0]!.n);
    const titles = (
      await db.query<{ anime_id: number }>('SELECT anime_id FROM anime ORDER BY members DESC NULLS LAST, anime_id LIMIT 2000')
    ).rows.map((r) => r.anime_id);
    return {
      users,
      titles,
      production: { id: production.id, kind: production.kind },
      candidate: { id: candidate.id, kind: candidate.kind },
      setupMs,
    };
  } finally {
    await db.end();
  }
}

/** The request mix: 40 % known users, 15 % from-titles (300 lists), 20 % catalogue, 25 % feedback writes to fresh (user, title) pairs. */
function requestMix(
  prepared: PreparedStore,
): () => { kind: Kind; method: 'GET' | 'POST' | 'PUT'; path: string; body?: string; write?: Sample['write'] } {
  let i = 0;
  let writes = 0;
  const { titles, users } = prepared;
  return () => {
    const n = i++;
    const slot = n % 20;
    if (slot < 8)
      return { kind: 'known-user', method: 'GET', path: `/v1/users/kaggle2016:${1 + ((n * 7919) % users)}/recommendations?k=10` };
    if (slot < 11) {
      const offset = (n % 300) % (titles.length - 50);
      return {
        kind: 'from-titles',
        method: 'POST',
        path: '/v1/recommendations/from-titles',
        body: JSON.stringify({ titles: titles.slice(offset, offset + 30).map((id, j) => ({ id, score: 5 + ((j * 7) % 6) })), k: 10 }),
      };
    }
    if (slot < 15) return { kind: 'catalogue', method: 'GET', path: `/v1/anime/${titles[(n * 31) % titles.length]!}` };
    const k = writes++;
    const write = { user: `w${k % WRITE_USERS}`, animeId: titles[Math.floor(k / WRITE_USERS) % titles.length]!, score: 1 + (k % 10) };
    if (k >= WRITE_USERS * titles.length)
      throw new Error('bench replicas: more writes than (user, title) pairs; lower the rate or the length');
    return {
      kind: 'feedback',
      method: 'PUT',
      path: `/v1/users/bench:${write.user}/list/${write.animeId}`,
      body: JSON.stringify({ score: write.score }),
      write,
    };
  };
}

function causeOf(error: unknown): string {
  const code = (error as { code?: string }).code ?? '';
  if (/TIMEOUT/.test(code)) return 'timeout';
  return 'connection';
}

async function startBalancer(
  ports: number[],
): Promise<{ port: number; child: ReturnType<typeof fork>; states: Array<{ port: number; in: boolean; reason: string; at: number }> }> {
  const child = fork(fileURLToPath(new URL('./replica-balancer.ts', import.meta.url)), [], {
    env: { ...process.env, BALANCER_PORTS: ports.join(',') },
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const states: Array<{ port: number; in: boolean; reason: string; at: number }> = [];
  const port = await new Promise<number>((resolve, reject) => {
    child.on('message', (m: { port?: number; state?: (typeof states)[number] }) => {
      if (m.port !== undefined) resolve(m.port);
      if (m.state) states.push(m.state);
    });
    child.once('exit', (code) => reject(new Error(`the balancer exited (${code})`)));
  });
  return { port, child, states };
}

const pct = (sorted: Float64Array, p: number): number =>
  sorted.length === 0 ? Number.NaN : Math.round(sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]! * 10) / 10;

export async function runReplicaScenario(o: ScenarioOptions) {
  const log = o.log ?? ((line: string) => console.error(`bench replicas: ${line}`));
  const replicas: Replica[] = [];
  for (let i = 0; i < o.replicas; i++) replicas.push(new Replica(i, await freePort(), o.storeUrl));
  const balancer = await startBalancer(replicas.map((r) => r.port));
  const events: Array<Record<string, unknown>> = [];
  try {
    for (const r of replicas) r.start();
    const startMs = await Promise.all(replicas.map((r) => waitReady(`http://127.0.0.1:${r.port}/health/ready`, 90_000, () => r.log)));
    log(`${o.replicas} replicas ready in ${startMs.join(' / ')} ms`);
    while (balancer.states.filter((s) => s.in).length < o.replicas) await new Promise((resolve) => setTimeout(resolve, 100));

    const pool = new Pool(`http://127.0.0.1:${balancer.port}`, {
      connections: 64,
      pipelining: 1,
      headersTimeout: CLIENT_TIMEOUT_MS,
      bodyTimeout: CLIENT_TIMEOUT_MS,
    });
    // Warm-up, not recorded: the reads of the mix at the same rate, so the first measured second
    // does not measure each replica's JIT, caches and first model use.
    const warm = requestMix(o.prepared);
    const warmEnd = performance.now() + o.warmupSeconds * 1000;
    const warming: Promise<unknown>[] = [];
    while (performance.now() < warmEnd) {
      const r = warm();
      if (r.kind !== 'feedback')
        warming.push(
          pool
            .request({
              method: r.method,
              path: r.path,
              ...(r.body !== undefined ? { body: r.body, headers: { 'content-type': 'application/json' } } : {}),
            })
            .then(
              (res) => res.body.dump(),
              () => {},
            ),
        );
      await new Promise((resolve) => setTimeout(resolve, 1000 / o.rate));
    }
    await Promise.all(warming);
    const next = requestMix(o.prepared);
    const total = Math.round(o.rate * o.seconds);
    const interval = 1000 / o.rate;
    const samples: Sample[] = [];
    const messages: Record<string, string> = {};
    const cpuAtStart = {
      machine: machineBusySeconds(),
      fleet: replicas.reduce((sum, r) => sum + r.cpuSeconds(), 0) + cpuSecondsOf(balancer.child.pid),
      self: process.cpuUsage(),
    };
    const start = performance.now();
    const epoch = Date.now();
    const offset = (): number => Math.round((Date.now() - epoch) / 100) / 10;

    const send = (i: number): Promise<void> => {
      const intended = start + i * interval;
      const r = next();
      const sample: Sample = { kind: r.kind, at: i * interval, latency: 0, status: 0, cause: 'ok', ...(r.write ? { write: r.write } : {}) };
      samples.push(sample);
      return pool
        .request({
          method: r.method,
          path: r.path,
          ...(r.body !== undefined ? { body: r.body, headers: { 'content-type': 'application/json' } } : {}),
        })
        .then(async (response) => {
          sample.status = response.statusCode;
          if (response.statusCode >= 200 && response.statusCode < 300) return void (await response.body.dump());
          // The balancer's own answers (no replica in, a replica's connection cut) are told apart
          // from a replica's, whose error code (the JSON body's) names the cause.
          if (response.headers['x-balancer-cause']) {
            await response.body.dump();
            sample.cause = `${response.statusCode} balancer`;
          } else {
            const text = await response.body.text();
            let code = '';
            let message = text.slice(0, 300);
            try {
              const body = JSON.parse(text) as { error?: unknown; message?: unknown };
              code = typeof body.error === 'string' ? body.error : '';
              if (typeof body.message === 'string') message = body.message.slice(0, 300);
            } catch {
              // not JSON: the status alone
            }
            sample.cause = `${response.statusCode}${code ? ` ${code}` : ''}`;
            // The first message of each cause, to say what went wrong without keeping every body.
            if (!(sample.cause in messages)) messages[sample.cause] = message;
          }
        })
        .catch((error: unknown) => {
          sample.cause = causeOf(error);
        })
        .finally(() => {
          sample.latency = performance.now() - intended;
        });
    };

    // The faults, at their times; each records when it happened and how the fleet followed.
    const actions = o.events.map(
      (e) =>
        new Promise<void>((resolve) => {
          setTimeout(() => {
            void (async () => {
              const at = offset();
              const record: Record<string, unknown> = { action: e.action, at };
              events.push(record);
              try {
                if (e.action === 'kill') await replicas[e.replica ?? 0]!.kill();
                if (e.action === 'restart') {
                  const r = replicas[e.replica ?? 0]!;
                  const before = Date.now();
                  r.start();
                  record.readyAfterMs = await waitReady(`http://127.0.0.1:${r.port}/health/ready`, 60_000, () => r.log);
                  // Back in rotation: the balancer took it out after the kill and in again now (null if it never saw it go).
                  const deadline = Date.now() + 30_000;
                  while (!balancer.states.some((s) => s.port === r.port && s.in && s.at >= before) && Date.now() < deadline)
                    await new Promise((done) => setTimeout(done, 50));
                  const back = balancer.states.find((s) => s.port === r.port && s.in && s.at >= before);
                  record.inBalancerAfterMs = back ? back.at - before : null;
                }
                if (e.action === 'promote') record.swaps = await promote(o, replicas, record);
                if (e.action === 'pg-restart') {
                  record.pgCtlMs = await o.restartPostgres!();
                  // How long after pg_ctl returned every replica answered ready again.
                  record.allReadyAfterMs = Math.max(
                    ...(await Promise.all(replicas.map((r) => waitReady(`http://127.0.0.1:${r.port}/health/ready`, 60_000, () => r.log)))),
                  );
                }
              } catch (error) {
                record.error = (error as Error).message.slice(0, 2000);
              }
              log(`${JSON.stringify(record)}`);
              resolve();
            })();
          }, e.at * 1000);
        }),
    );

    await paceOpenLoop(total, interval, start, send);
    const elapsed = (performance.now() - start) / 1000;
    // Where the machine's CPU went during the run: replicas and balancer, this load generator, and the rest (PostgreSQL, the promote command, other jobs).
    const self = process.cpuUsage(cpuAtStart.self);
    const machine = machineBusySeconds();
    const fleet = replicas.reduce((sum, r) => sum + r.cpuSeconds(), 0) + cpuSecondsOf(balancer.child.pid) - cpuAtStart.fleet;
    const loadGenerator = (self.user + self.system) / 1e6;
    const round1 = (x: number): number => Math.round(x * 10) / 10;
    const cpu = {
      seconds: round1(elapsed),
      machine: machine === null || cpuAtStart.machine === null ? null : round1(machine - cpuAtStart.machine),
      replicasAndBalancer: round1(fleet),
      loadGenerator: round1(loadGenerator),
      rest: machine === null || cpuAtStart.machine === null ? null : round1(machine - cpuAtStart.machine - fleet - loadGenerator),
    };
    await Promise.all(actions);
    await pool.close();

    const phases = o.phases.map((p, i) => {
      const to = o.phases[i + 1]?.from ?? o.seconds;
      const inPhase = samples.filter((s) => s.at >= p.from * 1000 && s.at < to * 1000);
      const causes: Record<string, number> = {};
      for (const s of inPhase) if (s.cause !== 'ok') causes[s.cause] = (causes[s.cause] ?? 0) + 1;
      const sorted = Float64Array.from(inPhase.map((s) => s.latency)).sort();
      const writes = inPhase.filter((s) => s.write);
      return {
        name: p.name,
        from: p.from,
        to,
        requests: inPhase.length,
        failed: inPhase.filter((s) => s.cause !== 'ok').length,
        causes,
        p50: pct(sorted, 50),
        p99: pct(sorted, 99),
        max: pct(sorted, 100),
        writes: writes.length,
        writesAcked: writes.filter((s) => s.cause === 'ok').length,
      };
    });
    // Per second of intended send time, to place a latency tail against the events.
    const timeline = Array.from({ length: Math.ceil(o.seconds) }, (_, sec) => {
      const inSecond = samples.filter((x) => x.at >= sec * 1000 && x.at < (sec + 1) * 1000);
      const sorted = Float64Array.from(inSecond.map((x) => x.latency)).sort();
      return {
        second: sec,
        requests: inSecond.length,
        failed: inSecond.filter((x) => x.cause !== 'ok').length,
        p50: pct(sorted, 50),
        p99: pct(sorted, 99),
      };
    });
    const writes = samples.filter((x) => x.write);
    const gate = await checkWrites(o.storeUrl, writes);
    return {
      writes,
      replicas: o.replicas,
      rate: o.rate,
      seconds: o.seconds,
      achievedRps: Math.round(samples.length / elapsed),
      phases,
      timeline,
      errorMessages: messages,
      cpu,
      events,
      balancer: balancer.states.map((s) => ({ ...s, at: Math.round((s.at - epoch) / 100) / 10 })),
      gate,
      replicaStartMs: startMs,
    };
  } finally {
    balancer.child.send('stop');
    await Promise.all(replicas.map((r) => r.stop()));
  }
}

/** Promotes the candidate and follows every replica until it serves it (its /metrics says which model it has). */
async function promote(o: ScenarioOptions, replicas: Replica[], record: Record<string, unknown>): Promise<Array<number | null>> {
  const before = Date.now();
  const result = await cli(['models', 'promote', o.prepared.candidate.id, '--reason', 'bench replicas'], { ANIREC_STORE: o.storeUrl });
  record.commandMs = result.ms;
  const done = Date.now();
  const swaps: Array<number | null> = replicas.map(() => null);
  while (swaps.includes(null) && Date.now() - done < 30_000) {
    await Promise.all(
      replicas.map(async (r, i) => {
        if (swaps[i] !== null) return;
        if ((await servedModel(r.port))?.kind === o.prepared.candidate.kind) swaps[i] = Date.now() - done;
      }),
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  record.sinceCommandStartMs = done - before;
  return swaps;
}

/** The gate: each acknowledged write's (user, title) holds its score in PostgreSQL; also counts failed writes that were applied anyway. */
export async function checkWrites(
  storeUrl: string,
  samples: Sample[],
): Promise<{ writes: number; acknowledged: number; lost: number; lostExamples: unknown[]; unacknowledgedApplied: number }> {
  const db = new pg.Client({ connectionString: storeUrl });
  await db.connect();
  let rows: Array<{ external_id: string; anime_id: number; score: number | null }>;
  try {
    rows = (
      await db.query<{ external_id: string; anime_id: number; score: number | null }>(
        "SELECT u.external_id, i.anime_id, i.score FROM interactions i JOIN users u ON u.user_id = i.user_id WHERE u.source = 'bench'",
      )
    ).rows;
  } finally {
    await db.end();
  }
  const stored = new Map(rows.map((r) => [`${r.external_id}/${r.anime_id}`, r.score]));
  const writes = samples.filter((s) => s.write);
  const acked = writes.filter((s) => s.cause === 'ok');
  const lost = acked.filter((s) => stored.get(`${s.write!.user}/${s.write!.animeId}`) !== s.write!.score);
  const unacked = writes.filter((s) => s.cause !== 'ok' && stored.get(`${s.write!.user}/${s.write!.animeId}`) === s.write!.score);
  return {
    writes: writes.length,
    acknowledged: acked.length,
    lost: lost.length,
    lostExamples: lost.slice(0, 10).map((s) => ({ ...s.write, at: s.at })),
    unacknowledgedApplied: unacked.length,
  };
}

async function main(): Promise<void> {
  const seconds = Number(process.env.BENCH_SECONDS ?? 60);
  const rate = Number(process.env.BENCH_REPLICAS_RATE ?? 500);
  const s = (t: number): number => Math.round(((t * seconds) / 60) * 10) / 10;
  const postgres = await holdPostgres();
  try {
    const prepared = await prepareStore(postgres.url);
    console.error(
      `bench replicas: store prepared (${JSON.stringify(prepared.setupMs)} ms; production ${prepared.production.id}, candidate ${prepared.candidate.id})`,
    );
    const loadBefore = loadavg();
    const result = await runReplicaScenario({
      storeUrl: postgres.url,
      prepared,
      replicas: 3,
      rate,
      seconds,
      warmupSeconds: 5,
      phases: [
        { name: 'steady', from: 0 },
        { name: '(a) kill + restart a replica', from: s(10) },
        { name: '(b) promote a model', from: s(25) },
        { name: '(c) restart PostgreSQL', from: s(40) },
      ],
      events: [
        { at: s(12), action: 'kill', replica: 0 },
        { at: s(14), action: 'restart', replica: 0 },
        { at: s(27), action: 'promote' },
        { at: s(42), action: 'pg-restart' },
      ],
      restartPostgres: () => postgres.restart(),
    });
    const { writes, ...summary } = result;
    const rows = result.phases.map((p) => ({
      phase: p.name,
      s: `${p.from}-${p.to}`,
      requests: p.requests,
      failed: p.failed,
      'failed by cause':
        Object.entries(p.causes)
          .map(([c, n]) => `${c}: ${n}`)
          .join(', ') || '-',
      'p50 ms': p.p50,
      'p99 ms': p.p99,
      'max ms': p.max,
      'writes acked/sent': `${p.writesAcked}/${p.writes}`,
    }));
    printTable(
      `${result.replicas} replicas behind a round-robin balancer, ${rate} req/s open loop for ${seconds} s (achieved ${result.achievedRps}); load average before ${loadBefore.map((x) => x.toFixed(1)).join(' / ')}, after ${loadavg()
        .map((x) => x.toFixed(1))
        .join(' / ')}`,
      rows,
    );
    console.log(
      `\nCPU seconds over the ${result.cpu.seconds} s run (2 cores = ${result.cpu.seconds * 2}): machine ${result.cpu.machine}, replicas + balancer ${result.cpu.replicasAndBalancer}, load generator ${result.cpu.loadGenerator}, rest (PostgreSQL, the promote command, other jobs) ${result.cpu.rest}`,
    );
    console.log(`\nevents: ${result.events.map((e) => JSON.stringify(e)).join('\n        ')}`);
    for (const [cause, message] of Object.entries(result.errorMessages)) console.log(`first "${cause}": ${message}`);
    console.log(
      `\ngate: ${result.gate.acknowledged} of ${result.gate.writes} feedback writes acknowledged; ${result.gate.lost} of them missing from PostgreSQL afterwards (lost); ${result.gate.unacknowledgedApplied} unacknowledged writes were applied anyway`,
    );
    console.log(
      `\nwrote ${writeResults('replicas', { ...summary, setupMs: prepared.setupMs, models: { production: prepared.production, candidate: prepared.candidate }, loadAverageBefore: loadBefore })}`,
    );
    if (result.gate.lost > 0) process.exitCode = 1;
  } finally {
    await postgres.stop();
  }
}

if (process.argv[1] === SELF) await main();
