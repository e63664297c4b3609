/**
 * Titles typed on the command line → catalogue titles, with the engine's typo-tolerant search
 * (recommend/title-search.ts) and the choices the API's from-titles and similar routes make: the
 * best match wins, the next ones are its alternatives, and a name nothing matches is an error with
 * loose matches as suggestions. The CLI checks every name before failing, so one run names all the
 * typos at once.
 */
import type { Catalog } from '../recommend/catalog.js';
import type { TitleIndex, TitleMatch } from '../recommend/title-search.js';
import { CliError } from './errors.js';

export interface TitleInput {
  title: string;
  score: number | null;
}

/** What the API's from-titles route answers in `resolved` for one name. */
export interface ResolvedTitle {
  input: string;
  anime: { id: number; title: string };
  confidence: number;
  matchedName: string;
  alternatives: { id: number; title: string; confidence: number }[];
}

/** A trailing "=9" is the person's score (1–10) for the title before it. */
const SCORE_SUFFIX = /\s*=\s*(10|[1-9])\s*$/;

/** "Steins;Gate, Monster=9" (possibly several --titles values) → names with optional scores. */
export function parseTitleList(values: readonly string[]): TitleInput[] {
  const out: TitleInput[] = [];
  for (const value of values) {
    for (const part of value.split(',')) {
      const text = part.trim();
      if (text === '') continue;
      const score = SCORE_SUFFIX.exec(text);
      const title = score ? text.slice(0, score.index).trim() : text;
      if (title === '') throw new CliError(`--titles: "${text}" has a score but no title; write e.g. "Monster=9".`);
      out.push({ title, score: score ? Number(score[1]) : null });
    }
  }
  if (out.length === 0)
    throw new CliError('--titles is empty; list titles separated by commas, e.g. --titles "Steins;Gate, Monster, Mushishi".');
  return out;
}

const round = (score: number): number => Number(score.toFixed(3));

function brief(catalog: Catalog, match: TitleMatch): { id: number; title: string; confidence: number } {
  return { id: match.animeId, title: catalog.get(match.animeId)?.title ?? `anime ${match.animeId}`, confidence: round(match.score) };
}

/** Loose matches for a name the search found nothing for (the API's 404 suggestions). */
export function suggestionsFor(titles: TitleIndex, catalog: Catalog, name: string, limit = 3): string[] {
  return titles.search(name, { limit, minScore: 0.5 }).map((m) => catalog.get(m.animeId)?.title ?? `anime ${m.animeId}`);
}

function unmatched(name: string, suggestions: readonly string[]): string {
  return `"${name}"${suggestions.length > 0 ? ` (did you mean ${suggestions.map((s) => `"${s}"`).join(', ')}?)` : ''}`;
}

/** Every name resolved, or one error naming each name that matched nothing (and what did match). */
export function resolveTitles(inputs: readonly TitleInput[], catalog: Catalog, titles: TitleIndex): ResolvedTitle[] {
  const resolved: ResolvedTitle[] = [];
  const failed: string[] = [];
  for (const input of inputs) {
    // The from-titles route asks for 4 matches and keeps the rest as alternatives.
    const matches = titles.search(input.title, { limit: 4, includeAdult: false });
    if (matches.length === 0) {
      failed.push(unmatched(input.title, suggestionsFor(titles, catalog, input.title)));
      continue;
    }
    const best = matches[0]!;
    resolved.push({
      input: input.title,
      anime: { id: best.animeId, title: catalog.get(best.animeId)!.title },
      confidence: round(best.score),
      matchedName: best.matchedName,
      alternatives: matches.slice(1).map((m) => brief(catalog, m)),
    });
  }
  if (failed.length > 0) {
    const ok = resolved.length > 0 ? ` Matched: ${resolved.map((r) => `"${r.input}" → ${r.anime.title}`).join('; ')}.` : '';
    throw new CliError(`No title matches ${failed.join(', ')}; check the spelling (\`anirec search "..."\` finds titles).${ok}`);
  }
  return resolved;
}
