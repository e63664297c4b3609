/**
 * Readable output for a terminal: a numbered table of titles (rank, title, format · year, the
 * reason), then the notes the engine attached. `--json` bypasses all of this and prints the API's
 * response object as is (printJson), so scripts read the same field names as HTTP clients.
 */
import type { AnimeSummary } from '../recommend/catalog.js';
import type { TasteProfile, FacetShare } from '../recommend/taste-profile.js';
import { normalizeTitle } from '../recommend/title-search.js';
import type { ResolvedTitle } from './titles.js';

type Out = (line: string) => void;

/** The widest title column before titles are cut (with "…"), so reasons stay on the line. */
const TITLE_WIDTH = 44;

/** Below this match confidence a resolved name is flagged for the person to check. */
const UNSURE = 0.85;

export function printJson(out: Out, value: unknown): void {
  out(JSON.stringify(value, null, 2));
}

/** Width in terminal columns, counting East Asian wide characters twice (Japanese titles). */
function width(text: string): number {
  let w = 0;
  for (const ch of text)
    w += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/u.test(ch) ? 2 : 1;
  return w;
}

function pad(text: string, to: number): string {
  return text + ' '.repeat(Math.max(0, to - width(text)));
}

function cut(text: string, to: number): string {
  if (width(text) <= to) return text;
  let out = '';
  for (const ch of text) {
    if (width(out + ch) > to - 1) break;
    out += ch;
  }
  return `${out}…`;
}

/** "TV · 2011", "Movie · 2013 · fall", or "—" when neither is known. */
export function formatYear(anime: Pick<AnimeSummary, 'format' | 'year'>): string {
  return [anime.format, anime.year].filter((v) => v !== null && v !== undefined).join(' · ') || '—';
}

export interface TableRow {
  rank: number;
  anime: Pick<AnimeSummary, 'title' | 'format' | 'year'>;
  text: string;
}

/** Rank, title, format · year, and one more column (the reason, or what a search matched). */
export function printTable(out: Out, rows: readonly TableRow[], lastHeader: string): void {
  const titles = rows.map((r) => cut(r.anime.title, TITLE_WIDTH));
  const metas = rows.map((r) => formatYear(r.anime));
  const rankWidth = Math.max(2, ...rows.map((r) => String(r.rank).length));
  const titleWidth = Math.max(5, ...titles.map(width));
  const metaWidth = Math.max(13, ...metas.map(width));
  out(`${'#'.padStart(rankWidth)}  ${pad('title', titleWidth)}  ${pad('format · year', metaWidth)}  ${lastHeader}`);
  rows.forEach((row, i) =>
    out(`${String(row.rank).padStart(rankWidth)}  ${pad(titles[i]!, titleWidth)}  ${pad(metas[i]!, metaWidth)}  ${row.text}`),
  );
}

/** What each typed name was taken to mean, flagging the unsure ones with their alternatives. */
export function printResolved(out: Out, resolved: readonly ResolvedTitle[]): void {
  if (resolved.length === 0) return;
  out('Your titles:');
  for (const r of resolved) {
    // The search's popularity bonus keeps an exact name just under 1: compare the names instead.
    const exact = normalizeTitle(r.input) === normalizeTitle(r.matchedName);
    const others = r.alternatives.slice(0, 2).map((a) => a.title);
    const unsure =
      r.confidence < UNSURE && others.length > 0
        ? ` — not sure: or ${others.map((t) => `"${t}"`).join(', ')}? Type the title more fully to pick another.`
        : '';
    out(
      `  "${r.input}" → ${r.anime.title}${exact ? '' : ` (match ${r.confidence.toFixed(2)}${r.matchedName !== r.anime.title ? `, as "${r.matchedName}"` : ''})`}${exact ? '' : unsure}`,
    );
  }
  out('');
}

export interface ListLike {
  items: readonly { rank: number; anime: AnimeSummary; reason: string; franchise?: { name: string; more: readonly unknown[] } | null }[];
  nextOffset: number | null;
  notes: readonly string[];
  model: { kind: string; version: string };
  season?: string;
}

/** A recommendation list: heading, table, notes, and how to get the next page. */
export function printList(out: Out, heading: string, list: ListLike): void {
  out(`${heading} — model ${list.model.kind} (${list.model.version})${list.season ? `, season ${list.season}` : ''}`);
  if (list.items.length === 0) out('No titles to show.');
  else
    printTable(
      out,
      list.items.map((item) => ({
        rank: item.rank,
        anime: item.anime,
        text:
          item.franchise && item.franchise.more.length > 0
            ? `${item.reason} (+${item.franchise.more.length} more from ${item.franchise.name})`
            : item.reason,
      })),
      'why',
    );
  for (const note of list.notes) out(`note: ${note}`);
  if (list.nextOffset !== null) out(`more: add --offset ${list.nextOffset}`);
}

function facetLine(shares: readonly FacetShare[], n: number): string {
  if (shares.length === 0) return '—';
  return shares
    .slice(0, n)
    .map((f) => `${f.name} ${Math.round(f.share * 100)}%${f.lift >= 1.3 ? ` (${f.lift.toFixed(1)}× avg)` : ''}`)
    .join(', ');
}

/** The taste profile as a few labelled lines. */
export function printProfile(out: Out, heading: string, profile: TasteProfile): void {
  out(heading);
  const mean =
    profile.meanScore === null
      ? 'no scores'
      : `mean score ${profile.meanScore.toFixed(2)} (average user ${profile.averageUserMeanScore.toFixed(2)})`;
  out(`  listed      ${profile.listed} titles, ${profile.scored} scored; ${mean}`);
  const statuses = Object.entries(profile.statuses)
    .map(([status, n]) => `${status} ${n}`)
    .join(', ');
  if (statuses) out(`  statuses    ${statuses}`);
  if (profile.scored > 0) out(`  scores      ${profile.scoreDistribution.map((n, i) => `${i + 1}:${n}`).join(' ')}`);
  out(`  genres      ${facetLine(profile.favourites.genres, 6)}`);
  out(`  themes      ${facetLine(profile.favourites.themes, 6)}`);
  out(`  studios     ${facetLine(profile.favourites.studios, 5)}`);
  out(`  sources     ${facetLine(profile.favourites.sources, 4)}`);
  out(`  formats     ${facetLine(profile.formats, 4)}`);
  out(`  eras        ${facetLine(profile.eras, 5)}`);
  for (const line of profile.differences) out(`  · ${line}`);
}
