export type * from './store.js';
export { SqliteStore } from './sqlite/sqlite-store.js';
export { mergeAnime, emptyAnime } from './merge-anime.js';
export { importFiles, describeProblem, describePending, ImportAbortedError } from './import-files.js';
export type { ImportFileSpec, ImportOptions, ImportProgress, ImportSummary, FileSummary } from './import-files.js';
export { ImportInProgressError, StoreBusyError } from './errors.js';
export { withImport } from './with-import.js';
