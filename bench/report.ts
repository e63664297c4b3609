/** Shared output for benchmarks: an aligned table on stdout and a JSON file in bench/results/. */
import { resolvePaths } from '../src/config.js';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';

export function printTable(title: string, rows: Record<string, string | number>[]): void {
  if (rows.length === 0) return;
  const columns = Object.keys(rows[0]!);
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => String(r[c] ?? '').length)));
  const line = (cells: string[]): string => `| ${cells.map((cell, i) => cell.padEnd(widths[i]!)).join(' | ')} |`;
  console.log(`\n${title}\n`);
  console.log(line(columns));
  console.log(line(widths.map((w) => '-'.repeat(w))));
  for (const row of rows) console.log(line(columns.map((c) => String(row[c] ?? ''))));
}

/** Writes bench/results/NAME.json with the machine it ran on, so numbers are never context-free. */
export function writeResults(name: string, data: unknown): string {
  const dir = fileURLToPath(new URL('./results/', import.meta.url));
  mkdirSync(dir, { recursive: true });
  const path = `${dir}${name}.json`;
  const machine = { node: process.version, cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', memoryGiB: totalmem() / 2 ** 30 };
  // Results are committed: model directories are written relative to $ANIREC_HOME, not as this machine's paths.
  const home = resolvePaths().home;
  const json = JSON.stringify(
    { name, ranAt: new Date().toISOString(), machine, data },
    (_key, value: unknown) => (typeof value === 'string' && value.startsWith(home) ? `$ANIREC_HOME${value.slice(home.length)}` : value),
    2,
  );
  writeFileSync(path, `${json}\n`);
  return path;
}
