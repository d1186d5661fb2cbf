// External authorization (envoy.filters.http.ext_authz) against the user's service, over gRPC
// (envoy.service.auth.v3.Authorization) or HTTP. The service is filter-level configuration, so
// routes using different services get one instance each; a route enables its instance with an
// ExtAuthzPerRoute.
import type { JsonObject } from '../../envoy/resource';
import type { ExtAuthzPolicy } from '../../ir/policy';
import { compact, duration, flag, text, typed } from '../json';
import { groupRoutes, instanceNames, perRouteInstance } from './instance';
import type { HttpFilterModule } from './types';

export const EXT_AUTHZ_FILTER = 'envoy.filters.http.ext_authz';

export function extAuthzConfig(policy: ExtAuthzPolicy): JsonObject {
  const timeout = duration(policy.timeoutMs);
  const service: JsonObject =
    policy.protocol === 'grpc'
      ? { grpc_service: { envoy_grpc: { cluster_name: policy.cluster }, timeout }, transport_api_version: 'V3' }
      : {
          http_service: compact({
            // Envoy sends the check to `cluster` (path_prefix + the request's path); the URI is not
            // used for routing, it only has to be a valid URI, so it is derived from the cluster name.
            server_uri: { uri: `http://${policy.cluster.replace(/[^A-Za-z0-9.-]/g, '-')}`, cluster: policy.cluster, timeout },
            path_prefix: text(policy.pathPrefix),
          }),
        };
  return typed(
    'envoy.extensions.filters.http.ext_authz.v3.ExtAuthz',
    compact({
      ...service,
      failure_mode_allow: flag(policy.failOpen),
      allowed_headers:
        policy.protocol === 'http' && policy.allowedHeaders && policy.allowedHeaders.length > 0
          ? { patterns: policy.allowedHeaders.map((h) => ({ exact: h, ignore_case: true })) }
          : undefined,
    }),
  );
}

// Switches the (default-disabled) instance on for a route with the filter-level settings.
const ENABLE_ON_ROUTE = typed('envoy.extensions.filters.http.ext_authz.v3.ExtAuthzPerRoute', { check_settings: {} });

export const extAuthzFilter: HttpFilterModule = {
  id: 'ext_authz',
  instances({ chain }) {
    const groups = groupRoutes(
      chain.routes,
      (r) => r.policy.extAuthz,
      (p) => JSON.stringify(extAuthzConfig(p)),
      (p) => p.cluster,
    );
    const names = instanceNames(EXT_AUTHZ_FILTER, groups);
    return groups.map((group, i) => {
      const members = new Set(group.routes);
      return perRouteInstance(names[i]!, extAuthzConfig(group.value), (r) => (members.has(r) ? ENABLE_ON_ROUTE : undefined));
    });
  },
};

