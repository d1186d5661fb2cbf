// cors: the CorsPolicy of the route (typed_per_filter_config, most specific level first, or the
// deprecated route/virtual host `cors` field). A preflight from an allowed origin is answered by
// the filter itself (200); other requests pass, with CORS response headers when the origin is allowed.
import type { JsonObject } from '../envoy/resource';
import { isCorsPreflight, type FilterEvaluator } from './filter-env';
import { bool, fractionalPercent, obj, objs, str } from './json';
import { headerValue } from './request-view';
import { describeStringMatcher, matchString } from './string-matcher';

function policyFor(perRouteConfig: JsonObject | undefined, scope: { route?: JsonObject; virtualHost?: JsonObject }): { policy: JsonObject; from: string } | undefined {
  if (perRouteConfig) return { policy: perRouteConfig, from: 'typed_per_filter_config' };
  const routeCors = obj(obj(scope.route, 'route'), 'cors');
  if (routeCors) return { policy: routeCors, from: 'route cors' };
  const vhostCors = obj(scope.virtualHost, 'cors');
  if (vhostCors) return { policy: vhostCors, from: 'virtual host cors' };
  return undefined;
}

export const evalCors: FilterEvaluator = (_config, perRoute, env) => {
  const found = policyFor(perRoute?.config, env.scope);
  if (!found) return { outcome: 'pass', detail: 'no CORS policy for this route' };
  const { policy, from } = found;
  const enabled = obj(policy, 'filter_enabled');
  if (enabled && (fractionalPercent(obj(enabled, 'default_value')) ?? 100) === 0) return { outcome: 'pass', detail: `CORS policy (${from}) is not enabled (filter_enabled 0%)` };
  const origin = headerValue(env.view, 'origin');
  const matchers = objs(policy, 'allow_origin_string_match');
  const origins = matchers.map(describeStringMatcher).join(', ');
  if (origin === undefined) return { outcome: 'pass', detail: `no Origin header: not a CORS request (policy allows ${origins || 'no origin'})` };
  const allowed = matchers.some((m) => matchString(m, origin) || matchString(m, '*'));
  if (isCorsPreflight(env.view)) {
    if (allowed) {
      const methods = str(policy, 'allow_methods');
      return { outcome: 'respond', statusCode: 200, detail: `preflight from allowed origin ${origin}: the cors filter answers 200${methods ? ` (allow methods ${methods})` : ''}` };
    }
    if (bool(policy, 'forward_not_matching_preflights') === false) return { outcome: 'respond', statusCode: 200, detail: `preflight from origin ${origin}, not allowed: answered 200 without CORS headers` };
    return { outcome: 'pass', detail: `preflight from origin ${origin}, not allowed (${origins}): forwarded upstream` };
  }
  const credentials = bool(policy, 'allow_credentials') === true ? ', with credentials' : '';
  return { outcome: 'pass', detail: allowed ? `origin ${origin} allowed: CORS headers added to the response${credentials}` : `origin ${origin} not allowed (${origins}): no CORS headers` };
};
