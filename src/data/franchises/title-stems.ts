/**
 * Title stems: how titles of one series are recognised without relation data. A sequel's title
 * almost always starts with its series' title ("Ushio to Tora (TV) 2nd Season", "Shingeki no
 * Kyojin Season 2"), so a title whose stem begins with another's continues it. Sharing a first
 * word is not enough on its own ("Monster" and "Monster Musume", "Rainbow" and "Rainbow Days"),
 * so the two must also share most of their genres and themes. Sequels renamed outright are missed.
 */
import type { Anime } from '../types.js';

/**
 * Words that name no series, and words that mark a later entry. Unlike the ranker's title words,
 * numbers are kept: they are part of names ("91 Days", "Brave 10", "Lupin III (2015)").
 */
const NOT_SERIES_WORDS = new Set([
  'no', 'the', 'a', 'of', 'to', 'wa', 'ga', 'wo', 'ni', 'de', 'and', 'in', 'on', 'x',
  'season', 'tv', 'movie', 'ova', 'ona', 'special', 'specials', 'part', 'episode', 'new', 'shin', 'zoku',
  'ii', 'iii', 'iv', 'second', 'third', 'fourth', 'fifth', 'sixth', 'cour', 'final', 'kanketsu', 'zenpen', 'kouhen', 'hen',
]);

/** A title's series stem: its words, lower case, without sequel markers and ordinals, each once, in order. */
export function seriesStem(title: string): string[] {
  const words = title
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .split(/[^a-z0-9]+/)
    .filter((word) => word.length > 1 && !NOT_SERIES_WORDS.has(word) && !/^\d+(st|nd|rd|th)$/.test(word));
  return [...new Set(words)];
}

/** Words after a series' name that still mean "more of the same series" ("Monster Extra", "Doraemon Movie 26"). */
const CONTINUATION_WORDS = new Set([...NOT_SERIES_WORDS, 'extra', 'extras', 'recap', 'gaiden', 'omake', 'oad', 'picture', 'specials', 'shorts', 'mini', 'theater', 'theatre', 'film']);

const plain = (title: string): string => title.toLowerCase().normalize('NFKD').replace(/[\u0300-\u036f]/g, '');

/**
 * True when the candidate begins with the whole listed title, followed by nothing, punctuation, a
 * number or a word that marks an entry ("Naruto: Shippuuden", "Doraemon (1979)", "Kinnikuman II
 * Sei", "Monster Extra") — not by another word ("Gakuen Alice" after "Gakuen", "Kimi to Boku no
 * Saigo no Senjou" after "Kimi to Boku."). Alone it misses sequels with a subtitle ("Noragami
 * Aragoto"), which the franchise builder lets through for distinctive names.
 */
export function continuesTitle(candidate: string, listed: string): boolean {
  const c = plain(candidate);
  const l = plain(listed).trim();
  if (l === '' || !c.startsWith(l)) return false;
  const rest = c.slice(l.length);
  if (rest.trim() === '' || /^\s*[^\sa-z]/.test(rest)) return true;
  const next = /^\s+([a-z]+)/.exec(rest)?.[1];
  return next !== undefined && (CONTINUATION_WORDS.has(next) || /^\d+(st|nd|rd|th)$/.test(next));
}

/** True when the listed title's stem is the beginning of the candidate's ("sword art online" → "sword art online alternative gun gale"). */
export function continuesSeries(candidate: readonly string[], listed: readonly string[]): boolean {
  return listed.length > 0 && listed.length <= candidate.length && listed.every((word, i) => candidate[i] === word);
}

/** Share of the smaller tag set found in the other; 1 when either has no tags (nothing to contradict the title). */
export function tagOverlap(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  if (a.size === 0 || b.size === 0) return 1;
  let shared = 0;
  for (const tag of a) if (b.has(tag)) shared++;
  return shared / Math.min(a.size, b.size);
}

/** How much of their genres, themes and demographics a continuation shares with its series (a parody spin-off shares little). */
export const MIN_TAG_OVERLAP = 0.5;

/** Main title's stem, then the English title's ('' when there is none: an empty stem matches nothing). */
export const stemsOf = (anime: Anime): string[][] => [anime.title, anime.titleEnglish ?? ''].map(seriesStem);

export const tagsOf = (anime: Anime): Set<string> => new Set([...anime.genres, ...anime.themes, ...anime.demographics]);

/** Words that say a title is a later instalment, not a new telling ("2nd Season", "Zoku", "Final"). */
const SEQUEL_WORDS = new Set(['season', 'part', 'ii', 'iii', 'iv', 'v', 'second', 'third', 'fourth', 'fifth', 'sixth', 'cour', 'final', 'new', 'shin', 'zoku', 'kanketsu', 'kouhen', 'next', 'returns', 'continued']);

/** True when the title says it is a later instalment: a sequel word, an ordinal, or a number after the name ("Haikyuu!! 2"). */
export function hasSequelMarker(title: string): boolean {
  const words = plain(title).split(/[^a-z0-9]+/).filter((w) => w !== '');
  return words.some((word, i) => SEQUEL_WORDS.has(word) || /^\d+(st|nd|rd|th)$/.test(word) || (i > 0 && /^\d{1,2}$/.test(word)));
}
