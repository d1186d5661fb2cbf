// --redis-url: redis://[[username]:password@]host[:port][/db]. TLS (rediss://) is not supported:
// run Redis on a trusted network or loopback, or behind a TLS tunnel.

export interface RedisEndpoint {
  readonly host: string;
  readonly port: number;
  readonly username?: string;
  readonly password?: string;
  readonly db: number;
}

export class RedisUrlError extends Error {
  override name = 'RedisUrlError';
}

export function parseRedisUrl(text: string): RedisEndpoint {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new RedisUrlError(`not a URL: "${redact(text)}" (expected redis://[:password@]host:port/db)`);
  }
  if (url.protocol === 'rediss:') throw new RedisUrlError('rediss:// (TLS) is not supported; use redis:// over a trusted network');
  if (url.protocol !== 'redis:') throw new RedisUrlError(`unsupported scheme "${url.protocol}" (expected redis://)`);
  if (!url.hostname) throw new RedisUrlError('the Redis URL has no host');
  const port = url.port === '' ? 6379 : Number(url.port);
  const dbText = url.pathname.replace(/^\//, '');
  const db = dbText === '' ? 0 : Number(dbText);
  if (!Number.isInteger(db) || db < 0) throw new RedisUrlError(`database must be a number, got "${dbText}"`);
  const username = decodeURIComponent(url.username);
  const password = decodeURIComponent(url.password);
  // Brackets of an IPv6 literal are not part of the address net.connect wants.
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return {
    host,
    port,
    db,
    ...(username ? { username } : {}),
    ...(password ? { password } : {}),
  };
}

/** The URL with its password replaced, for logs and error messages. */
export function redact(text: string): string {
  return text.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
}
