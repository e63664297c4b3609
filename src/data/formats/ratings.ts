import { DataFileError } from '../errors.js';
import { headerColumns, hasColumns } from '../csv.js';
import type { DataSource } from '../source.js';
import type { ImportChunk, Interaction, RowProblem } from '../types.js';
import type { DataFormat } from './format.js';
import { badValueMessage, MAX_USER_ID_LENGTH } from '../fields.js';

const COLUMNS = ['user_id', 'anime_id', 'rating'] as const;
const ROWS_PER_CHUNK = 50_000;
const NEWLINE = 0x0a;
const CR = 0x0d;
const COMMA = 0x2c;
const MINUS = 0x2d;
const ZERO = 0x30;
const NINE = 0x39;
/** Anime ids below this are checked for duplicates with a stamp array (MAL ids are ~60k today). */
const MAX_STAMPED_ID = 1 << 21;
/** Integer fields longer than this cannot be ids; stops overflow before it happens. */
const MAX_DIGITS = 12;

/**
 * The Kaggle ratings files: 2016 `rating.csv` (-1 = on the list without a score) and 2020
 * `rating_complete.csv` (same header, scores only). Tens of millions of rows, so this parser
 * works on bytes: no string per field, no regex, one pass. Anything unexpected in a row falls
 * back to a precise per-row problem instead of a guess.
 */
export const ratingsFormat: DataFormat = {
  id: 'ratings',
  kind: 'interactions',
  description: 'Kaggle ratings: 2016 rating.csv (-1 = listed, no score) or 2020 rating_complete.csv',
  header: COLUMNS.join(','),
  defaultUserSource: 'kaggle',
  detect: (head) => {
    const columns = headerColumns(head);
    return columns.length === 3 && hasColumns(head, COLUMNS);
  },
  read: readRatings,
};

interface ColumnPositions {
  user: number;
  anime: number;
  rating: number;
  width: number;
}

function columnPositions(file: string, header: string): ColumnPositions {
  const names = header.split(',').map((name) => name.trim().replace(/^"|"$/g, '').toLowerCase());
  const position = (name: string): number => {
    const at = names.indexOf(name);
    if (at < 0) throw new DataFileError(file, `header lacks column ${name} (found: ${names.join(', ')}); expected user_id,anime_id,rating`);
    return at;
  };
  return { user: position('user_id'), anime: position('anime_id'), rating: position('rating'), width: names.length };
}

/** Parses rows in `buf[start, end)` line by line; returns the offset of the first unconsumed byte. */
class RatingsParser {
  chunk: ImportChunk = { anime: [], interactions: [], problems: [], rowsRead: 0, bytesRead: 0 };
  line = 1;
  private header: ColumnPositions | null = null;
  private readonly values = new Float64Array(16);
  /** The current user block's id: as a number (NaN for ids too long to be exact) and as text. */
  private lastUser = Number.NaN;
  private lastUserText = '';
  /**
   * Duplicate check within the current user's block (files are grouped by user, so duplicates
   * meet there): seenInBlock[animeId] === block number. A stamp array instead of a Set per user
   * keeps this allocation-free at tens of millions of rows.
   */
  private seenInBlock = new Int32Array(1 << 16);
  private block = 0;
  private readonly largeIds = new Set<number>();
  private largeIdsBlock = -1;

  constructor(private readonly file: string) {}

  private problem(reason: RowProblem['reason'], message: string, column?: string): void {
    this.chunk.problems.push({ file: this.file, line: this.line, column, reason, message });
  }

  parseLine(buf: Buffer, start: number, end: number): void {
    if (end > start && buf[end - 1] === CR) end--;
    if (this.header === null) {
      this.header = columnPositions(this.file, buf.toString('utf8', start, end));
      return;
    }
    if (end === start) return; // blank line
    this.chunk.rowsRead++;
    const { values } = this;
    const width = this.header.width;
    let field = 0;
    let value = 0;
    let digits = 0;
    let negative = false;
    for (let i = start; i <= end; i++) {
      const c = i === end ? COMMA : buf[i]!;
      if (c === COMMA) {
        if (field >= width) {
          this.problem('malformed_row', `more than ${width} fields; expected user_id,anime_id,rating`);
          return;
        }
        values[field++] = digits === 0 ? Number.NaN : negative ? -value : value;
        value = 0;
        digits = 0;
        negative = false;
      } else if (c >= ZERO && c <= NINE && digits < MAX_DIGITS) {
        value = value * 10 + (c - ZERO);
        digits++;
      } else if (c === MINUS && digits === 0 && !negative) {
        negative = true;
      } else {
        values[field] = Number.NaN;
        return this.slowRow(buf.toString('utf8', start, end));
      }
    }
    if (field !== width) {
      this.problem('malformed_row', `expected ${width} fields (user_id,anime_id,rating), found ${field}`);
      return;
    }
    const user = values[this.header.user]!;
    const anime = values[this.header.anime]!;
    const rating = values[this.header.rating]!;
    // An empty field: the slow path has the text to say which one and how.
    if (Number.isNaN(user) || Number.isNaN(anime) || Number.isNaN(rating)) return this.slowRow(buf.toString('utf8', start, end));
    this.accept(user, null, anime, rating);
  }

