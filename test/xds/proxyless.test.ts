// Behaviour of the proxyless gRPC view beyond the golden files: which group a gRPC node reads,
// that compile() serves the view of every proxy, and the adaptations gRPC needs (each reported).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import yaml from 'js-yaml';
import { defaultNodeGroupResolver, isProxylessNode } from '../../src/cache/group-resolver';
import type { InputDocument } from '../../src/documents/types';
import type { EnvoyResource, JsonObject } from '../../src/envoy/resource';
import { TypeUrl } from '../../src/envoy/type-urls';
import type { Cluster } from '../../src/ir/cluster';
import type { Proxy } from '../../src/ir/types';
import { compile } from '../../src/pipeline/compile';
import type { NodeInfo } from '../../src/server/observer';
import { buildProxyResources, XdsBuildError } from '../../src/xds';
import { buildProxylessResources, buildProxylessView, serverListenerName, UNAVAILABLE_CLUSTER } from '../../src/xds/proxyless';
import { backend, httpListener, route, source } from './fixtures';
import { grpcRejections } from './proxyless-grpc-acceptance';

function node(partial: Partial<NodeInfo>): NodeInfo {
  return { id: 'n', cluster: '', metadata: {}, userAgentName: '', userAgentVersion: '', clientFeatures: [], ...partial };
}

function gateway(listeners: Proxy['listeners'], clusters: readonly Cluster[] = [backend]): Proxy {
  return { name: 'gateway/default/edge', kind: 'gateway', listeners, clusters, secrets: [] };
}

function named(resources: readonly EnvoyResource[], typeUrl: string, name: string): JsonObject {
  const found = resources.find((r) => r.typeUrl === typeUrl && r.name === name);
  assert.ok(found, `no ${typeUrl} named ${name} among ${resources.map((r) => r.name).join(', ')}`);
  return found.json;
}

function routesOf(resources: readonly EnvoyResource[], table: string): JsonObject[] {
  const config = named(resources, TypeUrl.RouteConfiguration, table);
  const hosts = config['virtual_hosts'] as JsonObject[];
  return hosts.flatMap((h) => (h['routes'] as JsonObject[] | undefined) ?? []);
}

test('a node with meshgate_proxyless true or "true" reads grpc:<group>; other values read the group itself', () => {
  assert.equal(defaultNodeGroupResolver(node({ metadata: { meshgate_group: 'sidecar/demo/a', meshgate_proxyless: true } })), 'grpc:sidecar/demo/a');
  assert.equal(defaultNodeGroupResolver(node({ cluster: 'c', metadata: { meshgate_proxyless: 'true' } })), 'grpc:c');
  assert.equal(defaultNodeGroupResolver(node({ metadata: { meshgate_proxyless: true } })), 'grpc:default');
  assert.equal(defaultNodeGroupResolver(node({ cluster: 'c', metadata: { meshgate_proxyless: 'false' } })), 'c');
  assert.equal(defaultNodeGroupResolver(node({ cluster: 'c', metadata: { meshgate_proxyless: 1 } })), 'c');
  assert.equal(isProxylessNode(node({})), false);
});

test('compile() serves the proxyless view of every proxy as grpc:<name>, valid and accepted by gRPC', () => {
  const documents = yaml.loadAll(`
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: edge}
spec:
  gatewayClassName: meshgate
  listeners: [{name: http, port: 8080, protocol: HTTP}]
---
apiVersion: meshgate.io/v1alpha1
kind: Backend
metadata: {name: echo}
spec:
  endpoints: [{address: 10.0.0.1, port: 50051}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: GRPCRoute
metadata: {name: echo}
spec:
  parentRefs: [{name: edge}]
  hostnames: [echo.example.com]
  rules: [{backendRefs: [{group: meshgate.io, kind: Backend, name: echo}]}]
`) as InputDocument[];
  const outcome = compile(documents);
  assert.ok(outcome.ok, JSON.stringify(!outcome.ok && outcome.errors));
  assert.deepEqual([...outcome.config.groups.keys()].sort(), ['gateway/default/edge', 'grpc:gateway/default/edge']);
  const view = outcome.config.groups.get('grpc:gateway/default/edge')!;
  assert.deepEqual(grpcRejections(view), []);
  assert.deepEqual(
    view.filter((r) => r.typeUrl === TypeUrl.Listener).map((r) => r.name),
    ['echo.example.com', 'echo.example.com:8080'],
  );
});

