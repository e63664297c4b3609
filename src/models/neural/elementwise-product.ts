/**
 * Element-wise (Hadamard) product of two batches of rows, NeuMF's GMF branch: z = a ⊙ b. Unlike
 * a dot product it keeps one value per dimension, so a layer above can weigh dimensions apart.
 */

/** z[i] = a[i]·b[i] for the first `length` values. */
export function elementwiseProductForward(a: Float32Array, b: Float32Array, z: Float32Array, length = z.length): void {
  for (let i = 0; i < length; i++) z[i] = a[i]! * b[i]!;
}

/** dA = dZ ⊙ b and dB = dZ ⊙ a, overwritten (either may be null when that input needs no gradient). */
export function elementwiseProductBackward(
  a: Float32Array,
  b: Float32Array,
  dz: Float32Array,
  da: Float32Array | null,
  db: Float32Array | null,
  length = dz.length,
): void {
  for (let i = 0; i < length; i++) {
    const g = dz[i]!;
    if (da !== null) da[i] = g * b[i]!;
    if (db !== null) db[i] = g * a[i]!;
  }
}
