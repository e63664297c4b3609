import type { Anime } from '../data/types.js';
import type { Catalog } from './catalog.js';

/**
 * Typo-tolerant title matching over main, English and Japanese titles and synonyms.
 *
 * A trigram index narrows 16k titles × ~3 names to a few hundred candidates (typos keep most
 * trigrams), then each candidate is scored by the best of: Jaro-Winkler over the whole name
 * (catches typos and transpositions), token overlap (catches word order and missing words:
 * "attack titan" → "Shingeki no Kyojin / Attack on Titan") and prefix match (autocomplete).
 * A small popularity bonus breaks near-ties toward the title people usually mean.
 */

export interface TitleMatch {
  animeId: number;
  /** 0..1, 1 = exact (normalised) match. */
  score: number;
  /** The name that matched, as the catalogue spells it. */
  matchedName: string;
  matchedField: 'title' | 'titleEnglish' | 'titleJapanese' | 'synonym';
}

/** Lower case, accents and punctuation removed, whitespace collapsed: "Re:Zero − Kara" → "re zero kara". */
export function normalizeTitle(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** Jaro-Winkler similarity in [0, 1] (Winkler's prefix scale 0.1, up to 4 characters). */
export function jaroWinkler(a: string, b: string): number {
  if (a === b) return 1;
  const la = a.length;
  const lb = b.length;
  if (la === 0 || lb === 0) return 0;
  const window = Math.max(0, Math.floor(Math.max(la, lb) / 2) - 1);
  const aMatched = new Uint8Array(la);
  const bMatched = new Uint8Array(lb);
  let matches = 0;
  for (let i = 0; i < la; i++) {
    const from = Math.max(0, i - window);
    const to = Math.min(lb - 1, i + window);
    for (let j = from; j <= to; j++) {
      if (bMatched[j] === 0 && a.charCodeAt(i) === b.charCodeAt(j)) {
        aMatched[i] = 1;
        bMatched[j] = 1;
        matches++;
        break;
      }
    }
  }
  if (matches === 0) return 0;
  let transpositions = 0;
  let j = 0;
  for (let i = 0; i < la; i++) {
    if (aMatched[i] === 0) continue;
    while (bMatched[j] === 0) j++;
    if (a.charCodeAt(i) !== b.charCodeAt(j)) transpositions++;
    j++;
  }
  const jaro = (matches / la + matches / lb + (matches - transpositions / 2) / matches) / 3;
  let prefix = 0;
  while (prefix < Math.min(4, la, lb) && a.charCodeAt(prefix) === b.charCodeAt(prefix)) prefix++;
  return jaro + prefix * 0.1 * (1 - jaro);
}

/** Per-character counts for jaroWinklerBound (UTF-16 code units, like jaroWinkler), zeroed after each use. */
const charCounts = new Int16Array(65536);

/**
 * An upper bound on jaroWinkler(a, b) that costs O(|a| + |b|): Jaro's matches cannot exceed the
 * characters the strings share (as multisets), transpositions only lower it, and Winkler's boost
 * grows with Jaro for a given common prefix. Searches compare it with the best score a name
 * already has and skip the full O(|a|·window) computation when it cannot win.
 */
export function jaroWinklerBound(a: string, b: string): number {
  if (a === b) return 1;
  const la = a.length;
  const lb = b.length;
  if (la === 0 || lb === 0) return 0;
  for (let i = 0; i < la; i++) charCounts[a.charCodeAt(i)]!++;
  let common = 0;
  for (let j = 0; j < lb; j++) {
    const c = b.charCodeAt(j);
    if (charCounts[c]! > 0) {
      charCounts[c]!--;
      common++;
    }
  }
  for (let i = 0; i < la; i++) charCounts[a.charCodeAt(i)] = 0;
  if (common === 0) return 0;
  const jaro = (common / la + common / lb + 1) / 3;
  let prefix = 0;
  while (prefix < Math.min(4, la, lb) && a.charCodeAt(prefix) === b.charCodeAt(prefix)) prefix++;
  return jaro + prefix * 0.1 * (1 - jaro);
}

/** Names of a word list closest to `word` (for "did you mean" on genres, fields, ...). */
export function closestWords(word: string, candidates: Iterable<string>, limit = 3): string[] {
  const w = normalizeTitle(word);
  return Array.from(candidates, (c) => ({ c, s: jaroWinkler(w, normalizeTitle(c)) }))
    .filter((x) => x.s >= 0.7)
    .sort((a, b) => b.s - a.s)
    .slice(0, limit)
    .map((x) => x.c);
}

const FIELDS = ['title', 'titleEnglish', 'titleJapanese', 'synonym'] as const satisfies readonly TitleMatch['matchedField'][];

function trigrams(norm: string): Set<string> {
  const padded = ` ${norm} `;
  const grams = new Set<string>();
  for (let i = 0; i + 3 <= padded.length; i++) grams.add(padded.slice(i, i + 3));
  return grams;
}

/** A trigram (three UTF-16 code units) as one exact number: 48 bits fit a double. */
function gramCode(gram: string): number {
  return gram.charCodeAt(0) * 4294967296 + gram.charCodeAt(1) * 65536 + gram.charCodeAt(2);
}

/**
 * The title index as flat arrays and one string: built wherever the catalogue is read (a worker
 * thread, see store-snapshot.ts) and handed over without rebuilding, and a handful of arrays
 * instead of ~50k objects and ~20k lists in the serving heap.
 */
export interface TitleIndexData {
  /** Name → anime id, which of the title's fields it is (FIELDS), and which synonym (else -1). */
  nameAnime: Int32Array;
  nameField: Uint8Array;
  nameSynonym: Int32Array;
  /** Every normalised name, concatenated: name i is normText[normStart[i] … normStart[i + 1]). */
  normText: string;
  normStart: Int32Array;
  /** Trigram codes, ascending; names with trigram g are gramNames[gramPtr[g] … gramPtr[g + 1]), ascending. */
  gramCodes: Float64Array;
  gramPtr: Int32Array;
  gramNames: Int32Array;
  /** log1p of the most members any title has (popularity bonus denominator). */
  logMaxMembers: number;
}

/** Indexes every title's names (main, English, Japanese, synonyms) for `search`. */
export function buildTitleIndexData(anime: readonly Anime[]): TitleIndexData {
  const nameAnime: number[] = [];
  const nameField: number[] = [];
  const nameSynonym: number[] = [];
  const norms: string[] = [];
  const normStart: number[] = [0];
  const postings = new Map<number, number[]>();
  const add = (a: Anime, raw: string | null, field: number, synonym: number): void => {
    if (raw === null) return;
    const norm = normalizeTitle(raw);
    if (norm === '') return;
    const at = nameAnime.length;
    nameAnime.push(a.animeId);
    nameField.push(field);
    nameSynonym.push(synonym);
    norms.push(norm);
    normStart.push(normStart[at]! + norm.length);
    for (const g of trigrams(norm)) {
      const code = gramCode(g);
      let list = postings.get(code);
      if (list === undefined) postings.set(code, (list = []));
      list.push(at);
    }
  };
  let maxMembers = 1;
  for (const a of anime) {
    add(a, a.title, 0, -1);
    add(a, a.titleEnglish, 1, -1);
    add(a, a.titleJapanese, 2, -1);
    a.synonyms.forEach((s, k) => add(a, s, 3, k));
    maxMembers = Math.max(maxMembers, a.members ?? 0);
  }
  const gramCodes = Float64Array.from(postings.keys()).sort();
  const gramPtr = new Int32Array(gramCodes.length + 1);
  const gramNames = new Int32Array([...postings.values()].reduce((n, list) => n + list.length, 0));
  for (let g = 0; g < gramCodes.length; g++) {
    const list = postings.get(gramCodes[g]!)!;
    gramNames.set(list, gramPtr[g]!);
    gramPtr[g + 1] = gramPtr[g]! + list.length;
  }
  return {
    nameAnime: Int32Array.from(nameAnime),
    nameField: Uint8Array.from(nameField),
    nameSynonym: Int32Array.from(nameSynonym),
    normText: norms.join(''),
    normStart: Int32Array.from(normStart),
    gramCodes,
    gramPtr,
    gramNames,
    logMaxMembers: Math.log1p(maxMembers),
  };
}

/** The arrays of `data`, for a worker's transfer list. */
export function titleIndexBuffers(data: TitleIndexData): ArrayBuffer[] {
  return [data.nameAnime, data.nameField, data.nameSynonym, data.normStart, data.gramCodes, data.gramPtr, data.gramNames].map(
    (a) => a.buffer as ArrayBuffer,
  );
}

/** Best Jaro-Winkler of each query token against the name's tokens, averaged over the query. */
/** What a query word that is only the start of a name word counts at least (the word itself: 1). */
const PREFIX_WORD = 0.85;

function tokenScore(queryTokens: readonly string[], nameTokens: readonly string[]): number {
  if (queryTokens.length === 0 || nameTokens.length === 0) return 0;
  let sum = 0;
  for (const q of queryTokens) {
    let best = 0;
    for (const t of nameTokens) {
      if (t === q) {
        best = 1;
        break;
      }
      // A query word that begins a name word counts (users type "shingeki kyo"), the more the more
      // of the word it has, and less than the word itself: "re" is not "rei" (Ga-Rei: Zero).
      if (t.startsWith(q)) {
        best = Math.max(best, PREFIX_WORD + (1 - PREFIX_WORD) * (q.length / t.length));
        continue;
      }
      // Below 0.8 a word counts as no match, so a word that cannot beat max(best, 0.8) changes nothing.
      const bound = jaroWinklerBound(q, t);
      if (bound <= best || bound < 0.8) continue;
      const s = jaroWinkler(q, t);
      if (s > best) best = s;
      if (best === 1) break;
    }
    sum += best < 0.8 ? 0 : best;
  }
  // Names with many extra words are a slightly worse match than a name that is just the query.
  const coverage = Math.min(1, queryTokens.length / nameTokens.length);
  return (sum / queryTokens.length) * (0.9 + 0.1 * coverage);
}

export class TitleIndex {
  private readonly data: TitleIndexData;
  /** Normalised names and their words, cut out of `data` the first time a search looks at them. */
  private readonly norms: (string | undefined)[] = [];
  private readonly tokens: (string[] | undefined)[] = [];

  /** `data` built elsewhere for this catalogue (a worker thread); without it the index is built here. */
  constructor(
    private readonly catalog: Catalog,
    data: TitleIndexData = buildTitleIndexData(catalog.anime),
  ) {
    this.data = data;
  }

  private get size(): number {
    return this.data.nameAnime.length;
  }

  private normOf(at: number): string {
    return (this.norms[at] ??= this.data.normText.slice(this.data.normStart[at], this.data.normStart[at + 1]));
  }

  private tokensOf(at: number): string[] {
    return (this.tokens[at] ??= this.normOf(at).split(' '));
  }

  /** The name as the catalogue spells it. */
  private rawOf(at: number, anime: Anime): string {
    switch (this.data.nameField[at]) {
      case 0:
        return anime.title;
      case 1:
        return anime.titleEnglish!;
      case 2:
        return anime.titleJapanese!;
      default:
        return anime.synonyms[this.data.nameSynonym[at]!]!;
    }
  }

  /** Where trigram `gram` is in `data.gramCodes`, or -1. */
  private gramSlot(gram: string): number {
    const codes = this.data.gramCodes;
    const code = gramCode(gram);
    let lo = 0;
    let hi = codes.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const c = codes[mid]!;
      if (c === code) return mid;
      if (c < code) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  /** Trigram hit counts per name, reused across searches (zeroed after each). */
  private hitCounts: Int32Array | null = null;
  private touched: Int32Array | null = null;

  /**
   * Candidate names: the `limit` sharing the most trigrams with the normalised query, most hits
   * first, ties in the order the names were first hit. Counting sort over a reused array: common
   * trigrams ("the", " no") hit thousands of names, and a Map plus a full sort of them cost more
   * than scoring the candidates.
   */
  private candidates(q: string, limit: number): number[] {
    const counts = (this.hitCounts ??= new Int32Array(this.size));
    const touched = (this.touched ??= new Int32Array(this.size));
    const { gramPtr, gramNames } = this.data;
    let nTouched = 0;
    let maxCount = 0;
    for (const g of trigrams(q)) {
      const slot = this.gramSlot(g);
      if (slot < 0) continue;
      for (let j = gramPtr[slot]!; j < gramPtr[slot + 1]!; j++) {
        const at = gramNames[j]!;
        const c = ++counts[at]!;
        if (c === 1) touched[nTouched++] = at;
        if (c > maxCount) maxCount = c;
      }
    }
    // Bucket sizes by count, then each bucket's start (highest count first); stable in first-hit order.
    const starts = new Int32Array(maxCount + 2);
    for (let t = 0; t < nTouched; t++) starts[maxCount - counts[touched[t]!]! + 1]!++;
    for (let b = 1; b <= maxCount + 1; b++) starts[b]! += starts[b - 1]!;
    const take = Math.min(limit, nTouched);
    const out = new Array<number>(take);
    for (let t = 0; t < nTouched; t++) {
      const at = touched[t]!;
      const slot = starts[maxCount - counts[at]!]!++;
      if (slot < take) out[slot] = at;
      counts[at] = 0;
    }
    return out;
  }

  /**
   * Best matches for `query`, one per title, best first. `minScore` drops weak matches (0.75
   * keeps typos like "naurto" but not unrelated titles); `includeAdult` false hides adult titles.
   */
  search(query: string, options: { limit?: number; minScore?: number; includeAdult?: boolean } = {}): TitleMatch[] {
    const limit = options.limit ?? 10;
    const minScore = options.minScore ?? 0.75;
    const q = normalizeTitle(query);
    if (q === '') return [];
    const qTokens = q.split(' ');
    const best = new Map<number, TitleMatch>();
    for (const at of this.candidates(q, 400)) {
      const animeId = this.data.nameAnime[at]!;
      const anime = this.catalog.get(animeId);
      if (anime === undefined || (anime.adult && !options.includeAdult)) continue;
      const norm = this.normOf(at);
      let score: number;
      if (norm === q) score = 1;
      else {
        const prefix = norm.startsWith(q) ? 0.9 + 0.05 * (q.length / norm.length) : 0;
        score = Math.max(tokenScore(qTokens, this.tokensOf(at)), prefix);
        // The whole-name comparison only matters if it can beat that and reach the cut-off.
        const bound = jaroWinklerBound(q, norm);
        if (bound > score && bound >= minScore) score = Math.max(score, jaroWinkler(q, norm));
      }
      if (score < minScore) continue;
      // Up to +0.03 for the most popular titles: "Naruto" means Naruto, not "Naruto: Takigakure".
      const popularity = Math.log1p(anime.members ?? 0) / this.data.logMaxMembers;
      const ranked = Math.min(1, score) * 0.97 + 0.03 * popularity;
      const previous = best.get(animeId);
      if (previous === undefined || ranked > previous.score) {
        best.set(animeId, { animeId, score: ranked, matchedName: this.rawOf(at, anime), matchedField: FIELDS[this.data.nameField[at]!]! });
      }
    }
    return [...best.values()].sort((a, b) => b.score - a.score || a.animeId - b.animeId).slice(0, limit);
  }
}
