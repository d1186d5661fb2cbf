// SecurityPolicy (meshgate.io/v1alpha1): authentication and access control attached to a
// Gateway, listener, route, route rule or Backend. Each feature (jwt, apiKeyAuth, basicAuth,
// extAuth, ipAccess, authorization, cors) is resolved on its own: the most specific policy that
// sets it wins (see policy-targets.ts).
import type { InputDocument } from '../../src/documents/types';
import type { JsonObject } from '../../src/envoy/resource';
import type { Cluster } from '../../src/ir/cluster';
import type { ApiKeyPolicy, BasicAuthPolicy, ConsumerAccessPolicy, ExtAuthzPolicy, IpAccessPolicy } from '../../src/ir/policy';
import type { BackendResolver } from '../backends';
import { cidrProblem, normaliseCidr } from '../core/addresses';
import { durationSchema, parseDurationMs } from '../core/durations';
import { namespaceOf } from '../core/documents';
import { getBoolean, getNumber, getObject, getObjects, getString, getStringMap, getStrings, has } from '../core/json';
import { MESHGATE_GROUP } from '../core/kinds';
import { selectorMatches } from '../core/label-selector';
import { arr, bool, int, obj, oneOfStrings, str } from '../schema';
import { corsFilter } from '../gateway-api/schemas/http-route';
import { backendObjectReference, headerName, objectName } from '../gateway-api/schemas/common';
import { consumerSelectorSchema, targetRefSchema } from './common';
import type { ConsumerCredentials } from './consumer';
import { jwtSchema } from './jwt';

export const DEFAULT_CONSUMER_HEADER = 'x-meshgate-consumer';
export const SECURITY_FEATURES = ['jwt', 'apiKeyAuth', 'basicAuth', 'extAuth', 'ipAccess', 'authorization', 'cors'] as const;
export type SecurityFeature = (typeof SECURITY_FEATURES)[number];
export const POLICY_TARGET_KINDS = ['Gateway', 'HTTPRoute', 'GRPCRoute', 'Backend', 'Service'];

const source = obj({ header: headerName, query: str({ minLength: 1 }), cookie: str({ minLength: 1 }) }, { exactlyOneOf: ['header', 'query', 'cookie'] });

