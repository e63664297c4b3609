import pg from 'pg';
import { JOB_NAMES, type JobName } from '../job-log.js';
import { driverConnectionString } from './postgres-coordinator.js';
import { DEFAULT_QUEUE_SCHEMA, queueName } from './queue-worker.js';

/**
 * What the workers' queues hold right now (waiting, running, waiting for a retry), for `anirec
 * jobs`: read straight from pg-boss's job table, without starting pg-boss, so that a person can
 * look from any host without becoming a worker.
 */

export interface QueueEntry {
  job: JobName;
  id: string;
  /** created = waiting for a worker, active = running, retry = handed back (shutdown, expired lease). */
  state: 'created' | 'active' | 'retry';
  scheduledFor: string | null;
  startedAt: string | null;
  /** When an active run counts as abandoned and goes back to the queue. */
  leaseEndsAt: string | null;
  retryCount: number;
}

interface Row {
  id: string;
  name: string;
  state: QueueEntry['state'];
  data: { scheduledFor?: string | null } | null;
  started_on: Date | null;
  lease_end: Date | null;
  retry_count: number;
}

/** The queue's unfinished runs, oldest first; none when no worker has created the queue yet. */
export async function queueEntries(url: string, schema = DEFAULT_QUEUE_SCHEMA): Promise<QueueEntry[]> {
  const client = new pg.Client({
    connectionString: driverConnectionString(url),
    application_name: 'anirec jobs',
    connectionTimeoutMillis: 5_000,
  });
  await client.connect();
  try {
    const { rows: found } = await client.query<{ table: string | null }>('SELECT to_regclass($1)::text AS table', [`${schema}.job`]);
    if (found[0]?.table == null) return [];
    const byQueue = new Map(JOB_NAMES.map((job) => [queueName(job), job]));
    const { rows } = await client.query<Row>(
      `SELECT id, name, state::text AS state, data, started_on, CASE WHEN state = 'active' THEN started_on + expire_in END AS lease_end, retry_count
         FROM ${pg.escapeIdentifier(schema)}.job WHERE name = ANY($1::text[]) AND state IN ('created', 'retry', 'active') ORDER BY created_on, id`,
      [[...byQueue.keys()]],
    );
    return rows.map((r) => ({
      job: byQueue.get(r.name)!,
      id: r.id,
      state: r.state,
      scheduledFor: r.data?.scheduledFor ?? null,
      startedAt: r.started_on?.toISOString() ?? null,
      leaseEndsAt: r.lease_end?.toISOString() ?? null,
      retryCount: r.retry_count,
    }));
  } finally {
    await client.end().catch(() => {});
  }
}
