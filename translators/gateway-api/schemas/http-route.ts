// HTTPRoute (gateway.networking.k8s.io/v1) with the CRD's CEL rules as `check` hooks.
import type { JsonObject } from '../../../src/envoy/resource';
import { compileRe2 } from '../../../src/validate/re2';
import { parseDurationMs } from '../../core/durations';
import { getArray, getObject, getObjects, getString, has } from '../../core/json';
import { anything, arr, bool, int, obj, oneOfStrings, str, type ObjectSchema, type SchemaIssue } from '../../schema';
import {
  backendObjectReference,
  checkFilterList,
  checkParentRefsDistinct,
  checkRuleNamesUnique,
  duration,
  extensionRef,
  headerFilter,
  headerName,
  hostname,
  parentRef,
  port,
  preciseHostname,
  requestMirror,
  sectionName,
} from './common';

export const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH'] as const;

/** The reason a regular expression is not RE2 (what Envoy compiles), or undefined. */
export function re2Problem(pattern: string): string | undefined {
  try {
    compileRe2(pattern);
    return undefined;
  } catch (err) {
    return `is not a valid RE2 regular expression: ${(err as Error).message}`;
  }
}

const PATH_CHARS = /^(?:[-A-Za-z0-9/._~!$&'()*+,;=:@]|[%][0-9a-fA-F]{2})+$/;

/** Exact and PathPrefix values must be clean absolute paths (CEL on HTTPPathMatch). */
export function pathValueProblem(value: string): string | undefined {
  if (!value.startsWith('/')) return 'must be an absolute path starting with "/"';
  for (const bad of ['//', '/./', '/../', '%2f', '%2F', '#']) if (value.includes(bad)) return `must not contain "${bad}"`;
  if (value.endsWith('/..') || value.endsWith('/.')) return 'must not end with "/." or "/.."';
  if (!PATH_CHARS.test(value)) return 'contains characters that are not allowed in a path';
  return undefined;
}

const pathMatch = obj(
  { type: oneOfStrings('Exact', 'PathPrefix', 'RegularExpression'), value: str({ maxLength: 1024 }) },
  {
    check: (m) => {
      const type = getString(m, 'type') ?? 'PathPrefix';
      const value = getString(m, 'value') ?? '/';
      const reason = type === 'RegularExpression' ? re2Problem(value) : pathValueProblem(value);
      return reason ? [{ path: 'value', reason }] : [];
    },
  },
);

function valueMatch(maxValue: number): ObjectSchema {
  return obj(
    { type: oneOfStrings('Exact', 'RegularExpression'), name: headerName, value: str({ minLength: 1, maxLength: maxValue }) },
    {
      required: ['name', 'value'],
      check: (m) => {
        if (getString(m, 'type') !== 'RegularExpression') return [];
        const reason = re2Problem(getString(m, 'value') ?? '');
        return reason ? [{ path: 'value', reason }] : [];
      },
    },
  );
}

const lowerName = (v: unknown): string | undefined => (typeof v === 'object' && v !== null && 'name' in v && typeof v.name === 'string' ? v.name.toLowerCase() : undefined);

export const httpRouteMatch = obj({
  path: pathMatch,
  headers: arr(valueMatch(4096), { maxItems: 16, uniqueBy: lowerName, uniqueWhat: 'header' }),
  queryParams: arr(valueMatch(1024), { maxItems: 16, uniqueBy: (v) => (typeof v === 'object' && v !== null && 'name' in v && typeof v.name === 'string' ? v.name : undefined), uniqueWhat: 'query parameter' }),
  method: oneOfStrings(...HTTP_METHODS),
});

const pathModifier = obj(
  { type: oneOfStrings('ReplaceFullPath', 'ReplacePrefixMatch'), replaceFullPath: str({ maxLength: 1024 }), replacePrefixMatch: str({ maxLength: 1024 }) },
  {
    required: ['type'],
    check: (p) => {
      const type = getString(p, 'type');
      const issues: SchemaIssue[] = [];
      if (type === 'ReplaceFullPath' && !has(p, 'replaceFullPath')) issues.push({ path: 'replaceFullPath', reason: 'required when type is ReplaceFullPath' });
      if (type === 'ReplacePrefixMatch' && !has(p, 'replacePrefixMatch')) issues.push({ path: 'replacePrefixMatch', reason: 'required when type is ReplacePrefixMatch' });
      if (type !== 'ReplaceFullPath' && has(p, 'replaceFullPath')) issues.push({ path: 'replaceFullPath', reason: 'only allowed when type is ReplaceFullPath' });
      if (type !== 'ReplacePrefixMatch' && has(p, 'replacePrefixMatch')) issues.push({ path: 'replacePrefixMatch', reason: 'only allowed when type is ReplacePrefixMatch' });
      return issues;
    },
  },
);

const requestRedirect = obj({
  scheme: oneOfStrings('http', 'https'),
  hostname: preciseHostname,
  path: pathModifier,
  port,
  statusCode: { kind: 'integer', enum: [301, 302, 303, 307, 308] },
});

const urlRewrite = obj({ hostname: preciseHostname, path: pathModifier });

const CORS_ORIGIN = /(^\*$)|(^([a-zA-Z][a-zA-Z0-9+\-.]+):\/\/([^:/?#]+)(:([0-9]{1,5}))?$)/;
const starAlone = (field: string) => (c: JsonObject): SchemaIssue[] => {
  const values = getArray(c, field);
  return values.includes('*') && values.length > 1 ? [{ path: field, reason: '"*" cannot be combined with other values' }] : [];
};

export const corsFilter = obj(
  {
    allowOrigins: arr(str({ pattern: CORS_ORIGIN, patternHint: 'an origin such as "https://app.example.com", "https://*.example.com" or "*"' }), { maxItems: 64 }),
    allowCredentials: bool,
    allowMethods: arr(oneOfStrings(...HTTP_METHODS, '*'), { maxItems: 9 }),
    allowHeaders: arr(str({ minLength: 1, maxLength: 256, pattern: /^(\*|[A-Za-z0-9!#$%&'*+\-.^_`|~]+)$/, patternHint: 'an HTTP header name or "*"' }), { maxItems: 64 }),
    exposeHeaders: arr(str({ minLength: 1, maxLength: 256, pattern: /^(\*|[A-Za-z0-9!#$%&'*+\-.^_`|~]+)$/, patternHint: 'an HTTP header name or "*"' }), { maxItems: 64 }),
    maxAge: int(1),
  },
  { check: (c) => [...starAlone('allowOrigins')(c), ...starAlone('allowMethods')(c), ...starAlone('allowHeaders')(c)] },
);

const externalAuth = obj(
  {
    protocol: oneOfStrings('HTTP', 'GRPC'),
    backendRef: backendObjectReference,
    grpc: obj({ allowedHeaders: arr(str(), { maxItems: 64 }) }),
    http: obj({ path: str({ maxLength: 1024 }), allowedHeaders: arr(str(), { maxItems: 64 }), allowedResponseHeaders: arr(str(), { maxItems: 64 }) }),
    forwardBody: obj({ maxSize: int(0) }),
  },
  {
    required: ['protocol', 'backendRef'],
    check: (e) => {
      const p = getString(e, 'protocol');
      const issues: SchemaIssue[] = [];
      if (p !== 'GRPC' && has(e, 'grpc')) issues.push({ path: 'grpc', reason: 'only allowed when protocol is GRPC' });
      if (p !== 'HTTP' && has(e, 'http')) issues.push({ path: 'http', reason: 'only allowed when protocol is HTTP' });
      return issues;
    },
  },
);

export const HTTP_FILTER_FIELDS: Readonly<Record<string, string>> = {
  RequestHeaderModifier: 'requestHeaderModifier',
  ResponseHeaderModifier: 'responseHeaderModifier',
  RequestMirror: 'requestMirror',
  RequestRedirect: 'requestRedirect',
  URLRewrite: 'urlRewrite',
  CORS: 'cors',
  ExternalAuth: 'externalAuth',
  ExtensionRef: 'extensionRef',
};
const NOT_REPEATABLE = ['RequestHeaderModifier', 'ResponseHeaderModifier', 'RequestRedirect', 'URLRewrite', 'CORS'];

const httpFilter = obj(
  {
    type: oneOfStrings(...Object.keys(HTTP_FILTER_FIELDS)),
    requestHeaderModifier: headerFilter,
    responseHeaderModifier: headerFilter,
    requestMirror,
    requestRedirect,
    urlRewrite,
    cors: corsFilter,
    externalAuth,
    extensionRef,
  },
  { required: ['type'] },
);

function filterListChecks(rel: string, filters: JsonObject | undefined, key: string): SchemaIssue[] {
  const list = getArray(filters, key);
  const issues = checkFilterList(list, NOT_REPEATABLE, HTTP_FILTER_FIELDS).map((i) => ({ path: `${rel}${i.path}`, reason: i.reason }));
  const types = getObjects(filters, key).map((f) => getString(f, 'type'));
  if (types.includes('RequestRedirect') && types.includes('URLRewrite')) issues.push({ path: rel, reason: 'RequestRedirect and URLRewrite cannot be used together' });
  return issues;
}

const httpBackendRef = obj({ ...backendObjectReference.properties, weight: int(0, 1_000_000), filters: arr(httpFilter, { maxItems: 16 }) }, { required: ['name'], check: (r) => [...(backendObjectReference.check?.(r) ?? []), ...filterListChecks('filters', r, 'filters')] });

const timeouts = obj(
  { request: duration, backendRequest: duration },
  {
    check: (t) => {
      const request = parseDurationMs(getString(t, 'request') ?? '');
      const backend = parseDurationMs(getString(t, 'backendRequest') ?? '');
      if (request !== undefined && backend !== undefined && request !== 0 && backend > request) return [{ path: 'backendRequest', reason: 'cannot be longer than the request timeout' }];
      return [];
    },
  },
);

const retry = obj({ codes: arr(int(400, 599), { uniqueBy: (v) => String(v), uniqueWhat: 'status code' }), attempts: int(0), backoff: duration });

function usesReplacePrefix(filters: readonly JsonObject[]): boolean {
  return filters.some((f) => getString(getObject(getObject(f, 'requestRedirect') ?? getObject(f, 'urlRewrite'), 'path'), 'type') === 'ReplacePrefixMatch');
}

export const httpRouteRule = obj(
  {
    name: sectionName,
    matches: arr(httpRouteMatch, { maxItems: 64 }),
    filters: arr(httpFilter, { maxItems: 16 }),
    backendRefs: arr(httpBackendRef, { maxItems: 16 }),
    timeouts,
    retry,
    sessionPersistence: anything,
  },
  {
    check: (rule) => {
      const issues = filterListChecks('filters', rule, 'filters');
      const filters = getObjects(rule, 'filters');
      if (getArray(rule, 'backendRefs').length > 0 && filters.some((f) => getString(f, 'type') === 'RequestRedirect')) {
        issues.push({ path: 'filters', reason: 'a RequestRedirect filter cannot be used together with backendRefs' });
      }
      const backendFilters = getObjects(rule, 'backendRefs').flatMap((b) => getObjects(b, 'filters'));
      if (usesReplacePrefix(filters) || usesReplacePrefix(backendFilters)) {
        // The CRD defaults apply first: no matches means one PathPrefix "/" match, no type means PathPrefix.
        const matches = getObjects(rule, 'matches');
        const onePrefix = matches.length <= 1 && (getString(getObject(matches[0], 'path'), 'type') ?? 'PathPrefix') === 'PathPrefix';
        if (!onePrefix) issues.push({ path: 'matches', reason: 'a ReplacePrefixMatch path modifier needs exactly one match with a PathPrefix path' });
      }
      return issues;
    },
  },
);

export const httpRouteSpec = obj(
  {
    parentRefs: arr(parentRef, { maxItems: 32 }),
    hostnames: arr(hostname, { maxItems: 16 }),
    rules: arr(httpRouteRule, { maxItems: 16 }),
  },
  { check: (spec) => [...checkParentRefsDistinct(spec), ...checkRuleNamesUnique(spec), ...checkTotalMatches(spec)] },
);

/** At most 128 matches across all rules of a route (CEL on spec.rules). */
export function checkTotalMatches(spec: JsonObject): SchemaIssue[] {
  const total = getObjects(spec, 'rules').reduce((n, r) => n + getArray(r, 'matches').length, 0);
  return total > 128 ? [{ path: 'rules', reason: `a route may have at most 128 matches across all rules (has ${total})` }] : [];
}
