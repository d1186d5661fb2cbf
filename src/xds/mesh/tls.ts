// Mesh mTLS transport sockets. Certificates come over SDS from the names every mesh proxy asks
// for (src/ir/mesh.ts): "default" is the workload's certificate and key, "ROOTCA" the trust bundle.
// The trust bundle is combined with a static validation context that pins the peer's SPIFFE IDs,
// so a rotated bundle never needs a new cluster or listener.
import type { JsonObject } from '../../envoy/resource';
import type { UpstreamTls } from '../../ir/cluster';
import { TRUST_BUNDLE_SECRET, WORKLOAD_CERTIFICATE_SECRET } from '../../ir/mesh';
import { adsConfigSource, compact, list, typed } from '../json';
import { upstreamTlsSocket } from '../tls';

const TLS_TRANSPORT_SOCKET = 'envoy.transport_sockets.tls';

function workloadCertificate(): JsonObject[] {
  return [{ name: WORKLOAD_CERTIFICATE_SECRET, sds_config: adsConfigSource() }];
}

function trustBundle(expectedSpiffeIds: readonly string[]): JsonObject {
  return {
    default_validation_context: compact({
      match_typed_subject_alt_names: list(expectedSpiffeIds.map((id) => ({ san_type: 'URI', matcher: { exact: id } }))),
    }),
    validation_context_sds_secret_config: { name: TRUST_BUNDLE_SECRET, sds_config: adsConfigSource() },
  };
}

/** Inbound mTLS: present the workload certificate, require and verify the client's (any mesh identity). */
export function meshDownstreamTlsSocket(alpn: readonly string[]): JsonObject {
  return {
    name: TLS_TRANSPORT_SOCKET,
    typed_config: typed('envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext', {
      common_tls_context: compact({
        tls_certificate_sds_secret_configs: workloadCertificate(),
        combined_validation_context: trustBundle([]),
        alpn_protocols: list([...alpn]),
      }),
      require_client_certificate: true,
    }),
  };
}

/** ISTIO_MUTUAL towards a service: the workload certificate, and a peer holding one of the expected SPIFFE IDs. */
export function meshUpstreamTlsSocket(mesh: NonNullable<UpstreamTls['mesh']>, sni: string | undefined, http2: boolean): JsonObject {
  return {
    name: TLS_TRANSPORT_SOCKET,
    typed_config: typed(
      'envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext',
      compact({
        common_tls_context: compact({
          tls_certificate_sds_secret_configs: workloadCertificate(),
          combined_validation_context: trustBundle(mesh.expectedSpiffeIds),
          alpn_protocols: http2 ? ['h2'] : undefined,
        }),
        sni,
      }),
    ),
  };
}

/**
 * The transport socket of any IR cluster with TLS: mesh mTLS, TLS with a client certificate
 * (Istio MUTUAL, served over SDS under clientCertificateSecret), or plain upstream TLS.
 */
export function clusterTransportSocket(tls: UpstreamTls, http2: boolean): JsonObject {
  if (tls.mesh) return meshUpstreamTlsSocket(tls.mesh, tls.sni, http2);
  const socket = upstreamTlsSocket(tls, http2);
  if (!tls.clientCertificateSecret) return socket;
  const config = socket['typed_config'] as JsonObject;
  const common = (config['common_tls_context'] ?? {}) as JsonObject;
  return {
    ...socket,
    typed_config: {
      ...config,
      common_tls_context: { tls_certificate_sds_secret_configs: [{ name: tls.clientCertificateSecret, sds_config: adsConfigSource() }], ...common },
    },
  };
}
