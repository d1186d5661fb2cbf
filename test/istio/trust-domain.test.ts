// The trust domain (the CA's --trust-domain) reaches everything the Istio translator writes about
// identities: workload identities, the SPIFFE IDs a client expects of its peers, and RBAC principals
// (Istio reads "cluster.local" in a policy's principal as the mesh's own trust domain).
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { test } from 'node:test';
import yaml from 'js-yaml';
import { CertificateAuthority } from '../../src/ca';
import type { InputDocument } from '../../src/documents/types';
import type { EnvoyResource } from '../../src/envoy/resource';
import { compile, type CompiledConfig } from '../../src/pipeline/compile';

const INPUT = `
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: productpage, namespace: default}
spec:
  hosts: [productpage.default.svc.cluster.local]
  location: MESH_INTERNAL
  resolution: STATIC
  ports: [{number: 9080, name: http, protocol: HTTP}]
  workloadSelector: {labels: {app: productpage}}
---
apiVersion: networking.istio.io/v1
kind: WorkloadEntry
metadata: {name: productpage-v1, namespace: default}
spec: {address: 10.0.0.10, labels: {app: productpage}, serviceAccount: bookinfo-productpage, ports: {http: 9081}}
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: reviews, namespace: default}
spec:
  hosts: [reviews.default.svc.cluster.local]
  location: MESH_INTERNAL
  resolution: STATIC
  ports: [{number: 9080, name: http, protocol: HTTP}]
  workloadSelector: {labels: {app: reviews}}
---
apiVersion: networking.istio.io/v1
kind: WorkloadEntry
metadata: {name: reviews-v1, namespace: default}
spec: {address: 10.0.0.21, labels: {app: reviews}, serviceAccount: bookinfo-reviews, ports: {http: 9081}}
---
apiVersion: networking.istio.io/v1
kind: Sidecar
metadata: {name: default, namespace: default}
spec:
  ingress:
  - port: {number: 9081, protocol: HTTP, name: http}
    defaultEndpoint: 127.0.0.1:3000
    captureMode: NONE
  egress:
  - port: {number: 9080, protocol: HTTP, name: http}
    captureMode: NONE
    hosts: ["./*"]
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: reviews-viewer, namespace: default}
spec:
  selector: {matchLabels: {app: reviews}}
  action: ALLOW
  rules:
  - from:
    - source: {principals: ["cluster.local/ns/default/sa/bookinfo-productpage", "other.td/ns/default/sa/legacy"]}
    - source: {serviceAccounts: ["admin"]}
    - source: {namespaces: ["ops"]}
`;

const documents = yaml.loadAll(INPUT) as InputDocument[];

function compiled(trustDomain?: string): CompiledConfig {
  const outcome = compile(documents, trustDomain ? { trustDomain } : {});
  assert.ok(outcome.ok, outcome.ok ? '' : JSON.stringify(outcome.errors));
  return outcome.config;
}

/** Every string under a key named `key` (at any depth) in the resources. */
function valuesUnder(resources: readonly EnvoyResource[], key: string): string[] {
  const out: string[] = [];
  const visit = (value: unknown, inside: boolean): void => {
    if (typeof value === 'string' && inside) out.push(value);
    if (Array.isArray(value)) value.forEach((v) => visit(v, inside));
    else if (typeof value === 'object' && value !== null) for (const [k, v] of Object.entries(value)) visit(v, inside || k === key);
  };
  resources.forEach((r) => visit(r.json, false));
  return [...new Set(out)].sort();
}

const group = (config: CompiledConfig, name: string): readonly EnvoyResource[] => {
  const resources = config.groups.get(name);
  assert.ok(resources, `group ${name} among ${[...config.groups.keys()].join(', ')}`);
  return resources;
};

test('with trust domain example.org, peers are expected as spiffe://example.org/... and RBAC principals name it', () => {
  const config = compiled('example.org');
  const productpage = group(config, 'sidecar/default/productpage-v1');
  assert.deepEqual(valuesUnder(productpage, 'match_typed_subject_alt_names'), ['URI', 'spiffe://example.org/ns/default/sa/bookinfo-productpage', 'spiffe://example.org/ns/default/sa/bookinfo-reviews']);
  const reviews = group(config, 'sidecar/default/reviews-v1');
  assert.deepEqual(valuesUnder(reviews, 'principal_name'), [
    // namespaces match in any trust domain, as Istio's do.
    'spiffe://[^/]+/ns/ops/.*',
    'spiffe://example.org/ns/default/sa/admin',
    // cluster.local points at the mesh's own trust domain; another trust domain is kept as written.
    'spiffe://example.org/ns/default/sa/bookinfo-productpage',
    'spiffe://other.td/ns/default/sa/legacy',
  ]);
  const mesh = config.ir.proxies.find((p) => p.name === 'sidecar/default/reviews-v1')?.mesh;
  assert.deepEqual(mesh?.workload.identity, { trustDomain: 'example.org', namespace: 'default', serviceAccount: 'bookinfo-reviews' });
  assert.ok(!JSON.stringify([...config.groups.values()]).includes('spiffe://cluster.local'), 'no identity is left in cluster.local');
});

test('without a trust domain, identities are in cluster.local', () => {
  const config = compiled();
  assert.deepEqual(valuesUnder(group(config, 'sidecar/default/productpage-v1'), 'match_typed_subject_alt_names'), ['URI', 'spiffe://cluster.local/ns/default/sa/bookinfo-productpage', 'spiffe://cluster.local/ns/default/sa/bookinfo-reviews']);
  assert.ok(valuesUnder(group(config, 'sidecar/default/reviews-v1'), 'principal_name').includes('spiffe://cluster.local/ns/default/sa/bookinfo-productpage'));
});

test('a certificate from a CA with trust domain example.org carries the SPIFFE ID peers expect and policies allow', async () => {
  const config = compiled('example.org');
  const { ca } = await CertificateAuthority.generate({ trustDomain: 'example.org' });
  const reviewsIdentity = config.ir.proxies.find((p) => p.name === 'sidecar/default/reviews-v1')!.mesh!.workload.identity;
  const productpageIdentity = config.ir.proxies.find((p) => p.name === 'sidecar/default/productpage-v1')!.mesh!.workload.identity;
  const uriOf = async (identity: typeof reviewsIdentity): Promise<string> => {
    const issued = await ca.issue(identity, 3600_000);
    const san = new X509Certificate(issued.certificateChainPem).subjectAltName ?? '';
    return san.replace(/^URI:/, '');
  };
  const reviewsUri = await uriOf(reviewsIdentity);
  const productpageUri = await uriOf(productpageIdentity);
  assert.equal(reviewsUri, 'spiffe://example.org/ns/default/sa/bookinfo-reviews');
  assert.ok(valuesUnder(group(config, 'sidecar/default/productpage-v1'), 'match_typed_subject_alt_names').includes(reviewsUri), 'the client accepts the server certificate');
  assert.ok(valuesUnder(group(config, 'sidecar/default/reviews-v1'), 'principal_name').includes(productpageUri), 'the server policy allows the client certificate');
});
