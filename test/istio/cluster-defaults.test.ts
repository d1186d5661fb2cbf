// Istio's cluster defaults: istiod sets every circuit-breaker threshold of a mesh cluster to the
// largest uint32 (not Envoy's 1024 / 1024 / 1024 / 3), a DestinationRule connectionPool field
// replaces only its own threshold, and 0 means the default. Other families keep Envoy's defaults,
// and proxyless gRPC clients get only what a rule sets (as from istiod's gRPC generator).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import yaml from 'js-yaml';
import type { InputDocument } from '../../src/documents/types';
import type { JsonObject } from '../../src/envoy/resource';
import { TypeUrl } from '../../src/envoy/type-urls';
import { UNLIMITED } from '../../src/ir/cluster';
import type { Proxy } from '../../src/ir/types';
import { buildProxyResources } from '../../src/xds';
import { buildProxylessResources } from '../../src/xds/proxyless';
import { translate, type TranslationResult } from '../../translators';
import { BASIC_FIXTURE } from '../cli/helpers';

const NS = 'demo';
const REVIEWS = `outbound|9080||reviews.${NS}.svc.cluster.local`;
const REVIEWS_V2 = `outbound|9080|v2|reviews.${NS}.svc.cluster.local`;

function registry(): InputDocument[] {
  return [
    {
      apiVersion: 'networking.istio.io/v1',
      kind: 'ServiceEntry',
      metadata: { name: 'reviews', namespace: NS },
      spec: { hosts: ['reviews'], location: 'MESH_INTERNAL', resolution: 'STATIC', ports: [{ number: 9080, name: 'http', protocol: 'HTTP' }], workloadSelector: { labels: { app: 'reviews' } } },
    },
    { apiVersion: 'networking.istio.io/v1', kind: 'WorkloadEntry', metadata: { name: 'reviews-v1', namespace: NS }, spec: { address: '10.0.0.21', labels: { app: 'reviews', version: 'v1' }, serviceAccount: 'reviews' } },
    { apiVersion: 'networking.istio.io/v1', kind: 'WorkloadEntry', metadata: { name: 'reviews-v2', namespace: NS }, spec: { address: '10.0.0.22', labels: { app: 'reviews', version: 'v2' }, serviceAccount: 'reviews' } },
  ];
}

function rule(trafficPolicy: JsonObject | undefined, subsetPolicy?: JsonObject): InputDocument {
  return {
    apiVersion: 'networking.istio.io/v1',
    kind: 'DestinationRule',
    metadata: { name: 'reviews', namespace: NS },
    spec: {
      host: 'reviews',
      ...(trafficPolicy ? { trafficPolicy } : {}),
      subsets: [
        { name: 'v1', labels: { version: 'v1' } },
        { name: 'v2', labels: { version: 'v2' }, ...(subsetPolicy ? { trafficPolicy: subsetPolicy } : {}) },
      ],
    },
  };
}

/** A route to subset v2, so that its cluster exists on the caller. */
const toV2: InputDocument = {
  apiVersion: 'networking.istio.io/v1',
  kind: 'VirtualService',
  metadata: { name: 'reviews', namespace: NS },
  spec: { hosts: ['reviews'], http: [{ match: [{ headers: { canary: { exact: 'yes' } } }], route: [{ destination: { host: 'reviews', subset: 'v2' } }] }, { route: [{ destination: { host: 'reviews' } }] }] },
};

function translated(extra: readonly InputDocument[]): TranslationResult {
  const result = translate([...registry(), ...extra]);
  assert.deepEqual(result.errors, []);
  return result;
}

function sidecar(result: TranslationResult): Proxy {
  const proxy = result.ir.proxies.find((p) => p.name === `sidecar/${NS}/reviews-v1`);
  assert.ok(proxy, 'no sidecar group for reviews-v1');
  return proxy;
}

function thresholds(proxy: Proxy, cluster: string, build = buildProxyResources): JsonObject | undefined {
  const found = build(proxy).find((r) => r.typeUrl === TypeUrl.Cluster && r.name === cluster);
  assert.ok(found, `no cluster ${cluster}`);
  const cb = found.json['circuit_breakers'] as { thresholds: JsonObject[] } | undefined;
  return cb?.thresholds[0];
}

const istioDefaults = { max_connections: UNLIMITED, max_pending_requests: UNLIMITED, max_requests: UNLIMITED, max_retries: UNLIMITED, track_remaining: true };

