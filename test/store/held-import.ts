import type { ImportTransaction, Store } from '../../src/store/index.js';

/** An import held open by a test while it does other things, ended when the test says so. */
export interface HeldImport {
  tx: ImportTransaction;
  /** Returns from the scope: the run commits. */
  commit(): Promise<void>;
  /** Throws out of the scope: the run rolls back. */
  rollback(): Promise<void>;
}

class HeldImportRolledBack extends Error {}

/**
 * Opens `store.withImport` and keeps its scope open until `commit()` or `rollback()`, for tests
 * of what happens beside a running import (writes that must wait, a second import refused). A
 * failure to open (a busy store, another import) rejects here, as the scope would.
 */
export async function holdImport(store: Store): Promise<HeldImport> {
  let end!: (commit: boolean) => void;
  const ended = new Promise<boolean>((resolve) => (end = resolve));
  let opened!: (tx: ImportTransaction) => void;
  const open = new Promise<ImportTransaction>((resolve) => (opened = resolve));
  const scope = store.withImport(async (tx) => {
    opened(tx);
    if (!(await ended)) throw new HeldImportRolledBack();
  });
  const tx = await Promise.race([open, scope.then(() => open)]);
  const finish = async (commit: boolean): Promise<void> => {
    end(commit);
    try {
      await scope;
    } catch (error) {
      if (!(error instanceof HeldImportRolledBack)) throw error;
    }
  };
  return { tx, commit: () => finish(true), rollback: () => finish(false) };
}
