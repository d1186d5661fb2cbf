// IR header mutations → HeaderValueOption lists and *_to_remove. "set" overwrites
// (OVERWRITE_IF_EXISTS_OR_ADD), "add" appends (APPEND_IF_EXISTS_OR_ADD, the enum's zero value and so
// absent in canonical JSON), "addIfAbsent" is ADD_IF_ABSENT.
//
// Envoy reads every header value as a format string: "%...%" is a command operator and a lone "%"
// makes it reject the whole RouteConfiguration. Literal values are therefore escaped ("%" → "%%");
// a value copied from a request header is "%REQ(name)%", which Envoy leaves out when that header is
// absent (an empty result is dropped unless keep_empty_value is set, which meshgate never sets).
// Renames are not written here: see header-rename.ts.
import type { JsonObject } from '../envoy/resource';
import type { HeaderMutation, HeaderValue } from '../ir/route';
import { list } from './json';

export interface EnvoyHeaderMutation {
  readonly toAdd: JsonObject[] | undefined;
  readonly toRemove: string[] | undefined;
}

/** A literal header value as Envoy must be given it, so that it reaches the peer unchanged. */
export function escapeHeaderValue(literal: string): string {
  return literal.replace(/%/g, '%%');
}

/** The HeaderValue.value Envoy is given for an IR header value. */
export function envoyHeaderValue(header: HeaderValue): string {
  if ('fromRequestHeader' in header) return `%REQ(${header.fromRequestHeader})%`;
  if ('envoyFormat' in header) return header.envoyFormat;
  return escapeHeaderValue(header.value);
}

type AppendAction = 'OVERWRITE_IF_EXISTS_OR_ADD' | 'APPEND_IF_EXISTS_OR_ADD' | 'ADD_IF_ABSENT';

export function headerOption(header: HeaderValue, action: AppendAction): JsonObject {
  const option: JsonObject = { header: { key: header.name, value: envoyHeaderValue(header) } };
  if (action !== 'APPEND_IF_EXISTS_OR_ADD') option['append_action'] = action;
  return option;
}

export function headerMutation(mutation: HeaderMutation | undefined): EnvoyHeaderMutation {
  if (!mutation) return { toAdd: undefined, toRemove: undefined };
  const toAdd: JsonObject[] = [
    ...(mutation.set ?? []).map((h) => headerOption(h, 'OVERWRITE_IF_EXISTS_OR_ADD')),
    ...(mutation.add ?? []).map((h) => headerOption(h, 'APPEND_IF_EXISTS_OR_ADD')),
    ...(mutation.addIfAbsent ?? []).map((h) => headerOption(h, 'ADD_IF_ABSENT')),
  ];
  return { toAdd: list(toAdd), toRemove: list(mutation.remove ?? []) };
}
