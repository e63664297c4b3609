/** Server settings. Every field has a safe default; `anirec serve` fills them from flags and env. */
export interface ServerConfig {
  /** Accepted API keys (header `x-api-key` or `Authorization: Bearer …`). */
  apiKeys: string[];
  /** Read routes need a key too (default false: reads are open). */
  requireKeyForReads: boolean;
  /**
   * With no API key configured, write/admin routes are refused unless this is true. `anirec
   * serve` sets it when listening on loopback only, so a local setup works without a key while a
   * server reachable from the network never accepts anonymous writes by accident.
   */
  allowWritesWithoutKey: boolean;
  /** Maximum request body, bytes (MAL XML exports of big lists are a few MB). */
  bodyLimit: number;
  /** Requests per minute per client IP; 0 disables rate limiting. */
  rateLimitPerMinute: number;
  /**
   * Origins whose pages may call the API from a browser. Listed origins may read and write;
   * "*" lets any page read but never write (writes always need the origin by name). Default none:
   * only the page this server serves itself.
   */
  corsOrigins: string[];
  /**
   * The server listens on loopback only: requests must name it localhost, 127.0.0.1 or [::1] in
   * Host (any port), so a foreign domain that resolves to 127.0.0.1 (DNS rebinding) gets nothing.
   */
  loopbackOnly: boolean;
  /**
   * Host names the server answers to besides those (".example.com" also matches subdomains).
   * On a non-loopback bind an empty list turns the Host check off, so probes and load balancers
   * that use IPs keep working.
   */
  allowedHosts: string[];
  /** AniList GraphQL endpoint for list imports. */
  anilistEndpoint: string;
  /** How often to check models/CURRENT for a promoted model, ms. */
  modelPollMs: number;
  /** Fastify request logging. */
  logger: boolean;
  /**
   * The page may show cover art from the hosts the catalogue's picture URLs name. False
   * (`--no-remote-images`): placeholders only, and the page's Content-Security-Policy lets
   * browsers load images from this server and data: URLs only, for operators who do not want
   * visitors' browsers to contact other hosts.
   */
  remoteImages: boolean;
}

export const DEFAULT_SERVER_CONFIG: ServerConfig = {
  apiKeys: [],
  requireKeyForReads: false,
  allowWritesWithoutKey: false,
  bodyLimit: 8 * 1024 * 1024,
  rateLimitPerMinute: 6000,
  corsOrigins: [],
  loopbackOnly: false,
  allowedHosts: [],
  anilistEndpoint: 'https://graphql.anilist.co',
  modelPollMs: 2000,
  logger: false,
  remoteImages: true,
};

export function resolveServerConfig(partial: Partial<ServerConfig> = {}): ServerConfig {
  const config = { ...DEFAULT_SERVER_CONFIG, ...partial };
  config.apiKeys = config.apiKeys.filter((k) => k.length > 0);
  return config;
}
