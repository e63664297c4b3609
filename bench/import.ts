/**
 * Import throughput and peak memory: the bundled 520k ratings and synthetic 2M / 20M-row files
 * (bench/synthetic.ts), each imported into a fresh SQLite store and into a fresh PostgreSQL
 * database, each case in its own child process so that peak RSS belongs to that case alone.
 *
 * Baselines in the same run: reading the same file (gunzip + split lines, no parsing or storing),
 * so the table shows how close the import gets to just reading the bytes, and SQLite for the
 * PostgreSQL store's ratio.
 *
 *   npm run bench -- import            (BENCH_IMPORT_ROWS=2000000,20000000 to choose sizes)
 *
 * PostgreSQL: a throw-away cluster (scripts/postgres-cluster.mjs) unless ANIREC_BENCH_POSTGRES_URL
 * names a server (its maintenance database; the bench creates and drops one database per case).
 */
import { spawnSync } from 'node:child_process';
import { createReadStream, existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createGunzip } from 'node:zlib';
import { BUNDLED_DATA } from '../src/data/bundled.js';
import pg from 'pg';
import { startPostgresCluster, type PostgresCluster } from '../scripts/postgres-cluster.mjs';
import { importFiles } from '../src/store/import-files.js';
import { openStore } from '../src/store/open-store.js';
import type { Store } from '../src/store/store.js';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { generateSynthetic } from './synthetic.js';
import { printTable, writeResults } from './report.js';

interface CaseResult {
  case: string;
  rows: number;
  seconds: number;
  rowsPerSecond: number;
  peakRssMiB: number;
  /** The same file imported again into the same store: every row already there, nothing written. */
  rerunRowsPerSecond?: number;
}

async function readOnly(path: string): Promise<CaseResult> {
  const started = performance.now();
  const input = path.endsWith('.gz') ? createReadStream(path).pipe(createGunzip()) : createReadStream(path);
  let rows = -1;
  for await (const _line of createInterface({ input, crlfDelay: Infinity })) rows++;
  const seconds = (performance.now() - started) / 1000;
  return { case: 'read', rows, seconds, rowsPerSecond: rows / seconds, peakRssMiB: process.resourceUsage().maxRSS / 1024 };
}

/** `target` is a SQLite file path, or a postgres:// URL of an empty database. */
async function importInto(path: string, catalogue: string, target: string): Promise<CaseResult> {
  const store: Store = target.startsWith('postgres://') ? await openStore(target) : SqliteStore.open(target);
  // The catalogue goes in first, in its own run, so the timed run is the ratings alone.
  await importFiles(store, [{ path: catalogue }]);
  const started = performance.now();
  const summary = await importFiles(store, [{ path, userSource: 'bench' }]);
  const seconds = (performance.now() - started) / 1000;
  const peakRssMiB = process.resourceUsage().maxRSS / 1024;
  const rerunStarted = performance.now();
  const rerun = await importFiles(store, [{ path, userSource: 'bench' }]);
  const rerunSeconds = (performance.now() - rerunStarted) / 1000;
  if (rerun.counts.interactionsInserted + rerun.counts.interactionsUpdated !== 0)
    throw new Error(`the re-run of ${path} changed rows: ${JSON.stringify(rerun.counts)}`);
  await store.close();
  return {
    case: target.startsWith('postgres://') ? 'postgres' : 'import',
    rows: summary.rowsRead,
    seconds,
    rowsPerSecond: summary.rowsRead / seconds,
    peakRssMiB,
    rerunRowsPerSecond: rerun.rowsRead / rerunSeconds,
  };
}

/** Child-process entry: run one case and print its result as JSON on the last line. */
async function runChild(kind: string, path: string, dbPath: string): Promise<void> {
  const result = kind === 'read' ? await readOnly(path) : await importInto(path, BUNDLED_DATA.catalogue2016, dbPath);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

function runChildCase(kind: string, path: string, target: string): CaseResult {
  const child = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--child', kind, path, target], {
    encoding: 'utf8',
    maxBuffer: 1 << 24,
  });
  if (child.status !== 0) throw new Error(`bench case ${kind} ${path} failed:\n${child.stderr}`);
  const lines = child.stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]!) as CaseResult;
}

function runCase(kind: string, path: string, workDir: string): CaseResult {
  const dbPath = join(workDir, `bench-${Date.now()}.db`);
  try {
    return runChildCase(kind, path, dbPath);
  } finally {
    rmSync(dbPath, { force: true });
    rmSync(`${dbPath}-wal`, { force: true });
    rmSync(`${dbPath}-shm`, { force: true });
  }
}

