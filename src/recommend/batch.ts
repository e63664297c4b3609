import { once } from 'node:events';
import type { Readable, Writable } from 'node:stream';
import { createInterface } from 'node:readline';
import type { ModelBundle } from '../models/bundle.js';
import { parseBatchLine, type BatchLineProblem } from './batch-input.js';
import { recommendForHistory } from './fold-in.js';

export interface BatchOptions {
  k: number;
  onProblem?: (problem: BatchLineProblem) => void;
}

export interface BatchStats {
  linesRead: number;
  usersAnswered: number;
  linesDropped: number;
  /** History entries whose anime id the model does not know (ignored for scoring, still excluded from output). */
  unknownHistoryItems: number;
  /** Users none of whose history the model knows: they get the popularity fallback. */
  coldUsers: number;
  seconds: number;
}

/**
 * The batch contract: JSONL users in, `{"user": ..., "items": [top-k MAL ids]}` lines out, in
 * input order. Each user is folded in from their history alone (no retraining), and nothing
 * from their history is recommended back.
 */
export async function recommendBatch(bundle: ModelBundle, input: Readable, output: Writable, options: BatchOptions): Promise<BatchStats> {
  const started = performance.now();
  const stats: BatchStats = { linesRead: 0, usersAnswered: 0, linesDropped: 0, unknownHistoryItems: 0, coldUsers: 0, seconds: 0 };
  const lines = createInterface({ input, crlfDelay: Infinity });
  let pending = '';
  let lineNumber = 0;
  for await (const text of lines) {
    lineNumber++;
    if (text.trim() === '') continue;
    stats.linesRead++;
    const { request, problems } = parseBatchLine(text, lineNumber);
    for (const problem of problems) options.onProblem?.(problem);
    if (request === null) {
      stats.linesDropped++;
      continue;
    }
    const result = recommendForHistory(bundle, request.history, options.k);
    stats.unknownHistoryItems += result.unknownItems;
    if (result.usedFallback) stats.coldUsers++;
    pending += `${JSON.stringify({ user: request.user, items: result.animeIds })}\n`;
    stats.usersAnswered++;
    if (pending.length > 1 << 16) {
      if (!output.write(pending)) await once(output, 'drain');
      pending = '';
    }
  }
  if (pending !== '' && !output.write(pending)) await once(output, 'drain');
  stats.seconds = (performance.now() - started) / 1000;
  return stats;
}
