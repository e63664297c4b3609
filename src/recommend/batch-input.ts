/**
 * Parsing and validation of the batch-recommendation input: one JSON object per line,
 *   {"user": "u1", "history": [{"anime_id": 32281, "rating": 9}, ...]}
 * `rating` may be 1–10, -1 / 0 / null / absent for "listed without a score".
 * Problems are reported with their line number; a line is only dropped when no user can be
 * read from it, so one bad history entry never costs a user their recommendations.
 */

export interface BatchEntry {
  animeId: number;
  /** 1–10, or null for listed without a score. */
  score: number | null;
}

export interface BatchRequest {
  line: number;
  /** The user's id exactly as given (string or number), echoed back in the output. */
  user: string | number;
  history: BatchEntry[];
}

export interface BatchLineProblem {
  line: number;
  message: string;
  /** True when the whole line was dropped (no output for it). */
  dropped: boolean;
}

export type ParsedLine = { request: BatchRequest | null; problems: BatchLineProblem[] };

export function parseBatchLine(text: string, line: number): ParsedLine {
  const problems: BatchLineProblem[] = [];
  const drop = (message: string): ParsedLine => ({ request: null, problems: [{ line, message, dropped: true }] });
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return drop(`invalid JSON (${(error as Error).message}); expected {"user": "...", "history": [{"anime_id": 1, "rating": 9}]}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return drop('expected a JSON object with "user" and "history"');
  const record = value as Record<string, unknown>;
  const user = record.user;
  if (!(typeof user === 'string' && user !== '') && !(typeof user === 'number' && Number.isFinite(user))) {
    return drop('"user" is missing or not a non-empty string/number');
  }
  const rawHistory = record.history ?? [];
  if (!Array.isArray(rawHistory)) return drop('"history" must be an array of {"anime_id", "rating"} objects');
  const history: BatchEntry[] = [];
  const seen = new Set<number>();
  rawHistory.forEach((entry: unknown, i) => {
    const where = `history[${i}]`;
    if (typeof entry !== 'object' || entry === null) {
      problems.push({ line, message: `${where} is not an object; skipped`, dropped: false });
      return;
    }
    const { anime_id: animeId, rating } = entry as Record<string, unknown>;
    if (typeof animeId !== 'number' || !Number.isInteger(animeId) || animeId <= 0) {
      problems.push({
        line,
        message: `${where}.anime_id must be a positive integer (got ${JSON.stringify(animeId)}); skipped`,
        dropped: false,
      });
      return;
    }
    let score: number | null = null;
    if (rating !== undefined && rating !== null && rating !== -1 && rating !== 0) {
      if (typeof rating !== 'number' || !Number.isFinite(rating) || rating < 1 || rating > 10) {
        problems.push({
          line,
          message: `${where}.rating must be 1–10, or -1/0/null for no score (got ${JSON.stringify(rating)}); kept without a score`,
          dropped: false,
        });
      } else {
        score = Math.round(rating);
      }
    }
    if (seen.has(animeId)) {
      problems.push({ line, message: `${where}: anime ${animeId} appears twice; the first entry is used`, dropped: false });
      return;
    }
    seen.add(animeId);
    history.push({ animeId, score });
  });
  return { request: { line, user, history }, problems };
}
