// HTTPRoute and GRPCRoute matches → IR RouteMatch.
import type { JsonObject } from '../../src/envoy/resource';
import type { HeaderMatch, PathMatch, QueryParamMatch, RouteMatch } from '../../src/ir/route';
import { getObject, getObjects, getString } from '../core/json';

function headerMatches(match: JsonObject): HeaderMatch[] {
  return getObjects(match, 'headers').map((h) => ({
    name: (getString(h, 'name') ?? '').toLowerCase(),
    type: getString(h, 'type') === 'RegularExpression' ? 'RegularExpression' : 'Exact',
    value: getString(h, 'value') ?? '',
  }));
}

/** Gateway API ignores a trailing "/" on a PathPrefix ("/foo/" matches like "/foo"). */
function pathMatch(path: JsonObject | undefined): PathMatch {
  const type = getString(path, 'type') ?? 'PathPrefix';
  const value = getString(path, 'value') ?? '/';
  if (type === 'Exact') return { type: 'Exact', value };
  if (type === 'RegularExpression') return { type: 'RegularExpression', value };
  return { type: 'PathPrefix', value: value.length > 1 && value.endsWith('/') ? value.replace(/\/+$/, '') || '/' : value };
}

export function httpMatch(match: JsonObject | undefined): RouteMatch {
  const m = match ?? {};
  const headers = headerMatches(m);
  const queryParams: QueryParamMatch[] = getObjects(m, 'queryParams').map((q) => ({
    name: getString(q, 'name') ?? '',
    type: getString(q, 'type') === 'RegularExpression' ? 'RegularExpression' : 'Exact',
    value: getString(q, 'value') ?? '',
  }));
  const method = getString(m, 'method');
  return {
    path: pathMatch(getObject(m, 'path')),
    ...(headers.length > 0 ? { headers } : {}),
    ...(queryParams.length > 0 ? { queryParams } : {}),
    ...(method !== undefined ? { method } : {}),
  };
}

const ANY_SEGMENT = '[^/]+';

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * gRPC requests are POSTs to "/<package.Service>/<Method>". Exact service and method give an
 * exact path; a service alone a prefix; anything else a regular expression over the two parts.
 */
function grpcPath(method: JsonObject | undefined): PathMatch {
  if (!method) return { type: 'PathPrefix', value: '/' };
  const service = getString(method, 'service');
  const name = getString(method, 'method');
  const regex = getString(method, 'type') === 'RegularExpression';
  if (!regex) {
    if (service !== undefined && name !== undefined) return { type: 'Exact', value: `/${service}/${name}` };
    if (service !== undefined) return { type: 'PathPrefix', value: `/${service}` };
    return { type: 'RegularExpression', value: `/${ANY_SEGMENT}/${escapeRegex(name ?? '')}` };
  }
  const part = (p: string | undefined): string => (p === undefined || p === '' ? ANY_SEGMENT : `(?:${p})`);
  return { type: 'RegularExpression', value: `/${part(service)}/${part(name)}` };
}

export function grpcMatch(match: JsonObject | undefined): RouteMatch {
  const m = match ?? {};
  const headers = headerMatches(m);
  return { path: grpcPath(getObject(m, 'method')), ...(headers.length > 0 ? { headers } : {}), grpc: true };
}
