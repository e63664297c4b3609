import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import type pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { RegistryError } from '../types.js';
import { VERSION_FILE } from '../version-file.js';
import { readBinaryCopy } from './copy-binary.js';

/**
 * A bundle's files as rows: each file is cut into chunks of a few MB, one bytea row each, so a
 * file of any size (an uncapped EASE matrix passes PostgreSQL's 1 GB limit for one field) goes
 * in and out with only one chunk in memory at a time.
 */

/**
 * Rows of a few MB: few enough rows that their per-row cost is noise, small enough that the
 * registering process holds only one at a time. (Downloads stream below the row, see copy-binary.ts.)
 */
export const DEFAULT_CHUNK_BYTES = 4 * 1024 * 1024;

/** Every file under `dir`, as paths relative to it with `/` separators, sorted; version.json is the registry's own. */
export function bundleFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (at: string): void => {
    for (const name of readdirSync(at).sort()) {
      const path = join(at, name);
      if (statSync(path).isDirectory()) walk(path);
      else out.push(relative(dir, path).split(sep).join('/'));
    }
  };
  walk(dir);
  return out.filter((p) => p !== VERSION_FILE);
}

/** Reads up to buffer.length bytes at `position`, looping over short reads. */
async function readFull(file: Awaited<ReturnType<typeof open>>, buffer: Buffer, position: number): Promise<number> {
  let filled = 0;
  while (filled < buffer.length) {
    const { bytesRead } = await file.read(buffer, filled, buffer.length - filled, position + filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return filled;
}

/** Inserts one file's chunks and its artifact row, inside the caller's transaction. */
export async function uploadFile(client: pg.ClientBase, bundleId: string, root: string, path: string, chunkBytes: number): Promise<void> {
  const file = await open(join(root, path), 'r');
  try {
    const hash = createHash('sha256');
    const buffer = Buffer.alloc(chunkBytes);
    let size = 0;
    let seq = 0;
    for (;;) {
      const n = await readFull(file, buffer, size);
      if (n === 0 && seq > 0) break;
      const chunk = buffer.subarray(0, n);
      hash.update(chunk);
      await client.query('INSERT INTO registry_chunks (bundle_id, path, seq, data) VALUES ($1, $2, $3, $4)', [bundleId, path, seq, chunk]);
      size += n;
      seq++;
      if (n < chunkBytes) break;
    }
    await client.query('INSERT INTO registry_artifacts (bundle_id, path, size, sha256, chunks) VALUES ($1, $2, $3, $4, $5)', [
      bundleId,
      path,
      size,
      hash.digest('hex'),
      seq,
    ]);
  } finally {
    await file.close();
  }
}

interface ArtifactRow {
  path: string;
  size: string;
  sha256: string;
  chunks: number;
}

const WRITE_BYTES = 1024 * 1024;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Streams one artifact's chunks, in order, into `file` (COPY takes no parameters: the literals are escaped). */
async function downloadFile(
  client: pg.PoolClient,
  bundleId: string,
  path: string,
  onData: (bytes: Buffer) => Promise<void>,
): Promise<number> {
  if (!UUID.test(bundleId)) throw new RegistryError(`Malformed bundle id ${JSON.stringify(bundleId)} in the registry database.`);
  const stream = client.query(
    copyTo(
      `COPY (SELECT data FROM registry_chunks WHERE bundle_id = '${bundleId}' AND path = ${client.escapeLiteral(path)} ORDER BY seq) TO STDOUT (FORMAT binary)`,
    ),
  );
  return readBinaryCopy(stream, onData);
}

/**
 * Writes every artifact of a bundle under `target` (which must not exist yet: the caller renames
 * it into place when this returns), checking each file's chunk count, size and SHA-256 against
 * its row.
 */
export async function downloadBundle(pool: pg.Pool, bundleId: string, versionId: string, target: string): Promise<void> {
  const artifacts = (
    await pool.query<ArtifactRow>('SELECT path, size, sha256, chunks FROM registry_artifacts WHERE bundle_id = $1 ORDER BY path', [
      bundleId,
    ])
  ).rows;
  if (artifacts.length === 0)
    throw new RegistryError(
      `The model version ${versionId} has no artifacts in the registry database; it cannot be served. Promote another version.`,
    );
  mkdirSync(target, { recursive: true });
  const client = await pool.connect();
  let broken = false;
  const lost = (): void => {
    broken = true;
  };
  client.on('error', lost);
  try {
    for (const artifact of artifacts) {
      if (artifact.path.split('/').some((part) => part === '..' || part === '')) {
        throw new RegistryError(
          `The model version ${versionId} has an artifact with an unsafe path "${artifact.path}"; refusing to write it.`,
        );
      }
      const path = join(target, ...artifact.path.split('/'));
      mkdirSync(dirname(path), { recursive: true });
      const file = await open(path, 'w');
      const hash = createHash('sha256');
      let size = 0;
      let rows: number;
      // Socket-sized pieces gathered into larger writes: one write per piece costs a thread-pool round trip each.
      const batch = Buffer.alloc(WRITE_BYTES);
      let batched = 0;
      const flush = async (): Promise<void> => {
        if (batched > 0) await file.write(batch, 0, batched);
        batched = 0;
      };
      try {
        rows = await downloadFile(client, bundleId, artifact.path, async (bytes) => {
          hash.update(bytes);
          size += bytes.length;
          if (batched + bytes.length > WRITE_BYTES) await flush();
          if (bytes.length >= WRITE_BYTES) await file.write(bytes);
          else batched += bytes.copy(batch, batched);
        });
        await flush();
        await file.sync();
      } catch (error) {
        broken = true;
        throw error;
      } finally {
        await file.close();
      }
      const digest = hash.digest('hex');
      if (rows !== artifact.chunks || size !== Number(artifact.size) || digest !== artifact.sha256) {
        throw new RegistryError(
          `The model version ${versionId}'s ${artifact.path} came out of the registry database as ${size} bytes in ${rows} chunks (sha256 ${digest.slice(0, 12)}…), ` +
            `not the ${artifact.size} bytes in ${artifact.chunks} (${artifact.sha256.slice(0, 12)}…) registered; it is damaged. Promote another version, or retrain.`,
        );
      }
    }
  } finally {
    client.off('error', lost);
    // A COPY cut short leaves the connection mid-protocol: never hand it back to the pool.
    client.release(broken);
  }
}
