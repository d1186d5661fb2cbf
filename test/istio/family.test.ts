// The Istio family inside translate(): which documents it owns (defensively, before any schema
// check), how its errors point at the submitted documents, and how it sits beside the Gateway API
// family (same kind name "Gateway" in two groups, proxy groups of both).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import yaml from 'js-yaml';
import type { InputDocument } from '../../src/documents/types';
import { compile } from '../../src/pipeline/compile';
import { buildProxyResources, XdsBuildError } from '../../src/xds';
import { translate } from '../../translators';
import { istioFamily } from '../../translators/istio';
import { goldenCases, goldenPath } from '../golden-helper';

const se = (name: string, extra: Record<string, unknown> = {}): InputDocument => ({
  apiVersion: 'networking.istio.io/v1',
  kind: 'ServiceEntry',
  metadata: { name, namespace: 'demo' },
  spec: { hosts: [name], resolution: 'STATIC', ports: [{ number: 8080, name: 'http', protocol: 'HTTP' }], workloadSelector: { labels: { app: name } }, ...extra },
});
const we = (name: string, app: string, address: string | undefined): InputDocument => ({
  apiVersion: 'networking.istio.io/v1beta1',
  kind: 'WorkloadEntry',
  metadata: { name, namespace: 'demo' },
  spec: { ...(address ? { address } : {}), labels: { app }, serviceAccount: app },
});

