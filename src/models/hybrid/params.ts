/** The hybrid's training knobs (the ranker's own are in ranker/params.ts) and their defaults. */
import type { RankerParams } from '../ranker/index.js';

export interface AnirecTrainParams {
  /** Training users held back from the base models to teach the ranker (fold-in simulation). */
  rankerUsers: number;
  /** Share of those users used for the ranker's early stopping instead of fitting. */
  rankerValidationShare: number;
  /** Share of a ranker user's list shown as history; the rest are the targets to find. */
  foldInFraction: number;
  minItemsPerRankerUser: number;
  /** Graded relevance: every held-out title earns `listedGain`, one the user scored ≥ likedThreshold earns `likedGain`. */
  listedGain: number;
  likedGain: number;
  likedThreshold: number;
  /**
   * Share of the rated titles that the base models of step 1 see as unrated (every interaction
   * removed, item facts as for a title nobody listed), while the ranker's users keep them in their
   * lists and targets. New titles have no ratings when they are served, so the ranker must learn
   * how a title nobody rated compares with rated ones; without this it never sees one among its
   * positives. 0 turns it off.
   */
  simulatedColdShare: number;
  ranker: Partial<RankerParams>;
}

export const DEFAULT_ANIREC_PARAMS: AnirecTrainParams = {
  rankerUsers: 1500,
  rankerValidationShare: 0.2,
  foldInFraction: 0.8,
  minItemsPerRankerUser: 5,
  listedGain: 1,
  likedGain: 2,
  likedThreshold: 7,
  simulatedColdShare: 0.05,
  ranker: {},
};
