// Explain on a sidecar's inbound side: a request from workload A (its SPIFFE identity, a JWT's
// claims) reaching workload B is allowed or denied by the expected AuthorizationPolicy rule. The
// Envoy config comes from Istio YAML through the real translation and src/xds.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import yaml from 'js-yaml';
import type { InputDocument } from '../../src/documents/types';
import type { EnvoyResource } from '../../src/envoy/resource';
import { explainMeshAuthorization, type MeshAuthorizationRequest } from '../../src/explain/mesh-authorization';
import { buildProxyResources } from '../../src/xds';
import { recordingContext } from '../istio/security-harness';
import { translate } from '../../translators/families';
import { isSecurityDocument } from '../../translators/istio/kinds';
import { applyIstioSecurity } from '../../translators/istio/security';

const REGISTRY = `
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: catalog, namespace: demo}
spec:
  hosts: [catalog.demo.svc.cluster.local]
  ports: [{number: 8080, name: http, protocol: HTTP}]
  resolution: STATIC
  workloadSelector: {labels: {app: catalog}}
---
apiVersion: networking.istio.io/v1
kind: WorkloadEntry
metadata: {name: catalog-v1, namespace: demo}
spec: {address: 10.77.0.11, ports: {http: 9080}, labels: {app: catalog, version: v1}, serviceAccount: catalog}
---
apiVersion: networking.istio.io/v1
kind: Sidecar
metadata: {name: catalog, namespace: demo}
spec:
  workloadSelector: {labels: {app: catalog}}
  ingress:
  - port: {number: 9080, protocol: HTTP, name: http}
    defaultEndpoint: 127.0.0.1:3000
    captureMode: NONE
`;

/** The catalog sidecar's Envoy resources for the registry plus `policies`. */
function catalogSidecar(policies: string, registry = REGISTRY): EnvoyResource[] {
  const docs = (yaml.loadAll(`${registry}\n---\n${policies}`) as InputDocument[]).filter((d) => d);
  const translated = translate(docs.filter((d) => !isSecurityDocument(d)));
  assert.deepEqual(translated.errors, []);
  const { ctx, errors } = recordingContext();
  const proxies = applyIstioSecurity(translated.ir.proxies, docs.filter(isSecurityDocument), ctx);
  assert.deepEqual(errors, []);
  const proxy = proxies.find((p) => p.name === 'sidecar/demo/catalog-v1');
  assert.ok(proxy, 'the catalog sidecar exists');
  return buildProxyResources(proxy);
}

const FRONTEND = { principal: 'cluster.local/ns/demo/sa/frontend', ip: '10.77.0.10' };
const get = (extra: Partial<MeshAuthorizationRequest> = {}): MeshAuthorizationRequest => ({ port: 9080, host: 'catalog', method: 'GET', path: '/items', source: FRONTEND, ...extra });

const VIEWER = `
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: catalog-viewer, namespace: demo}
spec:
  selector: {matchLabels: {app: catalog}}
  rules:
  - from:
    - source: {principals: ["cluster.local/ns/demo/sa/frontend"]}
    to:
    - operation: {methods: ["GET"]}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: deny-admin, namespace: demo}
spec:
  action: DENY
  rules:
  - to:
    - operation: {paths: ["/admin/*"]}
`;

test('frontend GET is allowed by the principal rule; the decision names the policy rule', () => {
  const result = explainMeshAuthorization(catalogSidecar(VIEWER), get());
  assert.equal(result.decision, 'allowed');
  assert.equal(result.decidedBy, 'demo/catalog-viewer[rules[0]]');
  assert.match(result.summary, /allowed by ALLOW rule demo\/catalog-viewer\[rules\[0\]\]/);
});

test('another service account is denied: no ALLOW rule matches (403)', () => {
  const result = explainMeshAuthorization(catalogSidecar(VIEWER), get({ source: { namespace: 'demo', serviceAccount: 'orders' } }));
  assert.equal(result.decision, 'denied');
  assert.equal(result.status, 403);
  assert.match(result.summary, /no ALLOW rule matches/);
});

test('DENY runs before ALLOW: frontend is denied on /admin/* by the DENY rule', () => {
  const result = explainMeshAuthorization(catalogSidecar(VIEWER), get({ path: '/admin/users' }));
  assert.equal(result.decision, 'denied');
  assert.equal(result.decidedBy, 'demo/deny-admin[rules[0]]');
  assert.equal(result.steps.find((s) => s.outcome === 'denied')?.detail.startsWith('DENY'), true);
});

