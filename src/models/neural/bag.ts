/**
 * Weighted bag pooling: row b of the output is Σ weight·table[item] over bag b's entries, a CSR
 * (ptr, items, weights) per batch. Callers normalise the weights (a weighted mean) so bags of
 * different lengths give comparable vectors. The backward pass scatters into a gradient table
 * and records which rows it touched, so a lazy optimiser only visits those rows.
 */
import { simdGemm, type SimdGemm } from './gemm.js';

/**
 * With env.wasm a batch's pooling runs in the SIMD kernel (gemm.ts) on a copy of the whole table
 * (and, backward, of its gradient): one bulk copy of each instead of a JavaScript loop per entry
 * and dimension. Smaller batches (serving's one user) keep the scalar loop.
 */
const MIN_SIMD_BAGS = 8;

export interface Bags {
  /** Length bags + 1. */
  ptr: Int32Array;
  items: Int32Array;
  weights: Float32Array;
}

export function bagForward(table: Float32Array, dim: number, bags: Bags, count: number, out: Float32Array): void {
  const kernel = count >= MIN_SIMD_BAGS ? simdGemm() : null;
  if (kernel !== null) {
    bagSimd(kernel, table, dim, bags, count, out, false);
    return;
  }
  out.fill(0, 0, count * dim);
  for (let b = 0; b < count; b++) {
    const o = b * dim;
    for (let e = bags.ptr[b]!; e < bags.ptr[b + 1]!; e++) {
      const w = bags.weights[e]!;
      if (w === 0) continue;
      const t = bags.items[e]! * dim;
      for (let j = 0; j < dim; j++) out[o + j]! += w * table[t + j]!;
    }
  }
}

/** Rows of a table that received gradient since the last `clear`, each listed once. */
export class TouchedRows {
  private readonly marks: Uint8Array;
  private list: Int32Array;
  count = 0;

  constructor(rows: number) {
    this.marks = new Uint8Array(rows);
    this.list = new Int32Array(Math.min(rows, 1024));
  }

  add(row: number): void {
    if (this.marks[row] === 1) return;
    this.marks[row] = 1;
    if (this.count === this.list.length) {
      const grown = new Int32Array(Math.min(this.marks.length, this.list.length * 2));
      grown.set(this.list);
      this.list = grown;
    }
    this.list[this.count++] = row;
  }

  rows(): Int32Array {
    return this.list.subarray(0, this.count);
  }

  clear(): void {
    for (let k = 0; k < this.count; k++) this.marks[this.list[k]!] = 0;
    this.count = 0;
  }
}

/** grad[item] += weight·dOut[b] for every bag entry; `touched` learns each item row used. */
export function bagBackward(
  dOut: Float32Array,
  dim: number,
  bags: Bags,
  count: number,
  gradTable: Float32Array,
  touched: TouchedRows | null,
): void {
  const kernel = count >= MIN_SIMD_BAGS ? simdGemm() : null;
  if (kernel !== null) {
    if (touched !== null) {
      for (let e = bags.ptr[0]!; e < bags.ptr[count]!; e++) if (bags.weights[e] !== 0) touched.add(bags.items[e]!);
    }
    bagSimd(kernel, gradTable, dim, bags, count, dOut, true);
    return;
  }
  for (let b = 0; b < count; b++) {
    const o = b * dim;
    for (let e = bags.ptr[b]!; e < bags.ptr[b + 1]!; e++) {
      const w = bags.weights[e]!;
      if (w === 0) continue;
      const item = bags.items[e]!;
      touched?.add(item);
      const t = item * dim;
      for (let j = 0; j < dim; j++) gradTable[t + j]! += w * dOut[o + j]!;
    }
  }
}

/** Both directions on the kernel: pooling into `rows` (overwritten), or scattering `rows` into `table` (accumulated). */
function bagSimd(
  kernel: SimdGemm,
  table: Float32Array,
  dim: number,
  bags: Bags,
  count: number,
  rows: Float32Array,
  scatter: boolean,
): void {
  const entries = bags.ptr[count]!;
  const itemsAt = count + 1;
  const weightsAt = itemsAt + entries;
  const tableAt = weightsAt + entries;
  const rowsAt = tableAt + table.length;
  const mem = kernel.scratch(rowsAt + count * dim);
  const ints = kernel.scratchInts();
  ints.set(bags.ptr.subarray(0, count + 1), 0);
  ints.set(bags.items.subarray(0, entries), itemsAt);
  mem.set(bags.weights.subarray(0, entries), weightsAt);
  mem.set(table, tableAt);
  if (scatter) mem.set(rows.subarray(0, count * dim), rowsAt);
  else mem.fill(0, rowsAt, rowsAt + count * dim);
  kernel.bag(count, dim, 0, itemsAt, weightsAt, tableAt, rowsAt, scatter);
  if (scatter) table.set(mem.subarray(tableAt, tableAt + table.length));
  else rows.set(mem.subarray(rowsAt, rowsAt + count * dim));
}
