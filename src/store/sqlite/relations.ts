import type Database from 'better-sqlite3';
import { isRelationType, type AnimeRelation, type TitleRelations } from '../../data/types.js';
import type { RelationChanges } from '../store.js';

export interface RelationsWriter {
  replace(lists: readonly TitleRelations[]): RelationChanges;
}

function isMalId(id: unknown): id is number {
  return typeof id === 'number' && Number.isInteger(id) && id > 0;
}

/**
 * Writes relation lists inside the caller's open transaction. Rows that are already stored are
 * left alone, so a re-run of the same lists writes nothing.
 */
export function relationsWriter(db: Database.Database): RelationsWriter {
  const select = db.prepare('SELECT related_id, relation FROM anime_relations WHERE anime_id = ?').raw();
  const insert = db.prepare('INSERT OR IGNORE INTO anime_relations (anime_id, related_id, relation) VALUES (?, ?, ?)');
  const remove = db.prepare('DELETE FROM anime_relations WHERE anime_id = ? AND related_id = ? AND relation = ?');
  return {
    replace(lists) {
      const changes: RelationChanges = { added: 0, removed: 0 };
      for (const list of lists) {
        // Importers produce canonical values; anything else is a bug upstream, and storing it
        // would hand every reader a relation the vocabulary cannot name.
        if (!isMalId(list.animeId)) throw new Error(`replaceRelations: ${String(list.animeId)} is not a MyAnimeList id`);
        const wanted = new Map<string, [number, string]>();
        for (const { relatedId, relation } of list.relations) {
          if (!isMalId(relatedId))
            throw new Error(`replaceRelations: related id ${String(relatedId)} of anime ${list.animeId} is not a MyAnimeList id`);
          if (!isRelationType(relation))
            throw new Error(`replaceRelations: unknown relation ${JSON.stringify(relation)} of anime ${list.animeId}`);
          if (relatedId !== list.animeId) wanted.set(`${relatedId}:${relation}`, [relatedId, relation]);
        }
        for (const [relatedId, relation] of select.all(list.animeId) as [number, string][]) {
          if (wanted.delete(`${relatedId}:${relation}`)) continue;
          changes.removed += remove.run(list.animeId, relatedId, relation).changes;
        }
        for (const [relatedId, relation] of wanted.values()) changes.added += insert.run(list.animeId, relatedId, relation).changes;
      }
      return changes;
    },
  };
}

/** Stored relations whose two ends are in the catalogue, in key order. */
export function readRelations(db: Database.Database): AnimeRelation[] {
  const rows = db
    .prepare(
      `SELECT r.anime_id, r.related_id, r.relation FROM anime_relations r
       JOIN anime a ON a.anime_id = r.anime_id
       JOIN anime b ON b.anime_id = r.related_id
       ORDER BY r.anime_id, r.related_id, r.relation`,
    )
    .raw()
    .all() as [number, number, string][];
  const out: AnimeRelation[] = [];
  for (const [animeId, relatedId, relation] of rows) {
    if (isRelationType(relation)) out.push({ animeId, relatedId, relation });
  }
  return out;
}
