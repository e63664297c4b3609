import type { Anime, Item } from '../api';
import { Cover, hue } from './Cover';
import { FranchiseMore } from './FranchiseMore';

/** Short enough for a card: the first sentences up to ~220 characters, cut at a word. */
export function shortSynopsis(text: string | null | undefined): string | null {
  if (!text) return null;
  const clean = text
    .replace(/\s*\[Written by MAL Rewrite\]\s*$/i, '')
    .replace(/\s+/g, ' ')
    .trim();
  if (clean.length <= 220) return clean;
  const cut = clean.slice(0, 220);
  return `${cut.slice(0, cut.lastIndexOf(' '))}…`;
}

export function metaLine(a: Anime): string {
  const eps = a.episodes ? `${a.episodes} ep${a.episodes === 1 ? '' : 's'}` : null;
  const when = a.year ? (a.season ? `${a.season[0]!.toUpperCase()}${a.season.slice(1)} ${a.year}` : String(a.year)) : null;
  return [a.format, when, eps, a.status === 'airing' ? 'airing' : a.status === 'upcoming' ? 'upcoming' : null].filter(Boolean).join(' · ');
}

interface Props {
  item: Item;
  synopsis: string | null | undefined;
  onSeen?: (a: Anime) => void;
  onSkip?: (a: Anime) => void;
  moreHref: string;
  busy?: boolean;
  /** Titles hidden on this page, left out of the franchise's other entries too. */
  hidden?: ReadonlySet<number>;
}

const NONE: ReadonlySet<number> = new Set();

export function Card({ item, synopsis, onSeen, onSkip, moreHref, busy, hidden = NONE }: Props) {
  const a = item.anime;
  const english = a.titleEnglish && a.titleEnglish !== a.title ? a.titleEnglish : null;
  const headingId = `card-${a.id}-title`;
  const text = shortSynopsis(synopsis);
  return (
    <article class="card" aria-labelledby={headingId} data-anime-id={a.id} style={{ '--hue': String(Math.round(hue(a.id))) }}>
      <div class="card-head">
        <div class="cover-wrap">
          <Cover anime={a} />
          <span class="rank" aria-label={`Rank ${item.rank}`}>
            {item.rank}
          </span>
        </div>
        <div class="card-head-text">
          <div class="card-titles">
            <h3 id={headingId}>
              <a href={`https://myanimelist.net/anime/${a.id}`} target="_blank" rel="noopener noreferrer">
                {english ?? a.title}
              </a>
            </h3>
            {english && (
              <p class="original" lang="ja-Latn">
                {a.title}
              </p>
            )}
          </div>
          <p class="meta">{metaLine(a) || 'Format and year unknown'}</p>
          <div class="card-facts">
            {a.malScore !== null && (
              <span class="mal-score" title="MyAnimeList mean score" aria-label={`MyAnimeList score ${a.malScore.toFixed(2)}`}>
                ★ {a.malScore.toFixed(2)}
              </span>
            )}
            {a.genres.length + a.themes.length > 0 && (
              <ul class="tags" aria-label="Genres and themes">
                {[...a.genres, ...a.themes.slice(0, 2)].map((g) => (
                  <li key={g}>{g}</li>
                ))}
              </ul>
            )}
          </div>
        </div>
      </div>
      {synopsis === undefined ? (
        <p class="synopsis sk-text" aria-hidden="true" />
      ) : text ? (
        <p class="synopsis">{text}</p>
      ) : (
        <p class="synopsis muted">No synopsis in the catalogue.</p>
      )}
      <p class="reason">
        <span class="visually-hidden">Why: </span>
        {item.reason}
      </p>
      {item.franchise && <FranchiseMore franchise={item.franchise} cardId={a.id} hidden={hidden} />}
      <div class="actions" role="group" aria-label={`Actions for ${english ?? a.title}`}>
        {onSeen && (
          <button type="button" class="btn small" disabled={busy} onClick={() => onSeen(a)}>
            Already seen
          </button>
        )}
        {onSkip && (
          <button type="button" class="btn small" disabled={busy} onClick={() => onSkip(a)}>
            Not interested
          </button>
        )}
        <a class="btn small primary" href={moreHref}>
          More like this
        </a>
      </div>
    </article>
  );
}
