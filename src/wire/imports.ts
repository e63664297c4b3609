/** List imports on the wire: the AniList request and what either import answers. */
import Type, { type Static } from 'typebox';
import { LooseObject, Nullable } from './json.js';
import { UserRefSchema } from './users.js';

export const AniListImportBodySchema = Type.Object(
  { userName: Type.String({ minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9_-]+$' }) },
  { additionalProperties: false },
);

export const ImportResultSchema = Type.Object({
  user: Nullable(UserRefSchema),
  // The store's counters, as it reports them.
  imported: LooseObject,
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
