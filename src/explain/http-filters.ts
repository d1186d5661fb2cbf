// Step 4: the HttpConnectionManager's HTTP filters in order. For each: is it disabled for this
// route (FilterConfig disabled, or an HCM filter declared `disabled: true` that the route does not
// enable), and if it runs, what it does with this request. The first filter that answers (deny or
// respond) stops the chain: later filters and the router are skipped.
import type { JsonObject } from '../envoy/resource';
import { evalApiKeyAuth } from './api-key-auth';
import { evalBasicAuth } from './basic-auth';
import { evalCors } from './cors-eval';
import type { FilterEnv, FilterEvaluator, FilterVerdict } from './filter-env';
import { anyTypeName, bool, num, obj, objs, str, strs } from './json';
import { evalJwtAuthn } from './jwt-eval';
import { mostSpecificPerFilterConfig } from './per-filter-config';
import { evalGlobalRateLimit, evalLocalRateLimit } from './rate-limit';
import { evalRbac, rbacReport } from './rbac-eval';
import { headerValue } from './request-view';
import type { FilterReport } from './types';

export const ROUTER_TYPE = 'envoy.extensions.filters.http.router.v3.Router';

const evalRbacFilter: FilterEvaluator = (config, perRoute, env): FilterVerdict => {
  let effective = config;
  if (perRoute?.config) {
    const override = obj(perRoute.config, 'rbac');
    if (!override) return { outcome: 'pass', disabledByRoute: true, detail: `disabled for this ${perRoute.level} (RBACPerRoute without rbac)` };
    effective = override;
  }
  const rules = obj(effective, 'rules');
  const shadowRules = obj(effective, 'shadow_rules');
  const shadow = shadowRules ? evalRbac(shadowRules, env.rbac) : undefined;
  if (!rules) {
    if (obj(effective, 'matcher')) {
      env.trace.assume('RBAC written as a matcher tree is not evaluated; assumed to allow');
      return { outcome: 'unknown', detail: 'RBAC matcher tree (not evaluated)' };
    }
    return { outcome: 'pass', detail: `no enforced rules${shadow ? ` (shadow rules: ${shadow.result})` : ''}: allows everything`, ...(shadow ? { rbac: rbacReport({ action: 'ALLOW', result: 'allowed', policies: [] }, shadow) } : {}) };
  }
  const engine = evalRbac(rules, env.rbac);
  const rbac = rbacReport(engine, shadow);
  const from = perRoute?.config ? ` (rules from the ${perRoute.level})` : '';
  const policy = engine.matchedPolicy !== undefined ? `policy "${engine.matchedPolicy}"` : 'no policy';
  if (engine.result === 'denied') {
    const why = engine.action === 'DENY' ? `${policy} of the DENY rules matches` : `no ALLOW policy matches (${engine.policies.map((p) => `${p.name}: ${p.matched}`).join(', ') || 'no policies'})`;
    return { outcome: 'deny', statusCode: 403, detail: `${why}${from}: 403 RBAC: access denied`, rbac };
  }
  if (engine.result === 'unknown') {
    const cause = env.rbac.peerIp === undefined ? 'the client address is unknown (give sourceIp), or ' : '';
    env.trace.assume(`an RBAC policy depends on what explain cannot see (${cause}a client certificate, metadata or a CEL condition); the request is treated as allowed`);
    return { outcome: 'unknown', detail: `${engine.action} rules${from}: outcome depends on ${engine.policies.filter((p) => p.matched === 'unknown').map((p) => `"${p.name}"`).join(', ')}`, rbac };
  }
  return { outcome: 'pass', detail: `${engine.action} rules${from}: allowed (${engine.action === 'ALLOW' ? `${policy} matches` : engine.action === 'DENY' ? 'no DENY policy matches' : 'LOG only'})`, rbac };
};

const evalExtAuthz: FilterEvaluator = (config, perRoute, env) => {
  if (perRoute?.config && bool(perRoute.config, 'disabled') === true) return { outcome: 'pass', disabledByRoute: true, detail: `disabled for this ${perRoute.level} (ExtAuthzPerRoute disabled)` };
  const grpcCluster = str(obj(obj(config, 'grpc_service'), 'envoy_grpc'), 'cluster_name');
  const http = obj(config, 'http_service');
  const httpCluster = str(obj(http, 'server_uri'), 'cluster');
  const target = grpcCluster ? `gRPC authorization service on cluster ${grpcCluster}` : httpCluster ? `HTTP authorization service on cluster ${httpCluster}${str(http, 'path_prefix') ? ` (path prefix ${str(http, 'path_prefix')})` : ''}` : 'the authorization service';
  env.trace.assume('ext_authz: the external authorization service is assumed to allow the request');
  const failOpen = bool(config, 'failure_mode_allow') === true;
  return { outcome: 'unknown', detail: `asks ${target}; a denial is returned to the client (403 by default); if the service fails the request is ${failOpen ? 'allowed (failure_mode_allow)' : 'denied (403)'}` };
};

const evalBuffer: FilterEvaluator = (config, perRoute, env) => {
  if (perRoute?.config && bool(perRoute.config, 'disabled') === true) return { outcome: 'pass', disabledByRoute: true, detail: `disabled for this ${perRoute.level} (BufferPerRoute disabled)` };
  const effective = obj(perRoute?.config, 'buffer') ?? config;
  const max = num(effective, 'max_request_bytes');
  const length = headerValue(env.view, 'content-length');
  if (max !== undefined && length !== undefined && /^\d+$/.test(length) && Number(length) > max) {
    return { outcome: 'deny', statusCode: 413, detail: `request body of ${length} bytes exceeds max_request_bytes ${max}: 413` };
  }
  return { outcome: 'pass', detail: `buffers the request body up to ${max ?? '?'} bytes (larger bodies get 413)` };
};

