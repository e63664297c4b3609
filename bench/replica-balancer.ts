/**
 * The load balancer of bench/replicas.ts: a small HTTP proxy in its own process, doing what a
 * real one (HAProxy, nginx, a Kubernetes Service) does in front of API replicas:
 *
 * - round robin over the replicas that are in;
 * - active health checks: GET /health/ready every CHECK_MS; FALL failures in a row take a replica
 *   out, RISE successes bring it back (a killed replica, one that lost its database);
 * - passive checks: a refused connection takes the replica out at once, and the request, which
 *   never reached it, goes to the next one (HAProxy's `retry-on conn-failure`);
 * - no retry of a write that may have reached a replica: a reset or a timeout after the request
 *   was sent is answered 502/504, never resent (it may have been applied); reads are retried;
 * - 503 when no replica is in, 504 when a replica takes longer than UPSTREAM_TIMEOUT_MS.
 *
 * Started by fork with the replicas' ports in BALANCER_PORTS (comma-separated); it reports its
 * port ({ port }) and every change of a replica's state ({ state: { port, in, reason, at } }) over
 * IPC. Ports can be replaced later by a { ports } message (a restarted replica, same port here).
 */
import http from 'node:http';

const CHECK_MS = 500;
const CHECK_TIMEOUT_MS = 1000;
const FALL = 2;
const RISE = 2;
const UPSTREAM_TIMEOUT_MS = 10_000;
const MAX_TRIES = 3;

interface Backend {
  port: number;
  in: boolean;
  fails: number;
  oks: number;
  agent: http.Agent;
}

const IDEMPOTENT_READS = new Set(['GET', 'HEAD', 'OPTIONS']);

function report(message: unknown): void {
  if (process.send) process.send(message);
}

function setState(b: Backend, isIn: boolean, reason: string): void {
  if (b.in === isIn) return;
  b.in = isIn;
  report({ state: { port: b.port, in: isIn, reason, at: Date.now() } });
}

function check(b: Backend): void {
  const req = http.get({ host: '127.0.0.1', port: b.port, path: '/health/ready', agent: false, timeout: CHECK_TIMEOUT_MS }, (res) => {
    res.resume();
    if (res.statusCode === 200) {
      b.fails = 0;
      if (++b.oks >= RISE) setState(b, true, 'ready');
    } else fail(b, `readiness ${res.statusCode}`);
  });
  req.on('timeout', () => req.destroy(new Error('readiness timeout')));
  req.on('error', (error: NodeJS.ErrnoException) => fail(b, error.code ?? error.message));
}

function fail(b: Backend, reason: string): void {
  b.oks = 0;
  if (++b.fails >= FALL) setState(b, false, reason);
}

export function startBalancer(ports: number[]): Promise<{ server: http.Server; port: number; backends: Backend[] }> {
  // Replicas start out: they come in after RISE good readiness checks, as behind a real balancer.
  const backends: Backend[] = ports.map((port) => ({
    port,
    in: false,
    fails: 0,
    oks: 0,
    agent: new http.Agent({ keepAlive: true, maxSockets: 128 }),
  }));
  let next = 0;
  const timer = setInterval(() => backends.forEach(check), CHECK_MS);
  const pick = (tried: Set<Backend>): Backend | null => {
    for (let i = 0; i < backends.length; i++) {
      const b = backends[(next + i) % backends.length]!;
      if (b.in && !tried.has(b)) {
        next = (next + i + 1) % backends.length;
        return b;
      }
    }
    return null;
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => forward(req, res, Buffer.concat(chunks), new Set()));
  });

  function answer(res: http.ServerResponse, status: number, cause: string): void {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    res.writeHead(status, { 'content-type': 'application/json', 'x-balancer-cause': cause });
    res.end(JSON.stringify({ error: { code: 'balancer', message: cause } }));
  }

  function forward(req: http.IncomingMessage, res: http.ServerResponse, body: Buffer, tried: Set<Backend>): void {
    const b = pick(tried);
    if (b === null)
      return answer(res, tried.size === 0 ? 503 : 502, tried.size === 0 ? 'no replica is in' : 'every replica refused the connection');
    tried.add(b);
    let connected = false;
    const upstream = http.request(
      {
        host: '127.0.0.1',
        port: b.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, 'content-length': String(body.length) },
        agent: b.agent,
      },
      (up) => {
        res.writeHead(up.statusCode ?? 502, { ...up.headers, 'x-replica': String(b.port) });
        up.pipe(res);
        up.on('error', () => res.destroy());
      },
    );
    upstream.setTimeout(UPSTREAM_TIMEOUT_MS, () =>
      upstream.destroy(Object.assign(new Error('upstream timeout'), { code: 'UPSTREAM_TIMEOUT' })),
    );
    upstream.on('socket', (socket) => {
      // A reused keep-alive socket is connected already; a new one is once 'connect' fires.
      if (!socket.connecting) connected = true;
      else socket.once('connect', () => (connected = true));
    });
    upstream.on('error', (error: NodeJS.ErrnoException) => {
      const neverReached = !connected && (error.code === 'ECONNREFUSED' || error.code === 'ECONNRESET' || error.code === 'EHOSTUNREACH');
      if (neverReached) {
        b.oks = 0;
        setState(b, false, `connection ${error.code}`);
      }
      const retry = (neverReached || IDEMPOTENT_READS.has(req.method ?? '')) && tried.size < MAX_TRIES && !res.headersSent;
      if (retry) return forward(req, res, body, tried);
      answer(res, error.code === 'UPSTREAM_TIMEOUT' ? 504 : 502, `${error.code ?? error.message} from replica ${b.port}`);
    });
    upstream.end(body);
  }

  return new Promise((resolve) => {
    server.keepAliveTimeout = 30_000;
    server.listen(0, '127.0.0.1', () => {
      server.on('close', () => clearInterval(timer));
      resolve({ server, port: (server.address() as { port: number }).port, backends });
    });
  });
}

// As a child process (bench/replicas.ts forks this file).
if (process.env.BALANCER_PORTS !== undefined && process.send) {
  const ports = process.env.BALANCER_PORTS.split(',').map(Number);
  const { port } = await startBalancer(ports);
  report({ port });
  process.on('message', (message) => {
    if (message === 'stop') process.exit(0);
  });
}
