import { hasColumns, readCsvTable } from '../csv.js';
import { badValueMessage, isAdultRating, MAX_USER_ID_LENGTH, parseFormat, parseInteger, parseSeason, splitList, textOrNull } from '../fields.js';
import { sortTags } from '../taxonomy.js';
import type { ListStatus } from '../types.js';
import type { DataFormat } from './format.js';
import { optionalNumber, requireAnimeId } from './row-checks.js';

/**
 * The Kaggle 2020 "Anime Recommendation Database 2020" (MAL scrape by Hernan Valdivieso):
 * anime.csv (35 columns), anime_with_synopsis.csv and animelist.csv. rating_complete.csv shares
 * the 2016 ratings header and is read by the `ratings` format.
 */

const ANIME_COLUMNS = ['mal_id', 'name', 'score', 'genres', 'english name', 'japanese name', 'type', 'episodes', 'aired', 'premiered', 'studios', 'source', 'rating', 'members'] as const;

export const kaggle2020AnimeFormat: DataFormat = {
  id: 'kaggle2020-anime',
  kind: 'catalogue',
  description: 'Kaggle 2020 anime.csv (35 columns: MAL_ID,Name,Score,Genres,English name,...,Score-1)',
  header: 'MAL_ID,Name,Score,Genres,English name,Japanese name,Type,Episodes,Aired,Premiered,Producers,Licensors,Studios,Source,Duration,Rating,Ranked,Popularity,Members,...',
  detect: (head) => hasColumns(head, ANIME_COLUMNS),
  read: (source) =>
    readCsvTable(source, {
      required: ANIME_COLUMNS,
      mapRow(row, sink) {
        const animeId = requireAnimeId(row, sink, 'mal_id');
        if (animeId === null) return;
        const title = textOrNull(row.get('name'));
        if (title === null) return sink.problem('Name', 'missing_field', `anime ${animeId} has no name`);
        const episodes = optionalNumber(row, sink, 'episodes', { min: 0, max: 100_000, integer: true });
        const malScore = optionalNumber(row, sink, 'score', { min: 1, max: 10 });
        const members = optionalNumber(row, sink, 'members', { min: 0, max: 1e9, integer: true });
        if (episodes === undefined || malScore === undefined || members === undefined) return;
        const premiered = /^(\w+)\s+(\d{4})$/.exec(row.get('premiered'));
        const airedYear = /(\d{4})/.exec(row.get('aired'))?.[1];
        const ageRating = textOrNull(row.get('rating'));
        const tags = sortTags(splitList(row.get('genres'), ','));
        sink.anime({
          animeId,
          title,
          titleEnglish: textOrNull(row.get('english name')),
          titleJapanese: textOrNull(row.get('japanese name')),
          format: parseFormat(row.get('type')),
          episodes: episodes === 0 ? null : episodes,
          year: premiered ? Number(premiered[2]) : airedYear ? Number(airedYear) : null,
          season: premiered ? parseSeason(premiered[1]!) : null,
          ...tags,
          studios: splitList(row.get('studios'), ','),
          source: textOrNull(row.get('source')),
          ageRating,
          adult: isAdultRating(ageRating) || tags.genres.includes('Hentai'),
          malScore,
          members,
        });
      },
    }),
};

const SYNOPSIS_COLUMNS = ['mal_id', 'name', 'sypnopsis'] as const;

export const kaggle2020SynopsisFormat: DataFormat = {
  id: 'kaggle2020-synopsis',
  kind: 'catalogue',
  description: 'Kaggle 2020 anime_with_synopsis.csv (MAL_ID,Name,Score,Genres,sypnopsis)',
  header: 'MAL_ID,Name,Score,Genres,sypnopsis',
  detect: (head) => hasColumns(head, SYNOPSIS_COLUMNS),
  read: (source) =>
    readCsvTable(source, {
      required: SYNOPSIS_COLUMNS,
      mapRow(row, sink) {
        const animeId = requireAnimeId(row, sink, 'mal_id');
        if (animeId === null) return;
        const synopsis = textOrNull(row.get('sypnopsis'));
        const title = textOrNull(row.get('name'));
        sink.anime({ animeId, ...(title ? { title } : {}), synopsis, ...sortTags(splitList(row.get('genres'), ',')) });
      },
    }),
};

const ANIMELIST_COLUMNS = ['user_id', 'anime_id', 'score', 'watching_status'] as const;

/** animelist.csv's watching_status codes (5 is unused by MAL). */
const WATCHING_STATUS: Record<number, ListStatus> = { 1: 'watching', 2: 'completed', 3: 'on_hold', 4: 'dropped', 6: 'plan_to_watch' };

export const kaggle2020AnimelistFormat: DataFormat = {
  id: 'kaggle2020-animelist',
  kind: 'interactions',
  description: 'Kaggle 2020 animelist.csv (user_id,anime_id,score,watching_status,watched_episodes; score 0 = none)',
  header: 'user_id,anime_id,score,watching_status,watched_episodes',
  defaultUserSource: 'kaggle2020',
  detect: (head) => hasColumns(head, ANIMELIST_COLUMNS),
  read: (source) => {
    let lastUser = '';
    let seen = new Set<number>();
    return readCsvTable(source, {
      required: ANIMELIST_COLUMNS,
      rowsPerChunk: 50_000,
      mapRow(row, sink) {
        const user = row.get('user_id');
        if (!/^\d+$/.test(user) || user.length > MAX_USER_ID_LENGTH) return sink.problem('user_id', 'bad_number', badValueMessage('user_id', user, `a non-negative integer of at most ${MAX_USER_ID_LENGTH} digits`));
        const animeId = requireAnimeId(row, sink, 'anime_id');
        if (animeId === null) return;
        const score = parseInteger(row.get('score'));
        if (Number.isNaN(score)) return sink.problem('score', 'bad_number', badValueMessage('score', row.get('score'), 'an integer'));
        if (score < 0 || score > 10) return sink.problem('score', 'score_out_of_range', `score ${score} is outside 0–10 (0 = no score)`);
        const code = parseInteger(row.get('watching_status'));
        const status = WATCHING_STATUS[code];
        if (status === undefined) {
          return sink.problem('watching_status', 'unknown_status', badValueMessage('watching_status', row.get('watching_status'), 'one of 1 watching, 2 completed, 3 on hold, 4 dropped, 6 plan to watch'));
        }
        if (user !== lastUser) {
          lastUser = user;
          seen = new Set();
        }
        if (seen.has(animeId)) return sink.problem(undefined, 'duplicate_row', `user ${user} already listed anime ${animeId} earlier in the file; the first row is kept`);
        seen.add(animeId);
        sink.interaction({ user, animeId, score: score === 0 ? null : score, status, updatedAt: null, line: row.line });
      },
    });
  },
};
