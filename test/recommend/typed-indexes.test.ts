import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ModelBundle } from '../../src/models/bundle.js';
import { createRng } from '../../src/models/random.js';
import { Catalog } from '../../src/recommend/catalog.js';
import { TagSimilarity } from '../../src/recommend/similar-items.js';
import { buildUserIndexData, UserIndex } from '../../src/recommend/similar-users.js';
import { likeWeight, meanOf, type HistoryEntry } from '../../src/recommend/taste-profile.js';
import { emptyAnime, type InteractionColumns } from '../../src/store/index.js';

/**
 * The neighbour and tag indexes are flat typed arrays (so a worker thread can build them and
 * hand them over): they must answer exactly what the plain Map/Set formulation of the same
 * definitions answers, on random data with ties, empty tag sets and titles the catalogue lacks.
 */
const random = createRng(7);
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;

const GENRES = ['Action', 'Comedy', 'Drama', 'Mecha', 'Romance'];
const STUDIOS = ['Sunrise', 'Madhouse', 'Bones'];
const anime = Array.from({ length: 120 }, (_, i) => ({
  ...emptyAnime(i + 1),
  title: `Title ${i + 1}`,
  genres: [...new Set(Array.from({ length: Math.floor(random() * 3) }, () => pick(GENRES)))],
  themes: random() < 0.3 ? ['School'] : [],
  demographics: random() < 0.2 ? ['Seinen'] : [],
  studios: random() < 0.5 ? [pick(STUDIOS)] : [],
}));
const catalog = new Catalog(anime);
// Items 121..130 are in the model but not the catalogue.
const itemIds = Int32Array.from({ length: 130 }, (_, i) => i + 1);
const bundle = { itemIds, popularity: Float32Array.from(itemIds, () => Math.floor(random() * 4)) } as unknown as ModelBundle;

function referenceTags(item: number): Set<string> | null {
  const a = catalog.get(itemIds[item]!);
  if (!a) return null;
  const set = new Set([...a.genres.map((g) => `g:${g}`), ...catalog.tagsOf(a).map((t) => `t:${t}`), ...a.studios.map((s) => `s:${s}`)]);
  return set.size > 0 ? set : null;
}

function referenceJaccard(a: number, b: number): number {
  const ta = referenceTags(a);
  const tb = referenceTags(b);
  if (!ta || !tb) return 0;
  let shared = 0;
  for (const t of ta) if (tb.has(t)) shared++;
  return shared / (ta.size + tb.size - shared);
}

describe('typed indexes', () => {
  it('tag similarity: Jaccard of every pair and neighbour lists as the Set definition gives', () => {
    const tags = new TagSimilarity(bundle, catalog);
    for (let a = 0; a < itemIds.length; a++)
      for (let b = 0; b < itemIds.length; b++) assert.equal(tags.pair(a, b), referenceJaccard(a, b), `pair(${a}, ${b})`);
    for (let item = 0; item < itemIds.length; item++) {
      // Jaccard > 0 exactly when a tag is shared: the titles sharing one, best first.
      const expected = Array.from(itemIds, (_, other) => ({ other, s: referenceJaccard(item, other) }))
        .filter((x) => x.other !== item && x.s > 0)
        .sort((x, y) => y.s - x.s || bundle.popularity[y.other]! - bundle.popularity[x.other]! || x.other - y.other)
        .slice(0, 100);
      const got = tags.similarItems(item, 100);
      assert.deepEqual(
        [...got.items],
        expected.map((x) => x.other),
        `neighbours of ${item}`,
      );
      assert.deepEqual([...got.scores], [...Float32Array.from(expected, (x) => x.s)]);
    }
  });

  it('similar users: the same users and similarities as the cosine definition, from columns or from built data', () => {
    const lists = new Map<number, HistoryEntry[]>();
    for (let u = 1; u <= 60; u++) {
      const titles = [...new Set(Array.from({ length: 1 + Math.floor(random() * 25) }, () => 1 + Math.floor(random() * 130)))].sort(
        (x, y) => x - y,
      );
      lists.set(
        u * 3,
        titles.map((animeId) => ({
          animeId,
          score: random() < 0.2 ? null : 1 + Math.floor(random() * 10),
          status: random() < 0.1 ? 'plan_to_watch' : 'completed',
        })),
      );
    }
    const rows = [...lists].flatMap(([userId, entries]) => entries.map((e) => ({ userId, ...e })));
    const columns: InteractionColumns = {
      userIds: Int32Array.from(rows, (r) => r.userId),
      animeIds: Int32Array.from(rows, (r) => r.animeId),
      scores: Int8Array.from(rows, (r) => r.score ?? 0),
      statuses: Uint8Array.from(rows, (r) => (r.status === 'plan_to_watch' ? 5 : 2)),
      length: rows.length,
    };
    // The definition: like-weight × IDF vectors, cosine × shared / (shared + 5), best first, ties by position.
    const count = new Map<number, number>();
    for (const r of rows) count.set(r.animeId, (count.get(r.animeId) ?? 0) + 1);
    const idf = (id: number): number => (count.has(id) ? Math.log((lists.size + 1) / (count.get(id)! + 1)) + 0.1 : 1);
    const vector = (entries: readonly HistoryEntry[]): Map<number, number> => {
      const mean = meanOf(entries);
      const out = new Map<number, number>();
      for (const e of entries) {
        const w = likeWeight(e, mean) * idf(e.animeId);
        if (w !== 0) out.set(e.animeId, w);
      }
      return out;
    };
    const users = [...lists.keys()];
    const vectors = users.map((u) => vector(lists.get(u)!));
    const norms = vectors.map((v) => Math.fround(Math.sqrt([...v.values()].reduce((s, w) => s + w * w, 0))));
    const fromColumns = new UserIndex(columns);
    const fromData = new UserIndex(buildUserIndexData(columns));
    for (const [asker, entries] of lists) {
      const query = vector(entries);
      const qNorm = Math.sqrt([...query.values()].reduce((s, w) => s + w * w, 0));
      const expected = users
        .map((userId, p) => {
          let dot = 0;
          let shared = 0;
          for (const [id, w] of query) {
            const theirs = vectors[p]!.get(id);
            if (theirs !== undefined) {
              dot += w * theirs;
              shared++;
            }
          }
          return { userId, p, dot, shared, s: (dot / (qNorm * norms[p]!)) * (shared / (shared + 5)) };
        })
        .filter((x) => x.dot > 0 && x.userId !== asker)
        .sort((x, y) => y.s - x.s || x.p - y.p)
        .slice(0, 8)
        .map((x) => ({ userId: x.userId, similarity: Math.min(1, x.s), sharedTitles: x.shared }));
      const strip = (found: ReturnType<UserIndex['similar']>) =>
        found.map(({ userId, similarity, sharedTitles }) => ({ userId, similarity, sharedTitles }));
      assert.deepEqual(strip(fromColumns.similar(entries, 8, asker)), expected, `neighbours of user ${asker}`);
      assert.deepEqual(fromData.similar(entries, 8, asker), fromColumns.similar(entries, 8, asker));
    }
  });
});
