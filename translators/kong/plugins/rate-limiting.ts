// rate-limiting → TrafficPolicy rateLimit. policy local → rateLimit.local (one window: a token
// bucket in each proxy); cluster and redis → rateLimit.global (every window, counted by meshgate's
// RateLimitService, so the limit holds across proxies), with Kong's X-RateLimit-* headers and
// fault_tolerant as failOpen. Consumer-scoped instances become overrides keyed on the consumer
// header; those need the global limiter, so a route with overrides is limited globally.
import type { JsonObject } from '../../../src/envoy/resource';
import { anything, bool, num, obj, oneOfStrings, str } from '../../schema';
import { CONSUMER_HEADER, type RoutePlan } from '../context';
import { PluginConfig } from './config';
import type { PluginEffect, PluginEnv, PluginInstance, PluginModule } from './types';

const WINDOWS = ['second', 'minute', 'hour', 'day', 'month', 'year'] as const;
const LOCAL_PERIOD: Readonly<Record<string, string>> = { second: '1s', minute: '1m', hour: '1h', day: '24h' };
const DEFAULT_ERROR = 'API rate limit exceeded';
/** The largest limit the RateLimitService takes: "no limit" for consumers without their own. */
const UNLIMITED = 0xffff_ffff;

interface Window {
  readonly requests: number;
  readonly unit: (typeof WINDOWS)[number];
}

function windowsOf(c: PluginConfig): Window[] {
  const out: Window[] = [];
  for (const unit of WINDOWS) {
    const n = c.number(unit);
    if (n !== undefined && n > 0) out.push({ requests: Math.max(1, Math.floor(n)), unit });
  }
  return out;
}

/** The counting key Kong's limit_by means on this route (Kong falls back to the client IP without a consumer). */
function keyOf(c: PluginConfig, route: RoutePlan | undefined, env: PluginEnv): string | undefined {
  const by = c.string('limit_by') ?? 'consumer';
  switch (by) {
    case 'ip':
      return 'clientIP';
    case 'header':
      return `header:${c.string('header_name') ?? ''}`;
    case 'service':
      return undefined;
    case 'credential':
      env.ctx.problems.cannotHonour(c.path('limit_by'), 'counting per credential is not supported; counted per consumer');
      return route && env.authenticated(route) ? `header:${CONSUMER_HEADER}` : 'clientIP';
    case 'path':
      env.ctx.problems.cannotHonour(c.path('limit_by'), 'counting on one path is not supported; counted per route');
      return undefined;
    case 'consumer-group':
      env.ctx.problems.cannotHonour(c.path('limit_by'), 'consumer groups are not supported; counted per route');
      return undefined;
    default:
      return route && env.authenticated(route) ? `header:${CONSUMER_HEADER}` : 'clientIP';
  }
}

function report(c: PluginConfig, env: PluginEnv): void {
  const problems = env.ctx.problems;
  c.unsupported('error_code', 429, 'the refusal status is always 429');
  c.unsupported('error_message', DEFAULT_ERROR, 'the refusal body cannot be set');
  if (c.string('limit_by') === 'header' && c.string('header_name') === undefined) problems.error(c.path('header_name'), 'required when limit_by is header');
  const policy = c.string('policy') ?? 'local';
  if (policy === 'redis') problems.warn(c.path('redis'), "counted by meshgate's RateLimitService (its own Redis with --redis-url); the plugin's Redis settings are not used");
  if ((c.number('sync_rate') ?? -1) !== -1) problems.warn(c.path('sync_rate'), 'counters are updated on every request (sync_rate is not used)');
}

function globalLimits(windows: readonly Window[]): JsonObject[] {
  return windows.map((w) => ({ requests: w.requests, unit: w.unit }));
}

