// A route's policy is its virtual host's policy with the route's own fields laid over it, one
// feature at a time: a route that sets `cors` replaces the host's CORS policy but keeps the host's
// JWT requirement. Every filter then reads one merged policy per route.
import type { RoutePolicy } from '../ir/policy';

export function effectivePolicy(host: RoutePolicy | undefined, route: RoutePolicy | undefined): RoutePolicy {
  const merged: Record<string, unknown> = {};
  for (const source of [host, route]) {
    if (!source) continue;
    for (const [feature, value] of Object.entries(source)) if (value !== undefined) merged[feature] = value;
  }
  return merged as RoutePolicy;
}
