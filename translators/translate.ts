// Input documents → IR, statuses and errors. Pure: the same documents (in any order) always give
// the same result. Documents that fail their schema are reported in `errors` and left out;
// everything else is translated with Gateway API semantics, problems of attachment and
// resolution becoming status conditions. Semantic errors a Kubernetes API server would refuse
// (listeners with the same port, protocol and hostname) and dangling references in meshgate's
// own kinds (a Consumer's Secret, a policy's consumers or ext-auth backend) are also `errors`.
import type { DocumentError, DocumentStatus, InputDocument } from '../src/documents/types';
import { IR_VERSION, type IR, type Proxy } from '../src/ir/types';
import { isIP } from 'node:net';
import { BackendResolver } from './backends';
import { DocumentIndex, documentKey, keyOf, refOfDocument } from './core/documents';
import { getObject, getObjects, getString } from './core/json';
import { ReferenceGrants } from './core/reference-grants';
import { accepted, notAccepted, StatusBuilder } from './core/status';
import { attachRoute, type GatewayLookup, type GatewayPlan } from './gateway-api/attachment';
import type { CompiledRoute } from './gateway-api/compiled-route';
import { classifyGateway, gatewayClassStatus } from './gateway-api/gateway-class';
import { buildGatewayProxy, type RateLimitServiceOptions } from './gateway-api/gateway-proxy';
import { gatewayStatus } from './gateway-api/gateway-status';
import { compileGrpcRoute } from './gateway-api/grpc-route';
import { compileHttpRoute } from './gateway-api/http-route';
import { planListeners, type ListenerProblem } from './gateway-api/listeners';
import { RouteMemo, type RouteMemoStats } from './gateway-api/route-memo';
import { consumerCredentials, type ConsumerCredentials } from './meshgate/consumer';
import { LISTENER_POLICY_KINDS } from './meshgate/listener-policy';
import { PolicyAttachments } from './meshgate/policy-targets';
import { PolicyResolver } from './policy-resolver';
import { kindSpecOf } from './registry';
import { validateDocuments } from './validate';
import { GenerationalWeakMap } from '../src/util/generational-weak-map';

export interface TranslateOptions {
  /** Where proxies reach meshgate's RateLimitService (global rate limits). */
  readonly rateLimitService?: Partial<RateLimitServiceOptions>;
  /** SPIFFE trust domain of workload identities (the CA's --trust-domain); default cluster.local. */
  readonly trustDomain?: string;
}

export interface TranslationResult {
  readonly ir: IR;
  readonly statuses: DocumentStatus[];
  readonly errors: DocumentError[];
}

/**
 * Memoised across translations (per document object, so nothing outlives its document): schema
 * answers and compiled routes of frozen documents. A one-route change then checks and compiles
 * that route alone; every other route is reused as the same object.
 */
const schemaAnswers = new GenerationalWeakMap<object, readonly DocumentError[]>();
const routeMemo = new RouteMemo();

/** How many routes this process compiled and reused so far (tests and the bench read it). */
export function routeCompileStats(): Readonly<RouteMemoStats> {
  return { ...routeMemo.stats };
}

export const DEFAULT_RATE_LIMIT_SERVICE: RateLimitServiceOptions = { host: 'meshgate', port: 18000, domain: 'meshgate', failClosed: false, timeoutMs: 100 };

/** The address listeners bind: 0.0.0.0, or the single IPAddress the Gateway asks for. */
function gatewayAddress(gateway: InputDocument): { address: string; problem?: string } {
  const addresses = getObjects(gateway.spec, 'addresses');
  if (addresses.length === 0) return { address: '0.0.0.0' };
  const [first] = addresses;
  const type = getString(first, 'type') ?? 'IPAddress';
  const value = getString(first, 'value') ?? '';
  if (addresses.length > 1) return { address: '0.0.0.0', problem: 'meshgate binds a Gateway to at most one address' };
  if (type !== 'IPAddress' || isIP(value) === 0) return { address: '0.0.0.0', problem: `address ${type} "${value}" is not supported (only one IPAddress)` };
  return { address: value };
}

