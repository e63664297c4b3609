import type { ImportCounts, ImportTransaction, Store } from './store.js';

/**
 * Runs `fn` inside one import: commits when it returns, rolls back when it throws (the error is
 * rethrown). Fetch anything slow (network) before calling this, so the import holds the store's
 * write lock only while it writes. The counts are read after the commit, which may itself move
 * pending list entries whose titles the run added.
 */
export async function withImport<T>(store: Store, fn: (tx: ImportTransaction) => Promise<T>): Promise<{ value: T; counts: ImportCounts }> {
  const tx = await store.beginImport();
  let value: T;
  try {
    value = await fn(tx);
    await tx.commit();
  } catch (error) {
    await tx.rollback();
    throw error;
  }
  return { value, counts: tx.counts() };
}
