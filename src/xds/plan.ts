// How IR listeners become Envoy listeners and filter chains. Listeners sharing an address and port
// become one Envoy listener. Each HTTPS listener gets its own filter chain selected by SNI
// (filter_chain_match.server_names). Plain-HTTP listeners on one port cannot be told apart before
// the Host header is read, so they share a single filter chain whose route table holds all their
// virtual hosts; their options are combined (a feature any of them asks for is turned on).
import type { RoutePolicy } from '../ir/policy';
import type { Route } from '../ir/route';
import type { Listener, ListenerOptions, ListenerTls, VirtualHost } from '../ir/types';
import { effectivePolicy } from './effective-policy';
import { XdsBuildError } from './errors';

/** A route as a filter chain serves it: with its host and its merged (host + route) policy. */
export interface PlannedRoute {
  readonly vhost: VirtualHost;
  readonly route: Route;
  readonly policy: RoutePolicy;
}

export interface PlannedVirtualHost {
  readonly listener: Listener;
  readonly vhost: VirtualHost;
  /** The Envoy virtual host name: the IR name, prefixed with the listener's when two collide. */
  readonly name: string;
  readonly routes: readonly PlannedRoute[];
}

export interface FilterChainPlan {
  /** Filter chain name; also the name of its RouteConfiguration. */
  readonly name: string;
  readonly protocol: 'HTTP' | 'HTTPS';
  /** IR listeners served by this chain: exactly one for HTTPS. */
  readonly listeners: readonly Listener[];
  /** SNI names (HTTPS); empty = any. */
  readonly serverNames: readonly string[];
  readonly tls: ListenerTls | undefined;
  readonly options: ListenerOptions;
  /** Virtual hosts of every listener not answering with an HTTPS redirect, listener by listener. */
  readonly virtualHosts: readonly PlannedVirtualHost[];
  /** Every route of those virtual hosts, in match order. */
  readonly routes: readonly PlannedRoute[];
}

export interface ListenerPlan {
  readonly name: string;
  readonly address: string;
  readonly port: number;
  readonly chains: readonly FilterChainPlan[];
  /** Plain HTTP and TLS share the port: chains must also match on transport_protocol. */
  readonly mixedTransport: boolean;
}

export function listenerName(address: string, port: number): string {
  return `${address}_${port}`;
}

export function planListeners(listeners: readonly Listener[]): ListenerPlan[] {
  const names = new Set<string>();
  const byAddress = new Map<string, Listener[]>();
  for (const listener of listeners) {
    if (names.has(listener.name)) throw new XdsBuildError(`two listeners are named "${listener.name}"`, listener.source);
    names.add(listener.name);
    const key = listenerName(listener.address, listener.port);
    const group = byAddress.get(key);
    if (group) group.push(listener);
    else byAddress.set(key, [listener]);
  }
  return [...byAddress.entries()].map(([name, group]) => planOneListener(name, group));
}

function planOneListener(name: string, group: readonly Listener[]): ListenerPlan {
  const first = group[0]!;
  const https = group.filter((l) => l.protocol === 'HTTPS');
  const http = group.filter((l) => l.protocol === 'HTTP');
  checkServerNames(https);
  const chains: FilterChainPlan[] = [];
  if (http.length > 0) chains.push(planChain(http.map((l) => l.name).join('+'), 'HTTP', http));
  for (const listener of https) chains.push(planChain(listener.name, 'HTTPS', [listener]));
  return { name, address: first.address, port: first.port, chains, mixedTransport: http.length > 0 && https.length > 0 };
}

/** Envoy refuses two filter chains that match the same server name; say which listeners collide. */
function checkServerNames(https: readonly Listener[]): void {
  const owner = new Map<string, Listener>();
  for (const listener of https) {
    if (!listener.tls || listener.tls.certificateSecrets.length === 0) {
      throw new XdsBuildError(`HTTPS listener "${listener.name}" has no certificate`, listener.source);
    }
    const serverNames = listener.hostnames.length > 0 ? listener.hostnames : ['(any)'];
    for (const serverName of serverNames) {
      const other = owner.get(serverName);
      if (other) {
        throw new XdsBuildError(`HTTPS listeners "${other.name}" and "${listener.name}" on port ${listener.port} both serve ${serverName}`, listener.source);
      }
      owner.set(serverName, listener);
    }
  }
}

function planChain(name: string, protocol: 'HTTP' | 'HTTPS', listeners: readonly Listener[]): FilterChainPlan {
  const only = listeners.length === 1 ? listeners[0] : undefined;
  const virtualHosts = planVirtualHosts(listeners);
  return {
    name,
    protocol,
    listeners,
    serverNames: protocol === 'HTTPS' && only ? only.hostnames : [],
    tls: only?.tls,
    options: only ? only.options : combineOptions(listeners.map((l) => l.options)),
    virtualHosts,
    routes: virtualHosts.flatMap((v) => v.routes),
  };
}

function combineOptions(all: readonly ListenerOptions[]): ListenerOptions {
  const anyAsks = (pick: (o: ListenerOptions) => boolean | undefined): boolean => all.some((o) => pick(o) === true);
  return {
    accessLog: anyAsks((o) => o.accessLog),
    // Listeners sharing a chain share one HCM and so one access log: the first file named wins.
    ...(all.some((o) => o.accessLog && o.accessLogPath !== undefined) ? { accessLogPath: all.find((o) => o.accessLog && o.accessLogPath !== undefined)!.accessLogPath! } : {}),
    requestId: {
      generate: anyAsks((o) => o.requestId.generate),
      preserveExternal: anyAsks((o) => o.requestId.preserveExternal),
      returnInResponse: anyAsks((o) => o.requestId.returnInResponse),
    },
    websocket: anyAsks((o) => o.websocket),
    http2: anyAsks((o) => o.http2),
    prometheusStatsPath: all.find((o) => o.prometheusStatsPath !== undefined)?.prometheusStatsPath,
    compression: anyAsks((o) => o.compression),
    grpcWeb: anyAsks((o) => o.grpcWeb),
  };
}

/** Listeners that answer with an HTTPS redirect contribute no hosts of their own (routes.ts). */
function planVirtualHosts(listeners: readonly Listener[]): PlannedVirtualHost[] {
  const out: PlannedVirtualHost[] = [];
  const names = new Set<string>();
  for (const listener of listeners) {
    if (listener.httpsRedirect) continue;
    for (const vhost of listener.virtualHosts) {
      let name = vhost.name;
      if (names.has(name)) name = `${listener.name}/${vhost.name}`;
      if (names.has(name)) throw new XdsBuildError(`virtual host "${vhost.name}" appears twice in listener "${listener.name}"`, listener.source);
      names.add(name);
      const routes = vhost.routes.map((route) => ({ vhost, route, policy: effectivePolicy(vhost.policy, route.policy) }));
      out.push({ listener, vhost, name, routes });
    }
  }
  return out;
}
