// Path rewrites shared by forwarded routes (RouteAction) and redirects (RedirectAction), which
// both have prefix_rewrite and regex_rewrite.
import type { JsonObject } from '../envoy/resource';
import type { PathMatch, Rewrite } from '../ir/route';
import { escapeRegex } from './matchers';
import { separatedPrefix } from './route-match';

/** Replace the whole path, keeping the query string (regex_rewrite only sees the path). */
export function replaceFullPath(value: string): JsonObject {
  return { regex_rewrite: { pattern: { regex: '^/.*$' }, substitution: value } };
}

/**
 * Replace the matched prefix. For Gateway API prefixes the replacement follows path segments:
 * "/foo" → "/" turns "/foo/bar" into "/bar" (not "//bar"), and "/" → "/api" turns "/x" into
 * "/api/x" (not "/apix"). Envoy's prefix_rewrite does that only when neither side is, or ends
 * with, "/"; the other cases use a regex that also swallows the separating slashes.
 */
export function replacePrefixMatch(value: string, match: PathMatch): JsonObject {
  if (match.type === 'PathPrefix') {
    const prefix = separatedPrefix(match.value);
    if (prefix === '/') return { regex_rewrite: { pattern: { regex: '^/' }, substitution: value.endsWith('/') ? value : `${value}/` } };
    if (value.endsWith('/')) return { regex_rewrite: { pattern: { regex: `^${escapeRegex(prefix)}/*` }, substitution: value } };
    return { prefix_rewrite: value };
  }
  if (match.type === 'StringPrefix') return { prefix_rewrite: value };
  // An exact or regex match has no prefix to keep: the matched "prefix" is the whole path.
  return replaceFullPath(value);
}

export function pathRewrite(path: NonNullable<Rewrite['path']>, match: PathMatch): JsonObject {
  switch (path.type) {
    case 'ReplaceFullPath':
      return replaceFullPath(path.value);
    case 'ReplacePrefixMatch':
      return replacePrefixMatch(path.value, match);
    case 'Regex':
      return { regex_rewrite: { pattern: { regex: path.pattern }, substitution: path.substitution } };
  }
}
