// SecurityPolicy.jwt: JWT providers for Envoy's jwt_authn. A remote JWKS is fetched by Envoy
// through a generated cluster for the JWKS host ("jwks/<host>/<port>", DNS, TLS with SNI for
// https); a local JWKS is inlined.
import { createHash } from 'node:crypto';
import type { InputDocument } from '../../src/documents/types';
import type { JsonObject } from '../../src/envoy/resource';
import type { Cluster } from '../../src/ir/cluster';
import type { JwtPolicy, JwtProvider } from '../../src/ir/policy';
import { durationSchema, parseDurationMs } from '../core/durations';
import { namespaceOf } from '../core/documents';
import { getBoolean, getObject, getObjects, getString, getStrings } from '../core/json';
import { jwksClusterName } from '../core/names';
import { arr, bool, obj, str } from '../schema';
import { headerName } from '../gateway-api/schemas/common';
import { pemCertificate } from './common';

function jwksUriProblem(uri: string): string | undefined {
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

function jwksJsonProblem(text: string): string | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null || !Array.isArray((parsed as { keys?: unknown }).keys)) return 'must be a JWKS JSON document with a "keys" list';
    return undefined;
  } catch (err) {
    return `is not valid JSON: ${(err as Error).message}`;
  }
}

const provider = obj(
  {
    name: str({ minLength: 1, maxLength: 253, pattern: /^[A-Za-z0-9][-A-Za-z0-9_.]*$/, patternHint: 'a name of letters, digits, "-", "_" and "."' }),
    issuer: str({ minLength: 1 }),
    audiences: arr(str({ minLength: 1 })),
    remoteJWKS: obj(
      { uri: str({ minLength: 1, check: jwksUriProblem }), timeout: durationSchema({ nonZero: true }), cacheDuration: durationSchema({ nonZero: true }), caCertificate: pemCertificate },
      { required: ['uri'] },
    ),
    localJWKS: obj({ inline: str({ minLength: 1, check: jwksJsonProblem }) }, { required: ['inline'] }),
    claimToHeaders: arr(obj({ claim: str({ minLength: 1 }), header: headerName }, { required: ['claim', 'header'] })),
    forward: bool,
    fromHeaders: arr(obj({ name: headerName, valuePrefix: str() }, { required: ['name'] })),
    fromParams: arr(str({ minLength: 1 })),
  },
  { required: ['name'], exactlyOneOf: ['remoteJWKS', 'localJWKS'] },
);

export const jwtSchema = obj(
  {
    providers: arr(provider, { minItems: 1, uniqueBy: (p) => (typeof p === 'object' && p !== null && !Array.isArray(p) && typeof p['name'] === 'string' ? p['name'] : undefined), uniqueWhat: 'provider name' }),
    allowMissing: bool,
  },
  { required: ['providers'] },
);

export interface BuiltJwt {
  readonly policy: JwtPolicy;
  readonly clusters: readonly Cluster[];
  /** Messages for the policy's status (e.g. a JWKS fetched over plain http). */
  readonly warnings: readonly string[];
}

function jwksCluster(url: URL, caCertificate: string | undefined, source: Cluster['source']): Cluster {
  const https = url.protocol === 'https:';
  const port = url.port !== '' ? Number(url.port) : https ? 443 : 80;
  return {
    name: jwksClusterName(url.hostname, port, caCertificate !== undefined ? createHash('sha256').update(caCertificate).digest('hex').slice(0, 12) : undefined),
    discovery: { type: 'dns', hostname: url.hostname, port, logical: true },
    // Verified either by the user's CA or by the web PKI (the host's CA bundle), and for the URL's host name.
    ...(https ? { tls: { sni: url.hostname, subjectAltNames: [url.hostname], ...(caCertificate !== undefined ? { caCertificate } : { systemTrust: true }) } } : {}),
    source,
  };
}

export function buildJwt(doc: InputDocument, jwt: JsonObject): BuiltJwt {
  const ns = namespaceOf(doc);
  const clusters: Cluster[] = [];
  const warnings: string[] = [];
  const providers = getObjects(jwt, 'providers').map((p, i): JwtProvider => {
    const name = getString(p, 'name') ?? `provider-${i}`;
    const remote = getObject(p, 'remoteJWKS');
    let jwks: JwtProvider['jwks'];
    if (remote) {
      const url = new URL(getString(remote, 'uri') ?? '');
      const ca = getString(remote, 'caCertificate');
      const cluster = jwksCluster(url, ca, { kind: doc.kind, namespace: ns, name: doc.metadata.name, section: `jwt.providers[${i}]` });
      clusters.push(cluster);
      if (url.protocol === 'http:') warnings.push(`jwt provider ${name}: the JWKS is fetched over plain http`);
      const cache = parseDurationMs(getString(remote, 'cacheDuration') ?? '');
      jwks = {
        type: 'remote',
        uri: url.toString(),
        cluster: cluster.name,
        timeoutMs: parseDurationMs(getString(remote, 'timeout') ?? '') ?? 5000,
        ...(cache !== undefined ? { cacheDurationSeconds: Math.max(1, Math.round(cache / 1000)) } : {}),
      };
    } else {
      jwks = { type: 'local', inline: getString(getObject(p, 'localJWKS'), 'inline') ?? '' };
    }
    const issuer = getString(p, 'issuer');
    const audiences = getStrings(p, 'audiences');
    const fromHeaders = getObjects(p, 'fromHeaders').map((h) => {
      const prefix = getString(h, 'valuePrefix');
      return { name: (getString(h, 'name') ?? '').toLowerCase(), ...(prefix !== undefined ? { valuePrefix: prefix } : {}) };
    });
    const fromParams = getStrings(p, 'fromParams');
    const forward = getBoolean(p, 'forward');
    const claims = getObjects(p, 'claimToHeaders').map((c) => ({ claim: getString(c, 'claim') ?? '', header: (getString(c, 'header') ?? '').toLowerCase() }));
    return {
      name: `${ns}/${doc.metadata.name}/${name}`,
      ...(issuer !== undefined ? { issuer } : {}),
      ...(audiences.length > 0 ? { audiences } : {}),
      jwks,
      ...(fromHeaders.length > 0 ? { fromHeaders } : {}),
      ...(fromParams.length > 0 ? { fromParams } : {}),
      ...(forward !== undefined ? { forward } : {}),
      ...(claims.length > 0 ? { claimToHeaders: claims } : {}),
    };
  });
  const allowMissing = getBoolean(jwt, 'allowMissing');
  return { policy: { providers, ...(allowMissing ? { allowMissing: true } : {}) }, clusters, warnings };
}
