import { api, type Filters, type Item, type RecList } from '../api';
import type { FilterField } from '../../../src/wire/filters';
import { metaLine } from './Card';
import { Cover } from './Cover';
import { seasonLabel, titleEntries, type Source } from '../state';

/** Titles the row shows. */
export const SEASON_ROW_SIZE = 8;
/**
 * Fewer titles than this from the season, and the row adds titles airing now (status=airing):
 * early in a season, or on a catalogue that does not reach it yet, a row of one or two titles
 * says less than "what is on now" does.
 */
export const SEASON_ROW_MIN = 4;

/** The row decides the time itself: the page's year range, status and season do not apply to it. */
const TIME_FILTERS: readonly string[] = ['yearMin', 'yearMax', 'status', 'season'] satisfies FilterField[];

function rowFilters(filters: Filters, time: Filters): Filters {
  const out: Filters = {};
  for (const [k, v] of Object.entries(filters) as [FilterField, Filters[FilterField]][]) if (!TIME_FILTERS.includes(k)) out[k] = v;
  return { ...out, ...time };
}

async function fetchRow(source: Source, filters: Filters, k: number): Promise<RecList> {
  if (source.kind === 'titles') return api.fromTitles(titleEntries(source), k, 0, filters);
  if (source.kind === 'user') return api.forUser(source.user, k, 0, filters);
  throw new Error('the season row needs a list: a user or titles');
}

export interface SeasonRowData {
  items: Item[];
  season: string | null;
  /** True when titles airing now were added because the season had too few. */
  withAiring: boolean;
}

/**
 * The season's row: `season=current` first, then titles airing now when the season alone is too
 * thin. Null when it cannot be loaded: the main list is what the page is for.
 */
export async function loadSeasonRow(source: Source, filters: Filters, hidden: ReadonlySet<number>): Promise<SeasonRowData | null> {
  if (source.kind !== 'user' && source.kind !== 'titles') return null;
  try {
    return await loadRow(source, filters, hidden);
  } catch {
    return null;
  }
}

async function loadRow(source: Source, filters: Filters, hidden: ReadonlySet<number>): Promise<SeasonRowData> {
  // Known users cannot be told "not these" in the request: ask for enough to drop the hidden ones.
  const k = Math.min(100, SEASON_ROW_SIZE + (source.kind === 'user' ? hidden.size : 0));
  const seasonal = await fetchRow(source, rowFilters(filters, { season: 'current' }), k);
  const items = seasonal.items.filter((i) => !hidden.has(i.anime.id)).slice(0, SEASON_ROW_SIZE);
  let withAiring = false;
  if (items.length < SEASON_ROW_MIN) {
    const airing = await fetchRow(source, rowFilters(filters, { status: ['airing'] }), k);
    const shown = new Set(items.map((i) => i.anime.id));
    for (const item of airing.items) {
      if (items.length >= SEASON_ROW_SIZE) break;
      if (hidden.has(item.anime.id) || shown.has(item.anime.id)) continue;
      items.push(item);
      withAiring = true;
    }
  }
  return { items, season: seasonal.season ?? null, withAiring };
}

/**
 * "This season for you": the season's titles for this list, new seasons of series on it first
 * (the API puts them there and says so in the reason). Shown only when it has titles.
 */
export function SeasonRow({ row, hidden }: { row: SeasonRowData | null; hidden: ReadonlySet<number> }) {
  const items = row?.items.filter((i) => !hidden.has(i.anime.id)) ?? [];
  if (row === null || items.length === 0) return null;
  const season = row.season ? seasonLabel(row.season) : 'this season';
  return (
    <section class="shelf season-row" aria-labelledby="season-row-title">
      <div class="shelf-head season-head">
        <h2 id="season-row-title">This season for you</h2>
        <p class="muted">
          {season}
          {row.withAiring ? ` — few ${season} titles match, so this row also has titles airing now.` : ''}
        </p>
      </div>
      <ul class="shelf-items season-items" aria-label={`This season for you: ${season}`}>
        {items.map((item) => (
          <ShelfTile key={item.anime.id} item={item} class="season-item" data={{ 'data-reason-kind': item.reasons[0]?.kind ?? '' }} />
        ))}
      </ul>
    </section>
  );
}

/**
 * One compact tile of a shelf row (this season, continue what you started): small cover, title
 * linking to MyAnimeList like the cards do, meta line, the reason, and "more like this" when the
 * model can score the title.
 */
export function ShelfTile({
  item,
  class: extra,
  data,
  badge = null,
}: {
  item: Item;
  class: string;
  data: Record<string, string>;
  badge?: string | null;
}) {
  const a = item.anime;
  const name = a.titleEnglish ?? a.title;
  return (
    <li class={`shelf-item ${extra}`} data-anime-id={a.id} {...data}>
      <div class="shelf-title">
        <Cover anime={a} size="small" />
        <div>
          {badge && <p class="shelf-badge">{badge}</p>}
          <h3>
            <a href={`https://myanimelist.net/anime/${a.id}`} target="_blank" rel="noopener noreferrer" title={name}>
              {name}
            </a>
          </h3>
        </div>
      </div>
      <p class="meta">{metaLine(a) || 'Format and year unknown'}</p>
      <p class="reason" title={item.reason}>
        <span class="reason-text">
          <span class="visually-hidden">Why: </span>
          {item.reason}
        </span>
      </p>
      {item.score !== null && (
        // A title the model cannot score yet has no neighbours for "more like this".
        <a class="btn small" href={`/similar/${a.id}`} aria-label={`More like ${name}`}>
          More like this
        </a>
      )}
    </li>
  );
}
