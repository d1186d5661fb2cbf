// jwt_authn: which requirement applies to the request (per-route requirement_name or disabled,
// else the first matching rule), and whether the request carries the tokens it needs. Signatures
// and claims cannot be checked offline: a token that is present is assumed valid, and a missing
// one fails a requirement that does not allow it, with 401 "Jwt is missing".
import type { JsonObject } from '../envoy/resource';
import type { FilterEvaluator, FilterVerdict } from './filter-env';
import { isCorsPreflight } from './filter-env';
import { bool, has, obj, objs, str, strs } from './json';
import { cookieValue, firstQueryValue, headerValue, type RequestView } from './request-view';
import { routeMatchAccepts } from './route-match';

type Outcome = 'pass' | 'missing' | 'assumed';

/** Nothing was verified, so jwt_authn wrote no payload (RBAC rules on claims and request principals see none). */
const NO_PAYLOAD: Readonly<Record<string, JsonObject>> = { 'envoy.filters.http.jwt_authn': {} };

/** True when one of the provider's token locations (default: Authorization: Bearer, ?access_token) holds a token. */
export function providerHasToken(provider: JsonObject, view: RequestView): boolean {
  const headers = objs(provider, 'from_headers');
  const params = strs(provider, 'from_params');
  const cookies = strs(provider, 'from_cookies');
  const defaults = headers.length === 0 && params.length === 0 && cookies.length === 0;
  const headerSources = defaults ? [{ name: 'authorization', prefix: 'Bearer ' }] : headers.map((h) => ({ name: str(h, 'name') ?? '', prefix: str(h, 'value_prefix') ?? '' }));
  for (const h of headerSources) {
    const value = headerValue(view, h.name);
    if (value === undefined) continue;
    const prefixed = h.prefix === '' || value.toLowerCase().startsWith(h.prefix.toLowerCase());
    if (prefixed && value.slice(h.prefix.length).trim() !== '') return true;
  }
  for (const p of defaults ? ['access_token'] : params) if ((firstQueryValue(view, p) ?? '') !== '') return true;
  for (const c of cookies) if ((cookieValue(view, c) ?? '') !== '') return true;
  return false;
}

interface RequirementResult {
  readonly outcome: Outcome;
  readonly text: string;
}

function evalRequirement(req: JsonObject, providers: JsonObject, view: RequestView): RequirementResult {
  const anyToken = (): boolean => Object.keys(providers).some((name) => providerHasToken(obj(providers, name) ?? {}, view));
  const providerName = str(req, 'provider_name') ?? str(obj(req, 'provider_and_audiences'), 'provider_name');
  if (providerName !== undefined) {
    const provider = obj(providers, providerName);
    const audiences = strs(obj(req, 'provider_and_audiences'), 'audiences');
    const text = `provider ${providerName}${audiences.length > 0 ? ` (audiences ${audiences.join(', ')})` : ''}`;
    if (!provider) return { outcome: 'missing', text: `${text} (not configured)` };
    return { outcome: providerHasToken(provider, view) ? 'assumed' : 'missing', text };
  }
  const anyOf = obj(req, 'requires_any');
  if (anyOf) {
    const parts = objs(anyOf, 'requirements').map((r) => evalRequirement(r, providers, view));
    // One child that surely passes is enough; otherwise a present token (assumed valid) may do.
    const outcome: Outcome = parts.some((p) => p.outcome === 'pass') ? 'pass' : parts.some((p) => p.outcome === 'assumed') ? 'assumed' : 'missing';
    return { outcome, text: `any of [${parts.map((p) => p.text).join(' | ')}]` };
  }
  const allOf = obj(req, 'requires_all');
  if (allOf) {
    const parts = objs(allOf, 'requirements').map((r) => evalRequirement(r, providers, view));
    const outcome: Outcome = parts.some((p) => p.outcome === 'missing') ? 'missing' : parts.some((p) => p.outcome === 'assumed') ? 'assumed' : 'pass';
    return { outcome, text: `all of [${parts.map((p) => p.text).join(' & ')}]` };
  }
  if (has(req, 'allow_missing_or_failed')) return { outcome: 'pass', text: 'allow missing or failed' };
  if (has(req, 'allow_missing')) return { outcome: anyToken() ? 'assumed' : 'pass', text: 'allow missing' };
  return { outcome: 'pass', text: 'no requirement' };
}

