// A gateway's workload authorization (IR Proxy.authorization: Istio AuthorizationPolicy selecting an
// ingress gateway) as the same filters a sidecar's inbound listener runs (../mesh/authorization.ts:
// AUDIT, CUSTOM ext_authz, DENY, ALLOW). They hold their rules at filter level and apply to every
// route of every filter chain, so no route adds per-route configuration.
import { authorizationHttpFilters } from '../mesh/authorization';
import type { HttpFilterModule } from './types';

export const gatewayAuthorizationFilter: HttpFilterModule = {
  id: 'workload_authorization',
  instances({ proxy }) {
    if (!proxy.authorization) return [];
    return authorizationHttpFilters(proxy.authorization).map((filter) => ({
      name: filter.name,
      httpFilter: { name: filter.name, typed_config: filter.typed_config },
      forRoute: () => undefined,
    }));
  },
};
