// Kong's matching rules as RE2 regular expressions (Envoy's safe_regex, full-match semantics).
// Kong plain paths are string prefixes ("/foo" also matches "/foobar"), Kong "~" paths are regexes
// anchored at the start only, and Kong header values are compared lower-cased ("~*" values are
// unanchored regexes on the lower-cased value).
import { compileRe2 } from '../../src/validate/re2';

/** `text` with every RE2 metacharacter escaped. */
export function escapeRe2(text: string): string {
  return text.replace(/[\\.+*?()|[\]{}^$]/g, '\\$&');
}

export function re2Problem(pattern: string): string | undefined {
  try {
    compileRe2(pattern);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

/** Kong marks regex paths with a leading "~". */
export function isRegexPath(path: string): boolean {
  return path.startsWith('~');
}

/**
 * The regex of a "~" path as Kong runs it: without the "~" and an explicit leading "^" (Kong
 * anchors it), named groups in RE2 spelling (Kong rewrites "(?<n>" to "(?P<n>" the same way).
 */
export function kongRegexBody(path: string): string {
  return path.slice(1).replace(/^\^/, '').replace(/\(\?<(?![=!])/g, '(?P<');
}

/** The part of a path a request must start with, as an RE2 fragment (no anchors). */
export function pathFragment(path: string): string {
  return isRegexPath(path) ? `(?:${kongRegexBody(path)})` : escapeRe2(path);
}

/** A full-match RE2 expression for the Gateway API RegularExpression path match of one Kong path. */
export function pathMatchRegex(path: string): string {
  return `${pathFragment(path)}.*`;
}

/**
 * What strip_path removes for a group of paths: the matched prefix (or regex match) and the
 * slashes after it. Alternation is leftmost-first in RE2, as Kong tries paths in order.
 */
export function stripPattern(paths: readonly string[]): string {
  const fragments = paths.length === 0 ? ['/'] : paths.map(pathFragment);
  return `^${fragments.length === 1 ? fragments[0] : `(?:${fragments.join('|')})`}/*`;
}

/** A regex substitution that yields `text` literally (backslashes would start back-references). */
export function literalSubstitution(text: string): string {
  return text.replace(/\\/g, '\\\\');
}

/**
 * One Kong header condition ({name: [values]}): any of the values, compared lower-cased; "~*"
 * values are regexes searched anywhere in the lower-cased value. As a full-match RE2 expression.
 */
export function headerValuesRegex(values: readonly string[]): string {
  const alternatives = values.map((v) => (v.startsWith('~*') ? `.*(?:${v.slice(2).toLowerCase()}).*` : escapeRe2(v.toLowerCase())));
  return `(?i)(?:${alternatives.join('|')})`;
}
