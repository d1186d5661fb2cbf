// IR match values → envoy.type.matcher.v3.StringMatcher and envoy.config.route.v3.HeaderMatcher.
import type { JsonObject } from '../envoy/resource';
import type { HeaderMatch, QueryParamMatch } from '../ir/route';
import { compact, flag } from './json';

export function exactMatcher(value: string): JsonObject {
  return { exact: value };
}

export function regexMatcher(regex: string): JsonObject {
  return { safe_regex: { regex } };
}

export function headerMatcher(match: HeaderMatch): JsonObject {
  const value = match.value ?? '';
  let specifier: JsonObject;
  switch (match.type) {
    case 'Exact':
      specifier = { string_match: exactMatcher(value) };
      break;
    case 'RegularExpression':
      specifier = { string_match: regexMatcher(value) };
      break;
    case 'Prefix':
      specifier = { string_match: { prefix: value } };
      break;
    case 'Present':
      specifier = { present_match: true };
      break;
  }
  return compact({ name: match.name, ...specifier, invert_match: flag(match.invert) });
}

export function queryParameterMatcher(match: QueryParamMatch): JsonObject {
  const value = match.value ?? '';
  switch (match.type) {
    case 'Exact':
      return { name: match.name, string_match: exactMatcher(value) };
    case 'RegularExpression':
      return { name: match.name, string_match: regexMatcher(value) };
    case 'Present':
      return { name: match.name, present_match: true };
  }
}

/** The HTTP method as Envoy matches it: the ":method" pseudo-header. */
export function methodMatcher(method: string): JsonObject {
  return { name: ':method', string_match: exactMatcher(method.toUpperCase()) };
}

/** A RE2 pattern matching `literal` exactly (for building regexes from paths). */
export function escapeRegex(literal: string): string {
  return literal.replace(/[\\^$.|?*+()[\]{}]/g, '\\$&');
}
