import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeAny, encodeAny } from '../../src/envoy/codec';
import type { JsonObject } from '../../src/envoy/resource';
import { TypeUrl } from '../../src/envoy/type-urls';
import { REDACTED, REDACTED_BYTES_BASE64, redactResource } from '../../src/status/redact';
import { CERT_PEM, PRIVATE_KEY_PEM, cluster, genericSecret, tlsSecret } from './fixtures';

const TLS_CONTEXT = 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext';

describe('redaction of sensitive fields', () => {
  it('redacts a TLS secret\'s private key and password, keeping the certificate', () => {
    const secret = tlsSecret('cert');
    const { json, changed } = redactResource(TypeUrl.Secret, secret.json);
    assert.equal(changed, true);
    assert.deepEqual(json['tls_certificate'], {
      certificate_chain: { inline_string: CERT_PEM },
      private_key: { inline_string: REDACTED },
      password: { inline_string: REDACTED },
    });
    assert.ok(!JSON.stringify(json).includes('PRIVATE KEY'));
    assert.ok(!JSON.stringify(json).includes('hunter2'));
    // The input is not modified.
    assert.equal((secret.json['tls_certificate'] as JsonObject)['private_key'] !== undefined, true);
    assert.ok(JSON.stringify(secret.json).includes('PRIVATE KEY'));
  });

  it('redacts generic secret values, also when they are bytes', () => {
    const { json } = redactResource(TypeUrl.Secret, genericSecret('hmac', 'topsecret').json);
    assert.deepEqual(json, { name: 'hmac', generic_secret: { secret: { inline_bytes: REDACTED } } });
  });

  it('redacts session ticket keys and file names of keys', () => {
    const { json } = redactResource(TypeUrl.Secret, {
      name: 'tickets',
      session_ticket_keys: { keys: [{ inline_bytes: Buffer.alloc(80, 1).toString('base64') }, { filename: '/etc/keys/k2' }] },
    });
    assert.deepEqual(json['session_ticket_keys'], { keys: [{ inline_bytes: REDACTED }, { filename: REDACTED }] });
  });

  it('finds inline keys inside a listener\'s transport socket (through typed_config Any)', () => {
    const listener: JsonObject = {
      name: 'https',
      address: { socket_address: { address: '0.0.0.0', port_value: 443 } },
      filter_chains: [
        {
          transport_socket: {
            name: 'envoy.transport_sockets.tls',
            typed_config: {
              '@type': TLS_CONTEXT,
              common_tls_context: {
                tls_certificates: [{ certificate_chain: { inline_string: CERT_PEM }, private_key: { inline_string: PRIVATE_KEY_PEM } }],
              },
            },
          },
          filters: [],
        },
      ],
    };
    const { json, changed } = redactResource(TypeUrl.Listener, listener);
    assert.equal(changed, true);
    const text = JSON.stringify(json);
    assert.ok(!text.includes('PRIVATE KEY'));
    assert.ok(text.includes('BEGIN CERTIFICATE'));
    assert.ok(text.includes(`"@type":"${TLS_CONTEXT}"`));
  });

  it('returns resources without sensitive fields untouched', () => {
    const c = cluster('backend');
    const { json, changed } = redactResource(TypeUrl.Cluster, c.json);
    assert.equal(changed, false);
    assert.equal(json, c.json);
  });

  it('with a base64 placeholder, the redacted resource still encodes', () => {
    const { json } = redactResource(TypeUrl.Secret, genericSecret('hmac', 'topsecret').json, { bytesPlaceholder: REDACTED_BYTES_BASE64 });
    const decoded = decodeAny(encodeAny(TypeUrl.Secret, json));
    const inline = ((decoded.json['generic_secret'] as JsonObject)['secret'] as JsonObject)['inline_bytes'];
    assert.equal(Buffer.from(String(inline), 'base64').toString(), REDACTED);
  });
});
