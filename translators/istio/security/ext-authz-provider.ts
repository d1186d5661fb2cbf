// AuthorizationPolicy CUSTOM providers. Istio names an extension provider defined in MeshConfig;
// meshgate has no MeshConfig, so the provider name itself says where the authorizer is:
//   "<host>:<port>"                 gRPC ext_authz (envoy.service.auth.v3.Authorization)
//   "grpc://<host>:<port>"          the same, explicitly
//   "http://<host>:<port>[/prefix]" HTTP ext_authz: the check goes to <prefix><request path>
// with optional query parameters timeout (Istio duration, default 10s), failOpen (true|false,
// default false) and includeRequestHeaders (comma-separated, HTTP only). When the proxy already
// has the registry's cluster for the host (a ServiceEntry: "outbound|<port>||<host>", short names
// resolved in the policy's namespace) that cluster is used; otherwise meshgate adds
// "ext-authz/<host>/<port>" (a static endpoint for an IP, DNS otherwise).
import { isIP } from 'node:net';
import type { Cluster } from '../../../src/ir/cluster';
import type { CustomAuthorization } from '../../../src/ir/mesh';
import type { Source } from '../../../src/ir/types';
import { CLUSTER_DNS_SUFFIX } from '../kinds';
import { parseIstioDurationMs } from '../durations';

const DEFAULT_TIMEOUT_MS = 10_000;

export interface ParsedProvider {
  readonly protocol: 'grpc' | 'http';
  readonly host: string;
  readonly port: number;
  readonly pathPrefix?: string;
  readonly timeoutMs: number;
  readonly failOpen: boolean;
  readonly includeRequestHeaders?: readonly string[];
}

/** The provider, or the reason the name is not one meshgate understands. */
export function parseProvider(name: string): ParsedProvider | string {
  const text = name.includes('://') ? name : `grpc://${name}`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return `${JSON.stringify(name)} is not "<host>:<port>", "grpc://<host>:<port>" or "http://<host>:<port>[/prefix]" (meshgate has no MeshConfig extensionProviders; the provider name says where the authorizer is)`;
  }
  const protocol = url.protocol === 'grpc:' ? 'grpc' : url.protocol === 'http:' ? 'http' : undefined;
  if (!protocol) return `scheme ${JSON.stringify(url.protocol.slice(0, -1))} is not grpc or http`;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (host === '') return 'has no host';
  // URL drops a scheme's default port (http:80), so the port is read from the text itself.
  const explicitPort = /^[a-z][a-z0-9+.-]*:\/\/(?:\[[^\]]+\]|[^/:?#]+):([0-9]+)/i.exec(text)?.[1];
  if (explicitPort === undefined) return 'needs an explicit port, e.g. "ext-authz.demo:9000"';
  const port = Number(explicitPort);
  if (port < 1 || port > 65535) return `port ${port} is not between 1 and 65535`;
  const pathPrefix = url.pathname !== '' && url.pathname !== '/' ? url.pathname : undefined;
  if (pathPrefix !== undefined && protocol === 'grpc') return 'a gRPC provider takes no path';
  let timeoutMs = DEFAULT_TIMEOUT_MS;
  let failOpen = false;
  let includeRequestHeaders: string[] | undefined;
  for (const [key, value] of url.searchParams) {
    if (key === 'timeout') {
      const ms = parseIstioDurationMs(value);
      if (ms === undefined || ms <= 0) return `timeout ${JSON.stringify(value)} is not a duration such as "500ms" or "2s"`;
      timeoutMs = ms;
    } else if (key === 'failOpen') {
      if (value !== 'true' && value !== 'false') return `failOpen must be true or false (got ${JSON.stringify(value)})`;
      failOpen = value === 'true';
    } else if (key === 'includeRequestHeaders') {
      if (protocol !== 'http') return 'includeRequestHeaders only applies to http providers (gRPC checks receive every header)';
      includeRequestHeaders = value.split(',').map((h) => h.trim().toLowerCase()).filter((h) => h !== '');
    } else {
      return `unknown parameter ${JSON.stringify(key)} (known: timeout, failOpen, includeRequestHeaders)`;
    }
  }
  return { protocol, host, port, timeoutMs, failOpen, ...(pathPrefix !== undefined ? { pathPrefix } : {}), ...(includeRequestHeaders ? { includeRequestHeaders } : {}) };
}

function registryHosts(host: string, namespace: string): string[] {
  if (isIP(host) !== 0) return [];
  if (!host.includes('.')) return [`${host}.${namespace}.${CLUSTER_DNS_SUFFIX}`];
  // "ext-authz.demo" is Kubernetes shorthand for "ext-authz.demo.svc.cluster.local".
  if (host.split('.').length === 2) return [host, `${host}.${CLUSTER_DNS_SUFFIX}`];
  return [host];
}

/** The proxy's cluster for the authorizer: an existing registry cluster, or a generated one. */
export function providerCluster(provider: ParsedProvider, namespace: string, existing: readonly Cluster[], source: Source): { name: string; generated?: Cluster } {
  for (const host of registryHosts(provider.host, namespace)) {
    const name = `outbound|${provider.port}||${host}`;
    if (existing.some((c) => c.name === name)) return { name };
  }
  const name = `ext-authz/${provider.host}/${provider.port}`;
  const generated: Cluster = {
    name,
    discovery: isIP(provider.host) !== 0 ? { type: 'static', endpoints: [{ address: provider.host, port: provider.port }] } : { type: 'dns', hostname: provider.host, port: provider.port },
    ...(provider.protocol === 'grpc' ? { http2: true } : {}),
    source,
  };
  return { name, generated };
}

export function customAuthorization(provider: ParsedProvider, cluster: string, rules: CustomAuthorization['rules']): CustomAuthorization {
  return {
    cluster,
    protocol: provider.protocol,
    timeoutMs: provider.timeoutMs,
    failOpen: provider.failOpen,
    ...(provider.pathPrefix !== undefined ? { pathPrefix: provider.pathPrefix } : {}),
    ...(provider.includeRequestHeaders ? { includeRequestHeaders: provider.includeRequestHeaders } : {}),
    rules,
  };
}
