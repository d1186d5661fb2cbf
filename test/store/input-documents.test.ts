// Input documents go into the store whole and come back out unchanged.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import type { InputDocument } from '../../src/documents/types';
import { DocumentStore } from '../../src/store/document-store';
import { StoreInputError } from '../../src/store/errors';
import { inputDocumentOf, storedDocumentOf } from '../../src/store/input-documents';
import { removeTempStoreDirs, tempStoreDir } from './helpers';

after(removeTempStoreDirs);

const route: InputDocument = {
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'HTTPRoute',
  metadata: { name: 'web', namespace: 'default', labels: { app: 'web' } },
  spec: { parentRefs: [{ name: 'edge' }], rules: [{ backendRefs: [{ name: 'web', port: 8080 }] }] },
};

test('an input document is stored under its group-qualified kind, namespace and name and read back equal', async () => {
  const store = await DocumentStore.open({ dir: await tempStoreDir() });
  try {
    const stored = storedDocumentOf(route);
    // Qualified by API group: an Istio Gateway and a Gateway API Gateway may share a namespace and name.
    assert.deepEqual(stored.key, { kind: 'HTTPRoute.gateway.networking.k8s.io', namespace: 'default', name: 'web' });
    await store.apply({ upserts: [stored] });
    assert.deepEqual(inputDocumentOf(store.get(stored.key)!), route);
  } finally {
    await store.close();
  }
});

test('a stored body that is not a Kubernetes-style document, or names another document, is refused', () => {
  assert.throws(() => inputDocumentOf({ key: { kind: 'KongDeclarative', namespace: '', name: 'kong' }, body: { _format_version: '3.0' } }), StoreInputError);
  assert.throws(() => inputDocumentOf({ key: { kind: 'HTTPRoute', namespace: 'default', name: 'other' }, body: storedDocumentOf(route).body }), /names a different document/);
});