test('the allowed principal is denied for a method its rule does not grant', () => {
  const result = explainMeshAuthorization(catalogSidecar(VIEWER), get({ method: 'POST' }));
  assert.equal(result.decision, 'denied');
});

test('allow-nothing denies even a request no rule mentions', () => {
  const result = explainMeshAuthorization(catalogSidecar('apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: allow-nothing, namespace: demo}\nspec: {}'), get());
  assert.equal(result.decision, 'denied');
  assert.match(result.summary, /allows nothing/);
});

test('namespace rule: a peer from another namespace is denied, one from demo allowed', () => {
  const policy = `
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: same-namespace, namespace: demo}
spec:
  rules:
  - from:
    - source: {namespaces: ["demo"]}`;
  const resources = catalogSidecar(policy);
  assert.equal(explainMeshAuthorization(resources, get()).decision, 'allowed');
  assert.equal(explainMeshAuthorization(resources, get({ source: { namespace: 'shop', serviceAccount: 'frontend' } })).decision, 'denied');
});

test('STRICT mTLS closes a plain-text connection before any policy runs', () => {
  const policy = 'apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: default, namespace: istio-system}\nspec: {mtls: {mode: STRICT}}';
  const resources = catalogSidecar(policy);
  const plain = explainMeshAuthorization(resources, get({ source: { ip: '10.77.0.4' } }));
  assert.equal(plain.decision, 'connection_closed');
  assert.equal(explainMeshAuthorization(resources, get()).decision, 'allowed');
});

const JWT_POLICIES = `
apiVersion: security.istio.io/v1
kind: RequestAuthentication
metadata: {name: jwt, namespace: demo}
spec:
  jwtRules:
  - issuer: "https://issuer.example.com"
    jwks: '{"keys":[]}'
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: require-jwt, namespace: demo}
spec:
  rules:
  - from:
    - source: {requestPrincipals: ["https://issuer.example.com/alice"]}
    when:
    - {key: "request.auth.claims[groups]", values: ["readers"]}
`;

test('JWT: the request principal and a list claim allow alice; bob and a missing token are denied', () => {
  const resources = catalogSidecar(JWT_POLICIES);
  const alice = explainMeshAuthorization(resources, get({ jwt: { iss: 'https://issuer.example.com', sub: 'alice', groups: ['readers', 'staff'] } }));
  assert.equal(alice.decision, 'allowed');
  assert.equal(alice.decidedBy, 'demo/require-jwt[rules[0]]');
  assert.equal(explainMeshAuthorization(resources, get({ jwt: { iss: 'https://issuer.example.com', sub: 'bob', groups: ['readers'] } })).decision, 'denied');
  const missing = explainMeshAuthorization(resources, get());
  assert.equal(missing.decision, 'denied');
  assert.equal(missing.steps.find((s) => s.kind === 'jwt_authn')?.outcome, 'passed');
});

test('JWT: a token from an issuer no rule names is rejected with 401', () => {
  const result = explainMeshAuthorization(catalogSidecar(JWT_POLICIES), get({ jwt: { iss: 'https://evil.example.com', sub: 'alice' } }));
  assert.equal(result.decision, 'denied');
  assert.equal(result.status, 401);
});

test('CUSTOM: only requests matching its rules go to the authorizer, whose answer decides', () => {
  const policy = `
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: ext-authz, namespace: demo}
spec:
  action: CUSTOM
  provider: {name: "10.77.0.21:9191"}
  rules:
  - to:
    - operation: {paths: ["/admin/*"]}`;
  const resources = catalogSidecar(policy);
  const plain = explainMeshAuthorization(resources, get());
  assert.equal(plain.decision, 'allowed');
  assert.equal(plain.steps.find((s) => s.kind === 'ext_authz')?.outcome, 'skipped');
  assert.equal(explainMeshAuthorization(resources, get({ path: '/admin/x' })).decision, 'unknown');
  const denied = explainMeshAuthorization(resources, get({ path: '/admin/x', extAuthz: 'deny' }));
  assert.equal(denied.decision, 'denied');
  assert.equal(denied.decidedBy, 'demo/ext-authz[rules[0]]');
  assert.equal(explainMeshAuthorization(resources, get({ path: '/admin/x', extAuthz: 'allow' })).decision, 'allowed');
});

