/**
 * Maximal Marginal Relevance (Carbonell & Goldstein 1998): picks items one at a time, each time
 * the one maximising  (1 − λ)·relevance − λ·max similarity to what is already picked, so a list
 * is not ten seasons of the same show. `diversity` is λ in [0, 1]; 0 returns the ranking as is.
 *
 * Relevance is rescaled to [0, 1] over the pool (model scores have arbitrary units), and the
 * similarity is content similarity (it is "the same kind of show" users notice, not co-listing).
 */
export function mmr(
  ranked: readonly number[],
  relevance: readonly number[],
  count: number,
  diversity: number,
  similarity: (a: number, b: number) => number,
): number[] {
  if (diversity <= 0 || ranked.length <= 1) return ranked.slice(0, count);
  const lambda = Math.min(1, diversity);
  let max = -Infinity;
  let min = Infinity;
  for (const r of relevance) {
    if (r > max) max = r;
    if (r < min) min = r;
  }
  const span = max > min ? max - min : 1;
  const rel = relevance.map((r) => (r - min) / span);
  const picked: number[] = [];
  const maxSim = new Float64Array(ranked.length);
  const used = new Uint8Array(ranked.length);
  const want = Math.min(count, ranked.length);
  while (picked.length < want) {
    let best = -1;
    let bestValue = -Infinity;
    for (let i = 0; i < ranked.length; i++) {
      if (used[i] === 1) continue;
      const value = (1 - lambda) * rel[i]! - lambda * maxSim[i]!;
      if (value > bestValue) {
        bestValue = value;
        best = i;
      }
    }
    used[best] = 1;
    const item = ranked[best]!;
    picked.push(item);
    for (let i = 0; i < ranked.length; i++) {
      if (used[i] === 1) continue;
      const s = similarity(item, ranked[i]!);
      if (s > maxSim[i]!) maxSim[i] = s;
    }
  }
  return picked;
}
