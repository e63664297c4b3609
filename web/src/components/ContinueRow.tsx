import { api, type ContinueItem, type ContinueKind } from '../api';
import { titleEntries, type Source } from '../state';
import { ShelfTile } from './SeasonRow';

/** Titles the row asks for. */
export const CONTINUE_ROW_SIZE = 10;

const KIND_LABEL: Record<ContinueKind, string> = {
  next_entry: 'Next entry',
  new_season: 'New season',
  planned: 'On your plan-to-watch list',
};

/**
 * "Continue what you started" for a stored user or a list of titles (the same entries the list
 * sends, so titles marked on this page count). Null when there is no list or the request fails:
 * the row is an extra, and the recommendations are what the page is for.
 */
export async function loadContinueRow(source: Source, hidden: ReadonlySet<number>): Promise<ContinueItem[] | null> {
  try {
    if (source.kind === 'titles') return (await api.continueFromTitles(titleEntries(source), CONTINUE_ROW_SIZE)).items;
    // Known users cannot be told "not these" in the request: ask for enough to drop the hidden ones.
    if (source.kind === 'user') return (await api.continueForUser(source.user, Math.min(100, CONTINUE_ROW_SIZE + hidden.size))).items;
    return null;
  } catch {
    return null;
  }
}

/** Next entries of what the visitor finished, new seasons, and aired titles they plan to watch; hidden when there are none. */
export function ContinueRow({ items, hidden }: { items: ContinueItem[] | null; hidden: ReadonlySet<number> }) {
  const shown = (items ?? []).filter((i) => !hidden.has(i.anime.id)).slice(0, CONTINUE_ROW_SIZE);
  if (shown.length === 0) return null;
  return (
    <section class="shelf continue-row" aria-labelledby="continue-row-title">
      <div class="shelf-head">
        <h2 id="continue-row-title">Continue what you started</h2>
        <p class="muted">Next entries of what you finished, new seasons, and aired titles on your plan-to-watch list.</p>
      </div>
      <ul class="shelf-items" aria-label="Continue what you started">
        {shown.map((item) => (
          <ShelfTile
            key={item.anime.id}
            item={item}
            class="continue-item"
            data={{ 'data-kind': item.kind }}
            badge={KIND_LABEL[item.kind] ?? null}
          />
        ))}
      </ul>
    </section>
  );
}
