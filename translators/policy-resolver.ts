// The effective policy of one route rule on one listener: for every feature of SecurityPolicy and
// TrafficPolicy, the most specific attachment wins (rule > route > backend > listener > gateway;
// ExtensionRef filters count as rule-level). A route's own CORS and ExternalAuth filters and its
// own timeouts and retry beat any policy. Features built from a policy are memoised, so each
// policy is translated (and its problems reported) once however many routes it covers.
import type { InputDocument } from '../src/documents/types';
import type { Cluster } from '../src/ir/cluster';
import type { ConsumerAccessPolicy, JwtPolicy, RoutePolicy } from '../src/ir/policy';
import type { HashKey, RetryPolicy } from '../src/ir/route';
import type { BackendResolver } from './backends';
import { compareAge, documentKey, namespaceOf } from './core/documents';
import { getBoolean } from './core/json';
import type { StatusBuilder } from './core/status';
import type { CompiledRoute, CompiledRule } from './gateway-api/compiled-route';
import type { ConsumerCredentials } from './meshgate/consumer';
import { buildJwt } from './meshgate/jwt';
import { pickFeature, targetKey, type PolicyAttachments, type PolicyLevel } from './meshgate/policy-targets';
import {
  authorizationIssuers,
  buildApiKey,
  buildAuthorization,
  buildBasicAuth,
  buildExtAuthz,
  buildIpAccess,
  providesSecurity,
  type PolicyProblem,
  type SecurityFeature,
} from './meshgate/security-policy';
import { buildGlobalRateLimit, buildGrpcJsonTranscoder, buildLocalRateLimit, buildRetry, idleTimeoutMs, providesTraffic, timeoutMs, type TrafficFeature } from './meshgate/traffic-policy';
import { corsPolicy } from './gateway-api/cors';
import { getObject } from './core/json';

export interface PolicyContext {
  readonly backends: BackendResolver;
  statusOf(doc: InputDocument): StatusBuilder;
  error(doc: InputDocument, path: string, reason: string): void;
  consumers(namespace: string): readonly ConsumerCredentials[];
}

export interface RuleScope {
  readonly gateway: InputDocument;
  readonly listener: string;
  readonly route: CompiledRoute;
  readonly rule: CompiledRule;
}

export interface ResolvedRulePolicy {
  readonly policy?: RoutePolicy;
  readonly timeoutMs?: number;
  readonly idleTimeoutMs?: number;
  readonly retry?: RetryPolicy;
  readonly hashOn?: readonly HashKey[];
  readonly clusters: readonly Cluster[];
  readonly usesGlobalRateLimit: boolean;
}

interface Built<T> {
  readonly value?: T;
  readonly clusters: readonly Cluster[];
}

interface RuleTargetKeys {
  readonly rule?: string;
  readonly route: string;
  readonly backends: readonly string[];
  readonly listener: string;
  readonly gateway: string;
}

export class PolicyResolver {
  private readonly memo = new Map<string, Built<unknown>>();

  constructor(
    private readonly ctx: PolicyContext,
    private readonly security: PolicyAttachments,
    private readonly traffic: PolicyAttachments,
  ) {}

  /** Where policies attach to a rule, by level: the keys levels() reads and attached() checks. */
  private targetKeys(scope: RuleScope): RuleTargetKeys {
    const gwNs = namespaceOf(scope.gateway);
    const gwName = scope.gateway.metadata.name;
    const route = scope.route.doc;
    const rNs = namespaceOf(route);
    return {
      ...(scope.rule.name !== undefined ? { rule: targetKey.rule(route.kind, rNs, route.metadata.name, scope.rule.name) } : {}),
      route: targetKey.route(route.kind, rNs, route.metadata.name),
      backends: scope.rule.backendDocs.map((b) => targetKey.backend(namespaceOf(b), b.metadata.name)),
      listener: targetKey.listener(gwNs, gwName, scope.listener),
      gateway: targetKey.gateway(gwNs, gwName),
    };
  }

