/**
 * "Continue what you started" measured offline (issue 16): on the `anirec eval` split (strong
 * generalisation, seed 42, 1,000 test users of the bundled ratings, 80% of each list folded in),
 * the held-out titles of franchises the fold-in history already has are what the continue list
 * should find. For each test user with at least one such title: hit rate, recall and precision
 * of the continue list's first k entries, beside the release-order rules it had before and a
 * baseline that lists the same franchises' unlisted entries by popularity, several per franchise
 * (what a list without franchise cards would show). Every list keeps to titles aired by 2016,
 * the year of the lists.
 *   npm run bench -- continue-list
 * Writes bench/results/continue-list.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BUNDLED_CATALOGUES, BUNDLED_DATA } from '../src/data/bundled.js';
import { splitUsers } from '../src/eval/split.js';
import { trainBundle } from '../src/models/train-model.js';
import { loadTrainingSet } from '../src/models/training-set.js';
import { continueList } from '../src/recommend/continue-list.js';
import { RecommendationEngine } from '../src/recommend/engine.js';
import { isMinorFormat } from '../src/data/franchises/franchises.js';
import { likeWeight, meanOf, type HistoryEntry } from '../src/recommend/taste-profile.js';
import { importFiles, openStore } from '../src/store/index.js';

const seed = 42;
const ks = [5, 10];
const store = await openStore('sqlite::memory:');
await importFiles(store, [...BUNDLED_CATALOGUES.map((path) => ({ path })), { path: BUNDLED_DATA.ratings2016, userSource: 'bench' }]);
const set = await loadTrainingSet(store);
const split = splitUsers(set.data, { seed, validationUsers: 0, testUsers: 1000 });
console.log(split.description.text);
// The continue list needs no model (it reads the list and the catalogue); an engine needs one.
const bundle = await trainBundle('popularity', split.trainData, set.catalogue);
const engine = await RecommendationEngine.create(bundle, store, 'bench');
await store.close();
const { catalog } = engine;
const franchiseOf = (id: number): number => catalog.franchises.of(id)?.id ?? id;
const popularity = (id: number): number => catalog.popularityRank.get(id) ?? Number.MAX_SAFE_INTEGER;
// The lists are from 2016 and the catalogue from 2026: a title that aired later cannot have been
// watched, so every list here keeps to titles that had aired by then (as filter yearMax does).
const RATINGS_YEAR = 2016;
const aired = (id: number): boolean => {
  const year = catalog.get(id)?.year ?? null;
  return year !== null && year <= RATINGS_YEAR;
};

interface Totals {
  hits: number;
  recall: number;
  precision: number;
}
const zero = (): Record<number, Totals> => Object.fromEntries(ks.map((k) => [k, { hits: 0, recall: 0, precision: 0 }]));
const lists = { continue: zero(), cards: zero(), previous: zero(), gaps: zero(), popularity: zero() };

/**
 * The rules the continue list had before this measure, for the table: one card per franchise in
 * the same order (best-liked franchise first), the head the first TV series (else any full
 * entry) in release order after the last listed entry ('previous'), or after the first listed
 * one so skipped entries count ('gaps').
 */