test('owns() reads only the Istio API groups and never throws on malformed documents', () => {
  const odd = [null, {}, { apiVersion: 5 }, { apiVersion: 'v1', kind: 'Secret' }, { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway' }];
  for (const doc of odd) assert.equal(istioFamily.owns(doc as unknown as InputDocument), false, JSON.stringify(doc));
  assert.equal(istioFamily.owns({ apiVersion: 'networking.istio.io/v1alpha3', kind: 'Gateway' } as InputDocument), true);
  assert.equal(istioFamily.owns({ apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication' } as InputDocument), true);
});

test('errors name the document, the field path and the reason, indexed into the whole submission', () => {
  const gatewayApi: InputDocument = { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'GatewayClass', metadata: { name: 'meshgate', namespace: 'default' }, spec: { controllerName: 'meshgate.io/gateway-controller' } };
  const bad: InputDocument = { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'catalog', namespace: 'demo' }, spec: { hosts: ['catalog'], http: [{ timeout: 'soon', route: [{ destination: { host: 'catalog' } }] }] } };
  const result = translate([gatewayApi, se('catalog'), bad, we('w', 'catalog', undefined)]);
  const byPath = new Map(result.errors.map((e) => [e.path, e]));
  const timeout = byPath.get('spec.http[0].timeout');
  assert.ok(timeout, JSON.stringify(result.errors));
  assert.equal(timeout.index, 2);
  assert.deepEqual(timeout.document, { kind: 'VirtualService', namespace: 'demo', name: 'catalog' });
  assert.match(timeout.reason, /not a duration/);
  const address = byPath.get('spec.address');
  assert.equal(address?.index, 3);
  assert.match(address?.reason ?? '', /address/);
});

test('an Istio Gateway and a Gateway API Gateway of the same name give two proxy groups', () => {
  const istioGw: InputDocument = { apiVersion: 'networking.istio.io/v1', kind: 'Gateway', metadata: { name: 'edge', namespace: 'demo' }, spec: { servers: [{ port: { number: 8080, name: 'http', protocol: 'HTTP' }, hosts: ['*'] }] } };
  const cls: InputDocument = { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'GatewayClass', metadata: { name: 'meshgate', namespace: 'default' }, spec: { controllerName: 'meshgate.io/gateway-controller' } };
  const apiGw: InputDocument = { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: { name: 'edge', namespace: 'demo' }, spec: { gatewayClassName: 'meshgate', listeners: [{ name: 'http', port: 8081, protocol: 'HTTP' }] } };
  const result = translate([istioGw, cls, apiGw]);
  assert.deepEqual(result.errors, []);
  assert.deepEqual(result.ir.proxies.map((p) => p.name).sort(), ['gateway/demo/edge', 'istio-gateway/demo/edge']);
});

test('compile: STRICT PeerAuthentication makes the inbound listener require a client certificate from the mesh CA', () => {
  const docs: InputDocument[] = [
    se('catalog'),
    we('catalog-1', 'catalog', '10.0.0.5'),
    { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: 'default', namespace: 'demo' }, spec: { mtls: { mode: 'STRICT' } } },
  ];
  const outcome = compile(docs);
  assert.ok(outcome.ok, JSON.stringify(outcome.ok ? '' : outcome.errors));
  const resources = outcome.config.groups.get('sidecar/demo/catalog-1')!;
  // No Sidecar resource: transparent capture, the inbound port is a virtual listener on the workload's address.
  const inbound = resources.find((r) => r.name === '10.0.0.5_8080')!.json;
  assert.equal(inbound['bind_to_port'], false);
  const chains = inbound['filter_chains'] as Record<string, unknown>[];
  assert.equal(chains.length, 1);
  const socket = (chains[0]!['transport_socket'] as { typed_config: Record<string, unknown> }).typed_config;
  assert.equal(socket['require_client_certificate'], true);
  const common = socket['common_tls_context'] as Record<string, unknown>;
  assert.deepEqual(common['tls_certificate_sds_secret_configs'], [{ name: 'default', sds_config: { ads: {}, resource_api_version: 'V3' } }]);
  assert.ok(resources.some((r) => r.name === 'virtualInbound') && resources.some((r) => r.name === 'virtualOutbound'));
});

test('a service short name resolves in the namespace of the document that writes it', () => {
  const vs: InputDocument = { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'catalog', namespace: 'demo' }, spec: { hosts: ['catalog'], http: [{ route: [{ destination: { host: 'catalog' } }], timeout: '2s' }] } };
  const result = translate([se('catalog'), we('catalog-1', 'catalog', '10.0.0.5'), se('frontend'), we('frontend-1', 'frontend', '10.0.0.6'), vs]);
  const frontend = result.ir.proxies.find((p) => p.name === 'sidecar/demo/frontend-1')!;
  const vhost = frontend.mesh!.outbound[0]!.virtualHosts.find((v) => v.name === 'catalog.demo.svc.cluster.local:8080')!;
  assert.ok(vhost.domains.includes('catalog'));
  const action = vhost.routes[0]!.action;
  assert.equal(action.type === 'forward' ? action.timeoutMs : undefined, 2000);
  assert.equal(action.type === 'forward' ? action.backends[0]!.cluster : undefined, 'outbound|8080||catalog.demo.svc.cluster.local');
});

test('malformed variants of every golden input never crash translation or the Envoy build', () => {
  let seed = 12345;
  const random = (): number => ((seed = (seed * 1103515245 + 12345) % 2147483648), seed / 2147483648);
  const odd: unknown[] = [null, 0, -1, 1.5, '', 'x', [], {}, true, 99999, '*', '~/*', 'a/b', '0s'];
  const mutate = (value: unknown): unknown => {
    if (Array.isArray(value)) {
      if (value.length > 0) {
        const i = Math.floor(random() * value.length);
        value[i] = random() < 0.5 ? odd[Math.floor(random() * odd.length)] : mutate(value[i]);
      }
      return value;
    }
    if (typeof value === 'object' && value !== null) {
      const record = value as Record<string, unknown>;
      const keys = Object.keys(record);
      if (keys.length > 0) {
        const k = keys[Math.floor(random() * keys.length)]!;
        if (random() < 0.3) record[k] = odd[Math.floor(random() * odd.length)];
        else if (random() < 0.1) delete record[k];
        else record[k] = mutate(record[k]);
      }
    }
    return value;
  };
  const cases = goldenCases('istio');
  for (let n = 0; n < 800; n++) {
    const name = cases[n % cases.length]!;
    const docs = yaml.loadAll(fs.readFileSync(goldenPath(`istio/${name}/input.yaml`), 'utf8')).filter((d) => d !== null && d !== undefined) as InputDocument[];
    const i = Math.floor(random() * docs.length);
    docs[i] = mutate(docs[i]) as InputDocument;
    const result = translate(docs);
    for (const proxy of result.ir.proxies) {
      try {
        buildProxyResources(proxy);
      } catch (err) {
        if (!(err instanceof XdsBuildError)) throw new Error(`${name}: ${String(err)} for ${JSON.stringify(docs[i]).slice(0, 300)}`);
      }
    }
  }
});
