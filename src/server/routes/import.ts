import { AnirecError } from '../../errors/errors.js';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { AniListError, fetchUserList } from '../../data/anilist/index.js';
import { DataFileError } from '../../data/index.js';
import type { ImportChunk, Interaction } from '../../data/types.js';
import { describePending, describeProblem, importFiles, ImportAbortedError } from '../../store/index.js';
import type { RouteDeps } from '../context.js';
import { badRequest } from '../errors.js';
import { responses } from '../../wire/errors.js';
import { AniListImportBodySchema, ImportResultSchema } from '../../wire/imports.js';

/** MAL exports name their owner in <user_name>; that is the id the importer stores them under. */
function malUserName(xml: string): string | null {
  const match = /<user_name>\s*(?:<!\[CDATA\[)?([^<\]]+)/.exec(xml);
  return match ? match[1]!.trim() : null;
}

/** AniList failures → what the client can do about them. */
function aniListApiError(error: AniListError, userName: string): AnirecError {
  switch (error.reason) {
    case 'not_found':
      return new AnirecError('not_found', `AniList has no user "${userName}" (names are as in anilist.co/user/<name>).`, {
        field: 'body.userName',
      });
    case 'private':
      return new AnirecError(
        'private_list',
        `${userName}'s AniList list is private; make it public in AniList's settings, or upload a MAL XML export instead.`,
        { field: 'body.userName' },
      );
    case 'rate_limited':
      return new AnirecError('upstream_rate_limited', 'AniList is rate-limiting us; try again in a minute.');
    default:
      return new AnirecError('upstream_error', `AniList request failed (${error.reason}): ${error.message}`);
  }
}

/**
 * MAL exports are uploaded as the raw XML body; parsing happens in the importer, streaming.
 * Added on the root, not in importRoutes' scope: an XML body sent to any other URL is read as
 * text and answered by that route or the 404 handler, as it always was, instead of a 415.
 */
export function registerXmlBody(app: FastifyInstance, bodyLimit: number): void {
  app.addContentTypeParser(['application/xml', 'text/xml'], { parseAs: 'string', bodyLimit }, (_request, body, done) => done(null, body));
}

/** Import a user's list: a MAL XML export, or an AniList user name (mode 9). */
export const importRoutes: FastifyPluginAsync<RouteDeps> = async (app, deps) => {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const afterImport = (): void => {
    // New users and titles join the similar-users index and catalogue on a background rebuild of
    // the store snapshot (the model in memory is kept); recommendations for the imported user work
    // right away (they read the store).
    void deps.holder.refreshStore().catch(() => {});
  };

  api.post(
    '/import/mal',
    {
      config: { access: 'write', metricsMode: 'import:mal' },
      schema: {
        tags: ['import'],
        summary: 'Upload a MyAnimeList XML export (Content-Type: application/xml); the user is mal:<user_name>',
        consumes: ['application/xml'],
        response: responses(ImportResultSchema),
      },
    },
    async (request) => {
      const type = request.headers['content-type'] ?? '';
      if (!/^(application|text)\/xml\b/i.test(type)) {
        throw new AnirecError(
          'unsupported_media_type',
          `Send the MAL XML export with Content-Type: application/xml (got ${JSON.stringify(type || 'none')}).`,
          { field: 'headers.content-type' },
        );
      }
      if (typeof request.body !== 'string' || request.body.trim() === '') {
        throw new AnirecError(
          'bad_request',
          'Send the MAL XML export as the request body with Content-Type: application/xml (MAL → Profile → Export).',
          { field: 'body' },
        );
      }
      const userName = malUserName(request.body);
      if (userName === null)
        throw badRequest(
          'body',
          'This is not a MyAnimeList export: no <myinfo><user_name> element. Export your list at myanimelist.net/panel.php?go=export.',
        );
      const dir = await mkdtemp(join(tmpdir(), 'anirec-upload-'));
      const path = join(dir, 'animelist.xml');
      try {
        await writeFile(path, request.body);
        const summary = await importFiles(deps.store, [{ path, format: 'mal-xml', userSource: 'mal' }], { keepProblems: 20 });
        afterImport();
        const user = (await deps.store.findUser('mal', userName))[0];
        const pendingNote = describePending(summary.pending);
        return {
          user: user ? { id: `mal:${user.externalId}`, source: 'mal', externalId: user.externalId, listed: user.interactionCount } : null,
          imported: summary.counts,
          skipped: summary.skippedTotal,
          problems: summary.problems.map((p) => describeProblem({ ...p, file: 'upload' })),
          pending: { entries: summary.pending.entries, titles: summary.pending.titles },
          notes: pendingNote ? [pendingNote] : [],
        };
      } catch (error) {
        if (error instanceof DataFileError || error instanceof ImportAbortedError)
          throw badRequest('body', error.message.replace(path, 'upload'));
        throw error;
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  );

  api.post(
    '/import/anilist',
    {
      config: { access: 'write', metricsMode: 'import:anilist' },
      schema: {
        tags: ['import'],
        summary: "Import a public AniList list by user name; the user is anilist:<name> (endpoint set by the server's --anilist-endpoint)",
        body: AniListImportBodySchema,
        response: responses(ImportResultSchema),
      },
    },
    async (request) => {
      const { userName } = request.body;
      const client = {
        endpoint: deps.config.anilistEndpoint,
        maxRetries: 2,
        timeoutMs: 15_000,
        ...(deps.fetch ? { fetch: deps.fetch } : {}),
      };
      // The whole list is fetched before the import opens: the store's write lock is held only
      // while rows are written, never across AniList's latency and retries.
      const chunks: ImportChunk[] = [];
      try {
        for await (const chunk of fetchUserList(userName, client) as AsyncIterable<ImportChunk>) chunks.push(chunk);
      } catch (error) {
        if (error instanceof AniListError) throw aniListApiError(error, userName);
        throw error;
      }
      let skipped = 0;
      let listedName = userName;
      const problems: string[] = [];
      const { counts } = await deps.store.withImport(async (tx) => {
        for (const chunk of chunks) {
          skipped += chunk.problems.length;
          for (const p of chunk.problems.slice(0, 20 - problems.length)) problems.push(describeProblem({ ...p, file: 'anilist' }));
          // Media come from the operator's configured AniList endpoint, a catalogue source.
          if (chunk.anime.length > 0) await tx.upsertAnime(chunk.anime);
          const known = await tx.knownAnimeIds();
          const rows: Interaction[] = chunk.interactions.filter((row) => known.has(row.animeId));
          skipped += chunk.interactions.length - rows.length;
          if (rows[0]) listedName = rows[0].user;
          await tx.upsertInteractions('anilist', rows);
        }
      });
      afterImport();
      const user = (await deps.store.findUser('anilist', listedName))[0];
      return {
        user: user
          ? { id: `anilist:${user.externalId}`, source: 'anilist', externalId: user.externalId, listed: user.interactionCount }
          : null,
        imported: counts,
        skipped,
        problems,
      };
    },
  );
};
