/**
 * Franchises: the titles that belong together (a series, its sequels, movies, specials and
 * spin-offs), so lists can show one card per franchise, hold back a series' later entries from
 * someone who has not started it, and list what continues a series someone watched. See
 * docs/data-model.md ("Franchises").
 *
 * Two sources, in this order of trust:
 * 1. Relations a catalogue source gives (AniList's sequel/prequel/side story/... edges). A title
 *    with relation data is grouped by its relations alone.
 * 2. Otherwise the title-stem heuristic (title-stems.ts): a title whose stem begins with another
 *    title's stem, and which shares most of its genres and themes, continues it. The bundled data
 *    has no relations, so this is what a default install uses.
 */
import type { Anime, AnimeFormat, AnimeRelation, RelationType } from '../types.js';
import { continuesTitle, continuesSeries, hasSequelMarker, MIN_TAG_OVERLAP, stemsOf, tagOverlap, tagsOf } from './title-stems.js';

/**
 * Relations that keep two titles in one franchise. `character` (a shared character, e.g. a
 * crossover) and `other` link unrelated works too often to group by.
 */
export const FRANCHISE_RELATIONS: ReadonlySet<RelationType> = new Set<RelationType>([
  'sequel', 'prequel', 'side_story', 'parent_story', 'summary', 'full_story', 'alternative_version', 'alternative_setting', 'spin_off',
]);

/**
 * Formats that are not a way into a series and rank below full series for people who do not
 * watch them: one-off specials, recaps, music videos, commercials, promotional videos.
 */
export const MINOR_FORMATS: ReadonlySet<AnimeFormat> = new Set(['Special', 'TV Special', 'Music', 'CM', 'PV']);

export function isMinorFormat(anime: Pick<Anime, 'format'>): boolean {
  return anime.format !== null && MINOR_FORMATS.has(anime.format);
}

const SEASON_ORDER: Record<string, number> = { winter: 0, spring: 1, summer: 2, fall: 3 };

/**
 * Release order of a franchise's entries. Years (and seasons) when every entry has one; else MAL
 * ids, which MyAnimeList hands out as entries are added, so a sequel almost always has a larger
 * id than what it continues. The older catalogue sources have no years for most titles, and
 * mixing the two orders would not be an order at all.
 */
function releaseOrder(entries: Anime[]): Anime[] {
  const dated = entries.every((a) => a.year !== null);
  return entries.sort((a, b) =>
    dated
      ? a.year! - b.year! || (SEASON_ORDER[a.season ?? ''] ?? 4) - (SEASON_ORDER[b.season ?? ''] ?? 4) || a.animeId - b.animeId
      : a.animeId - b.animeId,
  );
}

class UnionFind {
  private readonly parent: Int32Array;
  constructor(n: number) {
    this.parent = Int32Array.from({ length: n }, (_, i) => i);
  }
  find(i: number): number {
    let root = i;
    while (this.parent[root] !== root) root = this.parent[root]!;
    while (this.parent[i] !== root) {
      const next = this.parent[i]!;
      this.parent[i] = root;
      i = next;
    }
    return root;
  }
  union(a: number, b: number): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra !== rb) this.parent[Math.max(ra, rb)] = Math.min(ra, rb);
  }
}

/** One franchise: its entries in release order and the entries a newcomer may start with. */
export interface Franchise {
  /** The MAL id of its first entry in release order: stable while no earlier entry is added. */
  id: number;
  /** The name of its way in (its first full series), as MyAnimeList titles it. */
  name: string;
  /** MAL ids in release order. */
  entries: readonly number[];
  /**
   * Where someone who has not started the franchise may start: its first full series in release
   * order (a TV series when it has one); titles a source says are alternative versions of it; and,
   * without relations, a full series listed by at least REMAKE_MEMBERS times as many people whose
   * title does not say it is a sequel: that is how remakes look ("Fullmetal Alchemist:
   * Brotherhood", "Hunter x Hunter (2011)", "Kanon (2006)"), where most people start.
   */
  waysIn: ReadonlySet<number>;
}

const isTv = (a: Anime): boolean => a.format === 'TV';
const isFull = (a: Anime): boolean => !isMinorFormat(a);

/**
 * How many times the first series' members a remake needs. Member counts come from sources of
 * different years (the 2016 dataset, a recent catalogue), so a sequel counted recently can have a
 * few more members than its original counted in 2016; a remake that people start with has many more.
 */
const REMAKE_MEMBERS = 2;

function franchiseOf(entries: Anime[], alternatives: ReadonlyMap<number, number[]>, hasRelations: boolean): Franchise {
  const ordered = releaseOrder(entries);
  const first = ordered.find(isTv) ?? ordered.find(isFull) ?? ordered[0]!;
  const waysIn = new Set([first.animeId, ...(alternatives.get(first.animeId) ?? [])]);
  if (!hasRelations && first.members !== null) {
    for (const a of ordered) {
      if (isFull(a) && a.members !== null && a.members >= REMAKE_MEMBERS * first.members && !hasSequelMarker(a.title)) waysIn.add(a.animeId);
    }
  }
  return { id: ordered[0]!.animeId, name: first.title, entries: ordered.map((a) => a.animeId), waysIn };
}

/** Every title's franchise (a title with no relatives is a franchise of one). Immutable. */
export class Franchises {
  private readonly byAnime = new Map<number, Franchise>();

  private constructor(groups: Franchise[]) {
    for (const franchise of groups) for (const id of franchise.entries) this.byAnime.set(id, franchise);
  }

