/**
 * One thread's share of a blocked-sweep step (dense-inverse.ts): M[i, j] −= Σ_t Q[t, i]·P[t, j]
 * for the upper triangle (j ≥ i) of the rows and columns outside the pivot block [k0, k1).
 *
 * Thread w of T takes every T-th tile of four rows, so the shrinking triangle splits evenly.
 * Columns go in chunks so that the chunk of P (kb rows × chunk columns) stays in the core's L2
 * cache while every row tile passes over it.
 *
 * This function is also sent to worker threads as source text (Function.prototype.toString), so
 * it must not use anything from outside its parameters: no imports, no module constants.
 */
export type GemmSub = (
  tiles: number,
  sa: number,
  sc: number,
  cols: number,
  kr: number,
  a: number,
  lda: number,
  b: number,
  ldb: number,
  c: number,
  ldc: number,
) => void;

export function updateShare(
  gemmSub: GemmSub,
  w: number,
  T: number,
  N: number,
  k0: number,
  k1: number,
  kb: number,
  mOff: number,
  pOff: number,
  qOff: number,
  chunk: number,
): void {
  const ld = N * 8;
  const kTile0 = k0 / 4;
  const kTile1 = k1 / 4;
  for (let jc = 0; jc < N; jc += chunk) {
    const je = Math.min(jc + chunk, N);
    for (let seg = 0; seg < 2; seg++) {
      // The chunk's columns left and right of the pivot block.
      const ja = seg === 0 ? jc : Math.max(jc, k1);
      const jb = seg === 0 ? Math.min(je, k0) : je;
      if (ja >= jb) continue;
      const cols = jb - ja;
      // Row tiles at or above the segment's first column take the whole segment (the tile on the
      // diagonal also writes a few entries below it, which nothing reads). Two ranges: above and
      // below the pivot block's rows.
      const lastFull = ja / 4 + 1;
      for (let range = 0; range < 2; range++) {
        const t0 = range === 0 ? 0 : kTile1;
        const t1 = range === 0 ? Math.min(lastFull, kTile0) : lastFull;
        if (t1 <= t0) continue;
        const first = t0 + ((((w - t0) % T) + T) % T);
        if (first >= t1) continue;
        const tiles = Math.ceil((t1 - first) / T);
        gemmSub(tiles, 32 * T, 4 * ld * T, cols, kb, qOff + first * 32, ld, pOff + ja * 8, ld, mOff + first * 4 * ld + ja * 8, ld);
      }
      // Row tiles that start inside the segment: only their columns from the diagonal on.
      for (let tile = lastFull; tile < jb / 4; tile++) {
        if (tile % T !== w || (tile >= kTile0 && tile < kTile1)) continue;
        const i = tile * 4;
        gemmSub(1, 0, 0, jb - i, kb, qOff + i * 8, ld, pOff + i * 8, ld, mOff + i * ld + i * 8, ld);
      }
    }
  }
}
