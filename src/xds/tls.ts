// TLS transport sockets: DownstreamTlsContext for HTTPS listeners (certificates over SDS, so a
// renewed certificate never drains the listener) and UpstreamTlsContext for TLS backends.
import type { JsonObject } from '../envoy/resource';
import type { UpstreamTls } from '../ir/cluster';
import type { ListenerTls } from '../ir/types';
import { adsConfigSource, compact, list, typed } from './json';

const TLS_TRANSPORT_SOCKET = 'envoy.transport_sockets.tls';

/** ALPN defaults to h2 + http/1.1, or http/1.1 alone when the listener does not accept HTTP/2. */
export function downstreamTlsSocket(tls: ListenerTls, http2: boolean): JsonObject {
  const alpn = tls.alpn ?? (http2 ? ['h2', 'http/1.1'] : ['http/1.1']);
  return {
    name: TLS_TRANSPORT_SOCKET,
    typed_config: typed('envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext', {
      common_tls_context: compact({
        tls_params: tls.minVersion ? { tls_minimum_protocol_version: tls.minVersion } : undefined,
        tls_certificate_sds_secret_configs: tls.certificateSecrets.map((name) => ({ name, sds_config: adsConfigSource() })),
        alpn_protocols: list([...alpn]),
      }),
    }),
  };
}

/** A SAN with a scheme (spiffe://…) is a URI SAN; anything else a DNS name. */
/**
 * The system CA bundle inside the Envoy image (envoyproxy/envoy is Debian/Ubuntu based and ships
 * ca-certificates there), for upstreams verified by the public web PKI.
 */
export const SYSTEM_CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';

function subjectAltNameMatcher(san: string): JsonObject {
  return { san_type: san.includes('://') ? 'URI' : 'DNS', matcher: { exact: san } };
}

export function upstreamTlsSocket(tls: UpstreamTls, http2: boolean): JsonObject {
  const alpn = tls.alpn ?? (http2 ? ['h2'] : []);
  return {
    name: TLS_TRANSPORT_SOCKET,
    typed_config: typed(
      'envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext',
      compact({
        common_tls_context: compact({
          // No CA means no verification: the IR only allows that as the user's explicit choice.
          validation_context: tls.caCertificate || tls.systemTrust
            ? compact({
                trusted_ca: tls.caCertificate ? { inline_string: tls.caCertificate } : { filename: SYSTEM_CA_BUNDLE },
                match_typed_subject_alt_names: list((tls.subjectAltNames ?? []).map(subjectAltNameMatcher)),
              })
            : undefined,
          alpn_protocols: list([...alpn]),
        }),
        sni: tls.sni,
      }),
    ),
  };
}
