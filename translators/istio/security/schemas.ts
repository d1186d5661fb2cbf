// The spec schemas of the security.istio.io kinds (PeerAuthentication, RequestAuthentication,
// AuthorizationPolicy), with Istio's own validation rules as `check` hooks: CUSTOM needs a
// provider, a source/operation must not be empty, `when` keys are the ones Istio knows, and
// portLevelMtls needs a workload selector.
import type { JsonObject, JsonValue } from '../../../src/envoy/resource';
import { getArray, getObject, getString } from '../../core/json';
import { cidrProblem } from '../../core/addresses';
import { anything, arr, bool, isJsonObject, map, obj, oneOfStrings, str, type ObjectSchema, type Schema, type SchemaIssue } from '../../schema';
import { istioDuration } from '../durations';

export const SECURITY_KINDS = ['PeerAuthentication', 'RequestAuthentication', 'AuthorizationPolicy'] as const;
export type SecurityKind = (typeof SECURITY_KINDS)[number];
export const SECURITY_VERSIONS: readonly string[] = ['security.istio.io/v1', 'security.istio.io/v1beta1'];

export const workloadSelector: ObjectSchema = obj({ matchLabels: map(str({ maxLength: 63 })) });

const policyTargetRef: ObjectSchema = obj({ group: str(), kind: str({ minLength: 1 }), name: str({ minLength: 1 }), namespace: str() }, { required: ['kind', 'name'] });

/** Fields every security kind shares: which workloads it applies to. */
const scoping: Record<string, Schema> = {
  selector: workloadSelector,
  targetRef: policyTargetRef,
  targetRefs: arr(policyTargetRef),
};

const MTLS_MODES = ['UNSET', 'DISABLE', 'PERMISSIVE', 'STRICT'] as const;
export type MtlsMode = (typeof MTLS_MODES)[number];

const mtls = obj({ mode: oneOfStrings(...MTLS_MODES) });

export const peerAuthenticationSpec: ObjectSchema = obj(
  {
    ...scoping,
    mtls,
    portLevelMtls: map(mtls, { keyPattern: /^[1-9][0-9]{0,4}$/ }),
  },
  {
    atMostOneOf: ['selector', 'targetRef', 'targetRefs'],
    check: (spec) => {
      const issues: SchemaIssue[] = [];
      const ports = getObject(spec, 'portLevelMtls');
      if (ports && Object.keys(ports).length > 0 && !getObject(spec, 'selector')) {
        issues.push({ path: 'portLevelMtls', reason: 'portLevelMtls requires a workload selector (spec.selector), as in Istio' });
      }
      for (const key of Object.keys(ports ?? {})) {
        const n = Number(key);
        if (Number.isInteger(n) && (n < 1 || n > 65535)) issues.push({ path: `portLevelMtls.${key}`, reason: 'must be a port number between 1 and 65535' });
      }
      return issues;
    },
  },
);

function jwksProblem(text: string): string | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    return isJsonObject(parsed) && Array.isArray(parsed['keys']) ? undefined : 'must be a JWKS JSON document with a "keys" list';
  } catch (err) {
    return err instanceof SyntaxError ? 'is not valid JSON' : 'cannot be read as JSON';
  }
}

function uriProblem(uri: string): string | undefined {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return `"${uri}" is not an absolute URL`;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must be an http or https URL';
  if (url.username || url.password) return 'must not contain credentials';
  return undefined;
}

const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;
const headerName = str({ minLength: 1, pattern: HEADER_NAME, patternHint: 'an HTTP header name' });

const jwtRule = obj(
  {
    issuer: str({ minLength: 1 }),
    audiences: arr(str({ minLength: 1 })),
    jwksUri: str({ minLength: 1, check: uriProblem }),
    jwks: str({ minLength: 1, check: jwksProblem }),
    fromHeaders: arr(obj({ name: headerName, prefix: str() }, { required: ['name'] })),
    fromParams: arr(str({ minLength: 1 })),
    fromCookies: arr(str({ minLength: 1 })),
    outputPayloadToHeader: headerName,
    forwardOriginalToken: bool,
    outputClaimToHeaders: arr(obj({ header: headerName, claim: str({ minLength: 1 }) }, { required: ['header', 'claim'] })),
    timeout: istioDuration({ minMs: 1 }),
  },
  { required: ['issuer'], atMostOneOf: ['jwksUri', 'jwks'] },
);

export const requestAuthenticationSpec: ObjectSchema = obj({ ...scoping, jwtRules: arr(jwtRule) }, { atMostOneOf: ['selector', 'targetRef', 'targetRefs'] });

const strings = arr(str({ minLength: 1 }));

const SOURCE_FIELDS = [
  'principals',
  'notPrincipals',
  'requestPrincipals',
  'notRequestPrincipals',
  'namespaces',
  'notNamespaces',
  'serviceAccounts',
  'notServiceAccounts',
  'ipBlocks',
  'notIpBlocks',
  'remoteIpBlocks',
  'notRemoteIpBlocks',
] as const;

