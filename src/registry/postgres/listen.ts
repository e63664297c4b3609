import pg from 'pg';
import type { RegistryWatch } from '../registry-api.js';

/** How long to wait before reconnecting after a lost connection: doubling from the first, up to the last. */
const BACKOFF_MS = { first: 250, max: 10_000 };

/**
 * LISTEN on a dedicated connection (a pooled one may be handed to another query, and a pooled
 * connection's LISTEN ends when it is released). When the database goes away the connection is
 * re-opened with backoff; every time it is (re)established `onChange` runs too, because a
 * promotion may have happened while nobody was listening.
 */
export function listenForChanges(url: string, channel: string, onChange: () => void, onError: (message: string) => void): RegistryWatch {
  let stopped = false;
  let client: pg.Client | null = null;
  let timer: NodeJS.Timeout | null = null;
  let delay = BACKOFF_MS.first;

  const retry = (message: string): void => {
    if (stopped || timer !== null) return;
    onError(`registry notifications lost (${message}); reconnecting in ${delay} ms`);
    timer = setTimeout(() => {
      timer = null;
      void connect();
    }, delay);
    timer.unref();
    delay = Math.min(delay * 2, BACKOFF_MS.max);
  };

  const connect = async (): Promise<void> => {
    const c = new pg.Client({ connectionString: url, keepAlive: true });
    client = c;
    let failed = false;
    const lost = (message: string): void => {
      if (failed) return;
      failed = true;
      c.removeAllListeners('notification');
      void c.end().catch(() => {});
      if (client === c) client = null;
      retry(message);
    };
    c.on('error', (error) => lost(error.message));
    c.on('end', () => lost('connection closed'));
    c.on('notification', (message) => {
      if (message.channel === channel) onChange();
    });
    try {
      await c.connect();
      await c.query(`LISTEN ${channel}`);
    } catch (error) {
      lost((error as Error).message);
      return;
    }
    if (stopped) {
      await c.end().catch(() => {});
      return;
    }
    delay = BACKOFF_MS.first;
    onChange();
  };

  void connect();
  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = null;
      const c = client;
      client = null;
      if (c) {
        c.removeAllListeners();
        c.on('error', () => {});
        await c.end().catch(() => {});
      }
    },
  };
}
