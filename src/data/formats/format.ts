import type { DataSource } from '../source.js';
import type { ImportChunk } from '../types.js';

export const FORMAT_IDS = [
  'kaggle2016-anime',
  'ratings',
  'kaggle2020-anime',
  'kaggle2020-synopsis',
  'kaggle2020-animelist',
  'jikan-csv',
  'mal-xml',
] as const;
export type FormatId = (typeof FORMAT_IDS)[number];

/** One importable file format: how to recognise it and how to read it into canonical records. */
export interface DataFormat {
  id: FormatId;
  /** Catalogues are imported before list files in a run, so ratings can be checked against them. */
  kind: 'catalogue' | 'interactions';
  description: string;
  /** The header (or root element) that identifies the format, for `anirec formats`. */
  header?: string;
  /**
   * A person's own list (a MAL export), as opposed to a dataset: it never writes catalogue data,
   * and its entries for titles the catalogue lacks are kept as the user's pending entries.
   */
  userList?: boolean;
  /** Namespace of the file's user ids when the caller gives none. */
  defaultUserSource?: string;
  /** True when the decoded start of a file looks like this format. */
  detect(head: string): boolean;
  read(source: DataSource): AsyncIterable<ImportChunk>;
}
