import { fileURLToPath } from 'node:url';
import { openDataFile } from '../../src/data/index.js';
import type { AnimePatch, Interaction, RowProblem } from '../../src/data/types.js';

export const fixture = (name: string): string => fileURLToPath(new URL(`../fixtures/data/${name}`, import.meta.url));

export interface ReadResult {
  format: string;
  anime: AnimePatch[];
  interactions: Interaction[];
  problems: RowProblem[];
  rowsRead: number;
}

/** Reads a whole file through the public importer API, gathering every chunk. */
export async function readAll(path: string, format?: string): Promise<ReadResult> {
  const opened = await openDataFile(path, { format });
  const result: ReadResult = { format: opened.format.id, anime: [], interactions: [], problems: [], rowsRead: 0 };
  for await (const chunk of opened.chunks) {
    result.anime.push(...chunk.anime);
    result.interactions.push(...chunk.interactions);
    result.problems.push(...chunk.problems);
    result.rowsRead += chunk.rowsRead;
  }
  return result;
}
