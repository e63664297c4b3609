import { useState } from 'preact/hooks';
import type { Franchise } from '../api';
import { metaLine } from './Card';
import { Cover } from './Cover';

/**
 * "+N more from <franchise>" under a card: the list shows one card per franchise, and the
 * franchise's other entries are one click away here instead of taking a card each. Entries the
 * visitor hid on this page stay hidden; with none left the line is not shown.
 */
export function FranchiseMore({ franchise, cardId, hidden }: { franchise: Franchise; cardId: number; hidden: ReadonlySet<number> }) {
  const [open, setOpen] = useState(false);
  const more = franchise.more.filter((m) => !hidden.has(m.anime.id));
  if (more.length === 0) return null;
  const listId = `card-${cardId}-more`;
  return (
    <div class="franchise-more">
      <button
        type="button"
        class="more-toggle"
        aria-expanded={open}
        aria-controls={open ? listId : undefined}
        onClick={() => setOpen((o) => !o)}
      >
        <span aria-hidden="true" class="chevron">
          {open ? '▾' : '▸'}
        </span>{' '}
        +{more.length} more from {franchise.name}
      </button>
      {open && (
        <ul id={listId} class="franchise-items" aria-label={`More from ${franchise.name}`}>
          {more.map(({ anime }) => (
            <li key={anime.id} data-anime-id={anime.id}>
              <Cover anime={anime} size="small" />
              <div class="franchise-item-text">
                <a href={`https://myanimelist.net/anime/${anime.id}`} target="_blank" rel="noopener noreferrer">
                  {anime.titleEnglish ?? anime.title}
                </a>
                <p class="franchise-meta">{metaLine(anime) || 'Format and year unknown'}</p>
              </div>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
