// Listeners for gRPC: api_listeners for clients (one per name a client can dial, HCM with RDS, the
// Envoy view's Envoy-only filters marked optional, fault when a route injects faults, router last) and server
// listeners for xDS-enabled servers (address 0.0.0.0:<port>, one filter chain with exactly one HCM
// whose inline routes carry non_forwarding_action, RBAC filters, router last; no filter_chain_match,
// since gRPC drops chains that match on anything but addresses and ports).
import type { JsonObject } from '../../envoy/resource';
import type { InboundListener } from '../../ir/mesh';
import { ROUTER_FILTER } from '../filters/router';
import { hcmNetworkFilter, statPrefix } from '../http-connection-manager';
import { adsConfigSource, compact, typed } from '../json';
import { faultHttpFilter } from './fault';
import { deepFreeze } from './freeze';
import { serverListenerName } from './names';
import type { ProxylessNotes } from './notes';
import { NO_OPTIONAL_FILTERS, type OptionalFilters } from './optional-filters';
import { grpcServerRbac } from './server-rbac';
import { meshServerTls } from './tls';

const HCM = 'envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager';

function routerHttpFilter(): JsonObject {
  return { name: ROUTER_FILTER, typed_config: typed('envoy.extensions.filters.http.router.v3.Router') };
}

/**
 * api_listeners are many (two per dialable domain) and rarely change: the same inputs give the
 * same frozen object as last time, so validation and the snapshot cache recognise an unchanged
 * listener by identity. Kept per shape (route table, fault, optional filters), then per name: a
 * table's thousands of names share one shape, whose key (holding the optional filters' canonical
 * key, which can be long) is then made and hashed once per table instead of once per name, and
 * whose RDS and filter list (all a listener has besides its name) are one frozen copy for all.
 * Bounded: the memo is dropped whole when it grows past the limit.
 */
interface ListenerShape {
  readonly rds: JsonObject;
  readonly httpFilters: JsonObject[];
  readonly byName: Map<string, JsonObject>;
}

const shapes = new Map<string, ListenerShape>();
let memoSize = 0;
const API_LISTENER_MEMO_LIMIT = 200_000;

/** The shape of the previous call: consecutive calls for one table ask for the same one. */
let lastShape: { readonly routeConfigName: string; readonly withFault: boolean; readonly optionalKey: string; readonly shape: ListenerShape } | undefined;

function shapeOf(routeConfigName: string, withFault: boolean, optional: OptionalFilters): ListenerShape {
  const last = lastShape;
  if (last && last.routeConfigName === routeConfigName && last.withFault === withFault && last.optionalKey === optional.key) return last.shape;
  const key = `${routeConfigName}\u0000${withFault ? 'fault' : ''}\u0000${optional.key}`;
  let shape = shapes.get(key);
  if (!shape) {
    shape = {
      rds: deepFreeze({ config_source: adsConfigSource(), route_config_name: routeConfigName }),
      // Envoy's order: the Envoy-only filters (optional for gRPC), then fault, then the router, last and required.
      httpFilters: deepFreeze([...optional.httpFilters, ...(withFault ? [faultHttpFilter()] : []), routerHttpFilter()]),
      byName: new Map(),
    };
    shapes.set(key, shape);
  }
  lastShape = { routeConfigName, withFault, optionalKey: optional.key, shape };
  return shape;
}

/** The Listener a gRPC client dialing xds:///<name> asks for. */
export function apiListener(name: string, routeConfigName: string, withFault: boolean, optional: OptionalFilters = NO_OPTIONAL_FILTERS): JsonObject {
  let shape = shapeOf(routeConfigName, withFault, optional);
  const known = shape.byName.get(name);
  if (known) return known;
  if (memoSize >= API_LISTENER_MEMO_LIMIT) {
    shapes.clear();
    memoSize = 0;
    lastShape = undefined;
    shape = shapeOf(routeConfigName, withFault, optional);
  }
  const built = deepFreeze({
    name,
    api_listener: { api_listener: typed(HCM, { stat_prefix: statPrefix(name), rds: shape.rds, http_filters: shape.httpFilters }) },
  });
  shape.byName.set(name, built);
  memoSize++;
  return built;
}

/** The Listener an xDS-enabled gRPC server serving `inbound` asks for, or undefined when it cannot be one. */
export function serverListener(inbound: InboundListener, notes: ProxylessNotes): JsonObject | undefined {
  const subject = `inbound listener ${inbound.name}`;
  if (inbound.protocol === 'TCP') {
    notes.add(subject, 'a TCP port cannot be served by an xDS-enabled gRPC server; left out', inbound.source);
    return undefined;
  }
  if (inbound.requestAuthentication) {
    notes.add(subject, 'request authentication (JWT) is not supported by gRPC servers and is left out', inbound.source);
  }
  if (inbound.mtls === 'PERMISSIVE') {
    notes.add(subject, 'gRPC servers cannot accept mTLS and plain text on one port: PERMISSIVE serves plain text', inbound.source);
  }
  const hcm = typed(HCM, {
    stat_prefix: statPrefix(inbound.name),
    route_config: {
      name: inbound.name,
      virtual_hosts: [{ name: inbound.name, domains: ['*'], routes: [{ match: { prefix: '/' }, non_forwarding_action: {} }] }],
    },
    http_filters: [...grpcServerRbac(inbound.authorization, subject, notes), routerHttpFilter()],
  });
  return {
    name: serverListenerName(inbound.port),
    address: { socket_address: { address: '0.0.0.0', port_value: inbound.port } },
    filter_chains: [
      compact({
        name: inbound.name,
        filters: [hcmNetworkFilter(hcm)],
        transport_socket: inbound.mtls === 'STRICT' ? meshServerTls() : undefined,
      }),
    ],
  };
}
