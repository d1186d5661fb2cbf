// Counters in Redis, shared by every replica that points at the same server, so a limit holds
// however many control planes (or `meshgate ratelimit` processes) Envoy talks to. Each counter is
// one key, incremented and given its expiry atomically by a Lua script, one EVALSHA per descriptor,
// all of a request's descriptors pipelined into one round trip.
import crypto from 'node:crypto';
import { CounterStoreUnavailableError, type CounterIncrement, type CounterStore } from './counter-store';
import { RedisClient, RedisUnavailableError } from './redis-client';
import { RedisReplyError, type RedisReply } from './resp';

/**
 * KEYS[1] counter, ARGV[1] hits, ARGV[2] lifetime in ms. The expiry is set only when the key has
 * none, i.e. by whoever created it: later hits in the same window must not extend it.
 */
export const INCREMENT_SCRIPT = [
  "local count = redis.call('INCRBY', KEYS[1], ARGV[1])",
  "if redis.call('PTTL', KEYS[1]) < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end",
  'return count',
].join('\n');

const INCREMENT_SHA = crypto.createHash('sha1').update(INCREMENT_SCRIPT).digest('hex');

/** Replicas' clocks differ a little: a counter outlives its window by this much so a slow replica still finds it. */
const EXPIRY_SLACK_MS = 5_000;

export const DEFAULT_REDIS_KEY_PREFIX = 'meshgate:ratelimit:';

export interface RedisCounterStoreOptions {
  readonly client: RedisClient;
  /** Prepended to every key; default "meshgate:ratelimit:". */
  readonly keyPrefix?: string;
}

function total(reply: RedisReply): number {
  if (typeof reply === 'number') return reply;
  if (reply instanceof RedisReplyError) throw new CounterStoreUnavailableError(`Redis error: ${reply.message}`);
  throw new CounterStoreUnavailableError(`unexpected Redis reply ${JSON.stringify(reply)}`);
}

export class RedisCounterStore implements CounterStore {
  private readonly client: RedisClient;
  readonly keyPrefix: string;

  constructor(options: RedisCounterStoreOptions) {
    this.client = options.client;
    this.keyPrefix = options.keyPrefix ?? DEFAULT_REDIS_KEY_PREFIX;
  }

  async increment(increments: readonly CounterIncrement[]): Promise<number[]> {
    if (increments.length === 0) return [];
    const argsOf = (inc: CounterIncrement): [string, number, number] => [this.keyPrefix + inc.key, inc.hits, Math.max(1, Math.ceil(inc.ttlMs)) + EXPIRY_SLACK_MS];
    try {
      const replies = await this.client.pipeline(increments.map((inc) => ['EVALSHA', INCREMENT_SHA, 1, ...argsOf(inc)]));
      // The first use on a server (or after SCRIPT FLUSH / a restart) loads the script with EVAL.
      const missing = replies.flatMap((r, i) => (r instanceof RedisReplyError && r.code === 'NOSCRIPT' ? [i] : []));
      if (missing.length > 0) {
        const retried = await this.client.pipeline(missing.map((i) => ['EVAL', INCREMENT_SCRIPT, 1, ...argsOf(increments[i]!)]));
        missing.forEach((i, j) => (replies[i] = retried[j] ?? null));
      }
      return replies.map(total);
    } catch (err) {
      if (err instanceof RedisUnavailableError) throw new CounterStoreUnavailableError(err.message);
      throw err;
    }
  }

  close(): Promise<void> {
    return this.client.close();
  }
}