export const rateLimiting: PluginModule = {
  name: 'rate-limiting',
  consumerOverrides: true,
  config: obj({
    ...Object.fromEntries(WINDOWS.map((w) => [w, num(0)])),
    limit_by: oneOfStrings('consumer', 'credential', 'ip', 'service', 'header', 'path', 'consumer-group'),
    header_name: str({ minLength: 1 }),
    path: str(),
    policy: oneOfStrings('local', 'cluster', 'redis'),
    fault_tolerant: bool,
    redis: anything,
    redis_host: str(),
    redis_port: num(),
    redis_password: anything,
    redis_username: str(),
    redis_ssl: bool,
    redis_ssl_verify: bool,
    redis_server_name: str(),
    redis_timeout: num(),
    redis_database: num(),
    hide_client_headers: bool,
    error_code: num(),
    error_message: str(),
    sync_rate: num(),
  }),
  splitBy(route, use, env) {
    const inst = use.base ?? use.overrides[0]?.instance;
    if (!inst) return '';
    const by = new PluginConfig(inst, env.ctx.problems).string('limit_by') ?? 'consumer';
    return by === 'consumer' || by === 'credential' ? String(env.authenticated(route)) : '';
  },
  convert(use, env): PluginEffect | undefined {
    const problems = env.ctx.problems;
    const configs = [...(use.base ? [use.base] : []), ...use.overrides.map((o) => o.instance)].map((i: PluginInstance) => new PluginConfig(i, problems));
    configs.forEach((c) => report(c, env));
    const base = use.base ? configs[0] : undefined;
    const route = use.routes[0];
    // A value belongs to one override (a consumer's name can be another's basic-auth user name).
    const taken = new Set<string>();
    const overrides = use.overrides.flatMap((o, i) => {
      const c = configs[(use.base ? 1 : 0) + i]!;
      const values = o.consumer.identities.filter((v) => !taken.has(v));
      values.forEach((v) => taken.add(v));
      const limits = globalLimits(windowsOf(c));
      if (limits.length === 0) problems.error(o.instance.configPath, 'set at least one of second, minute, hour, day, month, year');
      return values.length > 0 && limits.length > 0 ? [{ header: CONSUMER_HEADER, values, limits }] : [];
    });
    const lead = base ?? configs[0]!;
    const key = keyOf(lead, route, env);
    const windows = base ? windowsOf(base) : [];
    if (base && windows.length === 0) {
      problems.error(use.base!.configPath, 'set at least one of second, minute, hour, day, month, year');
      return undefined;
    }
    const policy = base ? (base.string('policy') ?? 'local') : 'cluster';
    const headers = !lead.bool('hide_client_headers', false);
    if (policy === 'local' && overrides.length === 0) {
      let usable = windows.filter((w) => LOCAL_PERIOD[w.unit] !== undefined);
      if (usable.length < windows.length) problems.cannotHonour(base!.path('policy'), 'local month and year windows are not supported (use policy cluster or redis)');
      if (usable.length > 1) {
        problems.cannotHonour(base!.path('policy'), `a local limit has one window; ${usable.map((w) => w.unit).join(', ')} are set (use policy cluster or redis for several)`);
        usable = usable.slice(0, 1);
      }
      const w = usable[0];
      if (!w) return undefined;
      const local: JsonObject = { requests: w.requests, per: LOCAL_PERIOD[w.unit]!, ...(key ? { key } : {}), ...(headers ? { headers: true } : {}) };
      return { traffic: { rateLimit: { local } } };
    }
    if (policy === 'local') problems.warn(base!.path('policy'), 'consumer-scoped limits are counted by the global rate limiter, so this local limit is too on these routes');
    // Without a plugin for everyone, only the overridden consumers are limited: the others get a
    // limit no client reaches.
    const global: JsonObject = {
      limits: windows.length > 0 ? globalLimits(windows) : [{ requests: UNLIMITED, unit: 'second' }],
      ...(key ? { key } : {}),
      responseHeaders: headers ? 'kong' : 'none',
      failOpen: lead.bool('fault_tolerant', true),
      ...(overrides.length > 0 ? { overrides } : {}),
    };
    return { traffic: { rateLimit: { global } } };
  },
};