  private levels(scope: RuleScope, attachments: PolicyAttachments, kind: string): PolicyLevel[] {
    const gwNs = namespaceOf(scope.gateway);
    const gwName = scope.gateway.metadata.name;
    const route = scope.route.doc;
    const rNs = namespaceOf(route);
    const keys = this.targetKeys(scope);
    const ruleLabel = scope.rule.name ?? String(scope.rule.index);
    const ruleDocs = [...scope.rule.extensionPolicies.filter((p) => p.kind === kind), ...(keys.rule !== undefined ? attachments.at(keys.rule) : [])];
    const backendDocs: InputDocument[] = [];
    for (const key of keys.backends) {
      for (const p of attachments.at(key)) if (!backendDocs.includes(p)) backendDocs.push(p);
    }
    const routeId = `${route.kind.toLowerCase()}/${rNs}/${route.metadata.name}`;
    return [
      { target: `${route.kind} ${rNs}/${route.metadata.name} rule ${ruleLabel}`, id: `${routeId}/rule/${ruleLabel}`, docs: [...new Set(ruleDocs)].sort(compareAge) },
      { target: `${route.kind} ${rNs}/${route.metadata.name}`, id: routeId, docs: attachments.at(keys.route) },
      { target: `backends of ${route.kind} ${rNs}/${route.metadata.name} rule ${ruleLabel}`, id: `${routeId}/rule/${ruleLabel}/backends`, docs: backendDocs },
      { target: `Gateway ${gwNs}/${gwName} listener ${scope.listener}`, id: `gateway/${gwNs}/${gwName}/${scope.listener}`, docs: attachments.at(keys.listener) },
      { target: `Gateway ${gwNs}/${gwName}`, id: `gateway/${gwNs}/${gwName}`, docs: attachments.at(keys.gateway) },
    ];
  }

  /** Build a feature of a policy once; report its problems as errors on the policy. */
  private built<T>(doc: InputDocument, feature: string, build: (problems: PolicyProblem[]) => Built<T>): Built<T> {
    const key = `${doc.kind}|${documentKey(doc)}|${feature}`;
    const cached = this.memo.get(key);
    if (cached) return cached as Built<T>;
    const problems: PolicyProblem[] = [];
    const result = build(problems);
    for (const p of problems) this.ctx.error(doc, p.path, p.reason);
    this.memo.set(key, result);
    return result;
  }

  private pickSecurity(levels: PolicyLevel[], feature: SecurityFeature): ReturnType<typeof pickFeature> {
    return pickFeature(levels, feature, (d) => providesSecurity(d, feature), (d) => this.ctx.statusOf(d));
  }

  private pickTraffic(levels: PolicyLevel[], feature: TrafficFeature): ReturnType<typeof pickFeature> {
    return pickFeature(levels, feature, (d) => providesTraffic(d, feature), (d) => this.ctx.statusOf(d));
  }

  /** Whether any SecurityPolicy or TrafficPolicy attaches at any level of the rule (what levels() would list). */
  private attached(scope: RuleScope): boolean {
    if (scope.rule.extensionPolicies.some((p) => p.kind === 'SecurityPolicy' || p.kind === 'TrafficPolicy')) return true;
    const keys = this.targetKeys(scope);
    const all = [...(keys.rule !== undefined ? [keys.rule] : []), keys.route, ...keys.backends, keys.listener, keys.gateway];
    return [this.security, this.traffic].some((attachments) => all.some((key) => attachments.at(key).length > 0));
  }

  /**
   * A rule no policy attaches to has only its own settings (most rules of a large configuration):
   * what forRule's full resolution gives when every level is empty, without building the levels
   * or asking each feature of each of them. Empty levels report nothing, so nothing is skipped.
   */
  private ownSettingsOnly(scope: RuleScope): ResolvedRulePolicy {
    const policy: { -readonly [K in keyof RoutePolicy]: RoutePolicy[K] } = {};
    if (scope.rule.extAuthz) policy.extAuthz = scope.rule.extAuthz;
    if (scope.rule.cors) policy.cors = scope.rule.cors;
    const timeout = scope.rule.timeoutMs;
    const retry = scope.rule.retry;
    const hashOn = this.hashKeysOf(scope);
    return {
      ...(Object.keys(policy).length > 0 ? { policy } : {}),
      ...(timeout !== undefined ? { timeoutMs: timeout } : {}),
      ...(retry ? { retry } : {}),
      ...(hashOn ? { hashOn } : {}),
      clusters: [],
      usesGlobalRateLimit: false,
    };
  }

  private hashKeysOf(scope: RuleScope): HashKey[] | undefined {
    let hashOn: HashKey[] | undefined;
    for (const b of scope.rule.backendDocs) {
      hashOn = this.ctx.backends.hashKeys(b);
      if (hashOn) break;
    }
    return hashOn;
  }

