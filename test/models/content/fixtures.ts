import type { Anime } from '../../../src/data/types.js';
import type { TrainingData } from '../../../src/models/types.js';
import { emptyAnime } from '../../../src/store/merge-anime.js';

/** A catalogue title (TV, 12 episodes, finished, 2015); override what a test cares about. */
export function anime(animeId: number, over: Partial<Anime> = {}): Anime {
  return { ...emptyAnime(animeId), title: `Title ${animeId}`, format: 'TV', episodes: 12, status: 'finished', year: 2015, ...over };
}

/** TrainingData whose item vocabulary is `ids` and whose users are the given (item index, score) rows. */
export function trainingData(ids: number[], users: [number, number][][] = []): TrainingData {
  const indptr = new Int32Array(users.length + 1);
  const indices: number[] = [];
  const scores: number[] = [];
  users.forEach((row, u) => {
    for (const [i, s] of [...row].sort((a, b) => a[0] - b[0])) {
      indices.push(i);
      scores.push(s);
    }
    indptr[u + 1] = indices.length;
  });
  return {
    nUsers: users.length,
    nItems: ids.length,
    itemIds: Int32Array.from(ids),
    indptr,
    indices: Int32Array.from(indices),
    scores: Float32Array.from(scores),
  };
}

export const MECHA_A = anime(1, {
  genres: ['Action', 'Sci-Fi'],
  themes: ['Mecha', 'Military'],
  demographics: ['Shounen'],
  studios: ['Sunrise'],
  source: 'Original',
  synopsis: 'Teenage pilots climb into giant robots to defend the space colonies from an alien invasion fleet.',
});
export const MECHA_B = anime(2, {
  genres: ['Action', 'Sci-Fi', 'Drama'],
  themes: ['Mecha', 'Space'],
  demographics: ['Seinen'],
  studios: ['Sunrise'],
  source: 'Original',
  synopsis: 'A young pilot of a giant robot fights alien invaders in a war between the space colonies and Earth.',
});
export const ROMANCE = anime(3, {
  genres: ['Romance', 'Drama'],
  themes: ['School'],
  demographics: ['Shoujo'],
  studios: ['Kyoto Animation'],
  source: 'Manga',
  synopsis: 'A shy high school girl slowly falls in love with her cheerful classmate after they join the same club.',
});
export const ROMANCE_B = anime(4, {
  genres: ['Romance', 'Comedy'],
  themes: ['School'],
  demographics: ['Shoujo'],
  studios: ['Shaft'],
  source: 'Manga',
  synopsis: 'Two classmates at a high school pretend to date, and their fake romance slowly turns into real love.',
});
export const SPORTS = anime(5, {
  genres: ['Sports'],
  themes: ['Team Sports', 'School'],
  demographics: ['Shounen'],
  studios: ['Production I.G'],
  source: 'Manga',
  synopsis: 'A short boy joins his high school volleyball team, determined to become the best spiker in the country.',
});
/** Only what the 2016 catalogue knows: genres (with Mecha/Shounen as genres), format, episodes. */
export const MECHA_2016 = anime(6, {
  genres: ['Action', 'Mecha', 'Sci-Fi', 'Shounen'],
  year: null,
  format: 'TV',
  episodes: 50,
});
/** In the vocabulary, but absent from the catalogue: no features at all. */
export const UNKNOWN_ID = 999;
