// Step 7 for redirect routes: the Location header, computed as Http::Utility::newUri does after the
// redirect's prefix_rewrite / regex_rewrite has rewritten the path.
import type { JsonObject } from '../envoy/resource';
import { bool, enumName, num, obj, str } from './json';
import { re2ReplaceAll } from './regex';
import { headerValue, removeQueryAndFragment, type RequestView } from './request-view';

const REDIRECT_CODES: Record<string, number> = {
  MOVED_PERMANENTLY: 301,
  FOUND: 302,
  SEE_OTHER: 303,
  TEMPORARY_REDIRECT: 307,
  PERMANENT_REDIRECT: 308,
};

export function redirectStatus(redirect: JsonObject): number {
  const name = enumName(redirect, 'response_code', Object.keys(REDIRECT_CODES)) ?? 'MOVED_PERMANENTLY';
  return REDIRECT_CODES[name] ?? 301;
}

/** prefix_rewrite / regex_rewrite shared by RouteAction and RedirectAction; undefined = unchanged. */
export function rewritePath(path: string, matchedPath: string, prefixRewrite: string | undefined, regexRewrite: JsonObject | undefined): string | undefined {
  if (prefixRewrite !== undefined && prefixRewrite !== '') return prefixRewrite + path.slice(matchedPath.length);
  const pattern = str(obj(regexRewrite, 'pattern'), 'regex');
  if (pattern !== undefined) {
    const pathOnly = removeQueryAndFragment(path);
    const replaced = re2ReplaceAll(pattern, pathOnly, str(regexRewrite, 'substitution') ?? '');
    // Envoy leaves the path alone when the rewrite yields nothing.
    if (replaced === undefined || replaced === '') return undefined;
    return replaced + path.slice(pathOnly.length);
  }
  return undefined;
}

/** The request host for the Location: its port dropped when a new port is set, or when it is the old scheme's default and the scheme changes. */
function requestHostForRedirect(authority: string, newScheme: string, newPort: string, requestProtocol: string): string {
  if (authority === '') return authority;
  let hostEnd: number;
  if (authority.startsWith('[')) {
    hostEnd = authority.lastIndexOf(']:');
    if (hostEnd >= 0) hostEnd += 1;
  } else {
    hostEnd = authority.lastIndexOf(':');
  }
  if (hostEnd < 0) return authority;
  const requestPort = authority.slice(hostEnd);
  let removePort = newPort !== '';
  if (newScheme !== requestProtocol) {
    removePort ||= requestProtocol.toLowerCase() === 'https' && requestPort === ':443';
    removePort ||= requestProtocol.toLowerCase() === 'http' && requestPort === ':80';
  }
  return removePort ? authority.slice(0, hostEnd) : authority;
}

export function redirectLocation(redirect: JsonObject, view: RequestView, authority: string, matchedPath: string): string {
  const currentPath = rewritePath(view.path, matchedPath, str(redirect, 'prefix_rewrite'), obj(redirect, 'regex_rewrite')) ?? view.path;
  const scheme = str(redirect, 'scheme_redirect') || (bool(redirect, 'https_redirect') === true ? 'https' : view.scheme);
  const portNumber = num(redirect, 'port_redirect');
  const port = portNumber ? `:${portNumber}` : '';
  const requestProtocol = headerValue(view, 'x-forwarded-proto') ?? view.scheme;
  const host = str(redirect, 'host_redirect') || requestHostForRedirect(authority, scheme, port, requestProtocol);
  const pathRedirect = str(redirect, 'path_redirect');
  const pathRedirectHasQuery = pathRedirect !== undefined && pathRedirect.includes('?');
  let path: string;
  if (pathRedirect) {
    const q = currentPath.indexOf('?');
    path = pathRedirectHasQuery || q < 0 ? pathRedirect : pathRedirect + currentPath.slice(q);
  } else {
    path = currentPath;
  }
  if (!path.startsWith('/')) path = `/${path}`;
  if (!pathRedirectHasQuery && bool(redirect, 'strip_query') === true) {
    const q = path.indexOf('?');
    if (q >= 0) path = path.slice(0, q);
  }
  return `${scheme}://${host}${port}${path}`;
}