function cidrListIssues(value: JsonObject, fields: readonly string[]): SchemaIssue[] {
  const issues: SchemaIssue[] = [];
  for (const f of fields) {
    getArray(value, f).forEach((v, i) => {
      const problem = typeof v === 'string' ? cidrProblem(v) : undefined;
      if (problem !== undefined) issues.push({ path: `${f}[${i}]`, reason: problem });
    });
  }
  return issues;
}

function nonEmpty(value: JsonObject, what: string): SchemaIssue[] {
  return Object.values(value).some((v) => Array.isArray(v) && v.length > 0) ? [] : [{ path: '', reason: `${what} must set at least one field` }];
}

const source = obj(Object.fromEntries(SOURCE_FIELDS.map((f) => [f, strings])), {
  check: (value) => [...nonEmpty(value, 'a source'), ...cidrListIssues(value, ['ipBlocks', 'notIpBlocks', 'remoteIpBlocks', 'notRemoteIpBlocks'])],
});

/** Istio writes ports as strings ("8080"); integers are accepted too. */
export function portOf(value: JsonValue): number | undefined {
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^[0-9]+$/.test(value) ? Number(value) : NaN;
  return Number.isInteger(n) && n >= 1 && n <= 65535 ? n : undefined;
}

const operation = obj(
  {
    hosts: strings,
    notHosts: strings,
    ports: arr(anything),
    notPorts: arr(anything),
    methods: strings,
    notMethods: strings,
    paths: strings,
    notPaths: strings,
  },
  {
    check: (value) => {
      const issues = nonEmpty(value, 'an operation');
      for (const f of ['ports', 'notPorts']) {
        getArray(value, f).forEach((v, i) => {
          if (portOf(v) === undefined) issues.push({ path: `${f}[${i}]`, reason: `${JSON.stringify(v)} is not a port number between 1 and 65535` });
        });
      }
      return issues;
    },
  },
);

/** The `when` keys Istio defines for Envoy sidecars (request.headers[...] and request.auth.claims[...] take a name). */
export const CONDITION_KEYS: readonly string[] = [
  'source.ip',
  'remote.ip',
  'source.namespace',
  'source.principal',
  'source.serviceAccount',
  'request.auth.principal',
  'request.auth.audiences',
  'request.auth.presenter',
  'destination.ip',
  'destination.port',
  'connection.sni',
];

export function conditionKeyProblem(key: string): string | undefined {
  if (CONDITION_KEYS.includes(key)) return undefined;
  if (/^request\.headers\[[^\]]+\]$/.test(key)) return undefined;
  if (/^request\.auth\.claims(\[[^\]]+\])+$/.test(key)) return undefined;
  if (key.startsWith('experimental.envoy.filters.')) return 'experimental.envoy.filters.* conditions are not supported by meshgate';
  return `unknown condition key ${JSON.stringify(key)} (Istio knows ${[...CONDITION_KEYS, 'request.headers[<name>]', 'request.auth.claims[<claim>]'].join(', ')})`;
}

const condition = obj(
  { key: str({ minLength: 1, check: conditionKeyProblem }), values: strings, notValues: strings },
  {
    required: ['key'],
    check: (value) => {
      const issues: SchemaIssue[] = [];
      if (getArray(value, 'values').length === 0 && getArray(value, 'notValues').length === 0) issues.push({ path: '', reason: 'a condition needs values or notValues' });
      const key = getString(value, 'key') ?? '';
      if (['source.ip', 'remote.ip', 'destination.ip'].includes(key)) issues.push(...cidrListIssues(value, ['values', 'notValues']));
      if (key === 'destination.port') {
        for (const f of ['values', 'notValues']) {
          getArray(value, f).forEach((v, i) => {
            if (portOf(v) === undefined) issues.push({ path: `${f}[${i}]`, reason: `${JSON.stringify(v)} is not a port number` });
          });
        }
      }
      return issues;
    },
  },
);

const rule = obj({
  from: arr(obj({ source }, { required: ['source'] })),
  to: arr(obj({ operation }, { required: ['operation'] })),
  when: arr(condition),
});

export const AUTHORIZATION_ACTIONS = ['ALLOW', 'DENY', 'AUDIT', 'CUSTOM'] as const;

export const authorizationPolicySpec: ObjectSchema = obj(
  {
    ...scoping,
    action: oneOfStrings(...AUTHORIZATION_ACTIONS),
    provider: obj({ name: str({ minLength: 1 }) }, { required: ['name'] }),
    rules: arr(rule),
  },
  {
    atMostOneOf: ['selector', 'targetRef', 'targetRefs'],
    check: (spec) => {
      const action = getString(spec, 'action') ?? 'ALLOW';
      if (action === 'CUSTOM' && !getObject(spec, 'provider')) return [{ path: 'provider', reason: 'action CUSTOM needs a provider' }];
      if (action !== 'CUSTOM' && getObject(spec, 'provider')) return [{ path: 'provider', reason: `provider is only allowed with action CUSTOM (action is ${action})` }];
      return [];
    },
  },
);

/** The spec schema of each security.istio.io kind. */
export const SECURITY_SCHEMAS: Readonly<Record<SecurityKind, ObjectSchema>> = {
  PeerAuthentication: peerAuthenticationSpec,
  RequestAuthentication: requestAuthenticationSpec,
  AuthorizationPolicy: authorizationPolicySpec,
};
