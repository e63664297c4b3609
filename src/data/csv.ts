import { parse, type CsvError, type InfoRecord, type Options } from 'csv-parse';
import { DataFileError } from './errors.js';
import type { DataSource } from './source.js';
import type { AnimePatch, ImportChunk, Interaction, RowProblem, SkipReason } from './types.js';

/** One data row of a CSV file, addressed by column name. */
export class CsvRow {
  constructor(
    private readonly columnIndex: ReadonlyMap<string, number>,
    readonly fields: readonly string[],
    /** 1-based line where the record starts (the header is line 1). */
    readonly line: number,
  ) {}

  /** The trimmed text of a column, or '' when the file has no such column. */
  get(column: string): string {
    const index = this.columnIndex.get(column);
    return index === undefined ? '' : (this.fields[index] ?? '').trim();
  }

  has(column: string): boolean {
    return this.columnIndex.has(column);
  }
}

/** What a row mapper produces; problems carry the row's file and line automatically. */
export interface RowSink {
  anime(patch: AnimePatch): void;
  interaction(row: Interaction): void;
  problem(column: string | undefined, reason: SkipReason, message: string): void;
}

export interface CsvTableSpec {
  /** Columns that must be in the header (exact names, case-insensitive match). */
  required: readonly string[];
  rowsPerChunk?: number;
  mapRow(row: CsvRow, sink: RowSink): void;
}

/** Splits a header line into column names (enough for detection: headers never hold quoted commas). */
export function headerColumns(head: string): string[] {
  const firstLine = head.split(/\r?\n/, 1)[0] ?? '';
  return firstLine.split(',').map((name) => name.trim().replace(/^"|"$/g, '').toLowerCase());
}

export function hasColumns(head: string, columns: readonly string[]): boolean {
  const present = new Set(headerColumns(head));
  return columns.every((column) => present.has(column.toLowerCase()));
}

/**
 * Streams a CSV file (RFC 4180: quoted fields may hold commas, quotes and newlines) into import
 * chunks. Columns are found by header name, so column order does not matter. A row with the
 * wrong number of fields or broken quoting becomes a `malformed_row` problem, not a crash.
 */
export async function* readCsvTable(source: DataSource, spec: CsvTableSpec): AsyncGenerator<ImportChunk> {
  const file = source.file;
  const rowsPerChunk = spec.rowsPerChunk ?? 5_000;
  const skipped: RowProblem[] = [];
  // Lines are tracked inside the parser's callbacks: the async iterator below runs behind them.
  let parsedLine = 0;
  const parser = parse({
    relax_column_count: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    on_record: ((fields: string[], context: InfoRecord) => {
      const record = { fields, line: parsedLine + 1 };
      parsedLine = context.lines;
      return record;
    }) as unknown as Options['on_record'],
    on_skip: (error: CsvError | undefined) => {
      // Report where the bad record starts; csv-parse knows where it ended.
      const endLine = (error as unknown as { lines?: number } | undefined)?.lines ?? parsedLine + 1;
      const span = endLine > parsedLine + 1 ? ` (lines ${parsedLine + 1}–${endLine} read as one record)` : '';
      skipped.push({ file, line: parsedLine + 1, reason: 'malformed_row', message: `unreadable CSV record${span}: ${error?.message ?? 'bad quoting'}; check the quotes on this line` });
      parsedLine = endLine;
      return undefined;
    },
  });
  let bytesRead = 0;
  const feed = (async () => {
    try {
      for await (const chunk of source.chunks) {
        bytesRead += chunk.length;
        if (!parser.write(chunk)) await new Promise((resolve) => parser.once('drain', resolve));
      }
      parser.end();
    } catch (error) {
      parser.destroy(error as Error);
    }
  })();

  let columnIndex: Map<string, number> | null = null;
  let width = 0;
  let chunk = emptyChunk();
  let currentLine = 0;
  const sink: RowSink = {
    anime: (patch) => chunk.anime.push(patch),
    interaction: (row) => chunk.interactions.push(row),
    problem: (column, reason, message) => chunk.problems.push({ file, line: currentLine, column, reason, message }),
  };

  for await (const entry of parser as AsyncIterable<{ fields: string[]; line: number }>) {
    const startLine = entry.line;
    while (skipped.length > 0 && skipped[0]!.line < startLine) chunk.problems.push(skipped.shift()!);
    if (columnIndex === null) {
      columnIndex = new Map(entry.fields.map((name, i) => [name.trim().toLowerCase(), i]));
      width = entry.fields.length;
      const missing = spec.required.filter((column) => !columnIndex!.has(column.toLowerCase()));
      if (missing.length > 0) {
        parser.destroy();
        throw new DataFileError(file, `header lacks column(s) ${missing.join(', ')} (found: ${[...columnIndex.keys()].join(', ')}); is this the right file or --format?`);
      }
      continue;
    }
    currentLine = startLine;
    chunk.rowsRead++;
    if (entry.fields.length !== width) {
      sink.problem(undefined, 'malformed_row', `expected ${width} fields as in the header, found ${entry.fields.length}; a field with a comma may lack its quotes`);
    } else {
      const row = new CsvRow(columnIndex, entry.fields, startLine);
      if (row.fields.some((field) => field.includes('\uFFFD'))) {
        sink.problem(undefined, 'bad_encoding', 'row holds bytes that are not valid UTF-8; convert the file to UTF-8');
      } else {
        spec.mapRow(row, sink);
      }
    }
    if (chunk.rowsRead >= rowsPerChunk) {
      chunk.bytesRead = bytesRead;
      yield chunk;
      chunk = emptyChunk();
    }
  }
  await feed;
  if (columnIndex === null) throw new DataFileError(file, 'has no header line; expected column names on line 1');
  if (skipped.length > 0) chunk.problems.push(...skipped.splice(0));
  chunk.bytesRead = bytesRead;
  if (chunk.rowsRead > 0 || chunk.problems.length > 0) yield chunk;
}

export function emptyChunk(): ImportChunk {
  return { anime: [], interactions: [], problems: [], rowsRead: 0, bytesRead: null };
}
