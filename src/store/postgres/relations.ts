import type pg from 'pg';
import { isRelationType, type AnimeRelation, type RelationType, type TitleRelations } from '../../data/types.js';
import type { RelationChanges } from '../store.js';

function isMalId(id: unknown): id is number {
  return typeof id === 'number' && Number.isInteger(id) && id > 0;
}

/**
 * The wanted relations per title, checked before anything is written. Importers produce canonical
 * values; anything else is a bug upstream, and storing it would hand every reader a relation the
 * vocabulary cannot name. A title listed twice in one call keeps its last list, as two calls would.
 */
function wantedLists(lists: readonly TitleRelations[]): Map<number, Map<string, [number, RelationType]>> {
  const byTitle = new Map<number, Map<string, [number, RelationType]>>();
  for (const list of lists) {
    if (!isMalId(list.animeId)) throw new Error(`replaceRelations: ${String(list.animeId)} is not a MyAnimeList id`);
    const wanted = new Map<string, [number, RelationType]>();
    for (const { relatedId, relation } of list.relations) {
      if (!isMalId(relatedId))
        throw new Error(`replaceRelations: related id ${String(relatedId)} of anime ${list.animeId} is not a MyAnimeList id`);
      if (!isRelationType(relation))
        throw new Error(`replaceRelations: unknown relation ${JSON.stringify(relation)} of anime ${list.animeId}`);
      if (relatedId !== list.animeId) wanted.set(`${relatedId}:${relation}`, [relatedId, relation]);
    }
    byTitle.set(list.animeId, wanted);
  }
  return byTitle;
}

/**
 * Replaces the relations of the listed titles inside the caller's open transaction, with one read,
 * one delete and one insert for the whole batch. Rows already stored are left alone, so a re-run
 * of the same lists writes nothing.
 */
export async function replaceRelations(client: pg.ClientBase, lists: readonly TitleRelations[]): Promise<RelationChanges> {
  const byTitle = wantedLists(lists);
  const changes: RelationChanges = { added: 0, removed: 0 };
  if (byTitle.size === 0) return changes;
  const { rows } = await client.query<{ anime_id: number; related_id: number; relation: string }>(
    'SELECT anime_id, related_id, relation FROM anime_relations WHERE anime_id = ANY($1::int[])',
    [[...byTitle.keys()]],
  );
  const gone: [number[], number[], string[]] = [[], [], []];
  for (const { anime_id, related_id, relation } of rows) {
    if (byTitle.get(anime_id)!.delete(`${related_id}:${relation}`)) continue;
    gone[0].push(anime_id);
    gone[1].push(related_id);
    gone[2].push(relation);
  }
  const added: [number[], number[], string[]] = [[], [], []];
  for (const [animeId, wanted] of byTitle) {
    for (const [relatedId, relation] of wanted.values()) {
      added[0].push(animeId);
      added[1].push(relatedId);
      added[2].push(relation);
    }
  }
  if (gone[0].length > 0) {
    const result = await client.query(
      `DELETE FROM anime_relations r USING unnest($1::int[], $2::int[], $3::text[]) AS d(anime_id, related_id, relation)
       WHERE r.anime_id = d.anime_id AND r.related_id = d.related_id AND r.relation = d.relation`,
      gone,
    );
    changes.removed = result.rowCount ?? 0;
  }
  if (added[0].length > 0) {
    const result = await client.query(
      `INSERT INTO anime_relations (anime_id, related_id, relation)
       SELECT * FROM unnest($1::int[], $2::int[], $3::text[]) ON CONFLICT DO NOTHING`,
      added,
    );
    changes.added = result.rowCount ?? 0;
  }
  return changes;
}

/** Stored relations whose two ends are in the catalogue, in key order. */
export async function readRelations(db: pg.Pool): Promise<AnimeRelation[]> {
  const { rows } = await db.query<{ anime_id: number; related_id: number; relation: string }>(
    `SELECT r.anime_id, r.related_id, r.relation FROM anime_relations r
     JOIN anime a ON a.anime_id = r.anime_id
     JOIN anime b ON b.anime_id = r.related_id
     ORDER BY r.anime_id, r.related_id, r.relation COLLATE "C"`,
  );
  const out: AnimeRelation[] = [];
  for (const { anime_id, related_id, relation } of rows) {
    if (isRelationType(relation)) out.push({ animeId: anime_id, relatedId: related_id, relation });
  }
  return out;
}
