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
 * key, which can be long) is then made and hashed once per table instead of once per name.
 * Bounded: the memo is dropped whole when it grows past the limit.
 */
const apiListenerMemo = new Map<string, Map<string, JsonObject>>();
let apiListenerMemoSize = 0;
const API_LISTENER_MEMO_LIMIT = 200_000;

/** The shape of the previous call: consecutive calls for one table ask for the same one. */
let lastShape: { readonly routeConfigName: string; readonly withFault: boolean; readonly optionalKey: string; readonly byName: Map<string, JsonObject> } | undefined;

function listenersOfShape(routeConfigName: string, withFault: boolean, optional: OptionalFilters): Map<string, JsonObject> {
  const last = lastShape;
  if (last && last.routeConfigName === routeConfigName && last.withFault === withFault && last.optionalKey === optional.key) return last.byName;
  const key = `${routeConfigName}\u0000${withFault ? 'fault' : ''}\u0000${optional.key}`;
  let byName = apiListenerMemo.get(key);
  if (!byName) apiListenerMemo.set(key, (byName = new Map()));
  lastShape = { routeConfigName, withFault, optionalKey: optional.key, byName };
  return byName;
}

/** The Listener a gRPC client dialing xds:///<name> asks for. */
export function apiListener(name: string, routeConfigName: string, withFault: boolean, optional: OptionalFilters = NO_OPTIONAL_FILTERS): JsonObject {
  let byName = listenersOfShape(routeConfigName, withFault, optional);
  const known = byName.get(name);
  if (known) return known;
  if (apiListenerMemoSize >= API_LISTENER_MEMO_LIMIT) {
    apiListenerMemo.clear();
    apiListenerMemoSize = 0;
    lastShape = undefined;
    byName = listenersOfShape(routeConfigName, withFault, optional);
  }
  const built = deepFreeze(buildApiListener(name, routeConfigName, withFault, optional));
  byName.set(name, built);
  apiListenerMemoSize++;
  return built;
}

/**
 * The parts of an api_listener's HCM that depend on its route table and filters alone (RDS and the
 * filter list): every dialable name of a table differs from the others only in its name and stat
 * prefix, so thousands of listeners share one frozen copy of these. Bounded like the listener memo.
 */
const sharedHcmParts = new Map<string, { readonly rds: JsonObject; readonly httpFilters: JsonObject[] }>();

function hcmParts(routeConfigName: string, withFault: boolean, optional: OptionalFilters): { readonly rds: JsonObject; readonly httpFilters: JsonObject[] } {
  const key = `${routeConfigName}\u0000${withFault ? 'fault' : ''}\u0000${optional.key}`;
  let parts = sharedHcmParts.get(key);
  if (!parts) {
    if (sharedHcmParts.size >= API_LISTENER_MEMO_LIMIT) sharedHcmParts.clear();
    parts = {
      rds: deepFreeze({ config_source: adsConfigSource(), route_config_name: routeConfigName }),
      // Envoy's order: the Envoy-only filters (optional for gRPC), then fault, then the router, last and required.
      httpFilters: deepFreeze([...optional.httpFilters, ...(withFault ? [faultHttpFilter()] : []), routerHttpFilter()]),
    };
    sharedHcmParts.set(key, parts);
  }
  return parts;
}

function buildApiListener(name: string, routeConfigName: string, withFault: boolean, optional: OptionalFilters): JsonObject {
  const { rds, httpFilters } = hcmParts(routeConfigName, withFault, optional);
  return {
    name,
    api_listener: {
      api_listener: typed(HCM, {
        stat_prefix: statPrefix(name),
        rds,
        http_filters: httpFilters,
      }),
    },
  };
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
