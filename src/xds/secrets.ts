// TLS certificates served over SDS (the listeners refer to them by name).
import type { JsonObject } from '../envoy/resource';
import type { TlsSecret } from '../ir/types';

export function buildSecret(secret: TlsSecret): JsonObject {
  return {
    name: secret.name,
    tls_certificate: {
      certificate_chain: { inline_string: secret.certificateChain },
      private_key: { inline_string: secret.privateKey },
    },
  };
}
