// The proxyless view's route tables hand out virtual hosts built equal to the last build as the
// same frozen objects (src/xds/proxyless/route-table.ts), so a one-route change re-validates one
// host even when the view is not served (compile() validates it without structural sharing).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { InputDocument } from '../../src/documents/types';
import type { JsonObject } from '../../src/envoy/resource';
import { TypeUrl } from '../../src/envoy/type-urls';
import { buildProxylessView } from '../../src/xds/proxyless';
import { translate } from '../../translators';

function doc(apiVersion: string, kind: string, name: string, spec: JsonObject): InputDocument {
  return { apiVersion, kind, metadata: { name, namespace: 'default' }, spec };
}

function documents(prefixOfRoute0: string): InputDocument[] {
  const docs = [
    doc('gateway.networking.k8s.io/v1', 'GatewayClass', 'meshgate', { controllerName: 'meshgate.io/gateway-controller' }),
    doc('gateway.networking.k8s.io/v1', 'Gateway', 'edge', { gatewayClassName: 'meshgate', listeners: [{ name: 'http', port: 8080, protocol: 'HTTP' }] }),
  ];
  for (let i = 0; i < 3; i++) {
    docs.push(
      doc('gateway.networking.k8s.io/v1', 'HTTPRoute', `route-${i}`, {
        parentRefs: [{ name: 'edge' }],
        hostnames: [`r${i}.example.com`],
        rules: [{ matches: [{ path: { type: 'PathPrefix', value: i === 0 ? prefixOfRoute0 : '/' } }], backendRefs: [{ group: 'meshgate.io', kind: 'Backend', name: `svc-${i}` }] }],
      }),
      doc('meshgate.io/v1alpha1', 'Backend', `svc-${i}`, { endpoints: [{ address: `10.0.0.${i + 1}`, port: 8080 }] }),
    );
  }
  return docs;
}

function hostsOf(prefixOfRoute0: string): Map<string, JsonObject> {
  const proxy = translate(documents(prefixOfRoute0)).ir.proxies[0]!;
  const tables = buildProxylessView(proxy).resources.filter((r) => r.typeUrl === TypeUrl.RouteConfiguration);
  const out = new Map<string, JsonObject>();
  for (const table of tables) for (const host of table.json['virtual_hosts'] as JsonObject[]) out.set(String(host['name']), host);
  return out;
}

test('unchanged virtual hosts of a proxyless route table are the same frozen objects; the changed one is new', () => {
  const before = hostsOf('/');
  const after = hostsOf('/v2');
  assert.equal(after.size, 3);
  let same = 0;
  for (const [name, host] of after) {
    assert.ok(Object.isFrozen(host), name);
    if (name.includes('r0.example.com')) assert.notEqual(host, before.get(name), 'the changed host is built anew');
    else {
      assert.equal(host, before.get(name), `${name} is handed out again`);
      same++;
    }
  }
  assert.equal(same, 2);
});
