import { useEffect, useState } from 'preact/hooks';
import { api, type Anime, type Details, type Item, type RecList, type Tags } from '../api';
import { Card, metaLine, shortSynopsis } from '../components/Card';
import { FilterPanel } from '../components/Filters';
import { CardSkeletons, Empty, ErrorBox } from '../components/Status';
import { useDetails } from '../details';
import { navigate } from '../router';
import { diversityFrom, filterParams, filtersFrom, normalizeFilters } from '../state';

const MODES = [
  ['hybrid', 'Hybrid', 'both signals blended'],
  ['collaborative', 'Watched by the same fans', 'collaborative'],
  ['content', 'Alike in what it is', 'content: genres, themes, studio, synopsis'],
] as const;

/** "More like this" for one title, with the API's collaborative/content/hybrid switch. */
export function SimilarPage({ id, params, tags }: { id: number; params: URLSearchParams; tags: Tags | null }) {
  const mode = MODES.some(([m]) => m === params.get('mode')) ? params.get('mode')! : 'hybrid';
  const filters = filtersFrom(params);
  const diversity = diversityFrom(params);
  const key = `${id}?${params}`;
  const [anime, setAnime] = useState<(Anime & Details) | null>(null);
  const [list, setList] = useState<{ key: string; list: RecList; items: Item[] } | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [hidden, setHidden] = useState<number[]>([]);
  const synopses = useDetails(list?.items.map((i) => i.anime.id) ?? []);

  useEffect(() => {
    let live = true;
    setAnime(null);
    api.anime(id).then(
      (a) => live && setAnime(a),
      (e) => live && setError(e),
    );
    return () => {
      live = false;
    };
  }, [id]);

  useEffect(() => {
    let live = true;
    setError(null);
    api
      .similar(id, mode, 12, 0, { ...filters, ...(diversity !== undefined ? { diversity } : {}) })
      .then((l) => live && setList({ key, list: l, items: l.items }))
      .catch((e) => live && setError(e));
    return () => {
      live = false;
    };
  }, [key]);

  const go = (next: URLSearchParams, replace = false) => navigate(`/similar/${id}?${next}`, { replace });
  const setMode = (m: string) => {
    const p = new URLSearchParams(params);
    p.set('mode', m);
    go(p, true);
  };
  const name = anime ? (anime.titleEnglish ?? anime.title) : `MAL #${id}`;
  const items = list?.items.filter((i) => !hidden.includes(i.anime.id)) ?? [];
  const stale = list !== null && list.key !== key;

  return (
    <section aria-labelledby="similar-title">
      <div class="page-head">
        <div>
          <p class="eyebrow">More like</p>
          <h1 id="similar-title">{name}</h1>
          {anime && (
            <p class="muted">
              {anime.titleEnglish && anime.titleEnglish !== anime.title ? `${anime.title} · ` : ''}
              {metaLine(anime)}
              {anime.malScore !== null ? ` · ★ ${anime.malScore.toFixed(2)}` : ''}
            </p>
          )}
          {anime?.synopsis && <p class="lead small">{shortSynopsis(anime.synopsis)}</p>}
        </div>
      </div>
      <fieldset class="segmented">
        <legend>Similar by</legend>
        {MODES.map(([m, label, hint]) => (
          <label key={m} class={mode === m ? 'on' : ''} title={hint}>
            <input type="radio" name="mode" value={m} checked={mode === m} onChange={() => setMode(m)} />
            {label}
          </label>
        ))}
      </fieldset>
      <FilterPanel
        value={filters}
        diversity={diversity}
        tags={tags}
        showListOptions={false}
        onApply={(f, d) => {
          const p = filterParams(normalizeFilters(f));
          p.set('mode', mode);
          if (d !== undefined) p.set('diversity', String(d));
          go(p);
        }}
      />
      <p class="visually-hidden" role="status" aria-live="polite">
        {list && !stale ? `${items.length} similar titles shown (${mode}).` : 'Loading similar titles.'}
      </p>
      {error ? (
        <ErrorBox error={error} retry={() => navigate(location.pathname + location.search, { replace: true })} />
      ) : !list ? (
        <CardSkeletons />
      ) : items.length === 0 ? (
        <Empty title="No similar titles match these filters">
          <p>Try another mode or loosen the filters.</p>
        </Empty>
      ) : (
        <div class={`cards${stale ? ' stale' : ''}`} aria-busy={stale}>
          {items.map((item) => (
            <Card
              key={item.anime.id}
              item={item}
              synopsis={synopses[item.anime.id]}
              onSeen={(a) => setHidden((h) => [...h, a.id])}
              onSkip={(a) => setHidden((h) => [...h, a.id])}
              moreHref={`/similar/${item.anime.id}?mode=${mode}`}
            />
          ))}
        </div>
      )}
    </section>
  );
}
