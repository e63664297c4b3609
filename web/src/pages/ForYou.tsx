import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError, type Anime, type ContinueItem, type Filters, type Item, type RecList, type Tags } from '../api';
import { Card } from '../components/Card';
import { ContinueRow, loadContinueRow } from '../components/ContinueRow';
import { FilterPanel } from '../components/Filters';
import { loadSeasonRow, SeasonRow, type SeasonRowData } from '../components/SeasonRow';
import { CardSkeletons, Empty, ErrorBox } from '../components/Status';
import { useDetails } from '../details';
import { navigate } from '../router';
import {
  diversityFrom,
  filterParams,
  filtersFrom,
  forYouUrl,
  normalizeFilters,
  sourceFrom,
  sourceParams,
  titleEntries,
  type Source,
} from '../state';

const PAGE = 12;

function describe(source: Source): string {
  switch (source.kind) {
    case 'titles':
      return `Based on the ${source.titles.length} title${source.titles.length === 1 ? '' : 's'} you liked${source.seen.length + source.skip.length > 0 ? ` and ${source.seen.length + source.skip.length} you marked` : ''}.`;
    case 'prefs': {
      const liked = [...source.prefs.likeGenres, ...source.prefs.likeThemes];
      const disliked = [...source.prefs.dislikeGenres, ...source.prefs.dislikeThemes];
      return (
        [liked.length ? `You like ${liked.join(', ')}` : '', disliked.length ? `you'd rather skip ${disliked.join(', ')}` : '']
          .filter(Boolean)
          .join('; ') + '.'
      );
    }
    case 'user':
      return `For ${source.user}, from their list.`;
    default:
      return '';
  }
}

/** One page of recommendations for the source in the URL, with the API's filters. */
async function fetchPage(source: Source, filters: Filters, diversity: number | undefined, offset: number): Promise<RecList> {
  const hidden = source.kind === 'none' ? 0 : source.seen.length + source.skip.length;
  // Preference and known-user lists cannot be told "not these" in the request, so ask for a few
  // more and drop the hidden ones here (titles lists send them as watched/dropped instead).
  const k = Math.min(100, PAGE + (source.kind === 'titles' ? 0 : hidden));
  switch (source.kind) {
    case 'titles':
      return api.fromTitles(titleEntries(source), k, offset, filters, diversity);
    case 'prefs':
      return api.fromPreferences(
        {
          likedGenres: source.prefs.likeGenres,
          dislikedGenres: source.prefs.dislikeGenres,
          likedThemes: source.prefs.likeThemes,
          dislikedThemes: source.prefs.dislikeThemes,
        },
        k,
        offset,
        filters,
        diversity,
      );
    case 'user':
      return api.forUser(source.user, k, offset, filters, diversity);
    default:
      throw new Error('no source');
  }
}

