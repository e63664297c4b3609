/**
 * Process-wide switches of the numeric code, in one documented object (as transformers.js has
 * its `env`). The CLI sets them once from the environment (src/config.ts: ANIREC_WASM,
 * ANIREC_SCORE_CACHE, ANIREC_THREADS); a program using anirec as a library sets them directly, before it builds
 * engines or loads models. Nothing else reads the environment below the CLI and the server.
 */
export const env = {
  /**
   * Use the WebAssembly SIMD kernels where they exist: iALS and two-tower scoring (the same
   * scores as the scalar loops), iALS training (float32 lanes: within float32 tolerance of the
   * float64 scalar loops, same NDCG). false runs the scalar JavaScript loops: for
   * comparisons, or a runtime without SIMD.
   */
  wasm: true,
  /**
   * Scored lists each engine keeps (a list's ranking, not its scores for every title), so a list
   * asked for again (the next page, a refresh) is not scored again. 0 turns the cache off, e.g.
   * to measure cold requests.
   */
  scoreCacheEntries: 4096,
  /**
   * Worker threads for the training numerics that use them (EASE's Gram matrix and inverse,
   * iALS's half-steps and Gramians, the ranker's histograms); results do not depend on the
   * count. 0 = every core the process may use; 1 = the main thread only.
   */
  threads: 0,
};

export type AnirecEnv = typeof env;
