import { resolvePaths, type AnirecPaths } from '../config.js';
import { openStore, type OpenStoreOptions, type Store } from '../store/index.js';

/** What every command needs: where things live, and how to open the store. */
export interface CliContext {
  paths: AnirecPaths;
  out: (line: string) => void;
  err: (line: string) => void;
  /** Opens the store a URL names (options.ts's storeUrlOf turns a command's flags into one). */
  openStore(url: string, options?: OpenStoreOptions): Promise<Store>;
}

export function createContext(): CliContext {
  return {
    paths: resolvePaths(),
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    openStore: (url, options) => openStore(url, options),
  };
}
