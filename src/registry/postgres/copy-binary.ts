import type { Readable } from 'node:stream';
import { RegistryError } from '../types.js';

/**
 * Reads the one bytea column of a `COPY (…) TO STDOUT (FORMAT binary)` stream and hands its bytes
 * to `onData` in the pieces they arrive in (socket-sized), without gathering a field or a row:
 * unlike a SELECT, whose bytea pg delivers as one hex string per row to decode on the event loop,
 * this keeps a download's work per turn of the event loop small and its memory flat.
 * Format: https://www.postgresql.org/docs/current/sql-copy.html ("Binary Format").
 * Returns the number of rows read.
 */
export async function readBinaryCopy(stream: Readable, onData: (bytes: Buffer) => Promise<void>): Promise<number> {
  const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');
  let pending: Buffer = Buffer.alloc(0);
  let state: 'signature' | 'extension' | 'tuple' | 'length' | 'field' | 'done' = 'signature';
  let need = SIGNATURE.length + 8;
  let fieldLeft = 0;
  let rows = 0;
  const bad = (what: string): never => {
    throw new RegistryError(`The registry database sent a malformed binary COPY stream (${what}); the download was abandoned.`);
  };
  for await (const piece of stream as AsyncIterable<Buffer>) {
    let data: Buffer = pending.length > 0 ? Buffer.concat([pending, piece]) : piece;
    pending = Buffer.alloc(0);
    while (data.length > 0) {
      if (state === 'field') {
        const take = Math.min(fieldLeft, data.length);
        await onData(data.subarray(0, take));
        fieldLeft -= take;
        data = data.subarray(take);
        if (fieldLeft === 0) state = 'tuple';
        continue;
      }
      if (state === 'done') bad('bytes after the trailer');
      const header = state === 'tuple' ? 2 : state === 'length' ? 4 : need;
      if (data.length < header) {
        pending = Buffer.from(data);
        break;
      }
      if (state === 'signature') {
        if (!data.subarray(0, SIGNATURE.length).equals(SIGNATURE)) bad('no PGCOPY signature');
        need = data.readUInt32BE(SIGNATURE.length + 4);
        state = 'extension';
        data = data.subarray(header);
      } else if (state === 'extension') {
        data = data.subarray(need);
        state = 'tuple';
      } else if (state === 'tuple') {
        const fields = data.readInt16BE(0);
        data = data.subarray(2);
        if (fields === -1) state = 'done';
        else if (fields !== 1) bad(`a row of ${fields} fields, expected 1`);
        else state = 'length';
      } else {
        fieldLeft = data.readInt32BE(0);
        if (fieldLeft < 0) bad('a NULL chunk');
        data = data.subarray(4);
        rows++;
        state = fieldLeft === 0 ? 'tuple' : 'field';
      }
    }
    // The extension's length is known only after the signature: it may be 0, so settle it here too.
    if (state === 'extension' && need === 0) state = 'tuple';
  }
  if (state !== 'done') bad('it ended early');
  return rows;
}
