// Hostname matching with Gateway API semantics: "*.example.com" is a suffix match covering
// "a.example.com" and "a.b.example.com" but not "example.com"; "*" (meshgate's spelling of
// "no hostname") covers everything.

export const ANY_HOST = '*';

export function isWildcard(hostname: string): boolean {
  return hostname.startsWith('*.');
}

/** Does `pattern` (exact, "*.suffix" or "*") match the concrete or wildcard `host`? */
export function covers(pattern: string, host: string): boolean {
  if (pattern === ANY_HOST) return true;
  if (host === ANY_HOST) return false;
  if (!isWildcard(pattern)) return pattern === host;
  const suffix = pattern.slice(1); // ".example.com"
  if (isWildcard(host)) return host.slice(1).endsWith(suffix) && host.length >= pattern.length;
  return host.endsWith(suffix) && host.length > suffix.length;
}

/**
 * The hostnames a route serves on a listener: the route's hostnames that intersect the listener's
 * hostname, each narrowed to the more specific of the two. No listener hostname and no route
 * hostnames gives ["*"]. An empty result means the route does not attach to that listener.
 */
export function intersectHostnames(listenerHostname: string | undefined, routeHostnames: readonly string[]): string[] {
  if (routeHostnames.length === 0) return [listenerHostname ?? ANY_HOST];
  if (listenerHostname === undefined) return dedupe(routeHostnames);
  const out: string[] = [];
  for (const h of routeHostnames) {
    if (covers(listenerHostname, h)) out.push(h);
    else if (covers(h, listenerHostname)) out.push(listenerHostname);
  }
  return dedupe(out);
}

function dedupe(values: readonly string[]): string[] {
  return [...new Set(values)];
}

/**
 * Order of specificity: exact names first (alphabetically), then wildcards with more labels
 * first, then "*". Used to order virtual hosts and to pick the most specific listener.
 */
export function compareSpecificity(a: string, b: string): number {
  const rank = (h: string): number => (h === ANY_HOST ? 2 : isWildcard(h) ? 1 : 0);
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra - rb;
  if (ra === 1) {
    const la = a.split('.').length;
    const lb = b.split('.').length;
    if (la !== lb) return lb - la;
    if (a.length !== b.length) return b.length - a.length;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}
