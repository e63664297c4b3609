import { useEffect, useId, useRef, useState } from 'preact/hooks';
import { api, ApiError, type Anime, type SearchHit } from '../api';

interface Props {
  label: string;
  placeholder?: string;
  onPick: (anime: Anime) => void;
  /** Ids already chosen, shown as such in the suggestions. */
  chosen?: number[];
  autoFocus?: boolean;
}

/**
 * Title search as you type: an ARIA 1.2 combobox (arrow keys move, Enter picks, Escape closes),
 * backed by the API's typo-tolerant search. Older requests are aborted so a slow answer for
 * "shi" never replaces the one for "shingeki".
 */
export function TitleSearch({ label, placeholder, onPick, chosen = [], autoFocus }: Props) {
  const id = useId();
  const [query, setQuery] = useState('');
  const [hits, setHits] = useState<SearchHit[]>([]);
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(-1);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const input = useRef<HTMLInputElement>(null);

  useEffect(() => {
    if (autoFocus) input.current?.focus();
  }, [autoFocus]);

  useEffect(() => {
    const q = query.trim();
    if (q.length < 2) {
      setHits([]);
      setError(null);
      return;
    }
    const controller = new AbortController();
    const timer = setTimeout(() => {
      setBusy(true);
      api
        .search(q, controller.signal)
        .then((r) => {
          setHits(r.results);
          setError(null);
          setActive(r.results.length > 0 ? 0 : -1);
          setOpen(true);
        })
        .catch((e: Error) => {
          if (e.name !== 'AbortError') setError(e instanceof ApiError ? e.message : 'Search failed; try again.');
        })
        .finally(() => setBusy(false));
    }, 120);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [query]);

  const pick = (hit: SearchHit | undefined) => {
    if (!hit) return;
    onPick(hit.anime);
    setQuery('');
    setHits([]);
    setOpen(false);
    input.current?.focus();
  };

  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === 'ArrowDown') {
      e.preventDefault();
      setOpen(true);
      setActive((a) => Math.min(hits.length - 1, a + 1));
    } else if (e.key === 'ArrowUp') {
      e.preventDefault();
      setActive((a) => Math.max(0, a - 1));
    } else if (e.key === 'Enter') {
      if (open && active >= 0) {
        e.preventDefault();
        pick(hits[active]);
      }
    } else if (e.key === 'Escape') {
      setOpen(false);
    }
  };

  const showList = open && query.trim().length >= 2;
  return (
    <div class="search">
      <label for={`${id}-input`} class="search-label">
        {label}
      </label>
      <input
        ref={input}
        id={`${id}-input`}
        type="search"
        role="combobox"
        list={undefined}
        autocomplete="off"
        spellcheck={false}
        aria-autocomplete="list"
        aria-expanded={showList}
        aria-controls={`${id}-list`}
        aria-activedescendant={showList && active >= 0 ? `${id}-opt-${active}` : undefined}
        placeholder={placeholder}
        value={query}
        onInput={(e) => {
          setQuery((e.target as HTMLInputElement).value);
          setOpen(true);
        }}
        onKeyDown={onKeyDown}
        onBlur={() => setTimeout(() => setOpen(false), 150)}
        onFocus={() => hits.length > 0 && setOpen(true)}
      />
      {busy && <span class="search-busy" aria-hidden="true" />}
      <ul id={`${id}-list`} role="listbox" aria-label="Matching titles" class="search-list" hidden={!showList}>
        {hits.map((hit, i) => (
          <li
            key={hit.anime.id}
            id={`${id}-opt-${i}`}
            role="option"
            aria-selected={i === active}
            class={i === active ? 'active' : ''}
            onMouseDown={(e) => e.preventDefault()}
            onClick={() => pick(hit)}
            onMouseEnter={() => setActive(i)}
          >
            <span class="opt-title">{hit.anime.titleEnglish ?? hit.anime.title}</span>
            <span class="opt-meta">
              {hit.anime.titleEnglish && hit.anime.titleEnglish !== hit.anime.title ? `${hit.anime.title} · ` : ''}
              {[hit.anime.format, hit.anime.year].filter(Boolean).join(' · ')}
              {chosen.includes(hit.anime.id) ? ' · added' : ''}
            </span>
          </li>
        ))}
        {!busy && hits.length === 0 && !error && (
          <li class="opt-empty">No title matches “{query.trim()}”. Try another spelling or the Japanese title.</li>
        )}
      </ul>
      {error && (
        <p class="field-error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
