import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError, type Anime, type ImportResult, type Tags } from '../api';
import { TitleSearch } from '../components/Search';
import { ErrorBox } from '../components/Status';
import { navigate } from '../router';
import { forYouUrl, sourceFrom, type TitlePick } from '../state';

const TABS = [
  ['titles', 'Titles you liked'],
  ['genres', 'Genres'],
  ['account', 'Your list'],
] as const;
type Tab = (typeof TABS)[number][0];

/** Keeps the picked titles' names (the URL only holds ids) for this browser session. */
const NAMES_KEY = 'anirec:names';
function rememberNames(anime: Anime[]): void {
  const names = JSON.parse(sessionStorage.getItem(NAMES_KEY) ?? '{}') as Record<string, string>;
  for (const a of anime) names[a.id] = a.titleEnglish ?? a.title;
  sessionStorage.setItem(NAMES_KEY, JSON.stringify(names));
}
function knownName(id: number): string | undefined {
  return (JSON.parse(sessionStorage.getItem(NAMES_KEY) ?? '{}') as Record<string, string>)[id];
}

function TitlesTab({ initial }: { initial: TitlePick[] }) {
  const [picks, setPicks] = useState<(TitlePick & { name: string })[]>(
    initial.map((p) => ({ ...p, name: knownName(p.id) ?? `MAL #${p.id}` })),
  );
  const add = (a: Anime) => {
    rememberNames([a]);
    setPicks((ps) => (ps.some((p) => p.id === a.id) ? ps : [...ps, { id: a.id, score: null, name: a.titleEnglish ?? a.title }]));
  };
  return (
    <div>
      <p class="lead">Search for anime you enjoyed and add them. A score helps (10 = loved it) but is optional.</p>
      <TitleSearch
        label="Search titles"
        placeholder="e.g. Cowboy Bebop, 進撃の巨人, fullmetal"
        onPick={add}
        chosen={picks.map((p) => p.id)}
        autoFocus
      />
      {picks.length === 0 ? (
        <p class="muted hint">Nothing added yet. Three or more titles give the best results.</p>
      ) : (
        <ul class="picks" aria-label="Titles you liked">
          {picks.map((p) => (
            <li key={p.id}>
              <span class="pick-name">{p.name}</span>
              <label>
                <span class="visually-hidden">Your score for {p.name}</span>
                <select
                  value={p.score ?? ''}
                  onChange={(e) =>
                    setPicks((ps) =>
                      ps.map((x) =>
                        x.id === p.id
                          ? { ...x, score: (e.target as HTMLSelectElement).value ? Number((e.target as HTMLSelectElement).value) : null }
                          : x,
                      ),
                    )
                  }
                >
                  <option value="">No score</option>
                  {[10, 9, 8, 7, 6, 5, 4, 3, 2, 1].map((s) => (
                    <option key={s} value={s}>
                      {s}
                    </option>
                  ))}
                </select>
              </label>
              <button
                type="button"
                class="icon-btn"
                aria-label={`Remove ${p.name}`}
                onClick={() => setPicks((ps) => ps.filter((x) => x.id !== p.id))}
              >
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
      <button
        type="button"
        class="btn primary big"
        disabled={picks.length === 0}
        onClick={() => navigate(forYouUrl({ kind: 'titles', titles: picks.map(({ id, score }) => ({ id, score })), seen: [], skip: [] }))}
      >
        Get recommendations
      </button>
    </div>
  );
}

type Pref = 'like' | 'dislike' | undefined;

function PrefChips({
  legend,
  names,
  state,
  onChange,
}: {
  legend: string;
  names: string[];
  state: Record<string, Pref>;
  onChange: (name: string) => void;
}) {
  return (
    <fieldset class="pref-chips">
      <legend>{legend}</legend>
      <ul class="chips">
        {names.map((n) => (
          <li key={n}>
            <button
              type="button"
              class={`chip ${state[n] ?? ''}`}
              aria-pressed={state[n] === 'like' ? 'true' : state[n] === 'dislike' ? 'mixed' : 'false'}
              aria-label={`${n}: ${state[n] === 'like' ? 'liked' : state[n] === 'dislike' ? 'disliked' : 'no preference'}`}
              onClick={() => onChange(n)}
            >
              <span aria-hidden="true">{state[n] === 'like' ? '♥ ' : state[n] === 'dislike' ? '✕ ' : ''}</span>
              {n}
            </button>
          </li>
        ))}
      </ul>
    </fieldset>
  );
}

function GenresTab({ tags, tagsError }: { tags: Tags | null; tagsError: unknown }) {
  const [genres, setGenres] = useState<Record<string, Pref>>({});
  const [themes, setThemes] = useState<Record<string, Pref>>({});
  const cycle = (set: typeof setGenres) => (name: string) =>
    set((s) => ({ ...s, [name]: s[name] === undefined ? 'like' : s[name] === 'like' ? 'dislike' : undefined }));
  const pick = (s: Record<string, Pref>, v: Pref) => Object.keys(s).filter((k) => s[k] === v);
  const any = Object.values(genres).some(Boolean) || Object.values(themes).some(Boolean);
  if (tagsError) return <ErrorBox error={tagsError} retry={() => location.reload()} />;
  if (!tags) return <p class="loading">Loading genres…</p>;
  return (
    <div>
      <p class="lead">Tap once to like (♥), twice to dislike (✕), three times to clear.</p>
      <PrefChips legend="Genres" names={tags.genres} state={genres} onChange={cycle(setGenres)} />
      <details class="more-themes">
        <summary>Themes and audiences (Mecha, Isekai, Seinen…)</summary>
        <PrefChips legend="Themes" names={tags.themes} state={themes} onChange={cycle(setThemes)} />
      </details>
      <button
        type="button"
        class="btn primary big"
        disabled={!any}
        onClick={() =>
          navigate(
            forYouUrl({
              kind: 'prefs',
              prefs: {
                likeGenres: pick(genres, 'like'),
                dislikeGenres: pick(genres, 'dislike'),
                likeThemes: pick(themes, 'like'),
                dislikeThemes: pick(themes, 'dislike'),
              },
              seen: [],
              skip: [],
            }),
          )
        }
      >
        Get recommendations
      </button>
    </div>
  );
}

function AccountTab() {
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [imported, setImported] = useState<{ user: { id: string; listed: number }; notes: string[] } | null>(null);
  const file = useRef<HTMLInputElement>(null);
  const run = async (what: string, job: () => Promise<ImportResult>) => {
    setBusy(what);
    setError(null);
    setImported(null);
    try {
      const r = await job();
      const notes = [...(r.notes ?? [])];
      // Problems come as "source:LINE, column C: reason: message"; the message alone says it in words.
      const shown = (r.problems ?? []).slice(0, 5).map((p) => p.replace(/^[^:]*:\d+(, column [^:]+)?: [a-z_]+: /, ''));
      if (r.skipped > 0) {
        const more = shown.length > 0 && r.skipped > shown.length ? `; and ${r.skipped - shown.length} more` : '';
        notes.push(
          `${r.skipped} ${r.skipped === 1 ? 'entry was' : 'entries were'} left out${shown.length > 0 ? `: ${shown.join('; ')}${more}` : ''}.`,
        );
      }
      if (!r.user)
        throw new ApiError(
          0,
          'empty',
          ['The import worked but found no titles this catalogue knows, so there is nothing to recommend from.', ...notes].join(' '),
        );
      // Say what the import could not use before moving on, so nobody wonders where titles went;
      // a clean import goes straight to the recommendations.
      if (notes.length > 0) setImported({ user: r.user, notes });
      else navigate(forYouUrl({ kind: 'user', user: r.user.id, seen: [], skip: [] }));
    } catch (e) {
      setError(e);
    } finally {
      setBusy(null);
    }
  };
  return (
    <div class="account-forms">
      {error !== null && <ErrorBox error={error} />}
      {imported !== null && (
        <div class="notice-box" role="status">
          <strong>
            Imported: {imported.user.listed} {imported.user.listed === 1 ? 'title' : 'titles'} on your list
          </strong>
          {imported.notes.map((note) => (
            <p key={note}>{note}</p>
          ))}
          <button
            type="button"
            class="btn primary"
            onClick={() => navigate(forYouUrl({ kind: 'user', user: imported.user.id, seen: [], skip: [] }))}
          >
            Show my recommendations
          </button>
        </div>
      )}
      <form
        onSubmit={(e) => {
          e.preventDefault();
          const name = (new FormData(e.currentTarget as HTMLFormElement).get('anilist') as string).trim();
          if (name) void run('anilist', () => api.importAniList(name));
        }}
      >
        <label for="anilist">AniList user name</label>
        <p class="hint muted" id="anilist-hint">
          Your list must be public. We import it once; nothing is sent back to AniList.
        </p>
        <div class="inline">
          <input
            id="anilist"
            name="anilist"
            autocomplete="username"
            aria-describedby="anilist-hint"
            placeholder="e.g. yuki"
            pattern="[A-Za-z0-9_\-]+"
            required
          />
          <button class="btn primary" disabled={busy !== null}>
            {busy === 'anilist' ? 'Importing…' : 'Import'}
          </button>
        </div>
      </form>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          const f = file.current?.files?.[0];
          if (!f)
            return setError(
              new ApiError(
                0,
                'no_file',
                'Choose your MyAnimeList export file first (MAL → Profile → Export → "Export My Anime List", then unzip it).',
              ),
            );
          void run('mal', async () => api.importMal(await f.text()));
        }}
      >
        <label for="malxml">MyAnimeList export (XML)</label>
        <p class="hint muted" id="malxml-hint">
          On MyAnimeList: Profile → Export → Export My Anime List. Unzip the .gz first.
        </p>
        <div class="inline">
          <input ref={file} id="malxml" type="file" accept=".xml,application/xml,text/xml" aria-describedby="malxml-hint" />
          <button class="btn primary" disabled={busy !== null}>
            {busy === 'mal' ? 'Uploading…' : 'Upload'}
          </button>
        </div>
      </form>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          const id = (new FormData(e.currentTarget as HTMLFormElement).get('userid') as string).trim();
          if (id) navigate(forYouUrl({ kind: 'user', user: id, seen: [], skip: [] }));
        }}
      >
        <label for="userid">Already imported? Your user id</label>
        <p class="hint muted" id="userid-hint">
          As source:id, e.g. <code>mal:your_name</code>, <code>anilist:your_name</code> or <code>kaggle2016:1</code>.
        </p>
        <div class="inline">
          <input id="userid" name="userid" aria-describedby="userid-hint" placeholder="kaggle2016:1" required />
          <button class="btn primary">Show recommendations</button>
        </div>
      </form>
    </div>
  );
}

export function StartPage({ params }: { params: URLSearchParams }) {
  const initial = sourceFrom(params);
  const [tab, setTab] = useState<Tab>((params.get('via') as Tab) || (initial.kind === 'prefs' ? 'genres' : 'titles'));
  const [tags, setTags] = useState<Tags | null>(null);
  const [tagsError, setTagsError] = useState<unknown>(null);
  useEffect(() => {
    api.tags().then(setTags, setTagsError);
  }, []);
  const tabRefs = useRef<(HTMLButtonElement | null)[]>([]);
  const select = (t: Tab) => {
    setTab(t);
    const p = new URLSearchParams(location.search);
    p.set('via', t);
    history.replaceState(null, '', `${location.pathname}?${p}`);
  };
  // Arrow keys move between tabs (WAI-ARIA tabs pattern); Tab goes into the panel.
  const onKey = (e: KeyboardEvent, i: number) => {
    const d = e.key === 'ArrowRight' ? 1 : e.key === 'ArrowLeft' ? -1 : 0;
    if (!d) return;
    const next = (i + d + TABS.length) % TABS.length;
    select(TABS[next]![0]);
    tabRefs.current[next]?.focus();
  };
  return (
    <section class="start" aria-labelledby="start-title">
      <div class="hero">
        <h1 id="start-title">Find your next anime</h1>
        <p>No account needed. Tell us a few titles you liked, the genres you enjoy, or bring your MyAnimeList or AniList list.</p>
      </div>
      <div class="panel">
        <div role="tablist" aria-label="How to start" class="tabs">
          {TABS.map(([id, label], i) => (
            <button
              key={id}
              ref={(el) => {
                tabRefs.current[i] = el;
              }}
              role="tab"
              id={`tab-${id}`}
              aria-selected={tab === id}
              aria-controls={`panel-${id}`}
              tabIndex={tab === id ? 0 : -1}
              onClick={() => select(id)}
              onKeyDown={(e) => onKey(e, i)}
            >
              {label}
            </button>
          ))}
        </div>
        <div role="tabpanel" id={`panel-${tab}`} aria-labelledby={`tab-${tab}`} class="tabpanel">
          {tab === 'titles' && <TitlesTab initial={initial.kind === 'titles' ? initial.titles : []} />}
          {tab === 'genres' && <GenresTab tags={tags} tagsError={tagsError} />}
          {tab === 'account' && <AccountTab />}
        </div>
      </div>
    </section>
  );
}

export { rememberNames };
