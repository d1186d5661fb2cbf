// API keys (envoy.filters.http.api_key_auth, Envoy 1.33+; the proto is the project's own copy in
// proto/, the bundled API predates it). Everything is per route: credentials, where to find the
// key, the clients allowed (a consumer allow/deny policy on an API-key route is enforced here, see
// rbac.ts), and forwarding of the client name (Envoy 1.35+).
import type { JsonObject } from '../../envoy/resource';
import type { ApiKeyPolicy, ConsumerAccessPolicy } from '../../ir/policy';
import { compact, flag, list, typed } from '../json';
import { perRouteInstance } from './instance';
import type { HttpFilterModule } from './types';

export const API_KEY_AUTH_FILTER = 'envoy.filters.http.api_key_auth';

/** allowed_clients cannot say "nobody" (empty means everyone), so a name no credential has does. */
export const NO_CLIENT_ALLOWED = 'meshgate:no-client-allowed';

function keySource(source: ApiKeyPolicy['sources'][number]): JsonObject {
  if ('header' in source) return { header: source.header };
  if ('query' in source) return { query: source.query };
  return { cookie: source.cookie };
}

/** The key holders a consumer policy lets through, or undefined when it lets everyone through. */
export function allowedClients(policy: ApiKeyPolicy, consumers: ConsumerAccessPolicy | undefined): string[] | undefined {
  if (!consumers || (!consumers.allow && !consumers.deny)) return undefined;
  const denied = new Set(consumers.deny ?? []);
  const candidates = consumers.allow ?? [...new Set(policy.keys.map((k) => k.consumer))];
  const allowed = candidates.filter((c) => !denied.has(c));
  return allowed.length > 0 ? allowed : [NO_CLIENT_ALLOWED];
}

export function apiKeyPerRoute(policy: ApiKeyPolicy, consumers: ConsumerAccessPolicy | undefined): JsonObject {
  const forwarding = compact({ header: policy.consumerHeader, hide_credentials: flag(policy.hideCredentials) });
  return typed(
    'envoy.extensions.filters.http.api_key_auth.v3.ApiKeyAuthPerRoute',
    compact({
      credentials: list(policy.keys.map((k) => ({ key: k.key, client: k.consumer }))),
      key_sources: list(policy.sources.map(keySource)),
      allowed_clients: list(allowedClients(policy, consumers)),
      forwarding: Object.keys(forwarding).length > 0 ? forwarding : undefined,
    }),
  );
}

export const apiKeyAuthFilter: HttpFilterModule = {
  id: 'api_key_auth',
  instances({ chain }) {
    if (!chain.routes.some((r) => r.policy.apiKey)) return [];
    return [
      perRouteInstance(API_KEY_AUTH_FILTER, typed('envoy.extensions.filters.http.api_key_auth.v3.ApiKeyAuth'), (r) =>
        r.policy.apiKey ? apiKeyPerRoute(r.policy.apiKey, r.policy.consumers) : undefined,
      ),
    ];
  },
};