const evalGrpcJsonTranscoder: FilterEvaluator = (config, perRoute, env) => {
  const effective = perRoute?.config ?? config;
  const services = strs(effective, 'services');
  const contentType = headerValue(env.view, 'content-type') ?? '';
  if (contentType.startsWith('application/grpc')) return { outcome: 'pass', detail: 'the request is already gRPC: passed through untranscoded' };
  env.trace.assume('grpc_json_transcoder: which gRPC method (if any) the request maps to depends on the google.api.http rules in the descriptor set, which explain does not read; the route matched before transcoding is kept (match_incoming_request_route)');
  return { outcome: 'unknown', detail: `transcodes a JSON/HTTP request matching an HTTP rule of ${services.join(', ') || 'the descriptor\'s services'} into a gRPC call, and the answer back to JSON` };
};

const EVALUATORS: Record<string, FilterEvaluator> = {
  'envoy.extensions.filters.http.grpc_json_transcoder.v3.GrpcJsonTranscoder': evalGrpcJsonTranscoder,
  'envoy.extensions.filters.http.rbac.v3.RBAC': evalRbacFilter,
  'envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication': evalJwtAuthn,
  'envoy.extensions.filters.http.api_key_auth.v3.ApiKeyAuth': evalApiKeyAuth,
  'envoy.extensions.filters.http.basic_auth.v3.BasicAuth': evalBasicAuth,
  'envoy.extensions.filters.http.ext_authz.v3.ExtAuthz': evalExtAuthz,
  'envoy.extensions.filters.http.cors.v3.Cors': evalCors,
  'envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit': evalLocalRateLimit,
  'envoy.extensions.filters.http.ratelimit.v3.RateLimit': evalGlobalRateLimit,
  'envoy.extensions.filters.http.buffer.v3.Buffer': evalBuffer,
};

export interface FilterRun {
  readonly reports: FilterReport[];
  /** The filter that answered the request, if one did before the router. */
  readonly stoppedBy?: FilterReport;
}

/** Runs the HTTP filters; `router` is called when the chain reaches the router filter. */
export function runHttpFilters(hcm: JsonObject, initialEnv: FilterEnv, router: () => FilterVerdict): FilterRun {
  let env = initialEnv;
  const reports: FilterReport[] = [];
  let stoppedBy: FilterReport | undefined;
  for (const f of objs(hcm, 'http_filters')) {
    const name = str(f, 'name') ?? '';
    const config = obj(f, 'typed_config');
    const type = anyTypeName(config) ?? (obj(f, 'config_discovery') ? '(ECDS)' : '');
    if (stoppedBy) {
      reports.push({ name, type, status: 'skipped', detail: `not reached: ${stoppedBy.name} answered the request` });
      continue;
    }
    const perRoute = mostSpecificPerFilterConfig(env.scope, name);
    if (perRoute?.disabled) {
      reports.push({ name, type, status: 'disabled', detail: `disabled for this ${perRoute.level} (FilterConfig disabled)`, perRouteConfigFrom: perRoute.level });
      env.trace.step(`filter ${name}: disabled by the ${perRoute.level}`);
      continue;
    }
    if (bool(f, 'disabled') === true && !perRoute) {
      reports.push({ name, type, status: 'disabled', detail: 'disabled by default in the HttpConnectionManager and not enabled for this route' });
      env.trace.step(`filter ${name}: disabled by default, not enabled for this route`);
      continue;
    }
    let verdict: FilterVerdict;
    if (type === ROUTER_TYPE) verdict = router();
    else if (!config) {
      env.trace.assume(`filter ${name} gets its configuration from extension config discovery; not evaluated`);
      verdict = { outcome: 'unknown', detail: 'configuration from ECDS (not evaluated)' };
    } else {
      const evaluator = EVALUATORS[type];
      verdict = evaluator ? evaluator(config, perRoute, env) : { outcome: 'pass', detail: 'runs (its effect is not modelled by explain)' };
    }
    const report: FilterReport = {
      name,
      type,
      status: verdict.disabledByRoute ? 'disabled' : 'runs',
      outcome: verdict.outcome,
      ...(verdict.statusCode !== undefined ? { statusCode: verdict.statusCode } : {}),
      detail: verdict.detail,
      ...(perRoute ? { perRouteConfigFrom: perRoute.level } : {}),
      ...(verdict.rbac ? { rbac: verdict.rbac } : {}),
      ...(verdict.jwt ? { jwt: verdict.jwt } : {}),
      ...(verdict.rateLimit ? { rateLimit: verdict.rateLimit } : {}),
    };
    reports.push(report);
    env.trace.step(`filter ${name}: ${report.status === 'disabled' ? 'disabled: ' : ''}${verdict.detail}`);
    if (type !== ROUTER_TYPE && (verdict.outcome === 'deny' || verdict.outcome === 'respond')) stoppedBy = report;
    if (verdict.metadata) env = { ...env, rbac: { ...env.rbac, dynamicMetadata: { ...env.rbac.dynamicMetadata, ...verdict.metadata } } };
  }
  return { reports, ...(stoppedBy ? { stoppedBy } : {}) };
}
