/**
 * The shared registry with an artifact bigger than PostgreSQL's 1 GB limit for one field (an
 * uncapped EASE matrix gets there): register it into a throw-away cluster and materialise it in
 * another home, timing both against copying the same file on disk, with the process's peak
 * memory (which must stay far below the file's size: chunks are streamed) and the worst
 * event-loop delay during the download (what a serving replica's requests would wait).
 *
 *   npm run bench -- registry            # 1100 MiB artifact
 *   node --import tsx bench/registry.ts --mb 64 --chunk-kib 256
 */
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { startPostgresCluster } from '../scripts/postgres-cluster.mjs';
import { DEFAULT_CHUNK_BYTES, PostgresRegistry } from '../src/registry/index.js';
import { printTable, writeResults } from './report.js';

const mbArg = process.argv.indexOf('--mb');
const MB = mbArg >= 0 ? Number(process.argv[mbArg + 1]) : 1100;
if (!Number.isInteger(MB) || MB < 1) throw new Error(`--mb must be a whole number ≥ 1 (got ${process.argv[mbArg + 1]})`);
const chunkArg = process.argv.indexOf('--chunk-kib');
const CHUNK_BYTES = chunkArg >= 0 ? Number(process.argv[chunkArg + 1]) * 1024 : DEFAULT_CHUNK_BYTES;
if (!Number.isInteger(CHUNK_BYTES) || CHUNK_BYTES < 1024)
  throw new Error(`--chunk-kib must be a whole number ≥ 1 (got ${process.argv[chunkArg + 1]})`);

const rssMiB = (): number => Math.round(process.resourceUsage().maxRSS / 1024);

const work = mkdtempSync(join(tmpdir(), 'anirec-bench-registry-'));
const cluster = await startPostgresCluster();
try {
  const source = join(work, 'bundle');
  mkdirSync(join(source, 'model'), { recursive: true });
  // Random bytes (model weights do not compress), written 1 MiB at a time.
  const fd = openSync(join(source, 'model', 'huge.bin'), 'w');
  const block = randomBytes(1024 * 1024);
  for (let i = 0; i < MB; i++) {
    block.writeUInt32LE(i, 0);
    writeSync(fd, block);
  }
  closeSync(fd);
  writeFileSync(
    join(source, 'bundle.json'),
    JSON.stringify({
      format: 'anirec-model-bundle',
      formatVersion: 1,
      kind: 'ease',
      createdAt: new Date().toISOString(),
      params: {},
      dataHash: 'bench',
      nUsers: 1,
      nItems: 1,
      nInteractions: 1,
      trainingSeconds: 0,
    }),
  );
  const rssBefore = rssMiB();

  let started = performance.now();
  copyFileSync(join(source, 'model', 'huge.bin'), join(work, 'copy.bin'));
  const copySeconds = (performance.now() - started) / 1000;
  rmSync(join(work, 'copy.bin'));

  const writer = await PostgresRegistry.open(cluster.url, { cacheDir: join(work, 'writer-cache'), chunkBytes: CHUNK_BYTES });
  started = performance.now();
  const version = await writer.register(source);
  const registerSeconds = (performance.now() - started) / 1000;
  const rssAfterRegister = rssMiB();
  await writer.close();

  const replica = await PostgresRegistry.open(cluster.url, { cacheDir: join(work, 'replica-cache') });
  const delay = monitorEventLoopDelay({ resolution: 2 });
  delay.enable();
  started = performance.now();
  const dir = await replica.materialize(version);
  const materializeSeconds = (performance.now() - started) / 1000;
  delay.disable();
  const rssAfterMaterialize = rssMiB();
  await replica.close();

  // Byte for byte, compared a block at a time would need another reader; the registry already
  // checks size and SHA-256 on the way out, so a mismatch would have thrown above.
  const sameHead = readFileSync(join(dir, 'bundle.json'), 'utf8') === readFileSync(join(source, 'bundle.json'), 'utf8');
  const rows = [
    { step: 'copy the file on disk (baseline)', seconds: copySeconds.toFixed(1), 'MiB/s': Math.round(MB / copySeconds), 'vs copy': '1.0×' },
    {
      step: 'register (upload in one transaction)',
      seconds: registerSeconds.toFixed(1),
      'MiB/s': Math.round(MB / registerSeconds),
      'vs copy': `${(registerSeconds / copySeconds).toFixed(1)}×`,
    },
    {
      step: 'materialize (download, verify, rename)',
      seconds: materializeSeconds.toFixed(1),
      'MiB/s': Math.round(MB / materializeSeconds),
      'vs copy': `${(materializeSeconds / copySeconds).toFixed(1)}×`,
    },
  ];
  printTable(`registry: one ${MB} MiB artifact in ${CHUNK_BYTES / 1024} KiB chunks`, rows);
  const memory = { rssBeforeMiB: rssBefore, peakRssAfterRegisterMiB: rssAfterRegister, peakRssAfterMaterializeMiB: rssAfterMaterialize };
  const loop = {
    eventLoopDelayMaxMs: Math.round((delay.max / 1e6) * 10) / 10,
    eventLoopDelayP99Ms: Math.round((delay.percentile(99) / 1e6) * 10) / 10,
  };
  console.log(
    `\npeak RSS: ${rssBefore} MiB before, ${rssAfterRegister} MiB after register, ${rssAfterMaterialize} MiB after materialize; event-loop delay during materialize: max ${loop.eventLoopDelayMaxMs} ms, p99 ${loop.eventLoopDelayP99Ms} ms; bundle.json identical: ${sameHead}`,
  );
  console.log(`results: ${writeResults('registry', { artifactMiB: MB, chunkBytes: CHUNK_BYTES, rows, memory, loop })}`);
} finally {
  cluster.stop();
  rmSync(work, { recursive: true, force: true });
}
