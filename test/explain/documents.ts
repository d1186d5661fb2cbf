// Explain over configuration built from input documents: translate → src/xds → explain, the same
// line /v1/apply serves, so a test states the documents and the request and checks what Envoy does.
import assert from 'node:assert/strict';
import yaml from 'js-yaml';
import type { InputDocument } from '../../src/documents/types';
import type { EnvoyResource } from '../../src/envoy/resource';
import { explainRequest, type ExplainRequest, type ExplainResult } from '../../src/explain';
import { formatIssue, validateSnapshot } from '../../src/validate';
import { buildProxyResources } from '../../src/xds';
import { translate } from '../../translators';

export const EDGE_GATEWAY = `
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: edge}
spec:
  gatewayClassName: meshgate
  listeners: [{name: http, port: 8080, protocol: HTTP}]
---
apiVersion: meshgate.io/v1alpha1
kind: Backend
metadata: {name: app}
spec:
  endpoints: [{address: 10.1.0.1, port: 8080}]
`;

/** The Envoy resources served to gateway/default/edge for these documents (which must be valid). */
export function servedResources(documentsYaml: string): readonly EnvoyResource[] {
  const documents = yaml.loadAll(documentsYaml).filter((d) => d !== null && d !== undefined) as InputDocument[];
  const result = translate(documents);
  assert.deepEqual(result.errors, [], 'the documents translate without errors');
  const proxy = result.ir.proxies.find((p) => p.name === 'gateway/default/edge');
  assert.ok(proxy, 'gateway/default/edge is served');
  const resources = buildProxyResources(proxy);
  assert.deepEqual(validateSnapshot(resources).map(formatIssue), [], 'the generated snapshot validates');
  return resources;
}

export function ask(resources: readonly EnvoyResource[], request: Partial<ExplainRequest> & { path: string }): ExplainResult {
  return explainRequest(resources, { port: 8080, host: 'shop.example.com', method: 'GET', ...request });
}