function tokensFound(providers: JsonObject, view: RequestView): string[] {
  return Object.keys(providers)
    .sort()
    .filter((name) => providerHasToken(obj(providers, name) ?? {}, view));
}

export const evalJwtAuthn: FilterEvaluator = (config, perRoute, env): FilterVerdict => {
  const providers = obj(config, 'providers') ?? {};
  const found = tokensFound(providers, env.view);
  if (bool(config, 'bypass_cors_preflight') === true && isCorsPreflight(env.view)) {
    return { outcome: 'pass', detail: 'CORS preflight bypasses JWT verification', jwt: { tokensFoundFor: found, result: 'not_required' } };
  }
  let requirement: JsonObject | undefined;
  let source: string | undefined;
  if (perRoute?.config) {
    if (bool(perRoute.config, 'disabled') === true) {
      return { outcome: 'pass', disabledByRoute: true, detail: `disabled for this ${perRoute.level} (PerRouteConfig disabled)`, jwt: { tokensFoundFor: found, result: 'not_required' } };
    }
    const name = str(perRoute.config, 'requirement_name');
    if (name !== undefined) {
      requirement = obj(obj(config, 'requirement_map'), name);
      source = `${perRoute.level} requirement_name "${name}"`;
      if (!requirement) return { outcome: 'deny', statusCode: 401, detail: `${source} is not in requirement_map`, jwt: { requirementSource: source, tokensFoundFor: found, result: 'missing_token' } };
    }
  }
  if (!requirement) {
    const rules = objs(config, 'rules');
    for (let i = 0; i < rules.length; i++) {
      const rule = rules[i]!;
      if (!routeMatchAccepts(obj(rule, 'match') ?? {}, env.view, env.trace)) continue;
      const byName = str(rule, 'requirement_name');
      requirement = byName !== undefined ? obj(obj(config, 'requirement_map'), byName) : obj(rule, 'requires');
      source = `rules[${i}]${byName !== undefined ? ` requirement_name "${byName}"` : ''}`;
      // A matching rule without a requirement means "no verification" for this request.
      if (!requirement) return { outcome: 'pass', detail: `${source} matches and requires nothing`, jwt: { requirementSource: source, tokensFoundFor: found, result: 'not_required' }, metadata: NO_PAYLOAD };
      break;
    }
  }
  if (!requirement && obj(config, 'filter_state_rules')) env.trace.assume('jwt_authn filter_state_rules are not evaluated');
  if (!requirement) {
    return { outcome: 'pass', detail: 'no requirement applies to this request: no JWT verification', jwt: { tokensFoundFor: found, result: 'not_required' }, metadata: NO_PAYLOAD };
  }
  const r = evalRequirement(requirement, providers, env.view);
  const jwt = { requirementSource: source!, requirement: r.text, tokensFoundFor: found };
  if (r.outcome === 'missing') return { outcome: 'deny', statusCode: 401, detail: `requires ${r.text} (from ${source}); no token in the request: 401 Jwt is missing`, jwt: { ...jwt, result: 'missing_token' } };
  if (r.outcome === 'assumed') {
    env.trace.assume('JWTs present in the request are assumed valid (signature, issuer, audiences and expiry are not checked)');
    return { outcome: 'pass', detail: `requires ${r.text} (from ${source}); token present for ${found.join(', ')} (assumed valid)`, jwt: { ...jwt, result: 'assumed_valid' } };
  }
  // No token at all: no provider verified anything, so none wrote its payload to dynamic metadata.
  return { outcome: 'pass', detail: `requires ${r.text} (from ${source}); satisfied without a token`, jwt: { ...jwt, result: 'satisfied' }, ...(found.length === 0 ? { metadata: NO_PAYLOAD } : {}) };
};
