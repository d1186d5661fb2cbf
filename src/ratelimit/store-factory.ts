// The counter store a process uses: Redis when a --redis-url is given (limits shared by every
// replica using that Redis), memory otherwise (limits per process). Shared by `meshgate serve`
// (in-process service) and `meshgate ratelimit` (standalone).
import type { Logger } from 'pino';
import type { CounterStore } from './counter-store';
import { MemoryCounterStore } from './memory-store';
import { RedisClient } from './redis-client';
import { RedisCounterStore } from './redis-store';
import { parseRedisUrl, redact } from './redis-url';

export interface CounterStoreConfig {
  readonly redisUrl?: string;
  readonly redisKeyPrefix?: string;
  readonly logger?: Logger;
}

export interface CreatedCounterStore {
  readonly store: CounterStore;
  /** "memory" or the Redis URL with its password hidden. */
  readonly description: string;
}

/**
 * Throws RedisUrlError for a bad URL. Does not wait for Redis: it connects in the background (the
 * client logs the outcome) and calls answer UNAVAILABLE until it is reached.
 */
export function createCounterStore(config: CounterStoreConfig): CreatedCounterStore {
  if (!config.redisUrl) return { store: new MemoryCounterStore(), description: 'memory' };
  const endpoint = parseRedisUrl(config.redisUrl);
  const client = new RedisClient({ ...endpoint, ...(config.logger ? { logger: config.logger } : {}) });
  client.connect().catch(() => undefined); // a failure is logged by the client, which keeps retrying
  return {
    store: new RedisCounterStore({ client, ...(config.redisKeyPrefix !== undefined ? { keyPrefix: config.redisKeyPrefix } : {}) }),
    description: redact(config.redisUrl),
  };
}
