/**
 * Indices of the k highest scores, best first, using a size-k min-heap (O(n log k)) instead of
 * sorting the catalogue for every evaluated user. -Infinity and NaN mean "cannot recommend" and
 * are skipped; callers exclude items by writing -Infinity into their own buffer. Equal scores
 * rank the lower index first, so results never depend on heap internals.
 *
 * `out` (length ≥ k) lets hot loops reuse one buffer; the returned array is a view of it.
 */
export function topKIndices(scores: Float32Array, k: number, out?: Int32Array): Int32Array {
  if (!Number.isInteger(k) || k < 0) throw new RangeError(`topKIndices: k must be a non-negative integer, got ${k}`);
  const heapIdx = out !== undefined && out.length >= k ? out : new Int32Array(k);
  const heapVal = new Float64Array(k);
  if (k === 0) return heapIdx.subarray(0, 0);
  let size = 0;
  const n = scores.length;
  let i = 0;
  // Fill the heap with the first k usable scores.
  for (; i < n && size < k; i++) {
    const v = scores[i]!;
    if (v === -Infinity || v !== v) continue;
    // Sift up. Root holds the worst kept item: lowest score, ties → highest index.
    let pos = size++;
    while (pos > 0) {
      const parent = (pos - 1) >> 1;
      const pv = heapVal[parent]!;
      if (pv < v || (pv === v && heapIdx[parent]! > i)) break;
      heapVal[pos] = pv;
      heapIdx[pos] = heapIdx[parent]!;
      pos = parent;
    }
    heapVal[pos] = v;
    heapIdx[pos] = i;
  }
  // Then most scores lose one comparison against the worst kept score, held in a local: -Infinity
  // and NaN never beat it, and indices arrive ascending, so an equal score never beats a kept one.
  let worst = size === k ? heapVal[0]! : Infinity;
  for (; i < n; i++) {
    const v = scores[i]!;
    if (!(v > worst)) continue;
    let pos = 0;
    for (;;) {
      const left = 2 * pos + 1;
      if (left >= k) break;
      const right = left + 1;
      let child = left;
      if (right < k) {
        const lv = heapVal[left]!;
        const rv = heapVal[right]!;
        if (rv < lv || (rv === lv && heapIdx[right]! > heapIdx[left]!)) child = right;
      }
      const cv = heapVal[child]!;
      if (cv > v || (cv === v && heapIdx[child]! < i)) break;
      heapVal[pos] = cv;
      heapIdx[pos] = heapIdx[child]!;
      pos = child;
    }
    heapVal[pos] = v;
    heapIdx[pos] = i;
    worst = heapVal[0]!;
  }
  // Pop the heap from the back: each pop moves the current worst to the end of the output.
  for (let end = size - 1; end > 0; end--) {
    const worstIdx = heapIdx[0]!;
    const worstVal = heapVal[0]!;
    const v = heapVal[end]!;
    const idx = heapIdx[end]!;
    let pos = 0;
    for (;;) {
      const left = 2 * pos + 1;
      if (left >= end) break;
      const right = left + 1;
      let child = left;
      if (right < end) {
        const lv = heapVal[left]!;
        const rv = heapVal[right]!;
        if (rv < lv || (rv === lv && heapIdx[right]! > heapIdx[left]!)) child = right;
      }
      const cv = heapVal[child]!;
      if (cv > v || (cv === v && heapIdx[child]! < idx)) break;
      heapVal[pos] = cv;
      heapIdx[pos] = heapIdx[child]!;
      pos = child;
    }
    heapVal[pos] = v;
    heapIdx[pos] = idx;
    heapVal[end] = worstVal;
    heapIdx[end] = worstIdx;
  }
  return heapIdx.subarray(0, size);
}

/**
 * topKIndices with some indices left out (e.g. titles already on the user's list), given as a
 * set or a 0/1 mask. Works on a copy, so the caller's scores are untouched.
 */
export function topK(scores: Float32Array, k: number, exclude?: ReadonlySet<number> | Uint8Array): Int32Array {
  if (exclude === undefined) return topKIndices(scores, k).slice();
  const masked = scores.slice();
  if (exclude instanceof Uint8Array) {
    for (let i = 0; i < masked.length; i++) if (exclude[i] === 1) masked[i] = -Infinity;
  } else {
    for (const i of exclude) if (i >= 0 && i < masked.length) masked[i] = -Infinity;
  }
  return topKIndices(masked, k).slice();
}
