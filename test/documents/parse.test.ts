import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDocuments } from '../../src/documents/parse';

test('multi-document YAML becomes input documents with the default namespace filled in', () => {
  const { documents, errors } = parseDocuments(`
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: edge}
spec: {gatewayClassName: meshgate}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: web, namespace: shop, labels: {team: a}}
spec: {}
`);
  assert.deepEqual(errors, []);
  assert.deepEqual(
    documents.map((d) => [d.kind, d.metadata.namespace, d.metadata.name]),
    [
      ['Gateway', 'default', 'edge'],
      ['HTTPRoute', 'shop', 'web'],
    ],
  );
  assert.deepEqual(documents[1]!.metadata.labels, { team: 'a' });
});

test('JSON arrays and Kubernetes Lists are flattened', () => {
  const list = JSON.stringify({ kind: 'List', items: [{ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'a' }, type: 'kubernetes.io/tls', stringData: { 'tls.crt': 'x' } }] });
  const { documents, errors } = parseDocuments(list);
  assert.deepEqual(errors, []);
  assert.deepEqual(documents[0]!.spec, { type: 'kubernetes.io/tls', stringData: { 'tls.crt': 'x' } });
});

test('malformed YAML is reported with its position', () => {
  const { documents, errors } = parseDocuments('kind: Gateway\nmetadata: {name: [\n');
  assert.equal(documents.length, 0);
  assert.equal(errors.length, 1);
  assert.match(errors[0]!.reason, /malformed YAML/);
  assert.match(errors[0]!.path, /line \d+, column \d+/);
});

test('envelope errors name the document index and the field', () => {
  const { errors } = parseDocuments(`
apiVersion: v1
kind: Secret
metadata: {name: ok}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: Bad_Name}
spec: {}
---
kind: HTTPRoute
metadata: {name: x}
---
apiVersion: a/b
kind: K
metadata: {name: y}
spec: {}
extra: 1
`);
  assert.deepEqual(
    errors.map((e) => [e.index, e.path]),
    [
      [1, 'metadata.name'],
      [2, 'apiVersion'],
      [3, 'extra'],
    ],
  );
});