test('AUDIT only logs: the request is flagged and still allowed', () => {
  const policy = `
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: audit-get, namespace: demo}
spec:
  action: AUDIT
  rules:
  - to:
    - operation: {methods: ["GET"]}`;
  const result = explainMeshAuthorization(catalogSidecar(policy), get());
  assert.equal(result.decision, 'allowed');
  assert.equal(result.steps.find((s) => s.outcome === 'logged')?.matchedPolicy, 'demo/audit-get[rules[0]]');
});

test('a port without an inbound listener is reported', () => {
  assert.equal(explainMeshAuthorization(catalogSidecar(VIEWER), get({ port: 9999 })).decision, 'no_listener');
});

test('transparent capture (no Sidecar): the per-port virtual inbound listener is walked; plain text has no principal', () => {
  const transparent = REGISTRY.slice(0, REGISTRY.indexOf('---\napiVersion: networking.istio.io/v1\nkind: Sidecar'));
  const resources = catalogSidecar(VIEWER, transparent);
  const allowed = explainMeshAuthorization(resources, get());
  assert.equal(allowed.decision, 'allowed');
  assert.equal(allowed.listener, '10.77.0.11_9080');
  const plain = explainMeshAuthorization(resources, get({ source: { ip: '10.77.0.4' } }));
  assert.equal(plain.decision, 'denied');
  assert.equal(plain.steps[0]?.detail, 'plain text, no peer identity');
});

const LEDGER = `
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: ledger, namespace: demo}
spec:
  hosts: [ledger.demo.svc.cluster.local]
  ports: [{number: 5432, name: tcp, protocol: TCP}]
  resolution: STATIC
  workloadSelector: {labels: {app: ledger}}
---
apiVersion: networking.istio.io/v1
kind: WorkloadEntry
metadata: {name: ledger-1, namespace: demo}
spec: {address: 10.77.0.30, ports: {tcp: 5432}, labels: {app: ledger}, serviceAccount: ledger}
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: demo}
spec: {mtls: {mode: STRICT}}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: namespace-allow, namespace: demo}
spec:
  rules:
  - from:
    - source: {namespaces: ["demo"]}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: deny-ops-writes, namespace: demo}
spec:
  action: DENY
  rules:
  - from:
    - source: {principals: ["cluster.local/ns/demo/sa/ops"]}
    to:
    - operation: {methods: ["POST"]}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: allow-by-header, namespace: demo}
spec:
  rules:
  - from:
    - source: {ipBlocks: ["10.99.0.0/16"]}
    when:
    - {key: "request.headers[x-team]", values: ["ledger"]}
`;

test('TCP port: network RBAC decides, HTTP-only fields always match in DENY rules and never in ALLOW rules', () => {
  const docs = (yaml.loadAll(LEDGER) as InputDocument[]).filter((d) => d);
  const translated = translate(docs);
  assert.deepEqual(translated.errors, []);
  const proxy = translated.ir.proxies.find((p) => p.name === 'sidecar/demo/ledger-1')!;
  const resources = buildProxyResources(proxy);
  const connect = (source: MeshAuthorizationRequest['source']): ReturnType<typeof explainMeshAuthorization> =>
    explainMeshAuthorization(resources, { port: 5432, host: 'ledger', method: 'GET', path: '/', ...(source ? { source } : {}) });

  const frontend = connect({ principal: 'cluster.local/ns/demo/sa/frontend', ip: '10.77.0.10' });
  assert.equal(frontend.decision, 'allowed');
  assert.equal(frontend.decidedBy, 'demo/namespace-allow[rules[0]]');
  assert.deepEqual(frontend.steps.map((s) => s.filter), ['filter_chain', 'envoy.filters.network.rbac/deny', 'envoy.filters.network.rbac/allow']);

  // The DENY rule names POST, which a TCP connection cannot show: it is denied whatever it sends.
  const ops = connect({ principal: 'cluster.local/ns/demo/sa/ops', ip: '10.77.0.12' });
  assert.equal(ops.decision, 'denied');
  assert.equal(ops.decidedBy, 'demo/deny-ops-writes[rules[0]]');
  assert.equal(ops.status, undefined, 'no HTTP status on a TCP port');

  // The header rule never matches on TCP, so a caller from 10.99/16 in another namespace is denied.
  const partner = connect({ principal: 'cluster.local/ns/partner/sa/batch', ip: '10.99.1.1' });
  assert.equal(partner.decision, 'denied');
  assert.match(partner.summary, /no ALLOW rule matches/);

  assert.equal(connect(undefined).decision, 'connection_closed', 'STRICT: plain text is refused');
});
