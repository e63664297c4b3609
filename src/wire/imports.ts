/** List imports on the wire: the AniList request and what either import answers. */
import Type, { type Static } from 'typebox';
import { Nullable } from './json.js';
import { UserRefSchema } from './users.js';

export const AniListImportBodySchema = Type.Object(
  { userName: Type.String({ minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9_-]+$' }) },
  { additionalProperties: false },
);

const count = (description: string) => Type.Integer({ minimum: 0, description });

/** What one import wrote (store.ts ImportCounts). */
export const ImportCountsSchema = Type.Object({
  animeUpserted: count('Catalogue titles added or changed (0 for a list upload: lists never change the catalogue).'),
  interactionsInserted: count('List entries added.'),
  interactionsUpdated: count('List entries whose score or status changed.'),
  interactionsUnchanged: count('List entries already stored as sent.'),
  usersCreated: count('Users created.'),
  pendingAdded: count('Entries kept for titles the catalogue does not have yet.'),
  pendingResolved: count('Pending entries that became list entries because this import added their titles.'),
});

export const ImportResultSchema = Type.Object({
  user: Nullable(UserRefSchema),
  imported: ImportCountsSchema,
  skipped: Type.Integer({ description: 'Entries left out (unreadable, or for titles not in the catalogue).' }),
  problems: Type.Array(Type.String({ description: 'An entry that could not be used, as "upload:LINE, column C: reason: message".' })),
  pending: Type.Optional(
    Type.Object(
      { entries: Type.Integer(), titles: Type.Array(Type.Object({ animeId: Type.Integer(), title: Nullable(Type.String()) })) },
      { description: 'Entries kept on the list for titles the catalogue does not have yet (MAL uploads); they count once it does.' },
    ),
  ),
  notes: Type.Optional(
    Type.Array(Type.String(), { description: 'Sentences for the person, e.g. "3 titles are not in the catalogue yet: …" (MAL uploads).' }),
  ),
});

export type ImportResult = Static<typeof ImportResultSchema>;
