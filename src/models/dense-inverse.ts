/**
 * In-place inverse of a symmetric positive-definite n×n matrix (row-major Float64Array) by
 * Gauss–Jordan elimination without pivoting (safe for SPD: every pivot is positive).
 *
 * Blocked: pivots are taken `block` at a time. The block's pivot rows are snapshotted as they
 * are normalised (S_k = row k at the moment it became pivot k), then every other row receives
 * the block's b eliminations as one rank-b update from those snapshots. The arithmetic is the
 * same 2n³ flops as the textbook loop, but each row is streamed from memory once per block
 * instead of once per pivot, and the snapshots (b rows) stay in cache: the textbook loop is
 * memory-bound at these sizes (a 3000² matrix is 72 MB).
 *
 * For one row with pending pivots J (in order), the sequential eliminations collapse to:
 *   f_j = A[i, j] − Σ_{j'∈J, j'<j} f_j' · S_j'[j]          (the multipliers, O(b²))
 *   A[i, :] −= Σ_{j∈J} f_j · S_j[:],  then  A[i, j] −= f_j  (for j ∈ J)
 * the last step because elimination zeroes column j before subtracting (the in-place trick
 * that leaves the inverse's column in its place).
 */
export function invertSpdInPlace(a: Float64Array, n: number, onProgress?: (done: number) => void, block = 32): Float64Array {
  const snapshots = new Float64Array(block * n);
  const factors = new Float64Array(block);
  for (let k0 = 0; k0 < n; k0 += block) {
    const b = Math.min(block, n - k0);
    // 1. The block's own rows: apply earlier pivots of this block, then normalise and snapshot.
    for (let t = 0; t < b; t++) {
      const k = k0 + t;
      const row = a.subarray(k * n, (k + 1) * n);
      eliminate(row, k0, 0, t, snapshots, factors, n);
      const pivot = row[k]!;
      if (!(pivot > 0)) throw new Error(`matrix is not positive definite (pivot ${pivot} at ${k}); increase the regularisation`);
      const inv = 1 / pivot;
      row[k] = 1;
      for (let j = 0; j < n; j++) row[j]! *= inv;
      snapshots.set(row, t * n);
    }
    // 2. Block rows still owe the later pivots of the block; every other row owes all of them.
    for (let t = 0; t < b; t++) {
      const k = k0 + t;
      eliminate(a.subarray(k * n, (k + 1) * n), k0, t + 1, b, snapshots, factors, n);
    }
    for (let i = 0; i < n; i++) {
      if (i >= k0 && i < k0 + b) continue;
      eliminate(a.subarray(i * n, (i + 1) * n), k0, 0, b, snapshots, factors, n);
    }
    onProgress?.(k0 + b);
  }
  return a;
}

/** Applies pivots k0+from … k0+to−1 (from their snapshots) to one row, as described above. */
function eliminate(row: Float64Array, k0: number, from: number, to: number, snapshots: Float64Array, factors: Float64Array, n: number): void {
  if (from >= to) return;
  for (let t = from; t < to; t++) {
    let f = row[k0 + t]!;
    for (let s = from; s < t; s++) f -= factors[s]! * snapshots[s * n + k0 + t]!;
    factors[t] = f;
  }
  // Four pivots per pass: one load and store of row[j] per four multiply-adds, which is what
  // bounds this loop in JS (no SIMD).
  let t = from;
  for (; t + 4 <= to; t += 4) {
    const f0 = factors[t]!;
    const f1 = factors[t + 1]!;
    const f2 = factors[t + 2]!;
    const f3 = factors[t + 3]!;
    const s0 = snapshots.subarray(t * n, (t + 1) * n);
    const s1 = snapshots.subarray((t + 1) * n, (t + 2) * n);
    const s2 = snapshots.subarray((t + 2) * n, (t + 3) * n);
    const s3 = snapshots.subarray((t + 3) * n, (t + 4) * n);
    for (let j = 0; j < n; j++) row[j] = row[j]! - f0 * s0[j]! - f1 * s1[j]! - f2 * s2[j]! - f3 * s3[j]!;
  }
  for (; t < to; t++) {
    const f = factors[t]!;
    const s0 = snapshots.subarray(t * n, (t + 1) * n);
    for (let j = 0; j < n; j++) row[j]! -= f * s0[j]!;
  }
  for (let u = from; u < to; u++) row[k0 + u]! -= factors[u]!;
}
