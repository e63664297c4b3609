import type { InteractionColumns } from '../store.js';

/** PostgreSQL's binary COPY signature: "PGCOPY\n\377\r\n\0". */
const SIGNATURE = Buffer.from([0x50, 0x47, 0x43, 0x4f, 0x50, 0x59, 0x0a, 0xff, 0x0d, 0x0a, 0x00]);
const FIELDS = 4;

/**
 * Fills InteractionColumns from `COPY (SELECT user_id, anime_id, score, status …) TO STDOUT
 * (FORMAT binary)` as the bytes arrive, so millions of rows cost four typed arrays and never one
 * JS object per row. Binary rather than text: every field is a fixed-width big-endian integer,
 * read with no string parsing. NULL fields (length -1) read as 0, the "unknown" the columns use.
 */
export class InteractionColumnsReader {
  private carry: Buffer | null = null;
  private headerDone = false;
  private ended = false;

  constructor(private readonly columns: InteractionColumns) {}

  push(chunk: Buffer): void {
    let buf = this.carry === null ? chunk : Buffer.concat([this.carry, chunk]);
    this.carry = null;
    let pos = 0;
    if (!this.headerDone) {
      if (buf.length < SIGNATURE.length + 8) {
        this.carry = buf;
        return;
      }
      if (!buf.subarray(0, SIGNATURE.length).equals(SIGNATURE))
        throw new Error('COPY TO STDOUT did not return PostgreSQL binary COPY data');
      const extension = buf.readInt32BE(SIGNATURE.length + 4);
      if (buf.length < SIGNATURE.length + 8 + extension) {
        this.carry = buf;
        return;
      }
      pos = SIGNATURE.length + 8 + extension;
      this.headerDone = true;
    }
    const { userIds } = this.columns;
    let n = this.columns.length;
    while (!this.ended) {
      if (buf.length - pos < 2) break;
      const fieldCount = buf.readInt16BE(pos);
      if (fieldCount === -1) {
        this.ended = true;
        pos += 2;
        break;
      }
      if (fieldCount !== FIELDS) throw new Error(`binary COPY row has ${fieldCount} fields, expected ${FIELDS}`);
      if (n === userIds.length) throw new Error('binary COPY returned more rows than counted in the same snapshot');
      const next = this.readRow(buf, pos + 2, n);
      if (next === -1) break;
      n++;
      pos = next;
    }
    this.columns.length = n;
    if (pos < buf.length) {
      if (this.ended) throw new Error('binary COPY data continues after its trailer');
      // A copy, not a view: the carried bytes must not pin the whole chunk.
      buf = Buffer.from(buf.subarray(pos));
      this.carry = buf;
    }
  }

  /**
   * Writes the row at `start` into slot `n` of the columns and returns the offset after it, or -1
   * when the row is not complete in `buf` yet (nothing is kept from a partial row: it is re-read).
   */
  private readRow(buf: Buffer, start: number, n: number): number {
    const { userIds, animeIds, scores, statuses } = this.columns;
    let pos = start;
    for (let f = 0; f < FIELDS; f++) {
      if (buf.length - pos < 4) return -1;
      const length = buf.readInt32BE(pos);
      pos += 4;
      let value = 0;
      if (length !== -1) {
        if (buf.length - pos < length) return -1;
        value = length === 4 ? buf.readInt32BE(pos) : length === 2 ? buf.readInt16BE(pos) : Number(buf.readBigInt64BE(pos));
        pos += length;
      }
      if (f === 0) userIds[n] = value;
      else if (f === 1) animeIds[n] = value;
      else if (f === 2) scores[n] = value;
      else statuses[n] = value;
    }
    return pos;
  }

  /** Checks that the stream ended with the trailer, so a cut-off transfer is never taken for a short table. */
  finish(): void {
    if (!this.ended) throw new Error('binary COPY data ended without its trailer (the connection was cut?)');
  }
}
