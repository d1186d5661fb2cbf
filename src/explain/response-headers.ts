// Route-level response header changes (response_headers_to_add / _to_remove on the route, its
// virtual host and the route configuration), as Envoy applies them to the response it sends: to an
// upstream's response and to a direct response alike. "%REQ(x)%" in a response header reads the
// request headers. The upstream's own response headers are unknown offline: they are taken as
// empty, so ADD_IF_ABSENT and OVERWRITE_IF_EXISTS are judged against what Envoy itself set.
import type { JsonObject } from '../envoy/resource';
import { applyLevel, RESPONSE_FIELDS, routeMutationLevels, type HeaderMap, type MutationResult } from './header-mutation';
import type { Trace } from './trace';

export interface ResponseHeaderContext {
  readonly routeConfig: JsonObject;
  readonly virtualHost: JsonObject;
  readonly route: JsonObject;
  /** The request headers the formatter reads (%REQ(x)%). */
  readonly requestHeaders: HeaderMap;
  readonly remoteIp?: string;
  readonly trace: Trace;
}

/** Applies the changes to `response` (in place) and returns what was added and removed. */
export function applyResponseHeaders(ctx: ResponseHeaderContext, response: HeaderMap): MutationResult {
  const out: MutationResult = { added: [], removed: [] };
  const fmt = { headers: ctx.requestHeaders, ...(ctx.remoteIp !== undefined ? { remoteIp: ctx.remoteIp } : {}), protocol: 'HTTP/1.1' };
  for (const level of routeMutationLevels(ctx.routeConfig, ctx.virtualHost, ctx.route)) applyLevel(level, response, fmt, ctx.trace, out, RESPONSE_FIELDS);
  for (const change of out.added) ctx.trace.step(`response headers: ${change.level} ${change.action} ${change.name}: "${change.value}"${change.applied ? '' : ' (no effect)'}`);
  for (const name of out.removed) ctx.trace.step(`response headers: removed ${name}`);
  return out;
}