  static build(anime: readonly Anime[], relations: readonly AnimeRelation[] = []): Franchises {
    const steps = Franchises.steps(anime, relations);
    for (;;) {
      const next = steps.next();
      if (next.done) return next.value;
    }
  }

  /**
   * The same build as a generator that yields every few hundred titles, so a server can build
   * it in slices of the event loop (recommend/time-slicer.ts) while it keeps answering.
   */
  static *steps(anime: readonly Anime[], relations: readonly AnimeRelation[] = []): Generator<void, Franchises, void> {
    const index = new Map(anime.map((a, i) => [a.animeId, i]));
    const sets = new UnionFind(anime.length);
    const related = new Set<number>();
    const alternatives = new Map<number, number[]>();
    for (const { animeId, relatedId, relation } of relations) {
      const a = index.get(animeId);
      const b = index.get(relatedId);
      if (a === undefined || b === undefined) continue;
      // A title a source gave relations for is grouped by them, even by the ones that do not group.
      related.add(a).add(b);
      if (FRANCHISE_RELATIONS.has(relation)) sets.union(a, b);
      if (relation === 'alternative_version') {
        for (const [from, to] of [[animeId, relatedId], [relatedId, animeId]] as const) {
          const list = alternatives.get(from);
          if (list === undefined) alternatives.set(from, [to]);
          else list.push(to);
        }
      }
    }
    yield;
    yield* linkByTitle(anime, related, sets);
    const groups = new Map<number, Anime[]>();
    anime.forEach((a, i) => {
      const root = sets.find(i);
      let group = groups.get(root);
      if (group === undefined) groups.set(root, (group = []));
      group.push(a);
    });
    yield;
    return new Franchises([...groups.values()].map((group) => franchiseOf(group, alternatives, group.some((a) => related.has(index.get(a.animeId)!)))));
  }

  /** The title's franchise; undefined for a title not in the catalogue it was built from. */
  of(animeId: number): Franchise | undefined {
    return this.byAnime.get(animeId);
  }

  /** Every franchise with more than one entry. */
  *groups(): Iterable<Franchise> {
    const seen = new Set<number>();
    for (const franchise of this.byAnime.values()) {
      if (franchise.entries.length < 2 || seen.has(franchise.id)) continue;
      seen.add(franchise.id);
      yield franchise;
    }
  }
}

const titleOf = (anime: Anime, kind: number): string => (kind === 0 ? anime.title : (anime.titleEnglish ?? ''));

/**
 * The heuristic: joins each title with every title whose stem its own stem begins (both main
 * titles, or both English titles) and whose tags mostly agree. Titles some source gave relations
 * for are left to those relations on both sides of a pair.
 */
/**
 * A one-word name that at most this many titles start with names a series ("Noragami",
 * "Trigun"); more, and it is a common word ("Gakuen", "Love", "Tokyo").
 */
const DISTINCTIVE_NAME_TITLES = 8;

/** Titles handled between two chances to yield. */
const STEP = 256;

function* linkByTitle(anime: readonly Anime[], related: ReadonlySet<number>, sets: UnionFind): Generator<void, void, void> {
  const stems = anime.map(stemsOf);
  const tags = anime.map(tagsOf);
  // Titles by their whole stem, one map per kind of title (main, English).
  const byStem = [new Map<string, number[]>(), new Map<string, number[]>()];
  // How many titles' stems start with each word, per kind of title.
  const startCounts = [new Map<string, number>(), new Map<string, number>()];
  stems.forEach((own, i) => {
    own.forEach((stem, kind) => {
      if (stem.length === 0) return;
      startCounts[kind]!.set(stem[0]!, (startCounts[kind]!.get(stem[0]!) ?? 0) + 1);
      const key = stem.join(' ');
      const map = byStem[kind]!;
      const owners = map.get(key);
      if (owners === undefined) map.set(key, [i]);
      else owners.push(i);
    });
  });
  for (let i = 0; i < anime.length; i++) {
    if (i % STEP === STEP - 1) yield;
    if (related.has(i)) continue;
    stems[i]!.forEach((stem, kind) => {
      // Every beginning of this stem that is some title's whole stem: that title is continued here.
      for (let length = 1; length <= stem.length; length++) {
        for (const j of byStem[kind]!.get(stem.slice(0, length).join(' ')) ?? []) {
          if (j === i || related.has(j)) continue;
          const listed = stems[j]![kind]!;
          if (!continuesSeries(stem, listed)) continue;
          // Evidence beyond the shared words: the tags agree; the title goes on from the whole
          // listed title; the name is distinctive (few titles start with it). A name of two or
          // more words needs one of the first two (a comedy short of a thriller still starts
          // "Steins;Gate:"); a one-word name needs agreeing tags and one of the other two
          // ("Noragami Aragoto" after "Noragami", but not "Gakuen Heaven" after "Gakuen").
          const tagsAgree = tagOverlap(tags[i]!, tags[j]!) >= MIN_TAG_OVERLAP;
          const goesOn = continuesTitle(titleOf(anime[i]!, kind), titleOf(anime[j]!, kind));
          const distinctive = (startCounts[kind]!.get(listed[0]!) ?? 0) <= DISTINCTIVE_NAME_TITLES;
          if (listed.length === 1 ? !(tagsAgree && (goesOn || distinctive)) : !(tagsAgree || goesOn)) continue;
          sets.union(i, j);
        }
      }
    });
  }
}
