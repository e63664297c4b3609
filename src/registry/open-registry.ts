import { join } from 'node:path';
import { PostgresRegistry, type PostgresRegistryOptions } from './postgres/postgres-registry.js';
import { FileRegistry, type Registry } from './registry-api.js';

/** Store URLs whose registry lives in the database with the store. */
const POSTGRES_URL = /^postgres(ql)?:\/\//i;

export function isPostgresUrl(storeUrl: string): boolean {
  return POSTGRES_URL.test(storeUrl.trim());
}

/**
 * The registry that goes with a store: with a PostgreSQL store, the shared registry in the same
 * database (replicas with separate, empty homes then serve the same model, each downloading it
 * into `<home>/model-cache`); otherwise the model directories under `models`.
 */
export async function openRegistry(
  storeUrl: string,
  paths: { home: string; models: string },
  options: Partial<Omit<PostgresRegistryOptions, 'cacheDir'>> = {},
): Promise<Registry> {
  if (isPostgresUrl(storeUrl)) return PostgresRegistry.open(storeUrl.trim(), { ...options, cacheDir: join(paths.home, 'model-cache') });
  return new FileRegistry(paths.models);
}
