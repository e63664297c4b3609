import type { DataFormat, FormatId } from './format.js';
import { jikanCsvFormat } from './jikan-csv.js';
import { kaggle2016AnimeFormat } from './kaggle2016-anime.js';
import { kaggle2020AnimeFormat, kaggle2020AnimelistFormat, kaggle2020SynopsisFormat } from './kaggle2020.js';
import { malXmlFormat } from './mal-xml.js';
import { ratingsFormat } from './ratings.js';

/** Detection order matters only for headers that are supersets of others: most specific first. */
const FORMATS: readonly DataFormat[] = [
  kaggle2020AnimeFormat,
  kaggle2020SynopsisFormat,
  kaggle2020AnimelistFormat,
  jikanCsvFormat,
  kaggle2016AnimeFormat,
  ratingsFormat,
  malXmlFormat,
];

export function listFormats(): readonly DataFormat[] {
  return FORMATS;
}

export function formatById(id: string): DataFormat | undefined {
  return FORMATS.find((format) => format.id === id);
}

export function detectFormat(head: string): DataFormat | undefined {
  return FORMATS.find((format) => format.detect(head));
}

export type { DataFormat, FormatId };
