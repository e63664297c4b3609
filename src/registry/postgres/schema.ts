import type pg from 'pg';

/**
 * The registry's own tables, in their own namespace (`registry_*`) with their own migration
 * table, so they never collide with the store's schema in the same database and each side can
 * migrate on its own.
 */

/** pg_advisory_xact_lock(REGISTRY_LOCK_SPACE, …): the two-key form, a space apart from single-key locks. */
export const REGISTRY_LOCK_SPACE = 0x616e7267; // "anrg"
export const MIGRATION_LOCK = 1;
export const WRITER_LOCK = 2;

/** The channel promotions and rollbacks are announced on; the payload is the new production version's id. */
export const PRODUCTION_CHANNEL = 'anirec_registry_production';

const MIGRATIONS: readonly { version: number; name: string; sql: string }[] = [
  {
    version: 1,
    name: 'versions, artifacts in chunks, the production pointer',
    sql: `
      CREATE TABLE registry_versions (
        id text PRIMARY KEY,
        seq integer NOT NULL UNIQUE,
        status text NOT NULL CHECK (status IN ('candidate', 'production', 'archived')),
        bundle_id uuid NOT NULL UNIQUE,
        manifest jsonb NOT NULL
      );
      -- Chunks and artifacts are written before their version row (the upload comes first, the
      -- writer lock only at the end), so the keys are checked at commit.
      CREATE TABLE registry_artifacts (
        bundle_id uuid NOT NULL REFERENCES registry_versions (bundle_id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
        path text NOT NULL,
        size bigint NOT NULL,
        sha256 text NOT NULL,
        chunks integer NOT NULL,
        PRIMARY KEY (bundle_id, path)
      );
      CREATE TABLE registry_chunks (
        bundle_id uuid NOT NULL,
        path text NOT NULL,
        seq integer NOT NULL,
        data bytea NOT NULL,
        PRIMARY KEY (bundle_id, path, seq),
        FOREIGN KEY (bundle_id, path) REFERENCES registry_artifacts (bundle_id, path) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED
      );
      -- Model weights are floats that do not compress: store them out of line as they are.
      ALTER TABLE registry_chunks ALTER COLUMN data SET STORAGE EXTERNAL;
      CREATE TABLE registry_production (
        singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
        version_id text NOT NULL REFERENCES registry_versions (id),
        changed_at timestamptz NOT NULL DEFAULT now()
      );
    `,
  },
];

/** Applies the migrations this database lacks, once, even when several replicas start together. */
export async function migrateRegistry(client: pg.ClientBase): Promise<void> {
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1, $2)', [REGISTRY_LOCK_SPACE, MIGRATION_LOCK]);
    await client.query(
      'CREATE TABLE IF NOT EXISTS registry_schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())',
    );
    const applied = new Set(
      (await client.query<{ version: number }>('SELECT version FROM registry_schema_migrations')).rows.map((r) => r.version),
    );
    for (const migration of MIGRATIONS) {
      if (applied.has(migration.version)) continue;
      await client.query(migration.sql);
      await client.query('INSERT INTO registry_schema_migrations (version, name) VALUES ($1, $2)', [migration.version, migration.name]);
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  }
}