export const securityPolicySpec = obj(
  {
    targetRefs: arr(targetRefSchema(POLICY_TARGET_KINDS)),
    jwt: jwtSchema,
    apiKeyAuth: obj({ sources: arr(source, { minItems: 1 }), consumers: consumerSelectorSchema, forwardConsumerHeader: headerName, hideCredentials: bool }),
    basicAuth: obj({ consumers: consumerSelectorSchema, forwardConsumerHeader: headerName }),
    extAuth: obj(
      {
        backendRef: backendObjectReference,
        protocol: oneOfStrings('grpc', 'http'),
        path: str({ pattern: /^\/[^?#]*$/, patternHint: 'an absolute path' }),
        failOpen: bool,
        timeout: durationSchema({ nonZero: true }),
        headersToSend: arr(headerName),
      },
      { required: ['backendRef', 'protocol'] },
    ),
    ipAccess: obj(
      { allow: arr(str({ check: cidrProblem }), { minItems: 1 }), deny: arr(str({ check: cidrProblem }), { minItems: 1 }), useForwardedFor: bool, denyStatus: int(400, 599) },
      { check: (ip) => (!has(ip, 'allow') && !has(ip, 'deny') ? [{ path: '', reason: 'set allow, deny or both' }] : []) },
    ),
    authorization: obj(
      { allowConsumers: arr(objectName), denyConsumers: arr(objectName), allowGroups: arr(str({ minLength: 1 })), denyGroups: arr(str({ minLength: 1 })), consumerHeader: headerName },
      { check: (a) => (['allowConsumers', 'denyConsumers', 'allowGroups', 'denyGroups'].some((k) => has(a, k)) ? [] : [{ path: '', reason: 'set at least one of allowConsumers, denyConsumers, allowGroups, denyGroups' }]) },
    ),
    cors: corsFilter,
  },
  {
    check: (spec) => {
      const set = SECURITY_FEATURES.filter((f) => has(spec, f));
      if (set.length === 0) return [{ path: '', reason: `a SecurityPolicy needs at least one of ${SECURITY_FEATURES.join(', ')}` }];
      const ext = getObject(spec, 'extAuth');
      if (getString(ext, 'path') !== undefined && getString(ext, 'protocol') !== 'http') return [{ path: 'extAuth.path', reason: 'only used with protocol http' }];
      return [];
    },
  },
);

/** Problems found while resolving references (dangling consumer names, backends). */
export interface PolicyProblem {
  readonly path: string;
  readonly reason: string;
}

/** The consumers a selector picks among those of the policy's namespace with the credential. */
function selectConsumers(
  selector: JsonObject | undefined,
  all: readonly ConsumerCredentials[],
  hasCredential: (c: ConsumerCredentials) => boolean,
  what: string,
  path: string,
  problems: PolicyProblem[],
): ConsumerCredentials[] {
  const names = getStrings(selector, 'names');
  const labels = getStringMap(selector, 'matchLabels');
  let chosen = all.filter(hasCredential);
  if (names.length > 0) {
    chosen = [];
    names.forEach((name, i) => {
      const c = all.find((x) => x.name === name);
      if (!c) problems.push({ path: `${path}.names[${i}]`, reason: `Consumer ${name} does not exist in this namespace` });
      else if (!hasCredential(c)) problems.push({ path: `${path}.names[${i}]`, reason: `Consumer ${name} has no ${what} credentials` });
      else chosen.push(c);
    });
  }
  if (Object.keys(labels).length > 0) chosen = chosen.filter((c) => selectorMatches({ matchLabels: labels }, c.labels));
  return chosen.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

export function buildApiKey(spec: JsonObject, consumers: readonly ConsumerCredentials[], problems: PolicyProblem[]): ApiKeyPolicy {
  const cfg = getObject(spec, 'apiKeyAuth');
  const chosen = selectConsumers(getObject(cfg, 'consumers'), consumers, (c) => c.apiKeys.length > 0, 'apiKeys', 'spec.apiKeyAuth.consumers', problems);
  const keys: { consumer: string; key: string }[] = [];
  const owner = new Map<string, string>();
  for (const c of chosen) {
    for (const key of c.apiKeys) {
      const prev = owner.get(key);
      if (prev !== undefined && prev !== c.name) {
        problems.push({ path: 'spec.apiKeyAuth.consumers', reason: `Consumers ${prev} and ${c.name} share an API key; keys must identify one consumer` });
        continue;
      }
      if (prev === undefined) keys.push({ consumer: c.name, key });
      owner.set(key, c.name);
    }
  }
  const sources = getObjects(cfg, 'sources').map((s) => {
    const header = getString(s, 'header');
    if (header !== undefined) return { header: header.toLowerCase() };
    const query = getString(s, 'query');
    if (query !== undefined) return { query };
    return { cookie: getString(s, 'cookie') ?? '' };
  });
  const hide = getBoolean(cfg, 'hideCredentials');
  return {
    keys,
    sources: sources.length > 0 ? sources : [{ header: 'x-api-key' }],
    consumerHeader: (getString(cfg, 'forwardConsumerHeader') ?? DEFAULT_CONSUMER_HEADER).toLowerCase(),
    ...(hide !== undefined ? { hideCredentials: hide } : {}),
  };
}

export function buildBasicAuth(spec: JsonObject, consumers: readonly ConsumerCredentials[], problems: PolicyProblem[]): BasicAuthPolicy {
  const cfg = getObject(spec, 'basicAuth');
  const chosen = selectConsumers(getObject(cfg, 'consumers'), consumers, (c) => c.basicAuth !== undefined, 'basicAuth', 'spec.basicAuth.consumers', problems);
  const seen = new Map<string, string>();
  const users: { consumer: string; sha1Base64: string }[] = [];
  for (const c of chosen) {
    const user = c.basicAuth!;
    const prev = seen.get(user.username);
    if (prev !== undefined) {
      problems.push({ path: 'spec.basicAuth.consumers', reason: `Consumers ${prev} and ${c.name} use the same basic-auth user name "${user.username}"` });
      continue;
    }
    seen.set(user.username, c.name);
    // The htpasswd user name is what clients type; it is the consumer identity forwarded upstream.
    users.push({ consumer: user.username, sha1Base64: user.sha1Base64 });
  }
  return { users, consumerHeader: (getString(cfg, 'forwardConsumerHeader') ?? DEFAULT_CONSUMER_HEADER).toLowerCase() };
}

export function buildExtAuthz(doc: InputDocument, spec: JsonObject, backends: BackendResolver, problems: PolicyProblem[]): { policy?: ExtAuthzPolicy; cluster?: Cluster } {
  const cfg = getObject(spec, 'extAuth');
  const protocol = getString(cfg, 'protocol') === 'grpc' ? 'grpc' : 'http';
  const ref = getObject(cfg, 'backendRef') ?? {};
  const resolved = backends.resolve({ group: MESHGATE_GROUP, kind: doc.kind, namespace: namespaceOf(doc) }, ref, protocol === 'grpc');
  if (!resolved.ok) {
    problems.push({ path: 'spec.extAuth.backendRef', reason: resolved.message });
    return {};
  }
  const path = getString(cfg, 'path');
  const headers = getStrings(cfg, 'headersToSend').map((h) => h.toLowerCase());
  return {
    cluster: resolved.cluster,
    policy: {
      cluster: resolved.cluster.name,
      protocol,
      ...(path !== undefined ? { pathPrefix: path } : {}),
      timeoutMs: parseDurationMs(getString(cfg, 'timeout') ?? '') ?? 5000,
      failOpen: getBoolean(cfg, 'failOpen') ?? false,
      ...(headers.length > 0 ? { allowedHeaders: headers } : {}),
    },
  };
}

export function buildIpAccess(spec: JsonObject): IpAccessPolicy {
  const cfg = getObject(spec, 'ipAccess');
  const norm = (key: string): string[] => getStrings(cfg, key).map((c) => normaliseCidr(c) ?? c);
  const allow = norm('allow');
  const deny = norm('deny');
  const fwd = getBoolean(cfg, 'useForwardedFor');
  const status = getNumber(cfg, 'denyStatus');
  return {
    ...(allow.length > 0 ? { allow } : {}),
    ...(deny.length > 0 ? { deny } : {}),
    ...(fwd !== undefined ? { useForwardedFor: fwd } : {}),
    ...(status !== undefined ? { denyStatus: status } : {}),
  };
}

export function buildAuthorization(spec: JsonObject, consumers: readonly ConsumerCredentials[], problems: PolicyProblem[]): ConsumerAccessPolicy {
  const cfg = getObject(spec, 'authorization');
  const identities = (namesKey: string, groupsKey: string): string[] | undefined => {
    if (!has(cfg, namesKey) && !has(cfg, groupsKey)) return undefined;
    const out = new Set<string>();
    getStrings(cfg, namesKey).forEach((name, i) => {
      const c = consumers.find((x) => x.name === name);
      if (!c) problems.push({ path: `spec.authorization.${namesKey}[${i}]`, reason: `Consumer ${name} does not exist in this namespace` });
      else c.identities.forEach((id) => out.add(id));
    });
    const groups = getStrings(cfg, groupsKey);
    for (const c of consumers) if (c.groups.some((g) => groups.includes(g))) c.identities.forEach((id) => out.add(id));
    return [...out].sort();
  };
  const allow = identities('allowConsumers', 'allowGroups');
  const deny = identities('denyConsumers', 'denyGroups');
  return {
    header: (getString(cfg, 'consumerHeader') ?? DEFAULT_CONSUMER_HEADER).toLowerCase(),
    ...(allow !== undefined ? { allow } : {}),
    ...(deny !== undefined ? { deny } : {}),
  };
}

/** JWT issuers of the consumers an authorization rule names (their identity is the `iss` claim). */
export function authorizationIssuers(spec: JsonObject, consumers: readonly ConsumerCredentials[]): string[] {
  const cfg = getObject(spec, 'authorization');
  const names = [...getStrings(cfg, 'allowConsumers'), ...getStrings(cfg, 'denyConsumers')];
  const groups = [...getStrings(cfg, 'allowGroups'), ...getStrings(cfg, 'denyGroups')];
  const picked = consumers.filter((c) => names.includes(c.name) || c.groups.some((g) => groups.includes(g)));
  return [...new Set(picked.flatMap((c) => (c.jwt ? [c.jwt.issuer] : [])))].sort();
}

export function providesSecurity(doc: InputDocument, feature: SecurityFeature): boolean {
  return doc.kind === 'SecurityPolicy' && has(doc.spec, feature);
}
