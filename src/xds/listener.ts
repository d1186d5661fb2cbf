// Envoy Listeners: one per address and port (plan.ts decides the filter chains). HTTPS chains are
// selected by SNI, which the tls_inspector listener filter reads from the ClientHello.
import type { JsonObject } from '../envoy/resource';
import { httpFiltersFor } from './filters/registry';
import { ROUTER_FILTER } from './filters/router';
import { inboundAuthorizationFilters } from './mesh/authorization-bridge';
import type { HttpFilterInstance } from './filters/types';
import { buildHttpConnectionManager, hcmNetworkFilter } from './http-connection-manager';
import { compact, list, typed } from './json';
import type { FilterChainPlan, ListenerPlan } from './plan';
import { buildRouteConfiguration } from './routes';
import { downstreamTlsSocket } from './tls';
import type { Proxy } from '../ir/types';

export const TLS_INSPECTOR = 'envoy.filters.listener.tls_inspector';

export interface BuiltListener {
  readonly listener: JsonObject;
  readonly routeConfigurations: readonly JsonObject[];
}

function filterChainMatch(chain: FilterChainPlan, mixedTransport: boolean): JsonObject | undefined {
  const match = compact({
    server_names: list([...chain.serverNames]),
    // Only needed when plain HTTP and TLS share the port: keeps TLS clients with an unknown SNI
    // away from the plain-HTTP chain and the other way round.
    transport_protocol: mixedTransport ? (chain.protocol === 'HTTPS' ? 'tls' : 'raw_buffer') : undefined,
  });
  return Object.keys(match).length > 0 ? match : undefined;
}

/** The proxy's Istio authorization (gateways) after every other filter, the router last (RBAC reads jwt_authn's claims). */
function withAuthorization(hcm: JsonObject, proxy: Proxy): JsonObject {
  if (!proxy.authorization) return hcm;
  const all = hcm['http_filters'] as JsonObject[];
  const router = all.filter((f) => f['name'] === ROUTER_FILTER);
  return { ...hcm, http_filters: [...all.filter((f) => f['name'] !== ROUTER_FILTER), ...inboundAuthorizationFilters(proxy.authorization), ...router] };
}

function filterChain(proxy: Proxy, chain: FilterChainPlan, filters: readonly HttpFilterInstance[], mixedTransport: boolean): JsonObject {
  return compact({
    name: chain.name,
    filter_chain_match: filterChainMatch(chain, mixedTransport),
    filters: [hcmNetworkFilter(withAuthorization(buildHttpConnectionManager(chain, filters), proxy))],
    transport_socket: chain.protocol === 'HTTPS' && chain.tls ? downstreamTlsSocket(chain.tls, chain.options.http2) : undefined,
  });
}

export function buildListener(proxy: Proxy, plan: ListenerPlan): BuiltListener {
  const chains: JsonObject[] = [];
  const routeConfigurations: JsonObject[] = [];
  for (const chain of plan.chains) {
    const filters = httpFiltersFor({ proxy, chain });
    chains.push(filterChain(proxy, chain, filters, plan.mixedTransport));
    routeConfigurations.push(buildRouteConfiguration(chain, filters));
  }
  const tls = plan.chains.some((c) => c.protocol === 'HTTPS');
  return {
    listener: compact({
      name: plan.name,
      address: { socket_address: { address: plan.address, port_value: plan.port } },
      listener_filters: tls ? [{ name: TLS_INSPECTOR, typed_config: typed('envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector') }] : undefined,
      filter_chains: chains,
    }),
    routeConfigurations,
  };
}