  forRule(scope: RuleScope): ResolvedRulePolicy {
    if (!this.attached(scope)) return this.ownSettingsOnly(scope);
    const sec = this.levels(scope, this.security, 'SecurityPolicy');
    const trf = this.levels(scope, this.traffic, 'TrafficPolicy');
    const clusters: Cluster[] = [];
    const use = <T>(b: Built<T>): T | undefined => {
      for (const c of b.clusters) if (!clusters.some((x) => x.name === c.name)) clusters.push(c);
      return b.value;
    };
    const policy: { -readonly [K in keyof RoutePolicy]: RoutePolicy[K] } = {};

    const apiKeyPick = this.pickSecurity(sec, 'apiKeyAuth');
    if (apiKeyPick) {
      const d = apiKeyPick.doc;
      policy.apiKey = use(this.built(d, 'apiKeyAuth', (p) => ({ value: buildApiKey(d.spec, this.ctx.consumers(namespaceOf(d)), p), clusters: [] })));
    }
    const basicPick = this.pickSecurity(sec, 'basicAuth');
    if (basicPick) {
      const d = basicPick.doc;
      policy.basicAuth = use(this.built(d, 'basicAuth', (p) => ({ value: buildBasicAuth(d.spec, this.ctx.consumers(namespaceOf(d)), p), clusters: [] })));
    }
    const authzPick = this.pickSecurity(sec, 'authorization');
    let access: ConsumerAccessPolicy | undefined;
    if (authzPick) {
      const d = authzPick.doc;
      access = use(this.built(d, 'authorization', (p) => ({ value: buildAuthorization(d.spec, this.ctx.consumers(namespaceOf(d)), p), clusters: [] })));
      if (access) policy.consumers = access;
    }
    const jwtPick = this.pickSecurity(sec, 'jwt');
    if (jwtPick) {
      const d = jwtPick.doc;
      let jwt = use(
        this.built(d, 'jwt', () => {
          const b = buildJwt(d, getObject(d.spec, 'jwt') ?? {});
          b.warnings.forEach((w) => this.ctx.statusOf(d).warn(w));
          return { value: b.policy, clusters: b.clusters };
        }),
      );
      if (jwt && access && authzPick) jwt = this.withIssuerHeader(jwt, access, authzPick.doc);
      if (jwt) policy.jwt = jwt;
    }
    if (access && authzPick && !policy.apiKey && !policy.basicAuth && !policy.jwt) {
      this.ctx.statusOf(authzPick.doc).warn(`authorization for ${authzPick.target}: no apiKeyAuth, basicAuth or jwt identifies consumers there, so no consumer is ever allowed`);
    }
    if (access && authzPick) {
      for (const [name, header] of [['apiKeyAuth', policy.apiKey?.consumerHeader], ['basicAuth', policy.basicAuth?.consumerHeader]] as const) {
        if (header !== undefined && header !== access.header) {
          this.ctx.statusOf(authzPick.doc).warn(`authorization for ${authzPick.target} reads header ${access.header} but ${name} forwards the consumer in ${header}`);
        }
      }
    }
    if (scope.rule.extAuthz) policy.extAuthz = scope.rule.extAuthz;
    else {
      const pick = this.pickSecurity(sec, 'extAuth');
      if (pick) {
        const d = pick.doc;
        policy.extAuthz = use(
          this.built(d, 'extAuth', (p) => {
            const b = buildExtAuthz(d, d.spec, this.ctx.backends, p);
            return { value: b.policy, clusters: b.cluster ? [b.cluster] : [] };
          }),
        );
      }
    }
    const ipPick = this.pickSecurity(sec, 'ipAccess');
    if (ipPick) policy.ipAccess = use(this.built(ipPick.doc, 'ipAccess', () => ({ value: buildIpAccess(ipPick.doc.spec), clusters: [] })));
    if (scope.rule.cors) policy.cors = scope.rule.cors;
    else {
      const pick = this.pickSecurity(sec, 'cors');
      if (pick) policy.cors = use(this.built(pick.doc, 'cors', () => ({ value: corsPolicy(getObject(pick.doc.spec, 'cors') ?? {}), clusters: [] })));
    }

    const localPick = this.pickTraffic(trf, 'localRateLimit');
    if (localPick) policy.localRateLimit = use(this.built(localPick.doc, 'localRateLimit', () => ({ value: buildLocalRateLimit(localPick.doc.spec), clusters: [] })));
    const globalPick = this.pickTraffic(trf, 'globalRateLimit');
    if (globalPick) {
      policy.globalRateLimit = use(this.built(globalPick.doc, `globalRateLimit|${globalPick.id}`, () => ({ value: buildGlobalRateLimit(globalPick.doc, globalPick.id), clusters: [] })));
    }
    const bodyPick = this.pickTraffic(trf, 'maxRequestBodyBytes');
    if (bodyPick) {
      const n = bodyPick.doc.spec['maxRequestBodyBytes'];
      if (typeof n === 'number') policy.maxRequestBodyBytes = n;
    }
    let timeout = scope.rule.timeoutMs;
    if (timeout === undefined) {
      const pick = this.pickTraffic(trf, 'timeout');
      if (pick) timeout = timeoutMs(pick.doc.spec);
    }
    const idlePick = this.pickTraffic(trf, 'idleTimeout');
    const idleTimeout = idlePick ? idleTimeoutMs(idlePick.doc.spec) : undefined;
    let retry = scope.rule.retry;
    if (retry === undefined) {
      const pick = this.pickTraffic(trf, 'retry');
      if (pick) retry = use(this.built(pick.doc, 'retry', () => ({ value: buildRetry(pick.doc.spec), clusters: [] })));
    }
    for (const level of trf.slice(0, 3)) {
      for (const d of level.docs) {
        for (const f of ['compression', 'grpcWeb'] as const) {
          if (getBoolean(d.spec, f) !== undefined) this.ctx.statusOf(d).warn(`${f} applies to whole listeners; it is ignored for ${level.target} (target the Gateway or a listener)`);
        }
      }
    }
    const transcoderPick = this.pickTraffic(trf, 'grpcJsonTranscoder');
    if (transcoderPick) {
      const d = transcoderPick.doc;
      const transcoder = use(this.built(d, 'grpcJsonTranscoder', () => ({ value: buildGrpcJsonTranscoder(d.spec), clusters: [] })));
      if (transcoder) {
        policy.grpcJsonTranscoder = transcoder;
        // The transcoded request is a gRPC call: it needs an HTTP/2 upstream.
        const http1 = scope.rule.clusters.filter((c) => !c.http2 && scope.rule.backends.some((b) => b.cluster === c.name));
        if (http1.length > 0) this.ctx.statusOf(d).warn(`grpcJsonTranscoder for ${transcoderPick.target}: backend ${http1.map((c) => c.name).join(', ')} does not speak HTTP/2 (set the Backend's protocol to grpc): transcoded calls will fail`);
      }
    }
    const hashOn = this.hashKeysOf(scope);
    return {
      ...(Object.keys(policy).length > 0 ? { policy } : {}),
      ...(timeout !== undefined ? { timeoutMs: timeout } : {}),
      ...(idleTimeout !== undefined ? { idleTimeoutMs: idleTimeout } : {}),
      ...(retry ? { retry } : {}),
      ...(hashOn ? { hashOn } : {}),
      clusters,
      usesGlobalRateLimit: policy.globalRateLimit !== undefined,
    };
  }

