// JWT authentication (envoy.filters.http.jwt_authn). The filter-level config holds every provider
// the chain's routes use and one named requirement per distinct (providers, allowMissing) pair in
// requirement_map; each route picks its requirement with PerRouteConfig.requirement_name.
import type { JsonObject } from '../../envoy/resource';
import type { JwtPolicy, JwtProvider } from '../../ir/policy';
import { XdsBuildError } from '../errors';
import { compact, duration, flag, list, sortedMap, text, typed } from '../json';
import type { PlannedRoute } from '../plan';
import { perRouteInstance } from './instance';
import type { HttpFilterModule } from './types';

export const JWT_AUTHN_FILTER = 'envoy.filters.http.jwt_authn';

export function jwtProvider(provider: JwtProvider): JsonObject {
  const jwks: JsonObject =
    provider.jwks.type === 'remote'
      ? {
          remote_jwks: compact({
            http_uri: { uri: provider.jwks.uri, cluster: provider.jwks.cluster, timeout: duration(provider.jwks.timeoutMs) },
            cache_duration: provider.jwks.cacheDurationSeconds !== undefined ? duration(provider.jwks.cacheDurationSeconds * 1000) : undefined,
          }),
        }
      : { local_jwks: { inline_string: provider.jwks.inline } };
  return compact({
    issuer: provider.issuer,
    audiences: list(provider.audiences ? [...provider.audiences] : undefined),
    ...jwks,
    forward: flag(provider.forward),
    from_headers: list((provider.fromHeaders ?? []).map((h) => compact({ name: h.name, value_prefix: h.valuePrefix }))),
    from_params: list(provider.fromParams ? [...provider.fromParams] : undefined),
    claim_to_headers: list((provider.claimToHeaders ?? []).map((c) => ({ header_name: c.header, claim_name: c.claim }))),
    payload_in_metadata: text(provider.payloadInMetadata),
  });
}

/** Requirement names are derived from their content, so equal policies share one entry. */
export function requirementName(policy: JwtPolicy): string {
  return policy.providers.map((p) => p.name).join('+') + (policy.allowMissing ? '/allow_missing' : '');
}

/** One provider → provider_name; several → requires_any; allowMissing adds an allow_missing alternative. */
export function jwtRequirement(policy: JwtPolicy): JsonObject {
  const alternatives: JsonObject[] = policy.providers.map((p) => ({ provider_name: p.name }));
  if (policy.allowMissing) alternatives.push({ allow_missing: {} });
  return alternatives.length === 1 ? alternatives[0]! : { requires_any: { requirements: alternatives } };
}

function collectProviders(routes: readonly PlannedRoute[]): Map<string, JsonObject> {
  const providers = new Map<string, JsonObject>();
  const seen = new Map<string, string>();
  for (const route of routes) {
    for (const provider of route.policy.jwt?.providers ?? []) {
      const config = jwtProvider(provider);
      const canonical = JSON.stringify(config);
      const previous = seen.get(provider.name);
      if (previous !== undefined && previous !== canonical) {
        throw new XdsBuildError(`JWT provider "${provider.name}" is defined twice with different settings`, route.route.source);
      }
      seen.set(provider.name, canonical);
      providers.set(provider.name, config);
    }
  }
  return providers;
}

export const jwtAuthnFilter: HttpFilterModule = {
  id: 'jwt_authn',
  instances({ chain }) {
    const routes = chain.routes.filter((r) => r.policy.jwt && r.policy.jwt.providers.length > 0);
    if (routes.length === 0) return [];
    const requirements = new Map<string, JsonObject>();
    for (const r of routes) requirements.set(requirementName(r.policy.jwt!), jwtRequirement(r.policy.jwt!));
    const config = typed(
      'envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication',
      compact({
        providers: sortedMap(collectProviders(routes)),
        requirement_map: sortedMap(requirements),
        // A CORS preflight carries no token; let the CORS filter answer it when a route uses CORS.
        bypass_cors_preflight: flag(chain.routes.some((r) => r.policy.cors)),
      }),
    );
    return [
      perRouteInstance(JWT_AUTHN_FILTER, config, (r) =>
        r.policy.jwt && r.policy.jwt.providers.length > 0
          ? typed('envoy.extensions.filters.http.jwt_authn.v3.PerRouteConfig', { requirement_name: requirementName(r.policy.jwt) })
          : undefined,
      ),
    ];
  },
};
