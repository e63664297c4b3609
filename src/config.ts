import { join } from 'node:path';

/**
 * Where anirec keeps its state, from the environment. Paths resolve against ANIREC_HOME (default
 * `.anirec` in the working directory) so a checkout can hold several independent setups. The
 * bundled sample's paths are in data/bundled.ts.
 */

export interface AnirecPaths {
  home: string;
  database: string;
  /** The store's URL (src/store/open-store.ts): ANIREC_STORE, else the SQLite file `database`. */
  store: string;
  models: string;
}

export function resolvePaths(env: NodeJS.ProcessEnv = process.env): AnirecPaths {
  const home = env.ANIREC_HOME ?? join(process.cwd(), '.anirec');
  const database = env.ANIREC_DB ?? join(home, 'anirec.db');
  return {
    home,
    database,
    // An empty ANIREC_STORE (a blank line in an env file) means unset, not a store named "".
    store: env.ANIREC_STORE || `sqlite:${database}`,
    models: env.ANIREC_MODELS ?? join(home, 'models'),
  };
}
