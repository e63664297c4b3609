import { useEffect, useState } from 'preact/hooks';
import type { Filters, Tags } from '../api';
import type { ListFilterField, NumberFilterField } from '../../../src/wire/filters';
import { SEASONS } from '../state';

interface Props {
  value: Filters;
  diversity: number | undefined;
  tags: Tags | null;
  /** Known-user lists can show titles already listed; no-account lists have nothing "listed" but the picks. */
  showListOptions: boolean;
  onApply: (filters: Filters, diversity: number | undefined) => void;
}

const STATUSES = [
  ['finished', 'Finished'],
  ['airing', 'Airing'],
  ['upcoming', 'Upcoming'],
] as const;

const POPULARITY = [
  ['', 'Any'],
  ['max:100', 'Top 100 most popular'],
  ['max:1000', 'Top 1,000 most popular'],
  ['min:500', 'Hidden gems (skip the top 500)'],
  ['min:2000', 'Deep cuts (skip the top 2,000)'],
] as const;

function popularityValue(f: Filters): string {
  if (typeof f.maxPopularityRank === 'number') return `max:${f.maxPopularityRank}`;
  if (typeof f.minPopularityRank === 'number') return `min:${f.minPopularityRank}`;
  return '';
}

/** The season filter as its two controls: which season (or "this season") and the year of a named one. */
function seasonParts(f: Filters): { name: string; year: string } {
  const v = typeof f.season === 'string' ? f.season : '';
  if (v === 'current') return { name: 'current', year: '' };
  const [year, name] = v.split('-');
  return name ? { name, year: year! } : { name: '', year: '' };
}

function withSeason(f: Filters, name: string, year: string): Filters {
  const next = { ...f };
  delete next.season;
  if (name === 'current') next.season = 'current';
  else if (name !== '' && /^\d{4}$/.test(year)) next.season = `${year}-${name}`;
  return next;
}