async function adminQuery(adminUrl: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** The same import into a database created for this case alone and dropped afterwards. */
async function runPostgresCase(path: string, adminUrl: string): Promise<CaseResult> {
  const name = `anirec_bench_${process.pid}_${Date.now()}`;
  await adminQuery(adminUrl, `CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  try {
    return runChildCase('import', path, url.toString());
  } finally {
    await adminQuery(adminUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  }
}

export async function benchImport(): Promise<void> {
  const workDir = mkdtempSync(join(tmpdir(), 'anirec-bench-'));
  const sizes = (process.env.BENCH_IMPORT_ROWS ?? '2000000,20000000')
    .split(',')
    .map(Number)
    .filter((n) => n > 0);
  const rows: Record<string, string | number>[] = [];
  const results: Record<string, unknown>[] = [];
  const given = process.env.ANIREC_BENCH_POSTGRES_URL;
  const cluster: PostgresCluster | null = given ? null : await startPostgresCluster();
  const adminUrl = given || cluster!.url;
  try {
    const inputs: { label: string; path: string }[] = [{ label: 'bundled 520k (gz)', path: BUNDLED_DATA.ratings2016 }];
    for (const size of sizes) {
      const path = join(workDir, `ratings-${size}.csv`);
      if (!existsSync(path)) await generateSynthetic({ rows: size, out: path, seed: 7, realRatings: BUNDLED_DATA.ratings2016 });
      inputs.push({ label: `synthetic ${(size / 1e6).toFixed(0)}M (csv)`, path });
    }
    for (const input of inputs) {
      const read = runCase('read', input.path, workDir);
      const imported = runCase('import', input.path, workDir);
      const postgres = await runPostgresCase(input.path, adminUrl);
      if (postgres.rows !== imported.rows)
        throw new Error(`${input.label}: PostgreSQL read ${postgres.rows} rows, SQLite ${imported.rows}`);
      const entry = {
        input: input.label,
        fileMiB: statSync(input.path).size / 2 ** 20,
        rows: imported.rows,
        importSeconds: imported.seconds,
        importRowsPerSecond: imported.rowsPerSecond,
        importPeakRssMiB: imported.peakRssMiB,
        readRowsPerSecond: read.rowsPerSecond,
        importVsRead: imported.seconds / read.seconds,
        postgresSeconds: postgres.seconds,
        postgresRowsPerSecond: postgres.rowsPerSecond,
        postgresPeakRssMiB: postgres.peakRssMiB,
        postgresVsSqliteRowsPerSecond: postgres.rowsPerSecond / imported.rowsPerSecond,
        rerunRowsPerSecond: imported.rerunRowsPerSecond!,
        postgresRerunRowsPerSecond: postgres.rerunRowsPerSecond!,
      };
      results.push(entry);
      rows.push({
        input: entry.input,
        rows: entry.rows.toLocaleString('en'),
        'import s': entry.importSeconds.toFixed(2),
        'import rows/s': Math.round(entry.importRowsPerSecond).toLocaleString('en'),
        'peak RSS MiB': entry.importPeakRssMiB.toFixed(0),
        'read-only rows/s': Math.round(entry.readRowsPerSecond).toLocaleString('en'),
        'import ÷ read time': entry.importVsRead.toFixed(2),
        'PostgreSQL s': entry.postgresSeconds.toFixed(2),
        'PostgreSQL rows/s': Math.round(entry.postgresRowsPerSecond).toLocaleString('en'),
        'PostgreSQL RSS MiB': entry.postgresPeakRssMiB.toFixed(0),
        'PostgreSQL ÷ SQLite rows/s': entry.postgresVsSqliteRowsPerSecond.toFixed(2),
        're-run rows/s SQLite': Math.round(entry.rerunRowsPerSecond).toLocaleString('en'),
        're-run rows/s PostgreSQL': Math.round(entry.postgresRerunRowsPerSecond).toLocaleString('en'),
      });
    }
  } finally {
    rmSync(workDir, { recursive: true, force: true });
    cluster?.stop();
  }
  printTable(
    'Import throughput (fresh SQLite store and fresh PostgreSQL database, catalogue preloaded; re-run = the same file again)',
    rows,
  );
  writeResults('import', { sizes, postgres: given ? 'ANIREC_BENCH_POSTGRES_URL' : 'throw-away local cluster (fsync off)', results });
}

const argv = process.argv.slice(2);
if (argv[0] === '--child') {
  await runChild(argv[1]!, argv[2]!, argv[3]!);
} else if (process.argv[1] === fileURLToPath(import.meta.url)) {
  mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
  await benchImport();
}
