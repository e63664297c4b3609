import { ANIME_FORMATS, type AiringStatus, type AnimeFormat, type Season } from './types.js';

/** Text cells that mean "not known" in the public dumps. */
const UNKNOWN = new Set(['', 'unknown', 'n/a', 'none', 'null', 'nan', '-']);

export function isUnknown(text: string): boolean {
  return UNKNOWN.has(text.trim().toLowerCase());
}

export function textOrNull(text: string): string | null {
  return isUnknown(text) ? null : decodeHtmlEntities(text.trim());
}

/** User ids longer than this are not ids (the longest in the public dumps have 8 digits). */
export const MAX_USER_ID_LENGTH = 64;

/** How much of a bad value a message quotes: a 10 MB field must not become a 10 MB message. */
const QUOTED_VALUE_LENGTH = 40;

/**
 * The message for a field that does not hold what it should: "rating is empty; expected an
 * integer", or "user_id "12ab" is not a non-negative integer" with long values cut.
 */
export function badValueMessage(column: string, text: string, expected: string): string {
  if (text.trim() === '') return `${column} is empty; expected ${expected}`;
  const quoted = text.length <= QUOTED_VALUE_LENGTH ? JSON.stringify(text) : `${JSON.stringify(text.slice(0, QUOTED_VALUE_LENGTH))}… (${text.length.toLocaleString('en')} characters)`;
  return `${column} ${quoted} is not ${expected}`;
}

/** A strict integer parse: "12" → 12, "12.0" → 12, "twelve"/"1e3"/"" → NaN. */
export function parseInteger(text: string): number {
  const t = text.trim();
  if (!/^[+-]?\d+(\.0+)?$/.test(t)) return Number.NaN;
  return Number.parseInt(t, 10);
}

export function parseDecimal(text: string): number {
  const t = text.trim();
  if (!/^[+-]?(\d+\.?\d*|\.\d+)$/.test(t)) return Number.NaN;
  return Number.parseFloat(t);
}

/** Null for "Unknown"-like cells, the number otherwise; NaN flags a value that is present but bad. */
export function optionalInteger(text: string): number | null {
  return isUnknown(text) ? null : parseInteger(text);
}

export function optionalDecimal(text: string): number | null {
  return isUnknown(text) ? null : parseDecimal(text);
}

export function splitList(text: string, separator: string | RegExp): string[] {
  if (isUnknown(text)) return [];
  return text
    .split(separator)
    .map((item) => decodeHtmlEntities(item.trim()))
    .filter((item) => item !== '' && !isUnknown(item));
}

const NAMED_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

/** The 2016 Kaggle dump keeps MAL's HTML entities in titles ("Gintama&#039;"). */
export function decodeHtmlEntities(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (match, body: string) => {
    if (body[0] === '#') {
      const code = body[1] === 'x' || body[1] === 'X' ? Number.parseInt(body.slice(2), 16) : Number.parseInt(body.slice(1), 10);
      return Number.isFinite(code) && code > 0 && code < 0x110000 ? String.fromCodePoint(code) : match;
    }
    return NAMED_ENTITIES[body.toLowerCase()] ?? match;
  });
}

const FORMAT_BY_LOWER = new Map<string, AnimeFormat>(ANIME_FORMATS.map((format) => [format.toLowerCase(), format]));
FORMAT_BY_LOWER.set('tv_short', 'TV');
FORMAT_BY_LOWER.set('tv special', 'TV Special');
FORMAT_BY_LOWER.set('movie', 'Movie');

export function parseFormat(text: string): AnimeFormat | null {
  return FORMAT_BY_LOWER.get(text.trim().toLowerCase()) ?? null;
}

export function parseAiringStatus(text: string): AiringStatus | null {
  const t = text.trim().toLowerCase();
  if (t.startsWith('finished')) return 'finished';
  if (t.startsWith('currently') || t === 'airing') return 'airing';
  if (t.startsWith('not yet') || t === 'upcoming') return 'upcoming';
  return null;
}

export function parseSeason(text: string): Season | null {
  const t = text.trim().toLowerCase();
  return t === 'winter' || t === 'spring' || t === 'summer' || t === 'fall' ? t : t === 'autumn' ? 'fall' : null;
}

/** Age ratings MAL marks as adult-only ("Rx - Hentai"). */
export function isAdultRating(rating: string | null): boolean {
  return rating !== null && /^rx\b/i.test(rating.trim());
}