test('without a DestinationRule every mesh cluster of a sidecar has no limits (outbound, inbound, passthrough)', () => {
  const proxy = sidecar(translated([]));
  assert.deepEqual(thresholds(proxy, REVIEWS), istioDefaults);
  const inbound = buildProxyResources(proxy).filter((r) => r.typeUrl === TypeUrl.Cluster && r.name.startsWith('inbound|'));
  assert.ok(inbound.length > 0, 'no inbound cluster');
  for (const c of inbound) assert.deepEqual((c.json['circuit_breakers'] as { thresholds: JsonObject[] }).thresholds[0], istioDefaults, c.name);
  assert.deepEqual(thresholds(proxy, 'PassthroughCluster'), istioDefaults);
});

test('a connectionPool field replaces only its own threshold; the others keep Istio\'s default', () => {
  const proxy = sidecar(translated([rule({ connectionPool: { tcp: { maxConnections: 7 } } })]));
  assert.deepEqual(thresholds(proxy, REVIEWS), { ...istioDefaults, max_connections: 7 });
  const proxy2 = sidecar(translated([rule({ connectionPool: { http: { http1MaxPendingRequests: 3, maxRetries: 5 } } })]));
  assert.deepEqual(thresholds(proxy2, REVIEWS), { ...istioDefaults, max_pending_requests: 3, max_retries: 5 });
});

test('a subset\'s connectionPool replaces the top-level one as a whole, then Istio\'s defaults fill in', () => {
  const result = translated([rule({ connectionPool: { tcp: { maxConnections: 7 } } }, { connectionPool: { http: { http2MaxRequests: 40 } } }), toV2]);
  const proxy = sidecar(result);
  assert.deepEqual(thresholds(proxy, REVIEWS), { ...istioDefaults, max_connections: 7 });
  assert.deepEqual(thresholds(proxy, REVIEWS_V2), { ...istioDefaults, max_requests: 40 });
});

test('a limit of 0 means Istio\'s default and is reported on the rule', () => {
  const result = translated([rule({ connectionPool: { http: { maxRetries: 0, http2MaxRequests: 9, maxRequestsPerConnection: 0 } } })]);
  assert.deepEqual(thresholds(sidecar(result), REVIEWS), { ...istioDefaults, max_requests: 9 });
  // maxRequestsPerConnection 0 is Envoy's default too (no limit), so nothing is written for it.
  const cluster = buildProxyResources(sidecar(result)).find((r) => r.typeUrl === TypeUrl.Cluster && r.name === REVIEWS);
  assert.equal(cluster?.json['typed_extension_protocol_options'], undefined);
  const warnings = result.statuses.find((s) => s.document.kind === 'DestinationRule')?.warnings ?? [];
  assert.ok(warnings.some((w) => w.includes('spec.trafficPolicy.connectionPool.http.maxRetries: 0')), JSON.stringify(warnings));
});

test('an Istio ingress gateway\'s clusters take Istio\'s defaults too', () => {
  const gateway: InputDocument = { apiVersion: 'networking.istio.io/v1', kind: 'Gateway', metadata: { name: 'edge', namespace: NS }, spec: { selector: { istio: 'ingressgateway' }, servers: [{ port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: ['*'] }] } };
  const vs: InputDocument = { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'edge', namespace: NS }, spec: { hosts: ['*'], gateways: ['edge'], http: [{ route: [{ destination: { host: 'reviews', port: { number: 9080 } } }] }] } };
  const result = translated([gateway, vs, rule({ connectionPool: { http: { maxRetries: 2 } } })]);
  const proxy = result.ir.proxies.find((p) => p.name === `istio-gateway/${NS}/edge`);
  assert.ok(proxy, 'no gateway group');
  assert.deepEqual(thresholds(proxy, REVIEWS), { ...istioDefaults, max_retries: 2 });
});

test('proxyless gRPC clients get only the limit a rule sets, as from istiod\'s gRPC generator', () => {
  const unset = sidecar(translated([]));
  assert.equal(thresholds(unset, REVIEWS, buildProxylessResources), undefined);
  const set = sidecar(translated([rule({ connectionPool: { http: { http2MaxRequests: 40 } } })]));
  assert.deepEqual(thresholds(set, REVIEWS, buildProxylessResources), { max_requests: 40 });
});

test('Gateway API clusters keep Envoy\'s defaults (no circuit breakers unless a policy sets them)', () => {
  const docs = yaml.loadAll(fs.readFileSync(BASIC_FIXTURE, 'utf8')).filter((d) => d !== null && d !== undefined) as InputDocument[];
  const result = translate(docs);
  const proxy = result.ir.proxies[0];
  assert.ok(proxy);
  const clusters = buildProxyResources(proxy).filter((r) => r.typeUrl === TypeUrl.Cluster);
  assert.ok(clusters.length > 0);
  for (const c of clusters) assert.equal(c.json['circuit_breakers'], undefined, c.name);
});
