// request_headers_to_add / request_headers_to_remove, applied as Envoy's HeaderParser does: each
// level removes first, then adds in order. Levels run weighted cluster, route, virtual host, route
// configuration (so the least specific wins on overwrite), or route configuration first when
// most_specific_header_mutations_wins is set.
import type { JsonObject } from '../envoy/resource';
import { bool, enumName, obj, objs, str, strs } from './json';
import type { Trace } from './trace';
import type { HeaderChange } from './types';

export type HeaderMap = Map<string, string[]>;

const APPEND_ACTIONS = ['APPEND_IF_EXISTS_OR_ADD', 'ADD_IF_ABSENT', 'OVERWRITE_IF_EXISTS_OR_ADD', 'OVERWRITE_IF_EXISTS'];

export interface FormatContext {
  readonly headers: HeaderMap;
  readonly remoteIp?: string;
  readonly protocol: string;
}

/**
 * Substitutes the few command operators explain can resolve (%REQ(x)%, %DOWNSTREAM_REMOTE_ADDRESS%
 * and its _WITHOUT_PORT form, %PROTOCOL%, %%); others stay as written and are reported.
 */
export function formatHeaderValue(value: string, ctx: FormatContext, trace: Trace): string {
  return value.replace(/%%|%([A-Z_0-9]+)(?:\(([^)]*)\))?(?::(\d+))?%/g, (whole, op: string | undefined, arg: string | undefined, len: string | undefined) => {
    if (whole === '%%') return '%';
    let out: string | undefined;
    if (op === 'REQ' && arg !== undefined) {
      const [main, alt] = arg.split('?');
      const pick = (n: string | undefined): string | undefined => (n === undefined ? undefined : ctx.headers.get(n.toLowerCase())?.join(','));
      out = pick(main) ?? pick(alt) ?? '';
    } else if ((op === 'DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT' || op === 'DOWNSTREAM_REMOTE_ADDRESS') && ctx.remoteIp !== undefined) {
      out = ctx.remoteIp;
    } else if (op === 'PROTOCOL') {
      out = ctx.protocol;
    }
    if (out === undefined) {
      trace.assume(`header value operator ${whole} is not resolved by explain`);
      return whole;
    }
    return len !== undefined ? out.slice(0, Number(len)) : out;
  });
}

export interface MutationLevel {
  readonly label: string;
  readonly config: JsonObject | undefined;
}

export interface MutationResult {
  readonly added: HeaderChange[];
  readonly removed: string[];
}

/**
 * Applies one level's removals and additions to `headers` in place, as Envoy's HeaderParser does:
 * removals first; then every value is formatted against the headers as they are at that point
 * (so a value copied from a header removed at this level is empty, and an empty value is dropped
 * unless keep_empty_value is set); then overwrites, then appends. `fields` names the level's
 * lists (request_* by default, response_* for response headers).
 */
export function applyLevel(level: MutationLevel, headers: HeaderMap, ctx: FormatContext, trace: Trace, out: MutationResult, fields: MutationFields = REQUEST_FIELDS): void {
  for (const name of strs(level.config, fields.remove)) {
    const key = name.toLowerCase();
    if (headers.delete(key) && !out.removed.includes(key)) out.removed.push(key);
  }
  const overwrite: [string, string][] = [];
  const append: [string, string][] = [];
  for (const option of objs(level.config, fields.add)) {
    const header = obj(option, 'header');
    const name = (str(header, 'key') ?? '').toLowerCase();
    if (name === '') continue;
    const raw = str(header, 'value') ?? (str(header, 'raw_value') !== undefined ? Buffer.from(str(header, 'raw_value')!, 'base64').toString('utf8') : '');
    const value = formatHeaderValue(raw, ctx, trace);
    const legacyAppend = bool(option, 'append');
    const action = legacyAppend !== undefined ? (legacyAppend ? 'APPEND_IF_EXISTS_OR_ADD' : 'OVERWRITE_IF_EXISTS_OR_ADD') : (enumName(option, 'append_action', APPEND_ACTIONS) ?? 'APPEND_IF_EXISTS_OR_ADD');
    const exists = headers.has(name);
    let applied = true;
    if (value === '' && bool(option, 'keep_empty_value') !== true) applied = false;
    else if (action === 'APPEND_IF_EXISTS_OR_ADD') append.push([name, value]);
    else if (action === 'ADD_IF_ABSENT') {
      if (exists) applied = false;
      else append.push([name, value]);
    } else if (action === 'OVERWRITE_IF_EXISTS') {
      if (exists) overwrite.push([name, value]);
      else applied = false;
    } else overwrite.push([name, value]);
    out.added.push({ name, value, action, level: level.label, applied });
  }
  for (const [name, value] of overwrite) headers.set(name, [value]);
  for (const [name, value] of append) headers.set(name, [...(headers.get(name) ?? []), value]);
}

export interface MutationFields {
  readonly add: string;
  readonly remove: string;
}

export const REQUEST_FIELDS: MutationFields = { add: 'request_headers_to_add', remove: 'request_headers_to_remove' };
export const RESPONSE_FIELDS: MutationFields = { add: 'response_headers_to_add', remove: 'response_headers_to_remove' };

/** The route-chain levels in the order Envoy evaluates them. */
export function routeMutationLevels(routeConfig: JsonObject, virtualHost: JsonObject, route: JsonObject): MutationLevel[] {
  const levels: MutationLevel[] = [
    { label: 'route', config: route },
    { label: 'virtual host', config: virtualHost },
    { label: 'route configuration', config: routeConfig },
  ];
  return bool(routeConfig, 'most_specific_header_mutations_wins') === true ? levels.reverse() : levels;
}

export function hasMutations(config: JsonObject | undefined): boolean {
  return objs(config, 'request_headers_to_add').length > 0 || strs(config, 'request_headers_to_remove').length > 0;
}
