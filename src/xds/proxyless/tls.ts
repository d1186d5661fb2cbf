// mTLS for proxyless mesh workloads. gRPC reads certificates only from the certificate providers
// its bootstrap declares (`*_sds_secret_config` is NACKed), so where an Envoy sidecar names the SDS
// secrets "default" and "ROOTCA", a gRPC workload names the same certificates through the
// provider instance CERTIFICATE_PROVIDER_INSTANCE (names.ts).
import type { JsonObject } from '../../envoy/resource';
import { TRUST_BUNDLE_SECRET, WORKLOAD_CERTIFICATE_SECRET } from '../../ir/mesh';
import { list, typed } from '../json';
import { CERTIFICATE_PROVIDER_INSTANCE } from './names';

const TLS_TRANSPORT_SOCKET = 'envoy.transport_sockets.tls';

function workloadCertificate(): JsonObject {
  return { instance_name: CERTIFICATE_PROVIDER_INSTANCE, certificate_name: WORKLOAD_CERTIFICATE_SECRET };
}

function trustBundle(): JsonObject {
  return { instance_name: CERTIFICATE_PROVIDER_INSTANCE, certificate_name: TRUST_BUNDLE_SECRET };
}

/**
 * ISTIO_MUTUAL towards a service: present the workload certificate, verify the peer against the
 * trust bundle and, when given, require one of the expected SPIFFE IDs. gRPC matches SANs with
 * the (older) match_subject_alt_names field, which Envoy still accepts.
 */
export function meshUpstreamTls(expectedSpiffeIds: readonly string[]): JsonObject {
  const validation: JsonObject = { ca_certificate_provider_instance: trustBundle() };
  const sans = list(expectedSpiffeIds.map((id) => ({ exact: id })));
  if (sans) validation['match_subject_alt_names'] = sans;
  return {
    name: TLS_TRANSPORT_SOCKET,
    typed_config: typed('envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext', {
      common_tls_context: { tls_certificate_provider_instance: workloadCertificate(), validation_context: validation },
    }),
  };
}

/** STRICT mTLS on an xDS-enabled server: its certificate, and a client certificate required. */
export function meshServerTls(): JsonObject {
  return {
    name: TLS_TRANSPORT_SOCKET,
    typed_config: typed('envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext', {
      common_tls_context: {
        tls_certificate_provider_instance: workloadCertificate(),
        validation_context: { ca_certificate_provider_instance: trustBundle() },
      },
      require_client_certificate: true,
    }),
  };
}
