import { useEffect, useState } from 'preact/hooks';
import { api } from './api';

/** Synopses are cached per page load: cards re-render often (marks, filters) but text never changes. */
const cache = new Map<number, string | null>();

/**
 * Synopses for the given ids, fetched in one request for the ones not seen yet.
 * undefined = still loading, null = the catalogue has none.
 */
export function useDetails(ids: number[]): Record<number, string | null | undefined> {
  const [, bump] = useState(0);
  const missing = ids.filter((id) => !cache.has(id));
  const key = missing.join(',');
  useEffect(() => {
    if (missing.length === 0) return;
    let live = true;
    api
      .details(missing.slice(0, 100))
      .then((r) => {
        for (const id of missing) cache.set(id, null);
        for (const d of r.items) cache.set(d.id, d.synopsis);
      })
      // A failed synopsis fetch should not break the cards: show them without text.
      .catch(() => missing.forEach((id) => cache.set(id, null)))
      .finally(() => live && bump((n) => n + 1));
    return () => {
      live = false;
    };
  }, [key]);
  return Object.fromEntries(ids.map((id) => [id, cache.has(id) ? cache.get(id)! : undefined]));
}