  /** A row with something other than plain integers: find the culprit column for the message. */
  private slowRow(text: string): void {
    const header = this.header!;
    const fields = text.split(',');
    if (fields.length !== header.width) {
      this.problem('malformed_row', `expected ${header.width} fields (user_id,anime_id,rating), found ${fields.length}`);
      return;
    }
    if ([...text].some((ch) => ch === '\uFFFD')) {
      this.problem('bad_encoding', 'row holds bytes that are not valid UTF-8; convert the file to UTF-8');
      return;
    }
    const cell = (at: number): string => fields[at]!.trim().replace(/^"|"$/g, '');
    const number = (at: number): number => {
      const t = cell(at);
      return /^-?\d{1,12}$/.test(t) ? Number(t) : Number.NaN;
    };
    // User ids stay text: a 17-digit id must not be rounded through a float into another user's.
    const userText = cell(header.user).replace(/^0+(?=\d)/, '');
    if (!/^\d+$/.test(userText) || userText.length > MAX_USER_ID_LENGTH) {
      return this.problem('bad_number', badValueMessage('user_id', fields[header.user]!, `a non-negative integer of at most ${MAX_USER_ID_LENGTH} digits`), 'user_id');
    }
    // Ids of up to 12 digits are exact as numbers and take the fast path's route, so one user's
    // rows are one block whichever path parsed them; only longer ids are carried as text.
    const short = userText.length <= 12;
    this.accept(short ? Number(userText) : Number.NaN, short ? null : userText, number(header.anime), number(header.rating), fields);
  }

  /** `user` is the parsed id, or NaN with `userText` holding an id too long to be exact. */
  private accept(user: number, userText: string | null, anime: number, rating: number, fields?: string[]): void {
    if (userText === null && user < 0) return this.badNumber('user_id', this.header!.user, user, 'a non-negative integer', fields);
    if (Number.isNaN(anime) || anime <= 0) return this.badNumber('anime_id', this.header!.anime, anime, 'a positive integer', fields);
    if (Number.isNaN(rating)) return this.badNumber('rating', this.header!.rating, rating, 'an integer', fields);
    if (rating !== -1 && (rating < 1 || rating > 10)) {
      return this.problem('score_out_of_range', `rating ${rating} is outside 1–10 (or -1 for listed without a score)`, 'rating');
    }
    if (userText === null ? user !== this.lastUser : userText !== this.lastUserText) {
      this.lastUser = user;
      this.lastUserText = userText ?? String(user);
      this.block++;
    }
    if (this.seenBefore(anime)) {
      return this.problem('duplicate_row', `user ${this.lastUserText} already rated anime ${anime} earlier in the file; the first row is kept`);
    }
    const row: Interaction = { user: this.lastUserText, animeId: anime, score: rating === -1 ? null : rating, status: null, updatedAt: null, line: this.line };
    this.chunk.interactions.push(row);
  }

  /** Marks the title as seen in the current block; true if it already was. */
  private seenBefore(anime: number): boolean {
    if (anime >= MAX_STAMPED_ID) {
      // Ids far beyond MAL's range (a typo, or another id space) must not grow the stamp array.
      if (this.largeIdsBlock !== this.block) {
        this.largeIdsBlock = this.block;
        this.largeIds.clear();
      }
      if (this.largeIds.has(anime)) return true;
      this.largeIds.add(anime);
      return false;
    }
    if (anime >= this.seenInBlock.length) {
      const grown = new Int32Array(Math.min(MAX_STAMPED_ID, Math.max(anime + 1, this.seenInBlock.length * 2)));
      grown.set(this.seenInBlock);
      this.seenInBlock = grown;
    }
    if (this.seenInBlock[anime] === this.block) return true;
    this.seenInBlock[anime] = this.block;
    return false;
  }

  private badNumber(column: string, at: number, value: number, expected: string, fields?: string[]): void {
    this.problem('bad_number', badValueMessage(column, fields?.[at] ?? String(value), expected), column);
  }

  take(bytesRead: number): ImportChunk {
    const full = this.chunk;
    full.bytesRead = bytesRead;
    this.chunk = { anime: [], interactions: [], problems: [], rowsRead: 0, bytesRead: 0 };
    return full;
  }
}

async function* readRatings(source: DataSource): AsyncGenerator<ImportChunk> {
  const parser = new RatingsParser(source.file);
  let carry: Buffer | null = null;
  let bytesRead = 0;
  for await (const piece of source.chunks) {
    bytesRead += piece.length;
    const buf: Buffer = carry === null ? piece : Buffer.concat([carry, piece]);
    let start = 0;
    for (let nl = buf.indexOf(NEWLINE, start); nl >= 0; nl = buf.indexOf(NEWLINE, start)) {
      parser.parseLine(buf, start, nl);
      parser.line++;
      start = nl + 1;
      if (parser.chunk.rowsRead >= ROWS_PER_CHUNK) yield parser.take(bytesRead);
    }
    carry = start < buf.length ? Buffer.from(buf.subarray(start)) : null;
  }
  if (carry !== null && carry.length > 0) parser.parseLine(carry, 0, carry.length);
  if (parser.line === 1 && carry === null) throw new DataFileError(source.file, 'has no rows');
  yield parser.take(bytesRead);
}
