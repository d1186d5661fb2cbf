// Gateway API CORS (HTTPCORSFilter, also used by meshgate SecurityPolicy.cors) → IR CorsPolicy.
import type { JsonObject } from '../../src/envoy/resource';
import type { CorsPolicy } from '../../src/ir/policy';
import { getBoolean, getNumber, getStrings } from '../core/json';

/** The Gateway API default for Access-Control-Max-Age when maxAge is not set. */
export const DEFAULT_CORS_MAX_AGE = 5;

/**
 * Origins: "*" stays "*"; an origin with "*" in its host ("https://*.example.com", any number
 * of labels to the left) becomes an IR regular expression ("~" prefix); others are exact.
 */
export function corsOrigin(origin: string): string {
  if (origin === '*' || !origin.includes('*')) return origin;
  // "*" stands for one or more DNS labels; it must not reach past the host (no "/", ":" or "@").
  const escaped = origin.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[-A-Za-z0-9.]+');
  return `~^${escaped}$`;
}

export function corsPolicy(cors: JsonObject): CorsPolicy {
  const methods = getStrings(cors, 'allowMethods');
  const headers = getStrings(cors, 'allowHeaders');
  const expose = getStrings(cors, 'exposeHeaders');
  const credentials = getBoolean(cors, 'allowCredentials');
  return {
    allowOrigins: getStrings(cors, 'allowOrigins').map(corsOrigin),
    ...(methods.length > 0 ? { allowMethods: methods } : {}),
    ...(headers.length > 0 ? { allowHeaders: headers.map((h) => (h === '*' ? h : h.toLowerCase())) } : {}),
    ...(expose.length > 0 ? { exposeHeaders: expose.map((h) => (h === '*' ? h : h.toLowerCase())) } : {}),
    maxAgeSeconds: getNumber(cors, 'maxAge') ?? DEFAULT_CORS_MAX_AGE,
    ...(credentials !== undefined ? { allowCredentials: credentials } : {}),
  };
}
