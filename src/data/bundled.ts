import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Where the sample data shipped inside the package lives, so a fresh clone works offline. These
 * are facts about the package, not settings, so every layer may read them (config.ts holds what
 * the environment decides).
 */

/** The package root (works from both src/ under tsx and dist/ after the build). */
export const PACKAGE_ROOT = fileURLToPath(new URL('../..', import.meta.url));

export const BUNDLED_DATA = {
  catalogue2016: join(PACKAGE_ROOT, 'data', 'anime_2016.csv.gz'),
  catalogueJikan: join(PACKAGE_ROOT, 'data', 'anime_tv_2006_2026_jikan.csv.gz'),
  ratings2016: join(PACKAGE_ROOT, 'data', 'ratings_2016_5k_users.csv.gz'),
  embeddingCache: join(PACKAGE_ROOT, 'data', 'embeddings', 'use-lite-synopsis.bin'),
} as const;

/**
 * The bundled catalogues in the order every command imports them. Order matters: where both know
 * a field (genres, member counts, scores of the TV titles since 2006), the later import's value
 * wins, so the newer Jikan facts complete and update the 2016 catalogue. Training from files and
 * `anirec import` use this one list, so models and evaluations agree on both paths.
 */
export const BUNDLED_CATALOGUES = [BUNDLED_DATA.catalogue2016, BUNDLED_DATA.catalogueJikan] as const;

/** User namespace of the bundled ratings (caserec's renumbered 5k-user Kaggle 2016 sample). */
export const BUNDLED_USER_SOURCE = 'kaggle2016';
