// A workload certificate as the two SDS Secrets every mesh proxy asks for: "default" (its chain and
// key) and "ROOTCA" (the trust bundle that validates peers), Envoy v3 Secret JSON.
import type { EnvoyResource } from '../envoy/resource';
import { TypeUrl } from '../envoy/type-urls';
import { TRUST_BUNDLE_SECRET, WORKLOAD_CERTIFICATE_SECRET } from '../ir/mesh';
import type { WorkloadCertificate } from './authority';

const built = new WeakMap<WorkloadCertificate, readonly EnvoyResource[]>();

/** The same array for the same certificate, so publishing an unchanged certificate is free. */
export function secretResourcesOf(certificate: WorkloadCertificate): readonly EnvoyResource[] {
  const known = built.get(certificate);
  if (known) return known;
  const resources: readonly EnvoyResource[] = [
    {
      typeUrl: TypeUrl.Secret,
      name: WORKLOAD_CERTIFICATE_SECRET,
      json: {
        name: WORKLOAD_CERTIFICATE_SECRET,
        tls_certificate: {
          certificate_chain: { inline_string: certificate.certificateChainPem },
          private_key: { inline_string: certificate.privateKeyPem },
        },
      },
    },
    {
      typeUrl: TypeUrl.Secret,
      name: TRUST_BUNDLE_SECRET,
      json: { name: TRUST_BUNDLE_SECRET, validation_context: { trusted_ca: { inline_string: certificate.trustBundlePem } } },
    },
  ];
  built.set(certificate, resources);
  return resources;
}
