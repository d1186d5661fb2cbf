// CORS: envoy.filters.http.cors in the HCM, the policy per route as
// envoy.extensions.filters.http.cors.v3.CorsPolicy (the route-level `cors` field is deprecated).
import type { JsonObject } from '../../envoy/resource';
import type { CorsPolicy } from '../../ir/policy';
import { compact, list, typed } from '../json';
import { exactMatcher, regexMatcher } from '../matchers';
import { perRouteInstance } from './instance';
import type { HttpFilterModule } from './types';

export const CORS_FILTER = 'envoy.filters.http.cors';

/** "*" → any origin; "~<re2>" → a regular expression; anything else → that exact origin. */
function originMatcher(origin: string): JsonObject {
  if (origin === '*') return regexMatcher('.*');
  if (origin.startsWith('~')) return regexMatcher(origin.slice(1));
  return exactMatcher(origin);
}

function joined(values: readonly string[] | undefined): string | undefined {
  return values && values.length > 0 ? values.join(',') : undefined;
}

export function corsPolicy(policy: CorsPolicy): JsonObject {
  return typed(
    'envoy.extensions.filters.http.cors.v3.CorsPolicy',
    compact({
      allow_origin_string_match: list(policy.allowOrigins.map(originMatcher)),
      allow_methods: joined(policy.allowMethods),
      allow_headers: joined(policy.allowHeaders),
      expose_headers: joined(policy.exposeHeaders),
      max_age: policy.maxAgeSeconds !== undefined ? String(policy.maxAgeSeconds) : undefined,
      allow_credentials: policy.allowCredentials,
    }),
  );
}

export const corsFilter: HttpFilterModule = {
  id: 'cors',
  instances({ chain }) {
    if (!chain.routes.some((r) => r.policy.cors)) return [];
    return [perRouteInstance(CORS_FILTER, typed('envoy.extensions.filters.http.cors.v3.Cors'), (r) => (r.policy.cors ? corsPolicy(r.policy.cors) : undefined))];
  },
};
