// Listener certificateRefs → TLS secrets (PEM) served over SDS. A reference is valid when it
// names a core Secret of type kubernetes.io/tls, in the Gateway's namespace or allowed by a
// ReferenceGrant, whose certificate and key parse and belong together.
import type { InputDocument } from '../../src/documents/types';
import type { JsonObject } from '../../src/envoy/resource';
import type { TlsSecret } from '../../src/ir/types';
import { DocumentIndex, namespaceOf } from '../core/documents';
import { getString } from '../core/json';
import { CORE_GROUP, GATEWAY_GROUP } from '../core/kinds';
import { tlsSecretName } from '../core/names';
import { certificateProblem, keyPairProblem, privateKeyProblem } from '../core/pem';
import type { ReferenceGrants } from '../core/reference-grants';
import { secretType, secretValue } from '../core/secrets';

export type CertificateRefResult =
  | { readonly ok: true; readonly secret: TlsSecret }
  | { readonly ok: false; readonly reason: 'InvalidCertificateRef' | 'RefNotPermitted'; readonly message: string };

export function resolveCertificateRef(gateway: InputDocument, ref: JsonObject, index: DocumentIndex, grants: ReferenceGrants): CertificateRefResult {
  const group = getString(ref, 'group') ?? CORE_GROUP;
  const kind = getString(ref, 'kind') ?? 'Secret';
  const name = getString(ref, 'name') ?? '';
  const gwNamespace = namespaceOf(gateway);
  const namespace = getString(ref, 'namespace') ?? gwNamespace;
  const what = `Secret ${namespace}/${name}`;
  if (group !== CORE_GROUP || kind !== 'Secret') return { ok: false, reason: 'InvalidCertificateRef', message: `certificateRefs to ${group || 'core'}/${kind} are not supported (use a core Secret)` };
  if (!grants.allows({ group: GATEWAY_GROUP, kind: 'Gateway', namespace: gwNamespace }, { group: CORE_GROUP, kind: 'Secret', namespace, name })) {
    return { ok: false, reason: 'RefNotPermitted', message: `${what} is in another namespace and no ReferenceGrant there allows Gateways from ${gwNamespace}` };
  }
  const secret = index.get('Secret', namespace, name);
  if (!secret) return { ok: false, reason: 'InvalidCertificateRef', message: `${what} does not exist` };
  if (secretType(secret) !== 'kubernetes.io/tls') return { ok: false, reason: 'InvalidCertificateRef', message: `${what} is of type ${secretType(secret)}, not kubernetes.io/tls` };
  const cert = secretValue(secret, 'tls.crt') ?? '';
  const key = secretValue(secret, 'tls.key') ?? '';
  const problem =
    (certificateProblem(cert) && `tls.crt ${certificateProblem(cert)}`) ||
    (privateKeyProblem(key) && `tls.key ${privateKeyProblem(key)}`) ||
    keyPairProblem(cert, key);
  if (problem) return { ok: false, reason: 'InvalidCertificateRef', message: `${what}: ${problem}` };
  return {
    ok: true,
    secret: { name: tlsSecretName(namespace, name), certificateChain: cert, privateKey: key, source: { kind: 'Secret', namespace, name } },
  };
}
