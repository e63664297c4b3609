import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * The job log: one JSON line per finished run (`$ANIREC_HOME/ops/jobs.jsonl`). Append-only so a
 * person can `tail` it and nothing a job writes can damage earlier entries; the retraining
 * gate's decision and its numbers are also recorded here, beside the registry.
 */

export const JOB_NAMES = ['ingest', 'monitor', 'retrain'] as const;
export type JobName = (typeof JOB_NAMES)[number];

export interface JobLogEntry {
  job: JobName;
  startedAt: string;
  finishedAt: string;
  status: 'ok' | 'failed' | 'cancelled' | 'skipped';
  /** Who started it: "cli" or "worker". */
  trigger: string;
  /** The process that ran it, as pid@host (the shared log in PostgreSQL; the file log is one machine's). */
  runner?: string;
  /** The job's own summary (counts, decision, ...). */
  summary?: unknown;
  error?: string;
}

export function appendJobLog(path: string, entry: JobLogEntry): void {
  mkdirSync(dirname(path), { recursive: true });
  appendFileSync(path, `${JSON.stringify(entry)}\n`);
}

/** The last `limit` entries, oldest first; lines that do not parse (a torn write) are skipped. */
export function readJobLog(path: string, limit = 50): JobLogEntry[] {
  if (!existsSync(path)) return [];
  const out: JobLogEntry[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    try {
      out.push(JSON.parse(line) as JobLogEntry);
    } catch {
      // a half-written last line after a crash: ignore it
    }
  }
  return out.slice(-limit);
}
