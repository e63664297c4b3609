/**
 * The booster's inner loops, written so the same text runs on the main thread and in worker
 * threads (threads.ts embeds them with Function.prototype.toString): each function uses only its
 * arguments and the other functions of this file, never an import or a module-level value.
 *
 * Every output value is computed by exactly one call, in an order that does not depend on how
 * the work is shared: a histogram entry sums its rows in row order whichever thread owns its
 * feature, and a query's gradients are computed by whichever thread owns the query. So the
 * trees are bit-for-bit the same on any number of threads.
 */

/** Slots per (feature, bin) in a histogram: gradient sum, hessian sum, row count. */
export const HISTOGRAM_CHANNELS = 3;

/**
 * Sums gradients, hessians and counts of rows rows[start..end) into the histogram at
 * hist[base..], for active[a0..a1) only. Row-major bins: one row's bins share a cache line, and
 * each feature's slot offset is computed once per call rather than once per row.
 */
export function histogramShare(
  hist: Float64Array,
  base: number,
  bins: Uint8Array,
  nFeatures: number,
  binStride: number,
  rows: Int32Array,
  start: number,
  end: number,
  grad: Float64Array,
  hess: Float64Array,
  active: Int32Array,
  a0: number,
  a1: number,
): void {
  const span = binStride * 3;
  for (let a = a0; a < a1; a++) {
    const from = base + active[a]! * span;
    hist.fill(0, from, from + span);
  }
  const n = a1 - a0;
  if (n <= 0) return;
  const features = new Int32Array(n);
  const offsets = new Int32Array(n);
  for (let k = 0; k < n; k++) {
    features[k] = active[a0 + k]!;
    offsets[k] = base + features[k]! * span;
  }
  // Eight features per step: their slots are distinct, so the updates are independent, and V8
  // runs the unrolled body much faster than the plain loop (each slot still sums rows in order).
  const unrolled = n - (n & 7);
  for (let i = start; i < end; i++) {
    const row = rows[i]!;
    const g = grad[row]!;
    const h = hess[row]!;
    const rowBase = row * nFeatures;
    for (let k = 0; k < unrolled; k += 8) {
      const s0 = offsets[k]! + bins[rowBase + features[k]!]! * 3;
      const s1 = offsets[k + 1]! + bins[rowBase + features[k + 1]!]! * 3;
      const s2 = offsets[k + 2]! + bins[rowBase + features[k + 2]!]! * 3;
      const s3 = offsets[k + 3]! + bins[rowBase + features[k + 3]!]! * 3;
      const s4 = offsets[k + 4]! + bins[rowBase + features[k + 4]!]! * 3;
      const s5 = offsets[k + 5]! + bins[rowBase + features[k + 5]!]! * 3;
      const s6 = offsets[k + 6]! + bins[rowBase + features[k + 6]!]! * 3;
      const s7 = offsets[k + 7]! + bins[rowBase + features[k + 7]!]! * 3;
      hist[s0]! += g;
      hist[s0 + 1]! += h;
      hist[s0 + 2]! += 1;
      hist[s1]! += g;
      hist[s1 + 1]! += h;
      hist[s1 + 2]! += 1;
      hist[s2]! += g;
      hist[s2 + 1]! += h;
      hist[s2 + 2]! += 1;
      hist[s3]! += g;
      hist[s3 + 1]! += h;
      hist[s3 + 2]! += 1;
      hist[s4]! += g;
      hist[s4 + 1]! += h;
      hist[s4 + 2]! += 1;
      hist[s5]! += g;
      hist[s5 + 1]! += h;
      hist[s5 + 2]! += 1;
      hist[s6]! += g;
      hist[s6 + 1]! += h;
      hist[s6 + 2]! += 1;
      hist[s7]! += g;
      hist[s7 + 1]! += h;
      hist[s7 + 2]! += 1;
    }
    for (let k = unrolled; k < n; k++) {
      const slot = offsets[k]! + bins[rowBase + features[k]!]! * 3;
      hist[slot]! += g;
      hist[slot + 1]! += h;
      hist[slot + 2]! += 1;
    }
  }
}

/** hist[parent..] −= hist[child..] over active[a0..a1): turns the parent's histogram into the sibling's. */
export function subtractShare(
  hist: Float64Array,
  parentBase: number,
  childBase: number,
  binStride: number,
  active: Int32Array,
  a0: number,
  a1: number,
): void {
  const span = binStride * 3;
  for (let a = a0; a < a1; a++) {
    const offset = active[a]! * span;
    const p = parentBase + offset;
    const c = childBase + offset;
    for (let i = 0; i < span; i++) hist[p + i]! -= hist[c + i]!;
  }
}

/**
 * Sorts order[start..end) — a permutation of the rows start..end−1 — by descending score, ties
 * by row. That order is total, so the result is unique whatever order the rows came in; starting
 * from the previous round's order (nearly sorted: one tree moves scores a little) an insertion
 * sort finishes in about linear time, and falls back to the library sort when it would not.
 */
