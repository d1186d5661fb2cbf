// HTTPRouteFilter (meshgate.io/v1alpha1): route-rule behaviour the Gateway API filters cannot
// express, referenced from an HTTPRoute or GRPCRoute rule by an ExtensionRef filter
// ({group: meshgate.io, kind: HTTPRouteFilter, name}). Named after Envoy Gateway's kind of the same
// purpose. Kong's request-transformer, response-transformer, request-termination and regex path
// rewrites convert to it.
//
//   urlRewrite:      path {type: ReplaceRegexMatch, replaceRegexMatch: {pattern, substitution}}
//                    (Envoy RouteAction.regex_rewrite, RE2), hostname (host_rewrite_literal)
//   directResponse:  {statusCode 200-599, body ≤ 4096 bytes, contentType}: the rule answers itself
//   requestHeaders:  set / add / addIfAbsent [{name, value | fromHeader}], rename [{from, to}], remove
//   responseHeaders: set / add / addIfAbsent [{name, value | fromRequestHeader}], remove
import type { InputDocument } from '../../src/documents/types';
import type { JsonObject, JsonValue } from '../../src/envoy/resource';
import type { HeaderMutation, HeaderRename, HeaderValue } from '../../src/ir/route';
import { getNumber, getObject, getObjects, getString, getStrings } from '../core/json';
import { re2Problem } from '../gateway-api/schemas/http-route';
import { headerName as headerNameSchema } from '../gateway-api/schemas/common';
import { compileRe2 } from '../../src/validate/re2';
import { arr, int, obj, oneOfStrings, str, type ObjectSchema, type SchemaIssue, type Schema } from '../schema';

/** Envoy's default max_direct_response_body_size_bytes. */
export const MAX_DIRECT_RESPONSE_BODY_BYTES = 4096;

/** Envoy refuses to modify pseudo-headers and Host through header mutations. */
const headerName: Schema = { ...headerNameSchema, check: (v: string) => (v.toLowerCase() === 'host' ? 'Host cannot be changed by a header operation (use urlRewrite.hostname)' : undefined) };

const lowerName = (v: JsonValue): string | undefined => (typeof v === 'object' && v !== null && !Array.isArray(v) && typeof v['name'] === 'string' ? v['name'].toLowerCase() : undefined);

function headerValues(copyField: 'fromHeader' | 'fromRequestHeader'): Schema {
  const item = obj({ name: headerName, value: str({ maxLength: 4096 }), [copyField]: headerName }, { required: ['name'], exactlyOneOf: ['value', copyField] });
  return arr(item, { maxItems: 32, uniqueBy: lowerName, uniqueWhat: 'header' });
}

/** The number of capture groups of an RE2 pattern (that compiles). */
function captureGroups(pattern: string): number {
  const re = compileRe2(pattern);
  return (new RegExp(`${re.source}|`, re.flags).exec('')?.length ?? 1) - 1;
}

const replaceRegexMatch = obj(
  { pattern: str({ minLength: 1, maxLength: 1024, check: re2Problem }), substitution: str({ maxLength: 1024 }) },
  {
    required: ['pattern', 'substitution'],
    check: (r) => {
      const pattern = getString(r, 'pattern');
      const substitution = getString(r, 'substitution') ?? '';
      if (pattern === undefined || re2Problem(pattern) !== undefined) return [];
      const groups = captureGroups(pattern);
      const refs = [...substitution.matchAll(/\\(\d)/g)].map((m) => Number(m[1]));
      const bad = refs.find((n) => n > groups);
      return bad !== undefined ? [{ path: 'substitution', reason: `refers to group \\${bad} but the pattern has ${groups} capture group${groups === 1 ? '' : 's'}` }] : [];
    },
  },
);

const headerOps = (copyField: 'fromHeader' | 'fromRequestHeader', withRename: boolean): ObjectSchema =>
  obj(
    {
      set: headerValues(copyField),
      add: headerValues(copyField),
      addIfAbsent: headerValues(copyField),
      ...(withRename
        ? {
            rename: arr(
              obj({ from: headerName, to: headerName }, {
                required: ['from', 'to'],
                check: (r) => (getString(r, 'from')?.toLowerCase() === getString(r, 'to')?.toLowerCase() && getString(r, 'from') !== undefined ? [{ path: 'to', reason: 'must differ from "from"' }] : []),
              }),
              { maxItems: 32, uniqueBy: (v) => (typeof v === 'object' && v !== null && !Array.isArray(v) && typeof v['from'] === 'string' ? v['from'].toLowerCase() : undefined), uniqueWhat: 'renamed header' },
            ),
          }
        : {}),
      remove: arr(headerName, { maxItems: 32, uniqueBy: (v) => (typeof v === 'string' ? v.toLowerCase() : undefined), uniqueWhat: 'header' }),
    },
    { check: (ops) => headerConflicts(ops) },
  );

/** One header name may appear in one operation of a list (set, add, addIfAbsent, rename target, remove). */
function headerConflicts(ops: JsonObject): SchemaIssue[] {
  const seen = new Map<string, string>();
  const issues: SchemaIssue[] = [];
  const note = (name: string | undefined, where: string): void => {
    if (name === undefined) return;
    const key = name.toLowerCase();
    const first = seen.get(key);
    if (first !== undefined) issues.push({ path: where, reason: `header ${JSON.stringify(key)} is also changed at ${first}` });
    else seen.set(key, where);
  };
  for (const op of ['set', 'add', 'addIfAbsent'] as const) getObjects(ops, op).forEach((h, i) => note(getString(h, 'name'), `${op}[${i}].name`));
  getObjects(ops, 'rename').forEach((r, i) => note(getString(r, 'to'), `rename[${i}].to`));
  getStrings(ops, 'remove').forEach((r, i) => note(r, `remove[${i}]`));
  return issues;
}

