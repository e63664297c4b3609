import { applyConfig, loadConfig, type AnirecConfig, type AnirecPaths } from '../config.js';
import { openStore, type OpenStoreOptions, type Store } from '../store/index.js';

/** What every command needs: where things live, and how to open the store. */
export interface CliContext {
  /** Read from the environment once (src/config.ts). */
  config: AnirecConfig;
  /** Where things live: `config.paths`, unless a caller (a test) points the commands elsewhere. */
  paths: AnirecPaths;
  out: (line: string) => void;
  err: (line: string) => void;
  /** Opens the store a URL names (options.ts's storeUrlOf turns a command's flags into one). */
  openStore(url: string, options?: OpenStoreOptions): Promise<Store>;
}

/** The context of a CLI process: the environment's configuration, applied to the process. */
export function createContext(config: AnirecConfig = loadConfig()): CliContext {
  applyConfig(config);
  return {
    config,
    paths: config.paths,
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    openStore: (url, options) => openStore(url, options),
  };
}
