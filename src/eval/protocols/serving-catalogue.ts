import { openDataFile } from '../../data/index.js';
import type { Anime } from '../../data/types.js';

/**
 * The catalogue numbers a recommender could have known when the ratings were collected. The
 * bundled catalogues are merged with the Jikan (2026) facts winning, so a 2016 title's member
 * count and MAL score there are what the title earned over the next ten years: a cold-title
 * protocol fed those would score "popular in 2026" as if it were knowable in 2016. Here the
 * members and MAL score of every title come from a catalogue captured at rating time (the 2016
 * Kaggle anime.csv for the bundled ratings); titles it lacks get null for both. Descriptive
 * fields (genres, themes, studios, synopsis, year, season) keep the merged values.
 */

export interface CatalogueNumbers {
  members: number | null;
  malScore: number | null;
}

export interface ServingNumbers {
  /** The file the numbers come from. */
  source: string;
  byId: Map<number, CatalogueNumbers>;
}

/**
 * Reads members and MAL score per title from one catalogue file (any format anirec imports).
 * `label` names the file in reports (reports are committed and shared: no machine's paths).
 */
export async function loadCatalogueNumbers(path: string, label = path): Promise<ServingNumbers> {
  const { format, chunks } = await openDataFile(path);
  if (format.kind !== 'catalogue') {
    throw new Error(
      `${path}: a ${format.description} file is not a catalogue; --members-catalogue needs a catalogue with member counts (e.g. data/anime_2016.csv.gz)`,
    );
  }
  const byId = new Map<number, CatalogueNumbers>();
  for await (const chunk of chunks) {
    for (const patch of chunk.anime) {
      const previous = byId.get(patch.animeId);
      byId.set(patch.animeId, {
        members: patch.members ?? previous?.members ?? null,
        malScore: patch.malScore ?? previous?.malScore ?? null,
      });
    }
  }
  let withMembers = 0;
  for (const numbers of byId.values()) if (numbers.members !== null) withMembers++;
  if (withMembers === 0)
    throw new Error(`${path}: no title has a member count; the members baseline needs one (e.g. data/anime_2016.csv.gz)`);
  return { source: label, byId };
}

/** The catalogue with members and MAL score replaced by the serving-time numbers (null where unknown). */
export function servingCatalogue(catalogue: ReadonlyMap<number, Anime>, numbers: ServingNumbers): Map<number, Anime> {
  const out = new Map<number, Anime>();
  for (const [id, anime] of catalogue) {
    const known = numbers.byId.get(id);
    out.set(id, { ...anime, members: known?.members ?? null, malScore: known?.malScore ?? null });
  }
  return out;
}