export function ForYouPage({ params, tags }: { params: URLSearchParams; tags: Tags | null }) {
  const source = sourceFrom(params);
  const filters = filtersFrom(params);
  const diversity = diversityFrom(params);
  const key = params.toString();
  const [data, setData] = useState<{
    key: string;
    list: RecList;
    items: Item[];
    season: SeasonRowData | null;
    next: ContinueItem[] | null;
  } | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const [toast, setToast] = useState<{ text: string; undo?: () => void } | null>(null);
  const [attempt, setAttempt] = useState(0);
  const status = useRef<HTMLParagraphElement>(null);
  const hidden = new Set(source.kind === 'none' ? [] : [...source.seen, ...source.skip]);
  const synopses = useDetails(data?.items.map((i) => i.anime.id) ?? []);

  useEffect(() => {
    if (source.kind === 'none') return;
    sessionStorage.setItem('anirec:last', `/for-you?${key}`);
    let live = true;
    setError(null);
    // The rows and the list load together and appear together, so nothing moves under the
    // reader's pointer when a row arrives (the row loaders never fail: no row instead).
    Promise.all([fetchPage(source, filters, diversity, 0), loadSeasonRow(source, filters, hidden), loadContinueRow(source, hidden)])
      .then(([list, season, next]) => live && setData({ key, list, items: list.items, season, next }))
      .catch((e) => live && setError(e));
    return () => {
      live = false;
    };
  }, [key, attempt]);

  if (source.kind === 'none') {
    return (
      <Empty title="Nothing to recommend from yet">
        <p>
          Tell us a few titles you liked or pick some genres on the <a href="/start">start page</a>.
        </p>
      </Empty>
    );
  }

  const setUrl = (next: Source, f: Filters = filters, d: number | undefined = diversity, replace = true) => {
    const p = filterParams(normalizeFilters(f), sourceParams(next));
    if (d !== undefined) p.set('diversity', String(d));
    navigate(`/for-you?${p}`, { replace });
  };

  const mark = (a: Anime, kind: 'seen' | 'skip') => {
    const before = source;
    const next = { ...source, [kind]: [...source[kind], a.id] } as Source;
    const name = a.titleEnglish ?? a.title;
    setData((d) => d && { ...d, items: d.items.filter((i) => i.anime.id !== a.id) });
    setUrl(next);
    setToast({ text: `${kind === 'seen' ? 'Marked as seen' : 'Hidden'}: ${name}.`, undo: () => setUrl(before) });
    if (source.kind === 'user') {
      // Stored users keep the feedback on the server; if writes need a key the page still hides it.
      api
        .setStatus(source.user, a.id, kind === 'seen' ? 'completed' : 'dropped')
        .catch((e: Error) => setToast({ text: `Hidden here, but not saved to ${source.user}'s list: ${e.message}` }));
    }
  };

  const loadMore = async () => {
    if (!data || data.list.nextOffset === null) return;
    setLoadingMore(true);
    try {
      const list = await fetchPage(source, filters, diversity, data.list.nextOffset);
      setData({
        ...data,
        key,
        list,
        items: [...data.items, ...list.items.filter((i) => !data.items.some((x) => x.anime.id === i.anime.id))],
      });
    } catch (e) {
      setToast({ text: e instanceof Error ? e.message : String(e) });
    } finally {
      setLoadingMore(false);
    }
  };

  const items = data?.items.filter((i) => !hidden.has(i.anime.id)) ?? [];
  const profileHref = `/profile?${sourceParams(source)}`;
  const editHref =
    source.kind === 'titles'
      ? `/start?${sourceParams(source)}&via=titles`
      : source.kind === 'prefs'
        ? '/start?via=genres'
        : '/start?via=account';
  const stale = data !== null && data.key !== key;

  return (
    <section aria-labelledby="results-title">
      <div class="page-head">
        <div>
          <h1 id="results-title">Recommended for you</h1>
          <p class="muted">{describe(source)}</p>
        </div>
        <div class="head-actions">
          <a class="btn" href={editHref}>
            Edit
          </a>
          {source.kind !== 'prefs' && (
            <a class="btn" href={profileHref}>
              Taste profile
            </a>
          )}
          <button
            type="button"
            class="btn"
            onClick={() => {
              void navigator.clipboard?.writeText(location.href).then(
                () => setToast({ text: 'Link copied: it opens this exact list with these filters.' }),
                () => setToast({ text: 'Copy the address bar to share this list.' }),
              );
            }}
          >
            Share
          </button>
        </div>
      </div>
      <FilterPanel
        value={filters}
        diversity={diversity}
        tags={tags}
        showListOptions={source.kind === 'user'}
        onApply={(f, d) => setUrl(source, f, d, false)}
      />
      <p ref={status} class="visually-hidden" role="status" aria-live="polite">
        {error ? '' : data && !stale ? `${items.length} recommendations shown.` : 'Loading recommendations.'}
      </p>
      {error ? (
        source.kind === 'user' && error instanceof ApiError && error.status === 404 ? (
          // The API's message is written for API clients (routes, verbs); say the same for people.
          <ErrorBox
            error={
              new ApiError(
                404,
                error.code,
                `We don't know a user called “${source.user}”. User ids look like mal:your_name, anilist:your_name or kaggle2016:1.`,
              )
            }
          >
            {error.suggestions.length > 0 && (
              <p>
                Did you mean{' '}
                {error.suggestions.map((u, i) => (
                  <span key={String(u)}>
                    {i > 0 && ', '}
                    <a href={forYouUrl({ kind: 'user', user: String(u), seen: [], skip: [] })}>{String(u)}</a>
                  </span>
                ))}
                ?
              </p>
            )}
            <p>
              Check the id, or import your list on the <a href="/start?via=account">start page</a>.
            </p>
          </ErrorBox>
        ) : (
          <ErrorBox error={error} retry={() => setAttempt((n) => n + 1)} />
        )
      ) : !data ? (
        <CardSkeletons />
      ) : items.length === 0 ? (
        <>
          <ContinueRow items={data.next} hidden={hidden} />
          <SeasonRow row={data.season} hidden={hidden} />
          <Empty title="No titles match these filters">
            <p>Loosen a filter (a wider year range, fewer required genres, any popularity) and apply again.</p>
          </Empty>
        </>
      ) : (
        <>
          <ContinueRow items={data.next} hidden={hidden} />
          <SeasonRow row={data.season} hidden={hidden} />
          {data.list.notes?.map((n) => (
            <p class="note" key={n}>
              {n}
            </p>
          ))}
          <div class={`cards${stale ? ' stale' : ''}`} aria-busy={stale}>
            {items.map((item) => (
              <Card
                key={item.anime.id}
                item={item}
                synopsis={synopses[item.anime.id]}
                onSeen={(a) => mark(a, 'seen')}
                onSkip={(a) => mark(a, 'skip')}
                moreHref={`/similar/${item.anime.id}`}
                hidden={hidden}
              />
            ))}
          </div>
          {data.list.nextOffset !== null && (
            <div class="more">
              <button type="button" class="btn" onClick={loadMore} disabled={loadingMore}>
                {loadingMore ? 'Loading…' : 'Show more'}
              </button>
            </div>
          )}
        </>
      )}
      {toast && (
        <div class="toast" role="status">
          <span>{toast.text}</span>
          {toast.undo && (
            <button
              type="button"
              class="btn small"
              onClick={() => {
                toast.undo!();
                setToast(null);
              }}
            >
              Undo
            </button>
          )}
          <button type="button" class="icon-btn" aria-label="Dismiss" onClick={() => setToast(null)}>
            ×
          </button>
        </div>
      )}
    </section>
  );
}