function releaseOrder(entries: HistoryEntry[], from: 'previous' | 'gaps', k: number): number[] {
  const mean = meanOf(entries);
  const listed = new Set(entries.map((e) => e.animeId));
  const cards: { id: number; affinity: number }[] = [];
  const seen = new Set<number>();
  for (const entry of entries) {
    const franchise = catalog.franchises.of(entry.animeId);
    if (franchise === undefined || franchise.entries.length < 2 || seen.has(franchise.id)) continue;
    seen.add(franchise.id);
    const positions = franchise.entries.flatMap((id, i) => (listed.has(id) ? [i] : []));
    const start = from === 'gaps' ? positions[0]! : positions.at(-1)!;
    const open = franchise.entries.filter((id, i) => i > start && !listed.has(id) && aired(id));
    const full = open.filter((id) => !isMinorFormat(catalog.get(id)!));
    const chosen = full.find((id) => catalog.get(id)!.format === 'TV') ?? full[0] ?? open[0];
    if (chosen === undefined) continue;
    const affinity = Math.max(
      ...positions.map((i) =>
        likeWeight(
          entries.find((e) => e.animeId === franchise.entries[i])!,
          mean,
        ),
      ),
    );
    cards.push({ id: chosen, affinity });
  }
  return cards
    .sort((a, b) => b.affinity - a.affinity || popularity(a.id) - popularity(b.id))
    .slice(0, k)
    .map((c) => c.id);
}
let users = 0;
let skipped = 0;
let targetsTotal = 0;
for (const user of split.test) {
  const ids = (items: ArrayLike<number>): number[] => Array.from(items, (i) => set.data.itemIds[i]!);
  const history = ids(user.history.items);
  const started = new Set(history.map(franchiseOf));
  // Held-out titles of franchises the history has, and with a second entry (a franchise of one is no "continue").
  const targets = new Set(
    ids(user.targets).filter((id) => started.has(franchiseOf(id)) && (catalog.franchises.of(id)?.entries.length ?? 1) > 1),
  );
  if (targets.size === 0) {
    skipped++;
    continue;
  }
  users++;
  targetsTotal += targets.size;
  const entries: HistoryEntry[] = history.map((animeId, j) => ({
    animeId,
    score: user.history.scores[j]! > 0 ? user.history.scores[j]! : null,
    status: null,
  }));
  const maxK = Math.max(...ks);
  const items = continueList(engine, entries, { k: maxK, filters: { yearMax: RATINGS_YEAR } }).items;
  const found = items.map((item) => item.anime.id);
  // Each card with the entries it carries ("+N more"), read in order: what the row shows one click away.
  const cards = items.flatMap((item) => [item.anime.id, ...(item.franchise?.more.map((m) => m.anime.id) ?? [])]);
  const listed = new Set(history);
  const baseline = [...new Set(history.flatMap((id) => catalog.franchises.of(id)?.entries ?? []))]
    .filter((id) => !listed.has(id) && aired(id))
    .sort((a, b) => popularity(a) - popularity(b) || a - b)
    .slice(0, maxK);
  const previous = releaseOrder(entries, 'previous', maxK);
  const gaps = releaseOrder(entries, 'gaps', maxK);
  for (const [name, list] of [
    ['continue', found],
    ['cards', cards],
    ['previous', previous],
    ['gaps', gaps],
    ['popularity', baseline],
  ] as const) {
    for (const k of ks) {
      const top = list.slice(0, k);
      const hit = top.filter((id) => targets.has(id)).length;
      const totals = lists[name][k]!;
      totals.hits += hit > 0 ? 1 : 0;
      totals.recall += hit / Math.min(k, targets.size);
      totals.precision += top.length === 0 ? 0 : hit / k;
    }
  }
}
console.log(`${users} test users with a held-out title of a franchise they started (${skipped} without; ${targetsTotal} such titles)`);
const rows = [];
const LABELS = {
  continue: 'continue list (k cards, as served)',
  cards: 'continue cards with their +N more',
  previous: 'before: next TV series after the last listed entry',
  gaps: 'release order, skipped entries included (no new-season rule)',
  popularity: 'same franchises by popularity (not one per franchise)',
};
for (const name of ['continue', 'cards', 'previous', 'gaps', 'popularity'] as const) {
  const row: Record<string, string | number> = { list: LABELS[name] };
  for (const k of ks) {
    const t = lists[name][k]!;
    row[`hit@${k}`] = t.hits / users;
    row[`recall@${k}`] = t.recall / users;
    row[`precision@${k}`] = t.precision / users;
  }
  rows.push(row);
}
console.table(rows.map((r) => Object.fromEntries(Object.entries(r).map(([key, v]) => [key, typeof v === 'number' ? v.toFixed(4) : v]))));
mkdirSync(join(import.meta.dirname, 'results'), { recursive: true });
writeFileSync(
  join(import.meta.dirname, 'results', 'continue-list.json'),
  `${JSON.stringify({ split: split.description, seed, users, skipped, targets: targetsTotal, rows }, null, 2)}\n`,
);