  /** Build every reference-carrying feature of a SecurityPolicy once, reporting dangling references. */
  prebuild(doc: InputDocument): void {
    const consumers = this.ctx.consumers(namespaceOf(doc));
    if (providesSecurity(doc, 'apiKeyAuth')) this.built(doc, 'apiKeyAuth', (p) => ({ value: buildApiKey(doc.spec, consumers, p), clusters: [] }));
    if (providesSecurity(doc, 'basicAuth')) this.built(doc, 'basicAuth', (p) => ({ value: buildBasicAuth(doc.spec, consumers, p), clusters: [] }));
    if (providesSecurity(doc, 'authorization')) this.built(doc, 'authorization', (p) => ({ value: buildAuthorization(doc.spec, consumers, p), clusters: [] }));
    if (providesSecurity(doc, 'extAuth')) {
      this.built(doc, 'extAuth', (p) => {
        const b = buildExtAuthz(doc, doc.spec, this.ctx.backends, p);
        return { value: b.policy, clusters: b.cluster ? [b.cluster] : [] };
      });
    }
  }

  /** JWT consumers are identified by issuer: copy the `iss` claim into the consumer header. */
  private withIssuerHeader(jwt: JwtPolicy, access: ConsumerAccessPolicy, authz: InputDocument): JwtPolicy {
    const issuers = authorizationIssuers(authz.spec, this.ctx.consumers(namespaceOf(authz)));
    if (issuers.length === 0) return jwt;
    return {
      ...jwt,
      providers: jwt.providers.map((p) =>
        p.claimToHeaders?.some((c) => c.header === access.header) ? p : { ...p, claimToHeaders: [...(p.claimToHeaders ?? []), { claim: 'iss', header: access.header }] },
      ),
    };
  }

  /** TrafficPolicy compression / grpcWeb for a listener (listener-level beats Gateway-level). */
  listenerTraffic(gateway: InputDocument, listener: string): { compression?: boolean; grpcWeb?: boolean } {
    const ns = namespaceOf(gateway);
    const levels = [this.traffic.at(targetKey.listener(ns, gateway.metadata.name, listener)), this.traffic.at(targetKey.gateway(ns, gateway.metadata.name))];
    const out: { compression?: boolean; grpcWeb?: boolean } = {};
    for (const f of ['compression', 'grpcWeb'] as const) {
      for (const level of levels) {
        const doc = level.find((d) => getBoolean(d.spec, f) !== undefined);
        if (doc) {
          out[f] = getBoolean(doc.spec, f);
          break;
        }
      }
    }
    return out;
  }
}
