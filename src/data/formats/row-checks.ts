import type { CsvRow, RowSink } from '../csv.js';
import { badValueMessage, optionalDecimal, optionalInteger, parseInteger } from '../fields.js';

/** The row's MAL id, or null after reporting why it is unusable. */
export function requireAnimeId(row: CsvRow, sink: RowSink, column: string): number | null {
  const text = row.get(column);
  if (text === '') {
    sink.problem(column, 'missing_field', `${column} is empty; every title needs its MyAnimeList id`);
    return null;
  }
  const id = parseInteger(text);
  if (!(id > 0)) {
    sink.problem(column, 'bad_number', badValueMessage(column, text, 'a positive integer MAL id'));
    return null;
  }
  return id;
}

/**
 * An optional numeric column: null when unknown; undefined (after reporting) when present but
 * not a number in range, so the caller can skip the row rather than store a wrong value.
 */
export function optionalNumber(
  row: CsvRow,
  sink: RowSink,
  column: string,
  range: { min: number; max: number; integer?: boolean },
): number | null | undefined {
  const text = row.get(column);
  const value = range.integer ? optionalInteger(text) : optionalDecimal(text.replace(/,/g, ''));
  if (value === null) return null;
  if (Number.isNaN(value)) {
    sink.problem(column, 'bad_number', badValueMessage(column, text, 'a number'));
    return undefined;
  }
  if (value < range.min || value > range.max) {
    sink.problem(column, 'score_out_of_range', `${column} ${value} is outside ${range.min}–${range.max}`);
    return undefined;
  }
  return value;
}