export const httpRouteFilterSpec: ObjectSchema = obj(
  {
    urlRewrite: obj(
      {
        path: obj({ type: oneOfStrings('ReplaceRegexMatch'), replaceRegexMatch }, { required: ['type', 'replaceRegexMatch'] }),
        hostname: str({ minLength: 1, maxLength: 253, pattern: /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*(:[0-9]{1,5})?$/, patternHint: 'a lower-case DNS name, optionally with ":port"' }),
      },
      { check: (u) => (u['path'] === undefined && u['hostname'] === undefined ? [{ path: '', reason: 'set path, hostname or both' }] : []) },
    ),
    directResponse: obj(
      {
        statusCode: int(200, 599),
        body: str({ check: (v) => (Buffer.byteLength(v, 'utf8') > MAX_DIRECT_RESPONSE_BODY_BYTES ? `must be at most ${MAX_DIRECT_RESPONSE_BODY_BYTES} bytes (got ${Buffer.byteLength(v, 'utf8')})` : undefined) }),
        contentType: str({ minLength: 1, maxLength: 256, pattern: /^[\t\x20-\x7e]+$/, patternHint: 'a header value (visible ASCII)' }),
      },
      { required: ['statusCode'] },
    ),
    requestHeaders: headerOps('fromHeader', true),
    responseHeaders: headerOps('fromRequestHeader', false),
  },
  {
    check: (spec) =>
      ['urlRewrite', 'directResponse', 'requestHeaders', 'responseHeaders'].some((f) => spec[f] !== undefined && spec[f] !== null)
        ? []
        : [{ path: '', reason: 'an HTTPRouteFilter needs at least one of urlRewrite, directResponse, requestHeaders, responseHeaders' }],
  },
);

/** What one HTTPRouteFilter asks of a rule, in IR terms. */
export interface RouteFilterSettings {
  readonly doc: InputDocument;
  readonly pathRegex?: { readonly pattern: string; readonly substitution: string };
  readonly hostname?: string;
  readonly directResponse?: { readonly status: number; readonly body?: string; readonly contentType?: string };
  readonly requestHeaders?: HeaderMutation;
  readonly responseHeaders?: HeaderMutation;
}

function values(ops: JsonObject | undefined, op: string, copyField: 'fromHeader' | 'fromRequestHeader'): HeaderValue[] {
  return getObjects(ops, op).map((h): HeaderValue => {
    const name = (getString(h, 'name') ?? '').toLowerCase();
    const copy = getString(h, copyField);
    return copy !== undefined ? { name, fromRequestHeader: copy.toLowerCase() } : { name, value: getString(h, 'value') ?? '' };
  });
}

function mutation(ops: JsonObject | undefined, copyField: 'fromHeader' | 'fromRequestHeader'): HeaderMutation | undefined {
  if (!ops) return undefined;
  const set = values(ops, 'set', copyField);
  const add = values(ops, 'add', copyField);
  const addIfAbsent = values(ops, 'addIfAbsent', copyField);
  const rename: HeaderRename[] = getObjects(ops, 'rename').map((r) => ({ from: (getString(r, 'from') ?? '').toLowerCase(), to: (getString(r, 'to') ?? '').toLowerCase() }));
  const remove = getStrings(ops, 'remove').map((r) => r.toLowerCase());
  const out: HeaderMutation = {
    ...(set.length > 0 ? { set } : {}),
    ...(add.length > 0 ? { add } : {}),
    ...(addIfAbsent.length > 0 ? { addIfAbsent } : {}),
    ...(remove.length > 0 ? { remove } : {}),
    ...(rename.length > 0 ? { rename } : {}),
  };
  return Object.keys(out).length > 0 ? out : undefined;
}

/** The settings of a (schema-valid) HTTPRouteFilter. */
export function routeFilterSettings(doc: InputDocument): RouteFilterSettings {
  const rewrite = getObject(doc.spec, 'urlRewrite');
  const regex = getObject(getObject(rewrite, 'path'), 'replaceRegexMatch');
  const direct = getObject(doc.spec, 'directResponse');
  const hostname = getString(rewrite, 'hostname');
  const requestHeaders = mutation(getObject(doc.spec, 'requestHeaders'), 'fromHeader');
  const responseHeaders = mutation(getObject(doc.spec, 'responseHeaders'), 'fromRequestHeader');
  const body = getString(direct, 'body');
  const contentType = getString(direct, 'contentType');
  return {
    doc,
    ...(regex ? { pathRegex: { pattern: getString(regex, 'pattern') ?? '', substitution: getString(regex, 'substitution') ?? '' } } : {}),
    ...(hostname !== undefined ? { hostname } : {}),
    ...(direct
      ? { directResponse: { status: getNumber(direct, 'statusCode') ?? 200, ...(body !== undefined ? { body } : {}), ...(contentType !== undefined ? { contentType } : {}) } }
      : {}),
    ...(requestHeaders ? { requestHeaders } : {}),
    ...(responseHeaders ? { responseHeaders } : {}),
  };
}