test('gRPC rejects what Envoy is given for the same routes, and accepts the proxyless view of them', () => {
  const proxy = gateway([httpListener('http', [route('api')], { virtualHosts: [{ name: 'api', domains: ['api.example.com'], routes: [route('api')] }] })]);
  const envoy = buildProxyResources(proxy);
  assert.ok(grpcRejections(envoy).some((e) => /path_specifier: path_separated_prefix/.test(e)), 'the oracle catches path_separated_prefix');
  const view = buildProxylessResources(proxy);
  assert.deepEqual(grpcRejections(view), []);
  assert.deepEqual((routesOf(view, '0.0.0.0_8080')[0]!['match'] as JsonObject)['prefix'], '/api/');
});

test('routes no gRPC call can match (query parameters, methods other than POST) are left out and noted; POST matches every call', () => {
  const proxy = gateway([
    httpListener('http', [
      route('query', { match: { queryParams: [{ name: 'v', type: 'Exact', value: '1' }] } }),
      route('get', { match: { method: 'GET' } }),
      route('post', { match: { method: 'POST' } }),
    ]),
  ]);
  const view = buildProxylessView(proxy);
  const routes = routesOf(view.resources, '0.0.0.0_8080');
  assert.deepEqual(routes.map((r) => r['name']), ['post']);
  assert.equal((routes[0]!['match'] as JsonObject)['headers'], undefined, 'the :method matcher is dropped');
  assert.ok(view.notes.some((n) => n.subject === 'route query' && /query parameters/.test(n.message)));
  assert.ok(view.notes.some((n) => n.subject === 'route get' && /every gRPC call is a POST/.test(n.message)));
});

test('direct responses and unusable backends fail calls through the unavailable cluster and a 100 % fault abort', () => {
  const proxy = gateway([
    httpListener('http', [route('gone', { action: { type: 'direct', status: 404 } }), route('zero', { action: { type: 'forward', backends: [{ cluster: 'backend', weight: 0 }] } })]),
  ]);
  const resources = buildProxylessResources(proxy);
  const [gone, zero] = routesOf(resources, '0.0.0.0_8080');
  assert.deepEqual(gone!['route'], { cluster: UNAVAILABLE_CLUSTER });
  const fault = (gone!['typed_per_filter_config'] as JsonObject)['envoy.filters.http.fault'] as JsonObject;
  assert.deepEqual(fault['abort'], { http_status: 404, percentage: { numerator: 100 } });
  assert.deepEqual(((zero!['typed_per_filter_config'] as JsonObject)['envoy.filters.http.fault'] as JsonObject)['abort'], { http_status: 500, percentage: { numerator: 100 } });
  assert.deepEqual(named(resources, TypeUrl.ClusterLoadAssignment, UNAVAILABLE_CLUSTER), { cluster_name: UNAVAILABLE_CLUSTER });
  assert.throws(() => buildProxylessResources(gateway(proxy.listeners, [backend, { ...backend, name: UNAVAILABLE_CLUSTER }])), XdsBuildError);
});

test('a bare name served on two ports is the lower port\'s; "<name>:<port>" names each port', () => {
  const vhost = (routeName: string) => [{ name: routeName, domains: ['shop.example.com'], routes: [route(routeName)] }];
  const proxy = gateway([
    httpListener('high', [], { port: 9090, virtualHosts: vhost('high') }),
    httpListener('low', [], { port: 8080, virtualHosts: vhost('low') }),
  ]);
  const resources = buildProxylessResources(proxy);
  const rdsOf = (listener: string): unknown => ((named(resources, TypeUrl.Listener, listener)['api_listener'] as JsonObject)['api_listener'] as JsonObject)['rds'];
  assert.equal((rdsOf('shop.example.com') as JsonObject)['route_config_name'], '0.0.0.0_8080');
  assert.equal((rdsOf('shop.example.com:8080') as JsonObject)['route_config_name'], '0.0.0.0_8080');
  assert.equal((rdsOf('shop.example.com:9090') as JsonObject)['route_config_name'], '0.0.0.0_9090');
});

test('clusters: LEAST_REQUEST becomes ROUND_ROBIN, MAGLEV RING_HASH, STRICT_DNS LOGICAL_DNS; each change is noted', () => {
  const clusters: Cluster[] = [
    { ...backend, name: 'least', lb: { type: 'LeastRequest' } },
    { ...backend, name: 'maglev', lb: { type: 'Maglev' } },
    { name: 'dns', discovery: { type: 'dns', hostname: 'api.example.com', port: 443 }, healthCheck: { type: 'tcp', intervalMs: 1000, timeoutMs: 500, healthyThreshold: 1, unhealthyThreshold: 2 }, source },
  ];
  const view = buildProxylessView(gateway([], clusters));
  assert.equal(named(view.resources, TypeUrl.Cluster, 'least')['lb_policy'], undefined);
  assert.equal(named(view.resources, TypeUrl.Cluster, 'maglev')['lb_policy'], 'RING_HASH');
  assert.equal(named(view.resources, TypeUrl.Cluster, 'dns')['type'], 'LOGICAL_DNS');
  assert.deepEqual(grpcRejections(view.resources), []);
  assert.deepEqual(
    view.notes.map((n) => n.subject),
    ['cluster least', 'cluster maglev', 'cluster dns', 'cluster dns'],
  );
});

