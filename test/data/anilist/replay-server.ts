/**
 * A local stand-in for https://graphql.anilist.co that replays hand-written fixtures
 * (test/fixtures/anilist/*.json, in AniList's real response shape). Fixture files hold only the
 * response body; the HTTP status is the first GraphQL error's `status`, or 200.
 *
 * Routing:
 * - MediaListCollection: `user-<name>-chunk<chunk>.json`, else `user-<name>.json`, else `user-not-found.json`.
 * - Page: `<mediaPages>-<page>.json` (`media-page-<page>.json` unless a test picks another set),
 *   else an empty last page.
 *
 * `script` answers the next requests before any fixture: 429 with Retry-After, 500, a hang, ...
 */
import { readFileSync, existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures', 'anilist');

export interface ScriptedResponse {
  status?: number;
  headers?: Record<string, string>;
  /** JSON body; a string is sent as is (to simulate non-JSON answers). */
  body?: unknown;
  /** Never answer (until the server closes). */
  hang?: boolean;
}

export interface RecordedRequest {
  query: string;
  variables: Record<string, unknown>;
  headers: IncomingMessage['headers'];
  /** What was answered: fixture name or "script:<status>". */
  answer: string;
}

export class ReplayServer {
  readonly requests: RecordedRequest[] = [];
  /** Consumed in order, one per request, before fixtures are consulted. */
  script: ScriptedResponse[] = [];
  /** File name prefix of the catalogue pages: `media-steinsgate-page` serves the Steins;Gate set. */
  mediaPages = 'media-page';
  private server: Server | null = null;
  private port = 0;

  get endpoint(): string {
    return `http://127.0.0.1:${this.port}/`;
  }

  /** Queue `count` copies of a scripted response. */
  failNext(count: number, response: ScriptedResponse): this {
    for (let i = 0; i < count; i++) this.script.push(response);
    return this;
  }

  reset(): void {
    this.requests.length = 0;
    this.script = [];
    this.mediaPages = 'media-page';
  }

  async start(): Promise<this> {
    const server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
    return this;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    let parsed: { query?: string; variables?: Record<string, unknown> } = {};
    try {
      parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      // fall through with an empty request; answered as a 400 below
    }
    const query = parsed.query ?? '';
    const variables = parsed.variables ?? {};
    const record: RecordedRequest = { query, variables, headers: req.headers, answer: '' };
    this.requests.push(record);

    const scripted = this.script.shift();
    if (scripted) {
      record.answer = scripted.hang ? 'script:hang' : `script:${scripted.status ?? 200}`;
      if (scripted.hang) return; // leave the socket open
      const body = scripted.body ?? { errors: [{ message: scripted.status === 429 ? 'Too Many Requests.' : 'Internal Server Error', status: scripted.status ?? 500 }], data: null };
      send(res, scripted.status ?? 200, body, scripted.headers);
      return;
    }

    if (req.method !== 'POST' || !query) {
      record.answer = 'bad-request';
      send(res, 400, { errors: [{ message: 'Must provide query string.', status: 400 }], data: null });
      return;
    }

    let name: string | null = null;
    if (query.includes('MediaListCollection')) {
      const user = String(variables.userName ?? '').toLowerCase();
      const candidates = [`user-${user}-chunk${String(variables.chunk ?? 1)}.json`, `user-${user}.json`, 'user-not-found.json'];
      name = candidates.find((c) => existsSync(join(FIXTURES, c))) ?? null;
    } else if (query.includes('Page(')) {
      const candidate = `${this.mediaPages}-${String(variables.page ?? 1)}.json`;
      if (existsSync(join(FIXTURES, candidate))) name = candidate;
      else {
        record.answer = 'empty-page';
        send(res, 200, { data: { Page: { pageInfo: { hasNextPage: false, currentPage: variables.page ?? 1 }, media: [] } } });
        return;
      }
    }
    if (!name) {
      record.answer = 'unknown-query';
      send(res, 400, { errors: [{ message: 'Unknown query for the replay server.', status: 400 }], data: null });
      return;
    }
    record.answer = name;
    const body = JSON.parse(readFileSync(join(FIXTURES, name), 'utf8')) as { errors?: Array<{ status?: number }> };
    send(res, body.errors?.[0]?.status ?? 200, body);
  }
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
    'X-RateLimit-Limit': '90',
    'X-RateLimit-Remaining': '89',
    ...headers,
  });
  res.end(text);
}

export async function startReplayServer(): Promise<ReplayServer> {
  return new ReplayServer().start();
}
