// Istio security on an ingress gateway: the AuthorizationPolicies and RequestAuthentications whose
// scope takes in the gateway's workload (its namespace and selector labels: ingressGatewayWorkload)
// apply to every server of the Gateway, as Istio applies them to the gateway deployment. JWTs are
// validated on every virtual host (a request without a token passes, as on sidecars); the
// authorization is enforced on every listener after authentication (Proxy.authorization).
// PeerAuthentication does not apply: a gateway server's own tls settings decide its TLS.
import type { Authorization } from '../../../src/ir/mesh';
import type { JwtPolicy } from '../../../src/ir/policy';
import type { Cluster } from '../../../src/ir/cluster';
import type { Listener, Proxy } from '../../../src/ir/types';

export function securedGateway(proxy: Proxy, jwt: JwtPolicy | undefined, authorization: Authorization | undefined, clusters: readonly Cluster[]): Proxy {
  if (!jwt && !authorization) return proxy;
  const listeners = jwt
    ? proxy.listeners.map((l): Listener => ({ ...l, virtualHosts: l.virtualHosts.map((vh) => ({ ...vh, policy: { ...vh.policy, jwt } })) }))
    : proxy.listeners;
  return { ...proxy, listeners, clusters, ...(authorization ? { authorization } : {}) };
}
