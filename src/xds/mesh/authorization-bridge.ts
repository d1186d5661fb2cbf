// The inbound HTTP filters for an Istio Authorization, in Istio's order (AUDIT, CUSTOM ext_authz,
// DENY rbac, ALLOW rbac), built by authorization.ts; they run after jwt_authn and before the router.
import type { JsonObject } from '../../envoy/resource';
import type { Authorization } from '../../ir/mesh';
import { authorizationHttpFilters } from './authorization';

export function inboundAuthorizationFilters(authz: Authorization | undefined): JsonObject[] {
  if (!authz) return [];
  return authorizationHttpFilters(authz).map((f) => ({ ...f }));
}