function ChipPicker({
  label,
  options,
  value,
  onChange,
}: {
  label: string;
  options: string[];
  value: string[];
  onChange: (v: string[]) => void;
}) {
  return (
    <div class="chip-picker">
      <label>
        <span>{label}</span>
        <select
          value=""
          onChange={(e) => {
            const v = (e.target as HTMLSelectElement).value;
            if (v && !value.includes(v)) onChange([...value, v]);
            (e.target as HTMLSelectElement).value = '';
          }}
        >
          <option value="">Add…</option>
          {options
            .filter((o) => !value.includes(o))
            .map((o) => (
              <option key={o} value={o}>
                {o}
              </option>
            ))}
        </select>
      </label>
      {value.length > 0 && (
        <ul class="chips">
          {value.map((v) => (
            <li key={v}>
              <button
                type="button"
                class="chip on"
                aria-label={`Remove ${v} from ${label}`}
                onClick={() => onChange(value.filter((x) => x !== v))}
              >
                {v} <span aria-hidden="true">×</span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/**
 * Every filter the API supports. Edits stay local until "Apply", which writes them to the URL
 * (one history entry per applied change, so Back undoes a filter).
 */
export function FilterPanel({ value, diversity, tags, showListOptions, onApply }: Props) {
  const [f, setF] = useState<Filters>(value);
  const [div, setDiv] = useState<number | undefined>(diversity);
  // The season's two controls keep what was typed while the year is still incomplete.
  const [seasonName, setSeasonName] = useState(seasonParts(value).name);
  const [seasonYear, setSeasonYear] = useState(seasonParts(value).year);
  useEffect(() => {
    setF(value);
    setDiv(diversity);
    setSeasonName(seasonParts(value).name);
    setSeasonYear(seasonParts(value).year);
  }, [JSON.stringify(value), diversity]);

  const list = (k: ListFilterField) => (Array.isArray(f[k]) ? (f[k] as string[]) : []);
  const setList = (k: ListFilterField, v: string[]) => setF({ ...f, [k]: v });
  const num = (k: NumberFilterField) => (typeof f[k] === 'number' ? String(f[k]) : '');
  const setNum = (k: NumberFilterField, raw: string) => {
    const next = { ...f };
    if (raw === '' || !Number.isFinite(Number(raw))) delete next[k];
    else next[k] = Number(raw);
    setF(next);
  };
  const toggle = (k: ListFilterField, item: string) =>
    setList(k, list(k).includes(item) ? list(k).filter((x) => x !== item) : [...list(k), item]);
  const count = Object.values(value).filter((v) => (Array.isArray(v) ? v.length > 0 : true)).length + (diversity !== undefined ? 1 : 0);

  return (
    <details class="filters" open={count > 0 || undefined}>
      <summary>
        Filters
        {count > 0 ? (
          <span class="badge" aria-label={`${count} active`}>
            {count}
          </span>
        ) : null}
      </summary>
      <form
        aria-label="Filters"
        onSubmit={(e) => {
          e.preventDefault();
          onApply(f, div);
        }}
      >
        <fieldset>
          <legend>Format</legend>
          <div class="checks">
            {(tags?.formats ?? ['TV', 'Movie', 'OVA', 'ONA', 'Special']).map((fmt) => (
              <label key={fmt} class="check">
                <input
                  type="checkbox"
                  name="formats"
                  value={fmt}
                  checked={list('formats').includes(fmt)}
                  onChange={() => toggle('formats', fmt)}
                />
                {fmt}
              </label>
            ))}
          </div>
        </fieldset>
        <fieldset>
          <legend>Airing</legend>
          <div class="checks">
            {STATUSES.map(([v, label]) => (
              <label key={v} class="check">
                <input type="checkbox" name="status" value={v} checked={list('status').includes(v)} onChange={() => toggle('status', v)} />
                {label}
              </label>
            ))}
          </div>
        </fieldset>
        <div class="grid2">
          <ChipPicker label="Must have genres" options={tags?.genres ?? []} value={list('genres')} onChange={(v) => setList('genres', v)} />
          <ChipPicker
            label="Without genres"
            options={tags?.genres ?? []}
            value={list('excludeGenres')}
            onChange={(v) => setList('excludeGenres', v)}
          />
          <ChipPicker label="Must have themes" options={tags?.themes ?? []} value={list('themes')} onChange={(v) => setList('themes', v)} />
          <ChipPicker
            label="Without themes"
            options={tags?.themes ?? []}
            value={list('excludeThemes')}
            onChange={(v) => setList('excludeThemes', v)}
          />
        </div>
        <div class="grid4">
          <label>
            <span>Year from</span>
            <input
              type="number"
              name="yearMin"
              min="1917"
              max="2100"
              inputMode="numeric"
              value={num('yearMin')}
              onInput={(e) => setNum('yearMin', (e.target as HTMLInputElement).value)}
            />
          </label>
          <label>
            <span>Year to</span>
            <input
              type="number"
              name="yearMax"
              min="1917"
              max="2100"
              inputMode="numeric"
              value={num('yearMax')}
              onInput={(e) => setNum('yearMax', (e.target as HTMLInputElement).value)}
            />
          </label>
          <label>
            <span>Episodes from</span>
            <input
              type="number"
              name="episodesMin"
              min="0"
              inputMode="numeric"
              value={num('episodesMin')}
              onInput={(e) => setNum('episodesMin', (e.target as HTMLInputElement).value)}
            />
          </label>
          <label>
            <span>Episodes to</span>
            <input
              type="number"
              name="episodesMax"
              min="0"
              inputMode="numeric"
              value={num('episodesMax')}
              onInput={(e) => setNum('episodesMax', (e.target as HTMLInputElement).value)}
            />
          </label>
          <label>
            <span>Min. MAL score</span>
            <input
              type="number"
              name="minScore"
              min="0"
              max="10"
              step="0.1"
              inputMode="decimal"
              value={num('minScore')}
              onInput={(e) => setNum('minScore', (e.target as HTMLInputElement).value)}
            />
          </label>
          <label>
            <span>Popularity</span>
            <select
              name="popularity"
              value={popularityValue(f)}
              onChange={(e) => {
                const [kind, n] = (e.target as HTMLSelectElement).value.split(':');
                const next = { ...f };
                delete next.minPopularityRank;
                delete next.maxPopularityRank;
                if (kind === 'max') next.maxPopularityRank = Number(n);
                if (kind === 'min') next.minPopularityRank = Number(n);
                setF(next);
              }}
            >
              {POPULARITY.map(([v, label]) => (
                <option key={v} value={v}>
                  {label}
                </option>
              ))}
            </select>
          </label>
          <label>
            <span>Season</span>
            <select
              name="season"
              value={seasonName}
              onChange={(e) => {
                const name = (e.target as HTMLSelectElement).value;
                // A named season needs a year: start from this year, the likeliest one.
                const year = seasonYear || String(new Date().getFullYear());
                setSeasonName(name);
                setSeasonYear(name === 'current' || name === '' ? '' : year);
                setF(withSeason(f, name, year));
              }}
            >
              <option value="">Any</option>
              <option value="current">This season</option>
              {SEASONS.map((name) => (
                <option key={name} value={name}>
                  {name[0]!.toUpperCase() + name.slice(1)}
                </option>
              ))}
            </select>
          </label>
          <label>
            <span>Season year</span>
            <input
              type="number"
              name="seasonYear"
              min="1917"
              max="2100"
              inputMode="numeric"
              disabled={seasonName === '' || seasonName === 'current'}
              value={seasonYear}
              onInput={(e) => {
                const year = (e.target as HTMLInputElement).value;
                setSeasonYear(year);
                setF(withSeason(f, seasonName, year));
              }}
            />
          </label>
          <label class="span2">
            <span>Variety: {div === undefined ? 'default' : div === 0 ? 'most relevant first' : `${Math.round(div * 100)}%`}</span>
            <input
              type="range"
              name="diversity"
              min="0"
              max="1"
              step="0.1"
              value={div ?? 0}
              onInput={(e) => setDiv(Number((e.target as HTMLInputElement).value))}
            />
          </label>
        </div>
        <div class="checks">
          <label class="check">
            <input
              type="checkbox"
              name="includeAdult"
              checked={f.includeAdult === true}
              onChange={(e) => setF({ ...f, includeAdult: (e.target as HTMLInputElement).checked })}
            />
            Include adult titles
          </label>
          {showListOptions && (
            <>
              <label class="check">
                <input
                  type="checkbox"
                  name="showListed"
                  checked={f.excludeListed === false}
                  onChange={(e) => setF({ ...f, excludeListed: !(e.target as HTMLInputElement).checked })}
                />
                Show titles already on my list
              </label>
              <label class="check">
                <input
                  type="checkbox"
                  name="showPlanned"
                  checked={f.excludePlanned === false}
                  onChange={(e) => setF({ ...f, excludePlanned: !(e.target as HTMLInputElement).checked })}
                />
                Show my plan-to-watch titles
              </label>
            </>
          )}
        </div>
        <div class="form-actions">
          <button type="submit" class="btn primary">
            Apply filters
          </button>
          <button
            type="button"
            class="btn"
            onClick={() => {
              setF({});
              setDiv(undefined);
              setSeasonName('');
              setSeasonYear('');
              onApply({}, undefined);
            }}
          >
            Clear all
          </button>
        </div>
      </form>
    </details>
  );
}
