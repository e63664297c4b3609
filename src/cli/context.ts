import { resolvePaths, type AnirecPaths } from '../config.js';
import { SqliteStore } from '../store/index.js';
import type { Store } from '../store/index.js';

/** What every command needs: where things live, and how to open the store. */
export interface CliContext {
  paths: AnirecPaths;
  out: (line: string) => void;
  err: (line: string) => void;
  openStore(databasePath?: string): Promise<Store>;
}

export function createContext(): CliContext {
  return {
    paths: resolvePaths(),
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    async openStore(databasePath) {
      return SqliteStore.open(databasePath ?? resolvePaths().database);
    },
  };
}
