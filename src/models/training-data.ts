import { createHash } from 'node:crypto';
import type { TrainingData } from './types.js';

/**
 * Builds the CSR training matrix from parallel interaction columns (as the store returns them).
 * Users become rows in order of first appearance; the item vocabulary is every interacted title
 * plus `catalogueIds` (titles nobody rated yet, which only the content model can score), sorted
 * by MAL id so the same data always gives the same indices.
 */
export function buildTrainingData(
  userIds: Int32Array,
  animeIds: Int32Array,
  scores: Int8Array | Float32Array,
  catalogueIds: Iterable<number> = [],
): { data: TrainingData; userKeys: Int32Array } {
  const n = userIds.length;
  const vocabulary = new Set<number>(catalogueIds);
  for (let e = 0; e < n; e++) vocabulary.add(animeIds[e]!);
  const itemIds = Int32Array.from([...vocabulary].sort((a, b) => a - b));
  const itemIndex = new Map<number, number>();
  itemIds.forEach((id, index) => itemIndex.set(id, index));

  const rowOf = new Map<number, number>();
  const rowCounts: number[] = [];
  for (let e = 0; e < n; e++) {
    const user = userIds[e]!;
    let row = rowOf.get(user);
    if (row === undefined) {
      rowOf.set(user, (row = rowCounts.length));
      rowCounts.push(0);
    }
    rowCounts[row]!++;
  }
  const nUsers = rowCounts.length;
  const indptr = new Int32Array(nUsers + 1);
  for (let u = 0; u < nUsers; u++) indptr[u + 1] = indptr[u]! + rowCounts[u]!;
  const fill = indptr.slice(0, nUsers);
  const indices = new Int32Array(n);
  const values = new Float32Array(n);
  for (let e = 0; e < n; e++) {
    const row = rowOf.get(userIds[e]!)!;
    const at = fill[row]!++;
    indices[at] = itemIndex.get(animeIds[e]!)!;
    const score = scores[e]!;
    values[at] = score > 0 ? score : 0;
  }
  sortRows(indptr, indices, values);
  dropDuplicateEntries(indptr, indices);
  const userKeys = new Int32Array(nUsers);
  for (const [user, row] of rowOf) userKeys[row] = user;
  return { data: compact({ nUsers, nItems: itemIds.length, itemIds, indptr, indices, scores: values }), userKeys };
}

/** Sorts each row by item index (insertion sort: rows arrive nearly sorted from the store). */
function sortRows(indptr: Int32Array, indices: Int32Array, values: Float32Array): void {
  for (let u = 0; u + 1 < indptr.length; u++) {
    for (let i = indptr[u]! + 1; i < indptr[u + 1]!; i++) {
      const item = indices[i]!;
      const value = values[i]!;
      let j = i - 1;
      while (j >= indptr[u]! && indices[j]! > item) {
        indices[j + 1] = indices[j]!;
        values[j + 1] = values[j]!;
        j--;
      }
      indices[j + 1] = item;
      values[j + 1] = value;
    }
  }
}

/** A user listing a title twice keeps the last entry; marks the dropped slots with -1. */
function dropDuplicateEntries(indptr: Int32Array, indices: Int32Array): void {
  for (let u = 0; u + 1 < indptr.length; u++) {
    for (let i = indptr[u]! + 1; i < indptr[u + 1]!; i++) {
      if (indices[i] === indices[i - 1]) indices[i - 1] = -1;
    }
  }
}

function compact(data: TrainingData): TrainingData {
  let kept = 0;
  for (let e = 0; e < data.indices.length; e++) if (data.indices[e]! >= 0) kept++;
  if (kept === data.indices.length) return data;
  const indptr = new Int32Array(data.nUsers + 1);
  const indices = new Int32Array(kept);
  const scores = new Float32Array(kept);
  let at = 0;
  for (let u = 0; u < data.nUsers; u++) {
    for (let e = data.indptr[u]!; e < data.indptr[u + 1]!; e++) {
      if (data.indices[e]! < 0) continue;
      indices[at] = data.indices[e]!;
      scores[at++] = data.scores[e]!;
    }
    indptr[u + 1] = at;
  }
  return { ...data, indptr, indices, scores };
}

/** Item index → position, for looking up MAL ids. */
export function itemIndex(data: TrainingData): Map<number, number> {
  return new Map(Array.from(data.itemIds, (id, index) => [id, index]));
}

/** The rows of `users` (in that order), same item vocabulary. */
export function subsetUsers(data: TrainingData, users: readonly number[]): TrainingData {
  let total = 0;
  for (const u of users) total += data.indptr[u + 1]! - data.indptr[u]!;
  const indptr = new Int32Array(users.length + 1);
  const indices = new Int32Array(total);
  const scores = new Float32Array(total);
  let at = 0;
  users.forEach((u, row) => {
    const start = data.indptr[u]!;
    const end = data.indptr[u + 1]!;
    indices.set(data.indices.subarray(start, end), at);
    scores.set(data.scores.subarray(start, end), at);
    at += end - start;
    indptr[row + 1] = at;
  });
  return { nUsers: users.length, nItems: data.nItems, itemIds: data.itemIds, indptr, indices, scores };
}

/** Number of training users listing each item. */
export function itemCounts(data: TrainingData): Float64Array {
  const counts = new Float64Array(data.nItems);
  for (let e = 0; e < data.indices.length; e++) counts[data.indices[e]!]!++;
  return counts;
}

/** sha256 over the shape and CSR arrays, first 16 hex digits: enough to tell data sets apart. */
export function dataHash(data: TrainingData): string {
  const hash = createHash('sha256');
  hash.update(Buffer.from(Int32Array.of(data.nUsers, data.nItems).buffer));
  for (const array of [data.itemIds, data.indptr, data.indices, data.scores]) {
    // Length prefix so moving bytes between adjacent arrays changes the hash.
    hash.update(Buffer.from(Int32Array.of(array.length).buffer));
    hash.update(Buffer.from(array.buffer, array.byteOffset, array.byteLength));
  }
  return hash.digest('hex').slice(0, 16);
}

/** The same users and vocabulary with every interaction on a masked item (1) dropped: those items become unrated. */
export function withoutItems(data: TrainingData, mask: Uint8Array): TrainingData {
  if (mask.length !== data.nItems) throw new RangeError(`withoutItems: mask has ${mask.length} entries for ${data.nItems} items`);
  // compact drops the entries marked -1.
  return compact({ ...data, indices: data.indices.map((item) => (mask[item] === 1 ? -1 : item)) });
}
