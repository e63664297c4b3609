import { join } from 'node:path';
import { env as processSettings, type AnirecEnv } from './env/env.js';

/**
 * Everything anirec takes from the environment, read in one place, once: where state lives
 * (ANIREC_HOME and the paths under it), the serving settings the environment may give, and the
 * numeric switches of src/env. The bundled sample's paths are package facts, in data/bundled.ts.
 * Nothing else in src/ reads process.env; commands get this object through their context.
 *
 * | variable              | meaning                                                     | default                 |
 * | --------------------- | ----------------------------------------------------------- | ----------------------- |
 * | ANIREC_HOME           | the folder holding the store, the models, ops.json, locks   | ./.anirec               |
 * | ANIREC_DB             | the SQLite store file                                       | $ANIREC_HOME/anirec.db  |
 * | ANIREC_STORE          | the store's URL (wins over ANIREC_DB; see --store)          | sqlite:$ANIREC_DB       |
 * | ANIREC_MODELS         | the model registry                                          | $ANIREC_HOME/models     |
 * | ANIREC_OPS_CONFIG     | the operations jobs' settings file                          | $ANIREC_HOME/ops.json   |
 * | ANIREC_WORKERS        | `anirec serve` processes (a number or auto)                 | 1                       |
 * | ANIREC_API_KEY        | API keys for write and admin routes (comma-separated)       | none                    |
 * | ANIREC_REMOTE_IMAGES  | 0 keeps browsers from fetching cover art from other hosts   | 1                       |
 * | ANIREC_WASM           | 0 runs the scalar loops instead of the WASM SIMD kernels    | 1                       |
 * | ANIREC_SCORE_CACHE    | scored lists kept per engine (0 = no cache)                 | 4096                    |
 * | ANIREC_THREADS        | worker threads for training numerics (0 = every core)       | 0                       |
 * | ANIREC_DEBUG          | print the stack of unexpected CLI errors                    | off                     |
 */

export interface AnirecPaths {
  home: string;
  database: string;
  /** The store's URL (src/store/open-store.ts): ANIREC_STORE, else the SQLite file `database`. */
  store: string;
  models: string;
  /** The operations jobs' settings (src/ops/config.ts). */
  opsConfig: string;
}

export interface AnirecConfig {
  paths: AnirecPaths;
  debug: boolean;
  /** What `anirec serve` takes from the environment when no flag says otherwise (checked there). */
  serve: { workers: string | undefined; apiKey: string | undefined; remoteImages: string | undefined };
  /** The process-wide numeric switches; `applyConfig` puts them into src/env. */
  env: AnirecEnv;
}

type Environment = Readonly<Record<string, string | undefined>>;

export function resolvePaths(vars: Environment = process.env): AnirecPaths {
  const home = vars.ANIREC_HOME ?? join(process.cwd(), '.anirec');
  const database = vars.ANIREC_DB ?? join(home, 'anirec.db');
  return {
    home,
    database,
    // An empty ANIREC_STORE (a blank line in an env file) means unset, not a store named "".
    store: vars.ANIREC_STORE || `sqlite:${database}`,
    models: vars.ANIREC_MODELS ?? join(home, 'models'),
    opsConfig: vars.ANIREC_OPS_CONFIG ?? join(home, 'ops.json'),
  };
}

export function loadConfig(vars: Environment = process.env): AnirecConfig {
  return {
    paths: resolvePaths(vars),
    debug: Boolean(vars.ANIREC_DEBUG),
    serve: { workers: vars.ANIREC_WORKERS, apiKey: vars.ANIREC_API_KEY, remoteImages: vars.ANIREC_REMOTE_IMAGES },
    env: {
      wasm: vars.ANIREC_WASM !== '0',
      scoreCacheEntries: Math.max(0, Number(vars.ANIREC_SCORE_CACHE ?? 4096) || 0),
      threads: Math.max(0, Math.floor(Number(vars.ANIREC_THREADS ?? 0)) || 0),
    },
  };
}

/** Makes the configuration's numeric switches the process's (src/env). */
export function applyConfig(config: AnirecConfig): void {
  Object.assign(processSettings, config.env);
}
