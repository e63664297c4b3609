// Types for postgres-cluster.mjs, so TypeScript tests and benchmarks can import it directly.

export interface PostgresCluster {
  /** postgres://anirec@127.0.0.1:PORT/postgres (trust authentication, loopback only). */
  url: string;
  port: number;
  dataDir: string;
  bin: string;
  /** Runs pg_ctl on this cluster (`stop`, `start`, `restart`, …), waiting for it to finish. */
  pgCtl(...args: string[]): void;
  /** Stops the server and deletes its directory; idempotent, and also runs on process exit. */
  stop(): void;
}

export function findPostgresBin(): string | null;
export function startPostgresCluster(): Promise<PostgresCluster>;
