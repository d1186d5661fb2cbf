// The KongConfiguration envelope: a bare decK file is wrapped whole as default/kong, an envelope
// written by hand keeps its name and namespace, and Kong's _format_version is checked.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDocuments } from '../../src/documents/parse';
import { translate } from '../../translators';

test('a bare decK file becomes the KongConfiguration default/kong with the whole file as spec', () => {
  const { documents, errors } = parseDocuments('_format_version: "3.0"\nservices: []\n');
  assert.deepEqual(errors, []);
  assert.deepEqual(documents, [
    { apiVersion: 'meshgate.io/v1alpha1', kind: 'KongConfiguration', metadata: { name: 'kong', namespace: 'default' }, spec: { _format_version: '3.0', services: [] } },
  ]);
});

test('a JSON decK file is wrapped the same way, beside other documents of the stream', () => {
  const { documents, errors } = parseDocuments('{"_format_version": "3.0"}\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n');
  assert.deepEqual(errors, []);
  assert.deepEqual(documents.map((d) => d.kind), ['KongConfiguration', 'Namespace']);
});

test('an envelope written by hand keeps its name, namespace and annotations', () => {
  const { documents } = parseDocuments('apiVersion: meshgate.io/v1alpha1\nkind: KongConfiguration\nmetadata: {name: edge, namespace: team-a, annotations: {meshgate.io/lenient: "true"}}\nspec: {_format_version: "3.0"}\n');
  assert.equal(documents[0]!.metadata.name, 'edge');
  assert.equal(documents[0]!.metadata.namespace, 'team-a');
  assert.equal(documents[0]!.metadata.annotations?.['meshgate.io/lenient'], 'true');
  assert.deepEqual(translate(documents).ir.proxies.map((p) => p.name), ['gateway/team-a/edge']);
});

test('a missing or Kong 2.x _format_version is an error naming the field', () => {
  const missing = translate(parseDocuments('apiVersion: meshgate.io/v1alpha1\nkind: KongConfiguration\nmetadata: {name: k}\nspec: {services: []}\n').documents);
  assert.deepEqual(missing.errors.map((e) => [e.document?.name, e.path]), [['k', '_format_version']]);
  const old = translate(parseDocuments('_format_version: "1.1"\n').documents);
  assert.match(old.errors[0]!.reason, /Kong 2\.x format.*deck file convert/);
});
