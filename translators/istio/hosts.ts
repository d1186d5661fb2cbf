// Istio host names: a name without a dot is a short name resolved in the namespace of the document
// that writes it ("orders" in "demo" → "orders.demo.svc.cluster.local"); wildcards ("*.demo.svc.cluster.local",
// "*") match by suffix. Sidecar egress hosts are "<namespace>/<host>" with "." (own namespace),
// "*" (any namespace) and "~" (none).
import { CLUSTER_DNS_SUFFIX } from './kinds';

export function resolveHost(host: string, namespace: string): string {
  if (host === '*' || host.startsWith('*.')) return host.toLowerCase();
  return host.includes('.') ? host.toLowerCase() : `${host.toLowerCase()}.${namespace}.${CLUSTER_DNS_SUFFIX}`;
}

/** True when `pattern` (exact or "*.suffix" or "*") covers the concrete `host`. */
export function hostMatches(pattern: string, host: string): boolean {
  if (pattern === '*') return true;
  if (pattern.startsWith('*.')) return host.endsWith(pattern.slice(1));
  return pattern === host;
}

/** The names a client in `clientNamespace` may use for `host` (Istio's virtual host domains, without ports). */
export function hostAliases(host: string, clientNamespace: string): string[] {
  const suffix = `.${CLUSTER_DNS_SUFFIX}`;
  if (!host.endsWith(suffix)) return [host];
  const [service, namespace] = host.slice(0, -suffix.length).split('.');
  if (service === undefined || namespace === undefined) return [host];
  const names = [host, `${service}.${namespace}.svc`, `${service}.${namespace}`];
  if (namespace === clientNamespace) names.push(service);
  return names;
}

/** The namespace of a cluster-local host, if it is one. */
export function namespaceOfHost(host: string): string | undefined {
  const suffix = `.${CLUSTER_DNS_SUFFIX}`;
  if (!host.endsWith(suffix)) return undefined;
  return host.slice(0, -suffix.length).split('.')[1];
}

export interface EgressHost {
  readonly namespace: string;
  readonly host: string;
}

// "./*" in namespace demo gives {namespace: demo, host: *}; also "istio-system/*", "*/foo.com", "~/*".
export function parseEgressHost(text: string, ownNamespace: string): EgressHost | undefined {
  const slash = text.indexOf('/');
  if (slash < 0) return undefined;
  const ns = text.slice(0, slash);
  const host = text.slice(slash + 1);
  if (ns === '' || host === '') return undefined;
  return { namespace: ns === '.' ? ownNamespace : ns, host: host === '*' ? '*' : resolveHost(host, ns === '.' || ns === '*' || ns === '~' ? ownNamespace : ns) };
}
