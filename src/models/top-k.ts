/**
 * Indices of the k largest finite values of `scores`, best first, skipping indices in `exclude`.
 * A size-k min-heap keeps this O(n log k): ranking a 15k-title catalogue for k = 20 without
 * sorting it. Ties break toward the lower index so results are deterministic.
 */
export function topK(scores: Float32Array, k: number, exclude?: ReadonlySet<number> | Uint8Array): Int32Array {
  const isExcluded =
    exclude === undefined ? () => false : exclude instanceof Uint8Array ? (i: number) => exclude[i] === 1 : (i: number) => exclude.has(i);
  const heapIdx = new Int32Array(k);
  const heapVal = new Float32Array(k);
  let size = 0;
  // "a is worse than b" for the min-heap: lower score, or equal score and higher index.
  const worse = (va: number, ia: number, vb: number, ib: number): boolean => va < vb || (va === vb && ia > ib);
  for (let i = 0; i < scores.length; i++) {
    const v = scores[i]!;
    if (v === -Infinity || Number.isNaN(v) || isExcluded(i)) continue;
    if (size < k) {
      let pos = size++;
      while (pos > 0) {
        const parent = (pos - 1) >> 1;
        if (!worse(v, i, heapVal[parent]!, heapIdx[parent]!)) break;
        heapVal[pos] = heapVal[parent]!;
        heapIdx[pos] = heapIdx[parent]!;
        pos = parent;
      }
      heapVal[pos] = v;
      heapIdx[pos] = i;
    } else if (worse(heapVal[0]!, heapIdx[0]!, v, i)) {
      let pos = 0;
      for (;;) {
        const left = 2 * pos + 1;
        if (left >= k) break;
        const right = left + 1;
        const child = right < k && worse(heapVal[right]!, heapIdx[right]!, heapVal[left]!, heapIdx[left]!) ? right : left;
        if (!worse(heapVal[child]!, heapIdx[child]!, v, i)) break;
        heapVal[pos] = heapVal[child]!;
        heapIdx[pos] = heapIdx[child]!;
        pos = child;
      }
      heapVal[pos] = v;
      heapIdx[pos] = i;
    }
  }
  const order = Array.from({ length: size }, (_, j) => j).sort((a, b) =>
    heapVal[b]! !== heapVal[a]! ? heapVal[b]! - heapVal[a]! : heapIdx[a]! - heapIdx[b]!,
  );
  return Int32Array.from(order, (j) => heapIdx[j]!);
}
