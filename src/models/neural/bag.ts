/**
 * Weighted bag pooling: row b of the output is Σ weight·table[item] over bag b's entries, a CSR
 * (ptr, items, weights) per batch. Callers normalise the weights (a weighted mean) so bags of
 * different lengths give comparable vectors. The backward pass scatters into a gradient table
 * and records which rows it touched, so a lazy optimiser only visits those rows.
 */
export interface Bags {
  /** Length bags + 1. */
  ptr: Int32Array;
  items: Int32Array;
  weights: Float32Array;
}

export function bagForward(table: Float32Array, dim: number, bags: Bags, count: number, out: Float32Array): void {
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
