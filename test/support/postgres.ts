/**
 * Tests that need PostgreSQL get a real server: `node scripts/run-tests.mjs` (what `npm test`
 * runs) starts a throw-away cluster (scripts/postgres-cluster.mjs) whenever a selected test file
 * uses this module, and passes its URL in ANIREC_TEST_POSTGRES_URL. Each call of
 * `freshPostgresDatabase` creates its own database, so test files running in parallel never
 * see each other's rows.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The test cluster's URL (its `postgres` maintenance database). */
export function postgresTestUrl(): string {
  const url = process.env.ANIREC_TEST_POSTGRES_URL;
  if (url === undefined || url === '') {
    throw new Error(
      'ANIREC_TEST_POSTGRES_URL is not set: run this test through `node scripts/run-tests.mjs <file>`, which starts a throw-away PostgreSQL cluster, or point the variable at a server you own.',
    );
  }
  return url;
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/** Creates an empty database on the test cluster and returns its URL and a function that drops it. */
export async function freshPostgresDatabase(prefix = 'anirec_test'): Promise<{ url: string; drop: () => Promise<void> }> {
  const admin = postgresTestUrl();
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  return {
    url: withDatabase(admin, name),
    drop: async () => {
      const c = new pg.Client({ connectionString: admin });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}
