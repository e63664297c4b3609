/** What the store contract's sections share (contract.ts). */
import type { Interaction, TitleRelations } from '../../src/data/types.js';
import type { Store } from '../../src/store/index.js';

/** Opens a new, empty store of the backend under test; the test closes it. */
export type OpenFreshStore = () => Promise<Store>;

export function row(user: string, animeId: number, score: number | null, extra: Partial<Interaction> = {}): Interaction {
  return { user, animeId, score, status: null, updatedAt: null, ...extra };
}

/** Runs `use` on a fresh store and closes it however `use` ends. */
export async function withFresh(openFresh: OpenFreshStore, use: (store: Store) => Promise<void>): Promise<void> {
  const store = await openFresh();
  try {
    await use(store);
  } finally {
    await store.close();
  }
}

/** The Steins;Gate lists as AniList gives them (test/fixtures/anilist/media-steinsgate-page-1.json). */
export const STEINS_GATE: TitleRelations[] = [
  {
    animeId: 9253,
    relations: [
      { relatedId: 30484, relation: 'sequel' },
      { relatedId: 11577, relation: 'sequel' },
      { relatedId: 10863, relation: 'side_story' },
    ],
  },
  { animeId: 11577, relations: [{ relatedId: 9253, relation: 'prequel' }] },
  { animeId: 30484, relations: [{ relatedId: 9253, relation: 'prequel' }] },
];
export const STEINS_GATE_TITLES = [
  { animeId: 9253, title: 'Steins;Gate' },
  { animeId: 11577, title: 'Steins;Gate Movie: Fuka Ryouiki no Déjà vu' },
  { animeId: 30484, title: 'Steins;Gate 0' },
];
