// A rule's own Gateway API filters (RequestHeaderModifier, ResponseHeaderModifier, URLRewrite,
// RequestRedirect) combined with the HTTPRouteFilters its ExtensionRef filters name. Each setting
// may come from one place only: two sources rewriting the path (at most one path rewrite per rule,
// Gateway API URLRewrite included), the host, answering directly, or changing the same header
// are an error naming both, on the second one's filter.
import type { JsonObject } from '../../src/envoy/resource';
import type { HeaderMutation, Rewrite } from '../../src/ir/route';
import { getObjects } from '../core/json';
import { documentKey } from '../core/documents';
import type { RouteFilterSettings } from '../meshgate/http-route-filter';

export interface RuleFilterSource {
  /** How errors name it, e.g. "HTTPRouteFilter default/strip" or "the URLRewrite filter". */
  readonly label: string;
  /** Index in the rule's filters. */
  readonly filterIndex: number;
}

export interface GatewayRuleFilters {
  readonly requestHeaders?: { readonly mutation: HeaderMutation; readonly source: RuleFilterSource };
  readonly responseHeaders?: { readonly mutation: HeaderMutation; readonly source: RuleFilterSource };
  readonly rewrite?: { readonly rewrite: Rewrite; readonly source: RuleFilterSource };
  readonly redirect?: RuleFilterSource;
}

export interface CombinedRuleFilters {
  readonly requestHeaders?: HeaderMutation;
  readonly responseHeaders?: HeaderMutation;
  readonly rewrite?: Rewrite;
  readonly directResponse?: { readonly status: number; readonly body?: string; readonly contentType?: string };
  readonly errors: readonly { readonly filterIndex: number; readonly reason: string }[];
}

/** Names of the headers a mutation changes (renames count on both sides). */
function touched(m: HeaderMutation): string[] {
  return [
    ...[...(m.set ?? []), ...(m.add ?? []), ...(m.addIfAbsent ?? [])].map((h) => h.name),
    ...(m.remove ?? []),
    ...(m.rename ?? []).flatMap((r) => [r.from, r.to]),
  ];
}

function mergeMutations(parts: readonly HeaderMutation[]): HeaderMutation | undefined {
  const out: { -readonly [K in keyof HeaderMutation]: NonNullable<HeaderMutation[K]>[number][] } = {};
  for (const part of parts) {
    for (const key of ['set', 'add', 'addIfAbsent', 'remove', 'rename'] as const) {
      const items = part[key];
      if (items && items.length > 0) (out[key] ??= [] as never[]).push(...(items as never[]));
    }
  }
  return Object.keys(out).length > 0 ? (out as HeaderMutation) : undefined;
}

class Claims {
  private readonly owners = new Map<string, RuleFilterSource>();
  constructor(private readonly errors: { filterIndex: number; reason: string }[]) {}

  /** Records that `source` sets `what`; false (and an error) when another source already does. */
  claim(what: string, description: string, source: RuleFilterSource): boolean {
    const owner = this.owners.get(what);
    if (owner) {
      this.errors.push({ filterIndex: source.filterIndex, reason: `${owner.label} and ${source.label} both ${description}` });
      return false;
    }
    this.owners.set(what, source);
    return true;
  }
}

export function combineRuleFilters(gateway: GatewayRuleFilters, routeFilters: readonly { readonly settings: RouteFilterSettings; readonly filterIndex: number }[]): CombinedRuleFilters {
  const errors: { filterIndex: number; reason: string }[] = [];
  const claims = new Claims(errors);
  const request: HeaderMutation[] = [];
  const response: HeaderMutation[] = [];
  const headers = (direction: 'request' | 'response', m: HeaderMutation, source: RuleFilterSource): void => {
    const ok = [...new Set(touched(m))].map((h) => claims.claim(`${direction}:${h}`, `change ${direction} header ${JSON.stringify(h)}`, source)).every(Boolean);
    if (ok) (direction === 'request' ? request : response).push(m);
  };
  let rewritePath: Rewrite['path'];
  let rewriteHost: string | undefined;
  let directResponse: CombinedRuleFilters['directResponse'];
  if (gateway.requestHeaders) headers('request', gateway.requestHeaders.mutation, gateway.requestHeaders.source);
  if (gateway.responseHeaders) headers('response', gateway.responseHeaders.mutation, gateway.responseHeaders.source);
  if (gateway.rewrite) {
    const { rewrite, source } = gateway.rewrite;
    if (rewrite.path && claims.claim('path', 'rewrite the path (a rule has at most one path rewrite)', source)) rewritePath = rewrite.path;
    if (rewrite.host !== undefined && claims.claim('host', 'rewrite the host', source)) rewriteHost = rewrite.host;
  }
  if (gateway.redirect) claims.claim('answer', 'decide the response (redirect or direct response)', gateway.redirect);
  for (const { settings, filterIndex } of routeFilters) {
    const source = { label: `HTTPRouteFilter ${documentKey(settings.doc)}`, filterIndex };
    if (settings.pathRegex && claims.claim('path', 'rewrite the path (a rule has at most one path rewrite)', source)) rewritePath = { type: 'Regex', ...settings.pathRegex };
    if (settings.hostname !== undefined && claims.claim('host', 'rewrite the host', source)) rewriteHost = settings.hostname;
    if (settings.directResponse && claims.claim('answer', 'decide the response (redirect or direct response)', source)) directResponse = settings.directResponse;
    if (settings.requestHeaders) headers('request', settings.requestHeaders, source);
    if (settings.responseHeaders) headers('response', settings.responseHeaders, source);
  }
  const requestHeaders = mergeMutations(request);
  const responseHeaders = mergeMutations(response);
  const rewrite: Rewrite | undefined =
    rewritePath || rewriteHost !== undefined ? { ...(rewritePath ? { path: rewritePath } : {}), ...(rewriteHost !== undefined ? { host: rewriteHost } : {}) } : undefined;
  return {
    ...(requestHeaders ? { requestHeaders } : {}),
    ...(responseHeaders ? { responseHeaders } : {}),
    ...(rewrite ? { rewrite } : {}),
    ...(directResponse ? { directResponse } : {}),
    errors,
  };
}

/** A rule that answers by itself sends nothing upstream: its backends, mirrors and rewrites are unused. */
export function warnUnusedForDirectResponse(rule: JsonObject, index: number, mirrors: boolean, warn: (message: string) => void): void {
  if (getObjects(rule, 'backendRefs').length > 0) warn(`rules[${index}]: backendRefs are not used: an HTTPRouteFilter answers the rule directly`);
  if (mirrors) warn(`rules[${index}]: RequestMirror filters are not used: an HTTPRouteFilter answers the rule directly`);
}
