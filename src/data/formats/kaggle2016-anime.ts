import { hasColumns, readCsvTable } from '../csv.js';
import { parseFormat, splitList, textOrNull } from '../fields.js';
import { sortTags } from '../taxonomy.js';
import type { DataFormat } from './format.js';
import { optionalNumber, requireAnimeId } from './row-checks.js';

const COLUMNS = ['anime_id', 'name', 'genre', 'type', 'episodes', 'rating', 'members'] as const;

/** Kaggle 2016 "Anime Recommendations Database" anime.csv: 12,294 titles, genres mixed with themes. */
export const kaggle2016AnimeFormat: DataFormat = {
  id: 'kaggle2016-anime',
  kind: 'catalogue',
  description: 'Kaggle 2016 anime.csv (Anime Recommendations Database catalogue)',
  header: COLUMNS.join(','),
  detect: (head) => hasColumns(head, COLUMNS),
  read: (source) =>
    readCsvTable(source, {
      required: COLUMNS,
      mapRow(row, sink) {
        const animeId = requireAnimeId(row, sink, 'anime_id');
        if (animeId === null) return;
        const title = textOrNull(row.get('name'));
        if (title === null) return sink.problem('name', 'missing_field', `anime ${animeId} has no name`);
        const episodes = optionalNumber(row, sink, 'episodes', { min: 0, max: 100_000, integer: true });
        const malScore = optionalNumber(row, sink, 'rating', { min: 1, max: 10 });
        const members = optionalNumber(row, sink, 'members', { min: 0, max: 1e9, integer: true });
        if (episodes === undefined || malScore === undefined || members === undefined) return;
        const tags = sortTags(splitList(row.get('genre'), ','));
        const adult = tags.genres.includes('Hentai');
        sink.anime({
          animeId,
          title,
          format: parseFormat(row.get('type')),
          episodes: episodes === 0 ? null : episodes,
          ...tags,
          malScore,
          members,
          adult,
        });
      },
    }),
};