export function sortByScore(order: Int32Array, scores: Float64Array, start: number, end: number): void {
  const limit = 8 * (end - start) + 64;
  let moves = 0;
  for (let i = start + 1; i < end; i++) {
    const row = order[i]!;
    const score = scores[row]!;
    let j = i - 1;
    while (j >= start) {
      const other = order[j]!;
      const otherScore = scores[other]!;
      if (otherScore > score || (otherScore === score && other < row)) break;
      order[j + 1] = other;
      j--;
    }
    order[j + 1] = row;
    moves += i - 1 - j;
    if (moves > limit) {
      order.subarray(start, end).sort((a, b) => scores[b]! - scores[a]! || a - b);
      return;
    }
  }
}

/**
 * LambdaMART gradients of queries[q0..q1) (see lambdarank.ts for the loss): each query's rows
 * get grad and hess from their pairs, with the better-ranked row of each pair in the top
 * `truncation` positions. order holds every query's rows from the previous call.
 */
export function lambdaShare(
  queries: Int32Array,
  q0: number,
  q1: number,
  groupOffsets: Int32Array,
  gains: Float64Array,
  discounts: Float64Array,
  inverseIdeal: Float64Array,
  order: Int32Array,
  scores: Float64Array,
  grad: Float64Array,
  hess: Float64Array,
  truncation: number,
): void {
  // Positions of a query's rows with a non-zero gain: a zero-gain row only pairs with those, so
  // its loop visits them alone, in the same order (the sums come out the same).
  let relevant = new Int32Array(0);
  for (let qi = q0; qi < q1; qi++) {
    const query = queries[qi]!;
    const start = groupOffsets[query]!;
    const end = groupOffsets[query + 1]!;
    grad.fill(0, start, end);
    hess.fill(0, start, end);
    const inverse = inverseIdeal[query]!;
    if (inverse === 0 || end - start < 2) continue;
    sortByScore(order, scores, start, end);
    const n = end - start;
    if (relevant.length < n) relevant = new Int32Array(n);
    let nRelevant = 0;
    for (let p = 0; p < n; p++) if (gains[order[start + p]!]! !== 0) relevant[nRelevant++] = p;
    const topPositions = Math.min(truncation, n - 1);
    let firstRelevantAfter = 0;
    for (let i = 0; i < topPositions; i++) {
      const rowI = order[start + i]!;
      const gainI = gains[rowI]!;
      const scoreI = scores[rowI]!;
      const discountI = discounts[i]!;
      let gradI = 0;
      let hessI = 0;
      while (firstRelevantAfter < nRelevant && relevant[firstRelevantAfter]! <= i) firstRelevantAfter++;
      const sparse = gainI === 0;
      const steps = sparse ? nRelevant - firstRelevantAfter : n - i - 1;
      for (let step = 0; step < steps; step++) {
        const j = sparse ? relevant[firstRelevantAfter + step]! : i + 1 + step;
        const rowJ = order[start + j]!;
        const gainJ = gains[rowJ]!;
        if (gainI === gainJ) continue;
        // Positive when i is the more relevant row: Δs = s_high − s_low.
        const iIsHigher = gainI > gainJ;
        const scoreGap = iIsHigher ? scoreI - scores[rowJ]! : scores[rowJ]! - scoreI;
        const deltaNdcg = Math.abs(gainI - gainJ) * (discountI - discounts[j]!) * inverse;
        const misorder = 1 / (1 + Math.exp(scoreGap));
        const lambda = deltaNdcg * misorder;
        const weight = deltaNdcg * misorder * (1 - misorder);
        if (iIsHigher) {
          gradI -= lambda;
          grad[rowJ]! += lambda;
        } else {
          gradI += lambda;
          grad[rowJ]! -= lambda;
        }
        hessI += weight;
        hess[rowJ]! += weight;
      }
      grad[rowI]! += gradI;
      hess[rowI]! += hessI;
    }
  }
}

/**
 * Stable partition of rows[start..end): the rows going left (value bin ≤ bin; missing values,
 * bin 0, by defaultLeft) first, the others after them, each side in its old order, with
 * scratch[start..end) as room. Returns how many go left.
 */
export function partitionShare(
  rows: Int32Array,
  scratch: Int32Array,
  bins: Uint8Array,
  nFeatures: number,
  feature: number,
  bin: number,
  defaultLeft: boolean,
  start: number,
  end: number,
): number {
  let writeLeft = start;
  let nRight = 0;
  for (let i = start; i < end; i++) {
    const row = rows[i]!;
    const b = bins[row * nFeatures + feature]!;
    if (b === 0 ? defaultLeft : b <= bin) rows[writeLeft++] = row;
    else scratch[start + nRight++] = row;
  }
  rows.set(scratch.subarray(start, start + nRight), writeLeft);
  return writeLeft - start;
}
