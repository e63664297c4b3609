/**
 * Import throughput and peak memory: the bundled 520k ratings and synthetic 2M / 20M-row files
 * (bench/synthetic.ts), each imported into a fresh SQLite store in its own child process so that
 * peak RSS belongs to that case alone.
 *
 * Baseline in the same run: reading the same file (gunzip + split lines, no parsing or storing),
 * so the table shows how close the import gets to just reading the bytes.
 *
 *   npm run bench -- import            (BENCH_IMPORT_ROWS=2000000,20000000 to choose sizes)
 */
import { spawnSync } from 'node:child_process';
import { createReadStream, existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createGunzip } from 'node:zlib';
import { BUNDLED_DATA } from '../src/data/bundled.js';
import { importFiles } from '../src/store/import-files.js';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { generateSynthetic } from './synthetic.js';
import { printTable, writeResults } from './report.js';

interface CaseResult {
  case: string;
  rows: number;
  seconds: number;
  rowsPerSecond: number;
  peakRssMiB: number;
}

async function readOnly(path: string): Promise<CaseResult> {
  const started = performance.now();
  const input = path.endsWith('.gz') ? createReadStream(path).pipe(createGunzip()) : createReadStream(path);
  let rows = -1;
  for await (const _line of createInterface({ input, crlfDelay: Infinity })) rows++;
  const seconds = (performance.now() - started) / 1000;
  return { case: 'read', rows, seconds, rowsPerSecond: rows / seconds, peakRssMiB: process.resourceUsage().maxRSS / 1024 };
}

async function importInto(path: string, catalogue: string, dbPath: string): Promise<CaseResult> {
  const store = SqliteStore.open(dbPath);
  // The catalogue goes in first, in its own run, so the timed run is the ratings alone.
  await importFiles(store, [{ path: catalogue }]);
  const started = performance.now();
  const summary = await importFiles(store, [{ path, userSource: 'bench' }]);
  const seconds = (performance.now() - started) / 1000;
  await store.close();
  return {
    case: 'import',
    rows: summary.rowsRead,
    seconds,
    rowsPerSecond: summary.rowsRead / seconds,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
  };
}

/** Child-process entry: run one case and print its result as JSON on the last line. */
async function runChild(kind: string, path: string, dbPath: string): Promise<void> {
  const result = kind === 'read' ? await readOnly(path) : await importInto(path, BUNDLED_DATA.catalogue2016, dbPath);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

function runCase(kind: string, path: string, workDir: string): CaseResult {
  const dbPath = join(workDir, `bench-${Date.now()}.db`);
  const child = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--child', kind, path, dbPath], {
    encoding: 'utf8',
    maxBuffer: 1 << 24,
  });
  rmSync(dbPath, { force: true });
  rmSync(`${dbPath}-wal`, { force: true });
  rmSync(`${dbPath}-shm`, { force: true });
  if (child.status !== 0) throw new Error(`bench case ${kind} ${path} failed:\n${child.stderr}`);
  const lines = child.stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]!) as CaseResult;
}

export async function benchImport(): Promise<void> {
  const workDir = mkdtempSync(join(tmpdir(), 'anirec-bench-'));
  const sizes = (process.env.BENCH_IMPORT_ROWS ?? '2000000,20000000').split(',').map(Number).filter((n) => n > 0);
  const rows: Record<string, string | number>[] = [];
  const results: Record<string, unknown>[] = [];
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
      const entry = {
        input: input.label,
        fileMiB: statSync(input.path).size / 2 ** 20,
        rows: imported.rows,
        importSeconds: imported.seconds,
        importRowsPerSecond: imported.rowsPerSecond,
        importPeakRssMiB: imported.peakRssMiB,
        readRowsPerSecond: read.rowsPerSecond,
        importVsRead: imported.seconds / read.seconds,
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
      });
    }
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
  printTable('Import throughput (fresh SQLite store, catalogue preloaded)', rows);
  writeResults('import', { sizes, results });
}

const argv = process.argv.slice(2);
if (argv[0] === '--child') {
  await runChild(argv[1]!, argv[2]!, argv[3]!);
} else if (process.argv[1] === fileURLToPath(import.meta.url)) {
  mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
  await benchImport();
}
