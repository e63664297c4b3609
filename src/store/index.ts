export type * from './store.js';
export { SqliteStore } from './sqlite/sqlite-store.js';
export { PostgresStore } from './postgres/postgres-store.js';
export { mergeAnime, emptyAnime } from './merge-anime.js';
export { importFiles, describeProblem, describePending, ImportAbortedError } from './import-files.js';
export type { ImportFileSpec, ImportOptions, ImportProgress, ImportSummary, FileSummary } from './import-files.js';
export { ImportInProgressError, StoreBusyError, StoreNotFoundError, StoreUnavailableError, StoreUrlError } from './errors.js';
export { openStore, describeStore, redactStoreUrl, registerStoreBackend } from './open-store.js';
export type { OpenStoreOptions, StoreBackend } from './open-store.js';
