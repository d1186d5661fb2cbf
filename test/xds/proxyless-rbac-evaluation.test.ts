// The RBAC filters meshgate gives xDS-enabled gRPC servers, evaluated by grpc-js-xds's own RBAC
// engine (the code a real server runs on each call), on calls as gRPC presents them: :authority is
// the channel's target host, usually "<host>:<port>", and the peer is the client certificate's
// URI SAN.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodeMessage } from '../../src/envoy/codec';
import { envoyApi } from '../../src/envoy/api';
import type { JsonObject } from '../../src/envoy/resource';
import type { Authorization, AuthorizationRule } from '../../src/ir/mesh';
import { ProxylessNotes } from '../../src/xds/proxyless/notes';
import { grpcServerRbac } from '../../src/xds/proxyless/server-rbac';

interface CallInfo {
  readonly headers: { get(key: string): string[] };
  readonly urlPath: string;
  readonly sourceIp: string;
  readonly destinationIp: string;
  readonly destinationPort: number;
  readonly tls: boolean;
  readonly peerCertificate: { subjectaltname: string; subject: { CN: string } } | null;
}

interface GrpcRbacEngine {
  apply(info: CallInfo): boolean;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const grpcRbac = require('@grpc/grpc-js-xds/build/src/rbac') as { parseConfig(rules: unknown): GrpcRbacEngine };

const RBAC = 'envoy.extensions.filters.http.rbac.v3.RBAC';

/** Our JSON → wire bytes → the object grpc-js-xds's filter parses (its toObject options) → its engine. */
function grpcEngines(authz: Authorization): GrpcRbacEngine[] {
  const filters = grpcServerRbac(authz, 'test', new ProxylessNotes());
  const type = envoyApi().root.lookupType(RBAC);
  return filters.map((filter) => {
    const { '@type': _type, ...config } = filter['typed_config'] as JsonObject;
    const decoded = type.decode(encodeMessage(RBAC, config));
    const parsed = type.toObject(decoded, { longs: String, enums: String, defaults: true, oneofs: true }) as { rules: unknown };
    return grpcRbac.parseConfig(parsed.rules);
  });
}

function call(authority: string, method = '/reviews.Reviews/Get', spiffe = 'spiffe://cluster.local/ns/default/sa/productpage'): CallInfo {
  const headers = new Map<string, string[]>([[':authority', [authority]], [':method', ['POST']], [':path', [method]]]);
  return {
    headers: { get: (key) => headers.get(key) ?? [] },
    urlPath: method,
    sourceIp: '10.0.0.1',
    destinationIp: '10.0.0.2',
    destinationPort: 9080,
    tls: true,
    peerCertificate: { subjectaltname: `URI:${spiffe}`, subject: { CN: '' } },
  };
}

const allowed = (engines: readonly GrpcRbacEngine[], info: CallInfo): boolean => engines.every((e) => e.apply(info));

const source = { kind: 'AuthorizationPolicy', namespace: 'default', name: 'reviews' };
const rule = (r: Omit<AuthorizationRule, 'name' | 'source'>): AuthorizationRule => ({ name: 'default/reviews[rules[0]]', source, ...r });

test('an Istio host matches gRPC\'s :authority with and without the port, in any case', () => {
  const engines = grpcEngines({ deny: [], allow: [rule({ to: [{ hosts: ['reviews.default.svc.cluster.local'] }] })] });
  assert.equal(allowed(engines, call('reviews.default.svc.cluster.local:9080')), true);
  assert.equal(allowed(engines, call('Reviews.Default.svc.cluster.local')), true);
  assert.equal(allowed(engines, call('ratings.default.svc.cluster.local:9080')), false);
  assert.equal(allowed(engines, call('reviews.default.svc.cluster.local.evil:9080')), false);
});

test('principals, paths and a DENY rule before ALLOW, as gRPC evaluates them', () => {
  const engines = grpcEngines({
    deny: [rule({ to: [{ paths: ['/reviews.Reviews/Delete'] }] })],
    allow: [rule({ from: [{ principals: ['cluster.local/ns/default/sa/productpage'] }] })],
  });
  assert.equal(allowed(engines, call('reviews:9080')), true);
  assert.equal(allowed(engines, call('reviews:9080', '/reviews.Reviews/Delete')), false, 'DENY wins');
  assert.equal(allowed(engines, call('reviews:9080', '/reviews.Reviews/Get', 'spiffe://cluster.local/ns/default/sa/ratings')), false, 'not an allowed principal');
});

test('a condition gRPC cannot evaluate: an ALLOW rule grants nothing, a DENY rule denies regardless', () => {
  const jwt = { key: 'request.auth.claims[group]', values: ['admins'] };
  assert.equal(allowed(grpcEngines({ deny: [], allow: [rule({ when: [jwt] })] }), call('reviews:9080')), false);
  assert.equal(allowed(grpcEngines({ deny: [rule({ when: [jwt] })] }), call('reviews:9080')), false);
  assert.equal(allowed(grpcEngines({ deny: [rule({ when: [{ key: 'source.namespace', values: ['other'] }] })] }), call('reviews:9080')), true);
});
