// `meshgate ratelimit`: the RateLimitService in a process of its own, on its own gRPC port, with
// rules from a file (reloaded on SIGHUP by the CLI) and counters in memory or Redis. Run several
// behind one Envoy cluster with a shared --redis-url and the limits hold across all of them.
import * as grpc from '@grpc/grpc-js';
import type { Logger } from 'pino';
import type { CounterStore } from './counter-store';
import { loadRuleSetFile } from './rule-set-file';
import { RateLimitRules } from './rules';
import { registerRateLimitService } from './service';
import { createCounterStore } from './store-factory';

export interface StandaloneRateLimitOptions {
  readonly host: string;
  readonly port: number;
  readonly configFile: string;
  readonly redisUrl?: string;
  readonly redisKeyPrefix?: string;
  readonly logger: Logger;
}

export interface StandaloneRateLimit {
  readonly port: number;
  readonly rules: RateLimitRules;
  readonly store: CounterStore;
  /** Re-reads the config file; on error keeps the current rules and throws. */
  reload(): void;
  close(): Promise<void>;
}

function bind(server: grpc.Server, host: string, port: number): Promise<number> {
  const address = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  return new Promise((resolve, reject) => {
    server.bindAsync(address, grpc.ServerCredentials.createInsecure(), (err, bound) => (err ? reject(err) : resolve(bound)));
  });
}

function countRules(rules: RateLimitRules): number {
  return rules.current().domains.reduce((n, d) => n + d.rules.length, 0);
}

export async function startStandaloneRateLimit(options: StandaloneRateLimitOptions): Promise<StandaloneRateLimit> {
  const { logger } = options;
  const rules = new RateLimitRules(loadRuleSetFile(options.configFile));
  const { store, description } = createCounterStore({
    ...(options.redisUrl ? { redisUrl: options.redisUrl } : {}),
    ...(options.redisKeyPrefix !== undefined ? { redisKeyPrefix: options.redisKeyPrefix } : {}),
    logger: logger.child({ component: 'redis' }),
  });
  const server = new grpc.Server();
  registerRateLimitService(server, { rules, store, logger });
  let port: number;
  try {
    port = await bind(server, options.host, options.port);
  } catch (err) {
    await store.close();
    throw err;
  }
  logger.info({ host: options.host, port, counters: description, config: options.configFile, rules: countRules(rules) }, 'rate limit service listening');
  return {
    port,
    rules,
    store,
    reload() {
      rules.update(loadRuleSetFile(options.configFile));
      logger.info({ config: options.configFile, rules: countRules(rules) }, 'rate limit rules reloaded');
    },
    async close() {
      await new Promise<void>((resolve) => {
        const force = setTimeout(() => server.forceShutdown(), 2_000);
        server.tryShutdown(() => {
          clearTimeout(force);
          resolve();
        });
      });
      await store.close();
    },
  };
}