test('an inbound listener becomes the server listener a gRPC server binding 0.0.0.0:<port> asks for', () => {
  assert.equal(serverListenerName(9080), 'grpc/server?xds.resource.listening_address=0.0.0.0:9080');
  const proxy: Proxy = {
    name: 'sidecar/demo/a',
    kind: 'sidecar',
    listeners: [],
    clusters: [],
    secrets: [],
    mesh: {
      workload: { name: 'demo/a', namespace: 'demo', labels: {}, identity: { trustDomain: 'cluster.local', namespace: 'demo', serviceAccount: 'a' } },
      captureMode: 'explicit',
      outbound: [],
      inbound: [{ name: 'inbound|9080', port: 9080, protocol: 'GRPC', forwardTo: { address: '127.0.0.1', port: 3000 }, mtls: 'DISABLE', authorization: { deny: [], allow: [] }, source }],
    },
  };
  const resources = buildProxylessResources(proxy);
  const listener = named(resources, TypeUrl.Listener, serverListenerName(9080));
  assert.deepEqual(listener['address'], { socket_address: { address: '0.0.0.0', port_value: 9080 } });
  const chains = listener['filter_chains'] as JsonObject[];
  assert.equal(chains.length, 1);
  assert.equal(chains[0]!['transport_socket'], undefined, 'DISABLE: plain text');
  const hcm = ((chains[0]!['filters'] as JsonObject[])[0]!['typed_config'] as JsonObject);
  const filters = hcm['http_filters'] as JsonObject[];
  assert.deepEqual(filters.map((f) => f['name']), ['envoy.filters.http.rbac/allow', 'envoy.filters.http.router']);
  assert.deepEqual((filters[0]!['typed_config'] as JsonObject)['rules'], {}, 'an empty ALLOW policy allows nothing');
  assert.deepEqual(grpcRejections(resources), []);
});

function goldenDocuments(file: string): InputDocument[] {
  return (yaml.loadAll(require('node:fs').readFileSync(require('node:path').join(__dirname, '../../../test/golden', file), 'utf8')) as InputDocument[]).filter((d) => d);
}

test('compile(): what the proxyless view adapts or leaves out is a warning on the source document', () => {
  const outcome = compile(goldenDocuments('proxyless/gateway-optional-filters/input.yaml'));
  assert.ok(outcome.ok);
  const route = outcome.config.statuses.find((s) => s.document.kind === 'HTTPRoute' && s.document.name === 'api');
  const warnings = route?.warnings ?? [];
  assert.ok(
    warnings.includes('proxyless gRPC view grpc:gateway/default/edge: route http/api.example.com/httproute/default/api/rule/0/match/0: policy "localRateLimit" runs in an Envoy filter gRPC clients do not have: sent as an optional filter, which they skip'),
    warnings.join('\n'),
  );
  assert.ok(warnings.some((w) => w.includes('filter envoy.filters.http.api_key_auth: holds consumers\' credentials')), warnings.join('\n'));
  // The optional filters reach the served view, the credentials do not.
  const view = outcome.config.groups.get('grpc:gateway/default/edge') ?? [];
  const listener = named(view, TypeUrl.Listener, 'api.example.com');
  assert.ok(JSON.stringify(listener).includes('"is_optional":true'));
  assert.ok(!JSON.stringify(view).includes('acme-key-000000'), 'API keys are never sent to gRPC clients');
});

// Istio has no proxyless mapping of outlierDetection (its consecutive-error fields have no gRPC
// counterpart), so nothing is invented: the view says so on the cluster's source, the ServiceEntry.
test('compile(): an Istio outlierDetection gRPC cannot honour is reported on the cluster\'s document', () => {
  const outcome = compile(goldenDocuments('istio/dr-outlier-detection/input.yaml'));
  assert.ok(outcome.ok);
  const rule = outcome.config.statuses.find((s) => s.document.kind === 'ServiceEntry' && s.document.name === 'reviews');
  assert.ok((rule?.warnings ?? []).some((w) => w.startsWith('proxyless gRPC view grpc:sidecar/default/productpage-v1: cluster outbound|9080|') && w.includes('consecutive-error ejection is not supported by gRPC clients')), JSON.stringify(rule));
});
