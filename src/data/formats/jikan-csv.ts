import { hasColumns, readCsvTable } from '../csv.js';
import { isAdultRating, parseAiringStatus, parseFormat, parseSeason, splitList, textOrNull } from '../fields.js';
import { canonicalTag } from '../taxonomy.js';
import type { DataFormat } from './format.js';
import { optionalNumber, requireAnimeId } from './row-checks.js';

const REQUIRED = ['mal_id', 'title', 'title_english', 'type', 'genres', 'themes', 'studios', 'synopsis'] as const;

const list = (text: string): string[] => splitList(text, '|');

/** The catalogue exported from the Jikan API (bundled: 3,961 TV titles with synopses, studios, themes). */
export const jikanCsvFormat: DataFormat = {
  id: 'jikan-csv',
  kind: 'catalogue',
  description: 'Jikan API catalogue export (mal_id,title,title_english,...,synopsis; lists separated by |)',
  header: 'mal_id,title,title_english,title_japanese,title_synonyms,type,episodes,status,year,season,...,synopsis,background',
  detect: (head) => hasColumns(head, REQUIRED),
  read: (source) =>
    readCsvTable(source, {
      required: REQUIRED,
      rowsPerChunk: 2_000,
      mapRow(row, sink) {
        const animeId = requireAnimeId(row, sink, 'mal_id');
        if (animeId === null) return;
        const title = textOrNull(row.get('title'));
        if (title === null) return sink.problem('title', 'missing_field', `anime ${animeId} has no title`);
        const episodes = optionalNumber(row, sink, 'episodes', { min: 0, max: 100_000, integer: true });
        const year = optionalNumber(row, sink, 'year', { min: 1900, max: 2100, integer: true });
        const malScore = optionalNumber(row, sink, 'score', { min: 1, max: 10 });
        const members = optionalNumber(row, sink, 'members', { min: 0, max: 1e9, integer: true });
        if (episodes === undefined || year === undefined || malScore === undefined || members === undefined) return;
        const ageRating = textOrNull(row.get('rating'));
        const airedYear = /^(\d{4})-/.exec(row.get('aired_from'))?.[1];
        sink.anime({
          animeId,
          title,
          titleEnglish: textOrNull(row.get('title_english')),
          titleJapanese: textOrNull(row.get('title_japanese')),
          synonyms: list(row.get('title_synonyms')),
          format: parseFormat(row.get('type')),
          episodes: episodes === 0 ? null : episodes,
          status: parseAiringStatus(row.get('status')),
          year: year ?? (airedYear ? Number(airedYear) : null),
          season: parseSeason(row.get('season')),
          genres: list(row.get('genres')).map(canonicalTag),
          themes: list(row.get('themes')).map(canonicalTag),
          demographics: list(row.get('demographics')),
          studios: list(row.get('studios')),
          source: textOrNull(row.get('source')),
          ageRating,
          adult: row.get('is_hentai').toLowerCase() === 'true' || isAdultRating(ageRating),
          malScore,
          members,
          synopsis: textOrNull(row.get('synopsis')),
          pictureUrl: textOrNull(row.get('image_url')),
        });
      },
    }),
};
