// RequestAuthentication → InboundListener.requestAuthentication. Every policy that applies to a
// workload (mesh-wide, namespace-wide, selected) contributes its jwtRules, as in Istio: a request
// with a token must present one valid for some rule (else 401), a request without a token passes
// authentication (AuthorizationPolicy decides whether a principal is required). Each provider
// writes the validated payload to dynamic metadata (MESH_JWT_PAYLOAD_KEY) for requestPrincipals
// and request.auth.* conditions. A jwksUri is fetched by Envoy through a generated DNS cluster
// "jwks/<host>/<port>"; Istio's OpenID discovery from the issuer alone is not available, so a
// rule needs jwksUri or jwks.
import type { InputDocument } from '../../../src/documents/types';
import type { Cluster } from '../../../src/ir/cluster';
import { MESH_JWT_PAYLOAD_KEY } from '../../../src/ir/mesh';
import type { JwtPolicy, JwtProvider } from '../../../src/ir/policy';
import { namespaceOf } from '../../core/documents';
import { getBoolean, getObjects, getString, getStrings } from '../../core/json';
import { jwksClusterName } from '../../core/names';
import { parseIstioDurationMs } from '../durations';
import type { IstioSecurityContext } from './scope';

/** Istio's default timeout for fetching a JWKS. */
const DEFAULT_JWKS_TIMEOUT_MS = 5000;

export interface BuiltJwtRules {
  readonly providers: readonly JwtProvider[];
  readonly clusters: readonly Cluster[];
}

function jwksCluster(url: URL, doc: InputDocument, index: number): Cluster {
  const https = url.protocol === 'https:';
  const port = url.port !== '' ? Number(url.port) : https ? 443 : 80;
  return {
    name: jwksClusterName(url.hostname, port),
    discovery: { type: 'dns', hostname: url.hostname, port, logical: true },
    // Verified by the web PKI, as istiod verifies the JWKS it fetches: the host's CA bundle and the URL's host name.
    ...(https ? { tls: { sni: url.hostname, systemTrust: true, subjectAltNames: [url.hostname] } } : {}),
    source: { kind: doc.kind, namespace: namespaceOf(doc), name: doc.metadata.name, section: `jwtRules[${index}]` },
  };
}

/** The providers and JWKS clusters of one RequestAuthentication (reports go to its status). */
export function buildJwtRules(doc: InputDocument, ctx: IstioSecurityContext): BuiltJwtRules {
  const ns = namespaceOf(doc);
  const providers: JwtProvider[] = [];
  const clusters: Cluster[] = [];
  getObjects(doc.spec, 'jwtRules').forEach((rule, i) => {
    const path = `spec.jwtRules[${i}]`;
    const status = ctx.statusOf(doc);
    const uri = getString(rule, 'jwksUri');
    const inline = getString(rule, 'jwks');
    let jwks: JwtProvider['jwks'];
    if (uri !== undefined) {
      const url = new URL(uri);
      const cluster = jwksCluster(url, doc, i);
      clusters.push(cluster);
      if (url.protocol !== 'https:') status.warn(`${path}.jwksUri: the JWKS is fetched over plain http`);
      jwks = { type: 'remote', uri: url.toString(), cluster: cluster.name, timeoutMs: parseIstioDurationMs(getString(rule, 'timeout') ?? '') ?? DEFAULT_JWKS_TIMEOUT_MS };
    } else if (inline !== undefined) {
      jwks = { type: 'local', inline };
    } else {
      ctx.error(doc, path, 'set jwksUri or jwks: meshgate does not discover the JWKS from the issuer (OpenID discovery)');
      return;
    }
    for (const f of ['outputPayloadToHeader', 'fromCookies']) {
      if (rule[f] !== undefined && rule[f] !== null) status.warn(`${path}.${f} is not supported by meshgate and is ignored`);
    }
    if (getString(rule, 'timeout') !== undefined && uri === undefined) status.warn(`${path}.timeout only applies to jwksUri and is ignored`);
    const audiences = getStrings(rule, 'audiences');
    const fromHeaders = getObjects(rule, 'fromHeaders').map((h) => {
      const prefix = getString(h, 'prefix');
      return { name: (getString(h, 'name') ?? '').toLowerCase(), ...(prefix !== undefined && prefix !== '' ? { valuePrefix: prefix } : {}) };
    });
    const fromParams = getStrings(rule, 'fromParams');
    const claims = getObjects(rule, 'outputClaimToHeaders').map((c) => ({ claim: getString(c, 'claim') ?? '', header: (getString(c, 'header') ?? '').toLowerCase() }));
    providers.push({
      name: `${ns}/${doc.metadata.name}/jwtRules[${i}]`,
      issuer: getString(rule, 'issuer') ?? '',
      ...(audiences.length > 0 ? { audiences } : {}),
      jwks,
      ...(fromHeaders.length > 0 ? { fromHeaders } : {}),
      ...(fromParams.length > 0 ? { fromParams } : {}),
      ...(getBoolean(rule, 'forwardOriginalToken') === true ? { forward: true } : {}),
      ...(claims.length > 0 ? { claimToHeaders: claims } : {}),
      payloadInMetadata: MESH_JWT_PAYLOAD_KEY,
    });
  });
  return { providers, clusters };
}

/** The combined policy of every rule that applies; undefined without rules. */
export function jwtPolicyOf(built: readonly BuiltJwtRules[]): JwtPolicy | undefined {
  const providers = built.flatMap((b) => b.providers);
  return providers.length > 0 ? { providers, allowMissing: true } : undefined;
}