export function translateGatewayApi(documents: readonly InputDocument[], options: TranslateOptions = {}): TranslationResult {
  const schemaErrors = validateDocuments(documents, schemaAnswers);
  const invalid = new Set(schemaErrors.map((e) => e.index));
  const docs = documents.filter((d, i) => !invalid.has(i) && kindSpecOf(d.kind, d.apiVersion) !== undefined);
  const position = new Map<InputDocument, number>(documents.map((d, i) => [d, i]));
  const errors: DocumentError[] = [...schemaErrors];
  const errorKeys = new Set<string>();
  const error = (doc: InputDocument, path: string, reason: string): void => {
    const key = `${doc.kind}|${documentKey(doc)}|${path}|${reason}`;
    if (errorKeys.has(key)) return;
    errorKeys.add(key);
    const index = position.get(doc);
    errors.push({ ...(index !== undefined ? { index } : {}), document: refOfDocument(doc), path, reason });
  };
  const statuses = new Map<InputDocument, StatusBuilder>();
  const statusOf = (doc: InputDocument): StatusBuilder => {
    let s = statuses.get(doc);
    if (!s) statuses.set(doc, (s = new StatusBuilder(refOfDocument(doc))));
    return s;
  };

  const index = new DocumentIndex(docs);
  const grants = new ReferenceGrants(index);
  const backendPolicies = new PolicyAttachments(index.list('BackendPolicy'), index, statusOf);
  const security = new PolicyAttachments(index.list('SecurityPolicy'), index, statusOf);
  const traffic = new PolicyAttachments(index.list('TrafficPolicy'), index, statusOf);
  const listenerPolicies = new PolicyAttachments(LISTENER_POLICY_KINDS.flatMap((k) => index.list(k)), index, statusOf);
  const backends = new BackendResolver(index, grants, backendPolicies);

  for (const b of index.list('Backend')) statusOf(b).conditions.push(accepted('Backend accepted'));
  // Documents that only hold data for others: valid documents are accepted; their users report problems.
  for (const kind of ['ReferenceGrant', 'Secret', 'Namespace', 'HTTPRouteFilter']) for (const d of index.list(kind)) statusOf(d).conditions.push(accepted(`${kind} accepted`));
  const consumersByNs = new Map<string, ConsumerCredentials[]>();
  for (const c of index.list('Consumer')) {
    const { credentials, problems } = consumerCredentials(c, index);
    problems.forEach((p) => error(c, p.path, p.reason));
    statusOf(c).conditions.push(problems.length === 0 ? accepted('Consumer accepted') : notAccepted('Invalid', problems.map((p) => p.reason).join('; ')));
    const list = consumersByNs.get(credentials.namespace) ?? [];
    list.push(credentials);
    consumersByNs.set(credentials.namespace, list);
  }
  for (const cls of index.list('GatewayClass')) gatewayClassStatus(cls, statusOf(cls));

  const gateways = new Map<string, GatewayPlan | { notServed: string }>();
  const addressProblems = new Map<GatewayPlan, { address: string; problem?: string }>();
  for (const gw of index.list('Gateway')) {
    const verdict = classifyGateway(gw, index);
    const status = statusOf(gw);
    if (!verdict.served) {
      status.conditions.push(notAccepted('Invalid', verdict.message));
      gateways.set(documentKey(gw), { notServed: `Gateway ${documentKey(gw)} is not served by meshgate: ${verdict.message}` });
      continue;
    }
    if (verdict.warning) status.warn(verdict.warning);
    for (const field of ['infrastructure', 'allowedListeners', 'tls', 'defaultScope']) {
      if (gw.spec[field] !== undefined && gw.spec[field] !== null) status.warn(`spec.${field} is not supported and is ignored`);
    }
    const problems: ListenerProblem[] = [];
    const plan: GatewayPlan = { doc: gw, listeners: planListeners(gw, index, grants, problems), attached: new Map() };
    problems.forEach((p) => error(gw, p.path, p.reason));
    for (const l of plan.listeners) {
      if (Object.keys(getObject(getObject(l.spec, 'tls'), 'options') ?? {}).length > 0) {
        status.warn(`listener ${l.name}: tls.options are not supported and are ignored (use a ListenerPolicy for TLS versions and ALPN)`);
      }
    }
    gateways.set(documentKey(gw), plan);
    addressProblems.set(plan, gatewayAddress(gw));
  }

  routeMemo.beginTranslation(docs);
  const routeCtx = { index, backends };
  const lookup: GatewayLookup = gateways;
  for (const kind of ['HTTPRoute', 'GRPCRoute'] as const) {
    for (const doc of index.list(kind)) {
      const status = statusOf(doc);
      const compiled: CompiledRoute = routeMemo.compile(doc, routeCtx, (m) => status.warn(m), kind === 'HTTPRoute' ? compileHttpRoute : compileGrpcRoute);
      compiled.errors.forEach((e) => error(doc, e.path, e.reason));
      status.parents.push(...attachRoute(compiled, lookup, index));
      if (getObjects(doc.spec, 'parentRefs').length === 0) status.warn('no parentRefs: the route is not attached to any Gateway');
    }
  }

  const resolver = new PolicyResolver(
    { backends, statusOf, error, consumers: (ns) => consumersByNs.get(ns) ?? [] },
    security,
    traffic,
  );
  // Resolve every policy's references up front, so dangling ones are errors even where unused.
  for (const p of index.list('SecurityPolicy')) resolver.prebuild(p);
  const rateLimitService = { ...DEFAULT_RATE_LIMIT_SERVICE, ...(options.rateLimitService ?? {}) };
  const proxies: Proxy[] = [];
  for (const [, plan] of [...gateways].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if ('notServed' in plan) continue;
    const { address, problem } = addressProblems.get(plan)!;
    const status = statusOf(plan.doc);
    gatewayStatus(plan, status, problem);
    if (status.conditions.some((c) => c.type === 'Accepted' && c.status !== 'True')) continue;
    proxies.push(buildGatewayProxy(plan, { policies: resolver, listenerPolicies, rateLimitService, statusOf }, address));
  }

  const sortedStatuses = [...statuses.values()]
    .map((s) => s.build())
    .sort((a, b) => cmp(a.document.kind, b.document.kind) || cmp(keyOf(a.document.namespace, a.document.name), keyOf(b.document.namespace, b.document.name)));
  return { ir: { version: IR_VERSION, proxies }, statuses: sortedStatuses, errors };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

