// Step 5: the virtual host for the request's :authority, in Envoy's order: an exact domain, then
// suffix wildcards ("*.foo.com", "*-bar.foo.com"; longest first), then prefix wildcards ("foo.*";
// longest first), then "*". A wildcard never matches the empty string. Matching is on the
// lower-cased host, with its port unless the port is stripped (HCM strip_any_host_port /
// strip_matching_host_port) or ignored (RouteConfiguration ignore_port_in_host_matching).
import type { JsonObject } from '../envoy/resource';
import { bool, objs, str, strs } from './json';
import { hostPort, stripPort } from './request-view';
import type { Trace } from './trace';

export type VirtualHostMatchKind = 'exact' | 'suffix_wildcard' | 'prefix_wildcard' | 'any';

export interface VirtualHostMatch {
  readonly virtualHost: JsonObject;
  readonly name: string;
  readonly matchedDomain: string;
  readonly matchKind: VirtualHostMatchKind;
}

/** The :authority after the HCM's port stripping (what the route table and the upstream see). */
export function authorityAfterHcm(hcm: JsonObject, authority: string, listenerPort: number, trace: Trace): string {
  const port = hostPort(authority);
  if (port === undefined) return authority;
  if (bool(hcm, 'strip_any_host_port') === true || (bool(hcm, 'strip_matching_host_port') === true && port === listenerPort)) {
    const stripped = stripPort(authority);
    trace.step(`host: the HttpConnectionManager strips the port: "${authority}" → "${stripped}"`);
    return stripped;
  }
  return authority;
}

export function matchVirtualHost(routeConfig: JsonObject, authority: string, trace: Trace): VirtualHostMatch | undefined {
  let host = authority.toLowerCase();
  if (bool(routeConfig, 'ignore_port_in_host_matching') === true) host = stripPort(host);
  else if (hostPort(host) !== undefined) {
    trace.step(`virtual host: matching "${host}" with its port (neither strip_any_host_port, strip_matching_host_port nor ignore_port_in_host_matching applies)`);
  }
  const vhosts = objs(routeConfig, 'virtual_hosts');
  const found = (virtualHost: JsonObject, matchedDomain: string, matchKind: VirtualHostMatchKind): VirtualHostMatch => {
    const name = str(virtualHost, 'name') ?? '';
    trace.step(`virtual host: "${name}" by ${matchKind.replace('_', ' ')} domain "${matchedDomain}" for host "${host}"`);
    return { virtualHost, name, matchedDomain, matchKind };
  };
  for (const vh of vhosts) {
    for (const d of strs(vh, 'domains')) if (d !== '*' && !d.startsWith('*') && !d.endsWith('*') && d.toLowerCase() === host) return found(vh, d, 'exact');
  }
  let best: { vh: JsonObject; domain: string; len: number } | undefined;
  for (const vh of vhosts) {
    for (const d of strs(vh, 'domains')) {
      if (d === '*' || !d.startsWith('*')) continue;
      const suffix = d.slice(1).toLowerCase();
      if (host.length > suffix.length && host.endsWith(suffix) && (!best || suffix.length > best.len)) best = { vh, domain: d, len: suffix.length };
    }
  }
  if (best) return found(best.vh, best.domain, 'suffix_wildcard');
  for (const vh of vhosts) {
    for (const d of strs(vh, 'domains')) {
      if (d === '*' || !d.endsWith('*') || d.startsWith('*')) continue;
      const prefix = d.slice(0, -1).toLowerCase();
      if (host.length > prefix.length && host.startsWith(prefix) && (!best || prefix.length > best.len)) best = { vh, domain: d, len: prefix.length };
    }
  }
  if (best) return found(best.vh, best.domain, 'prefix_wildcard');
  for (const vh of vhosts) if (strs(vh, 'domains').includes('*')) return found(vh, '*', 'any');
  trace.step(`virtual host: none of ${vhosts.length} virtual host(s) has a domain matching "${host}"`);
  return undefined;
}
