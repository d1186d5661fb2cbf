// Small IR builders for the xds unit tests: a proxy with one HTTP listener and the given routes.
import type { RoutePolicy } from '../../src/ir/policy';
import type { Cluster } from '../../src/ir/cluster';
import type { Route, RouteAction, RouteMatch } from '../../src/ir/route';
import type { Listener, ListenerOptions, Proxy, TlsSecret } from '../../src/ir/types';
import type { EnvoyResource, JsonObject } from '../../src/envoy/resource';
import { TypeUrl } from '../../src/envoy/type-urls';

export const source = { kind: 'Test', namespace: 'default', name: 'test' } as const;

export const plainOptions: ListenerOptions = {
  accessLog: false,
  requestId: { generate: true, preserveExternal: false, returnInResponse: false },
  websocket: false,
  http2: false,
};

export function route(name: string, extra: { match?: Partial<RouteMatch>; action?: RouteAction; policy?: RoutePolicy } = {}): Route {
  return {
    name,
    match: { path: { type: 'PathPrefix', value: `/${name}` }, ...extra.match },
    action: extra.action ?? { type: 'forward', backends: [{ cluster: 'backend', weight: 1 }] },
    ...(extra.policy ? { policy: extra.policy } : {}),
    source,
  };
}

export function httpListener(name: string, routes: readonly Route[], extra: Partial<Listener> = {}): Listener {
  return {
    name,
    address: '0.0.0.0',
    port: 8080,
    protocol: 'HTTP',
    hostnames: [],
    virtualHosts: [{ name: `${name}-host`, domains: ['*'], routes }],
    options: plainOptions,
    source,
    ...extra,
  };
}

export function httpsListener(name: string, hostnames: readonly string[], port = 443): Listener {
  return {
    name,
    address: '0.0.0.0',
    port,
    protocol: 'HTTPS',
    hostnames,
    tls: { certificateSecrets: [`${name}-cert`] },
    virtualHosts: [{ name: `${name}-host`, domains: hostnames.length > 0 ? hostnames : ['*'], routes: [route(`${name}-root`)] }],
    options: { ...plainOptions, http2: true },
    source,
  };
}

export function secret(name: string): TlsSecret {
  return { name, certificateChain: 'chain', privateKey: 'key', source };
}

export const backend: Cluster = { name: 'backend', discovery: { type: 'static', endpoints: [{ address: '10.0.0.1', port: 80 }] }, source };

export function proxy(listeners: readonly Listener[], extra: Partial<Proxy> = {}): Proxy {
  return { name: 'gateway/default/test', kind: 'gateway', listeners, clusters: [backend], secrets: [], ...extra };
}

export function only(resources: readonly EnvoyResource[], typeUrl: string): JsonObject[] {
  return resources.filter((r) => r.typeUrl === typeUrl).map((r) => r.json);
}

/** The HCM of a listener's filter chain. */
export function hcmOf(listener: JsonObject, chainIndex = 0): JsonObject {
  const chains = listener['filter_chains'] as JsonObject[];
  const filters = chains[chainIndex]!['filters'] as JsonObject[];
  return filters[0]!['typed_config'] as JsonObject;
}

export function httpFilterNames(hcm: JsonObject): string[] {
  return (hcm['http_filters'] as JsonObject[]).map((f) => String(f['name']));
}

/** Routes of a RouteConfiguration, by name (first virtual host that has it). */
export function routesByName(routeConfig: JsonObject): Map<string, JsonObject> {
  const out = new Map<string, JsonObject>();
  for (const host of (routeConfig['virtual_hosts'] as JsonObject[] | undefined) ?? []) {
    for (const r of (host['routes'] as JsonObject[] | undefined) ?? []) if (!out.has(String(r['name']))) out.set(String(r['name']), r);
  }
  return out;
}

export { TypeUrl };
