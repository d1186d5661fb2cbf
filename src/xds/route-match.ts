// IR RouteMatch → envoy.config.route.v3.RouteMatch.
import type { JsonObject } from '../envoy/resource';
import type { PathMatch, RouteMatch } from '../ir/route';
import { compact, list } from './json';
import { headerMatcher, methodMatcher, queryParameterMatcher } from './matchers';

/**
 * A Gateway API path prefix as Envoy's path_separated_prefix wants it: without a trailing slash
 * ("/foo/" and "/foo" both match "/foo" and "/foo/bar" but not "/foobar"); "/" stays "/".
 */
export function separatedPrefix(value: string): string {
  const trimmed = value.replace(/\/+$/, '');
  return trimmed === '' ? '/' : trimmed;
}

export function pathSpecifier(path: PathMatch): JsonObject {
  switch (path.type) {
    case 'Exact':
      return { path: path.value };
    case 'PathPrefix': {
      // path_separated_prefix may not end in "/", so the root prefix is a plain prefix (same meaning).
      const prefix = separatedPrefix(path.value);
      return prefix === '/' ? { prefix: '/' } : { path_separated_prefix: prefix };
    }
    case 'StringPrefix':
      return { prefix: path.value === '' ? '/' : path.value };
    case 'RegularExpression':
      return { safe_regex: { regex: path.value } };
  }
}

export function routeMatch(match: RouteMatch): JsonObject {
  const headers = (match.headers ?? []).map(headerMatcher);
  if (match.method) headers.push(methodMatcher(match.method));
  return compact({
    ...pathSpecifier(match.path),
    headers: list(headers),
    query_parameters: list((match.queryParams ?? []).map(queryParameterMatcher)),
    grpc: match.grpc ? {} : undefined,
  });
}
