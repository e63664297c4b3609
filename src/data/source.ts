import { closeSync, createReadStream, openSync, readSync, statSync } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { DataFileError } from './errors.js';

/** Bytes inspected to detect the format and the encoding: the header line plus a little. */
const HEAD_BYTES = 64 * 1024;

/** An opened input file: its first bytes (decompressed) for detection, and every byte as a stream. */
export interface DataSource {
  file: string;
  /** The decoded start of the file (at most 64 KiB, BOM removed) for format detection. */
  head: string;
  /** The whole (decompressed) content, BOM removed, in chunks; can be iterated once. */
  chunks: AsyncIterable<Buffer>;
}

function readMagic(path: string): Buffer {
  const fd = openSync(path, 'r');
  try {
    const magic = Buffer.alloc(4);
    const n = readSync(fd, magic, 0, 4, 0);
    return magic.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}

function describeOpenError(path: string, error: NodeJS.ErrnoException): DataFileError {
  if (error.code === 'ENOENT') return new DataFileError(path, 'no such file; check the path');
  if (error.code === 'EISDIR') return new DataFileError(path, 'is a directory; pass the data file inside it');
  if (error.code === 'EACCES') return new DataFileError(path, 'permission denied; check the file permissions');
  return new DataFileError(path, `cannot be read (${error.message})`);
}

/**
 * Opens a data file, gunzipping it when it starts with gzip's magic bytes (whatever its name),
 * and rejects files that are empty or not UTF-8 before any row is parsed.
 */
export async function openSource(path: string): Promise<DataSource> {
  let magic: Buffer;
  try {
    if (statSync(path).isDirectory()) throw Object.assign(new Error('directory'), { code: 'EISDIR' });
    magic = readMagic(path);
  } catch (error) {
    throw describeOpenError(path, error as NodeJS.ErrnoException);
  }
  const gzipped = magic.length >= 2 && magic[0] === 0x1f && magic[1] === 0x8b;
  const raw = createReadStream(path, { highWaterMark: 1 << 20 });
  const stream = gzipped ? raw.pipe(createGunzip({ chunkSize: 1 << 20 })) : raw;
  raw.on('error', (error) => stream.destroy(error));
  const iterator = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;

  // Read just enough to see the header; those chunks are replayed before the rest.
  const buffered: Buffer[] = [];
  let bufferedBytes = 0;
  try {
    while (bufferedBytes < HEAD_BYTES) {
      const next = await iterator.next();
      if (next.done) break;
      buffered.push(next.value);
      bufferedBytes += next.value.length;
    }
  } catch (error) {
    stream.destroy();
    const message = (error as Error).message;
    throw new DataFileError(path, gzipped ? `is not a valid gzip file (${message}); re-download or re-compress it` : `cannot be read (${message})`);
  }
  let first = Buffer.concat(buffered);
  const bomLength = checkEncoding(path, first);
  if (bomLength > 0) {
    first = first.subarray(bomLength);
  }
  if (first.toString('utf8').trim() === '') {
    stream.destroy();
    throw new DataFileError(path, 'is empty; expected a header line and data rows');
  }
  const head = first.subarray(0, HEAD_BYTES).toString('utf8');
  async function* all(): AsyncGenerator<Buffer> {
    try {
      if (first.length > 0) yield first;
      for (;;) {
        const next = await iterator.next();
        if (next.done) return;
        yield next.value;
      }
    } catch (error) {
      throw new DataFileError(path, `read failed part-way (${(error as Error).message}); the file may be truncated or corrupt`);
    } finally {
      stream.destroy();
    }
  }
  return { file: path, head, chunks: all() };
}

/**
 * Returns the length of a UTF-8 byte order mark to skip (0 or 3). UTF-16/32 files (what Excel's
 * "Unicode text" produces) are refused with the fix, since every format here is UTF-8.
 */
function checkEncoding(path: string, start: Buffer): number {
  if (start.length >= 3 && start[0] === 0xef && start[1] === 0xbb && start[2] === 0xbf) return 3;
  const utf16 = (start.length >= 2 && ((start[0] === 0xff && start[1] === 0xfe) || (start[0] === 0xfe && start[1] === 0xff))) ||
    (start.length >= 4 && (start[1] === 0 || start[0] === 0) && start.subarray(0, 64).filter((b) => b === 0).length > 8);
  if (utf16) {
    throw new DataFileError(path, 'is UTF-16 (or another multi-byte encoding), not UTF-8; re-save it as UTF-8 (e.g. `iconv -f UTF-16 -t UTF-8`)');
  }
  // A cut multi-byte character at the end of the sample is not an error, so drop the last 3 bytes.
  const sample = start.subarray(0, Math.max(0, Math.min(start.length, HEAD_BYTES) - 3));
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(sample);
  } catch {
    throw new DataFileError(path, 'is not valid UTF-8 near its start (maybe Latin-1 or Shift-JIS); convert it to UTF-8 (e.g. `iconv -f LATIN1 -t UTF-8`)');
  }
  return 0;
}

/** Uncompressed size of a file for progress: gzip stores it mod 2^32 in its last four bytes. */
export function uncompressedSize(path: string): number | null {
  try {
    const size = statSync(path).size;
    const magic = readMagic(path);
    if (!(magic[0] === 0x1f && magic[1] === 0x8b)) return size;
    const fd = openSync(path, 'r');
    try {
      const tail = Buffer.alloc(4);
      readSync(fd, tail, 0, 4, size - 4);
      return tail.readUInt32LE(0) || null;
    } finally {
      closeSync(fd);
    }
  } catch {
    return null;
  }
}
