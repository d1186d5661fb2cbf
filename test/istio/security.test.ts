// Istio security semantics beyond the golden files: filter order and shapes, provider names,
// request principal splitting, bad input that must be reported (never thrown), idempotence.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import yaml from 'js-yaml';
import type { InputDocument } from '../../src/documents/types';
import type { Authorization, AuthorizationRule } from '../../src/ir/mesh';
import { authorizationHttpFilters, authorizationNetworkFilters, RBAC_ALLOW_FILTER, RBAC_AUDIT_FILTER, RBAC_DENY_FILTER } from '../../src/xds/mesh/authorization';
import { requestPrincipal } from '../../src/xds/mesh/authorization-rules';
import { formatIssue, validateMessage } from '../../src/validate';
import { parseProvider } from '../../translators/istio/security/ext-authz-provider';
import { applyIstioSecurity } from '../../translators/istio/security';
import { recordingContext, secureDocuments } from './security-harness';

const rule = (name: string, extra: Partial<AuthorizationRule> = {}): AuthorizationRule => ({ name, source: { kind: 'AuthorizationPolicy', namespace: 'demo', name }, ...extra });

test('filters run AUDIT, CUSTOM (shadow RBAC + ext_authz), DENY, ALLOW in that order', () => {
  const authz: Authorization = {
    audit: [rule('demo/a[rules[0]]')],
    custom: [{ cluster: 'ext-authz/x/9000', protocol: 'grpc', timeoutMs: 1000, failOpen: false, rules: [rule('demo/c[rules[0]]')] }],
    deny: [rule('demo/d[rules[0]]', { to: [{ methods: ['DELETE'] }] })],
    allow: [rule('demo/e[rules[0]]')],
  };
  const names = authorizationHttpFilters(authz).map((f) => f.name);
  assert.deepEqual(names, [RBAC_AUDIT_FILTER, 'envoy.filters.http.rbac/ext-authz-0', 'envoy.filters.http.ext_authz/0', RBAC_DENY_FILTER, RBAC_ALLOW_FILTER]);
});

test('ALLOW without rules is an ALLOW engine without policies (deny all); no ALLOW policy adds no filter', () => {
  const denyAll = authorizationHttpFilters({ deny: [], allow: [] });
  assert.deepEqual(denyAll.map((f) => f.typed_config['rules']), [{}]);
  assert.deepEqual(authorizationHttpFilters({ deny: [] }), []);
  const deny = authorizationHttpFilters({ deny: [rule('demo/x[rules[0]]')] });
  assert.equal((deny[0]!.typed_config['rules'] as { action?: string }).action, 'DENY');
});

test('request principals split into issuer and subject at the last "/"', () => {
  const text = (v: string): string => JSON.stringify(requestPrincipal(v));
  assert.match(text('https://issuer.example.com/alice'), /"exact":"https:\/\/issuer.example.com".*"exact":"alice"/);
  assert.match(text('https://issuer.example.com/*'), /^\{"metadata".*"exact":"https:\/\/issuer.example.com"/);
  assert.match(text('*/alice'), /^\{"metadata".*"sub".*"exact":"alice"/);
  assert.match(text('*'), /"present_match":true/);
});

test('CUSTOM provider names: host:port is gRPC, http:// with a prefix and parameters, bad forms are explained', () => {
  assert.deepEqual(parseProvider('ext-authz.demo:9000'), { protocol: 'grpc', host: 'ext-authz.demo', port: 9000, timeoutMs: 10_000, failOpen: false });
  assert.deepEqual(parseProvider('http://authz:8000/check?timeout=250ms&failOpen=true'), { protocol: 'http', host: 'authz', port: 8000, pathPrefix: '/check', timeoutMs: 250, failOpen: true });
  assert.match(String(parseProvider('authz')), /explicit port/);
  assert.match(String(parseProvider('grpc://authz:9000/x')), /takes no path/);
  assert.match(String(parseProvider('http://authz:80?retries=2')), /unknown parameter "retries"/);
});

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
spec: {address: 10.77.0.11, ports: {http: 9080}, labels: {app: catalog}, serviceAccount: catalog}
`;

function docsOf(text: string): InputDocument[] {
  return (yaml.loadAll(text) as InputDocument[]).filter((d) => d);
}

test('applying the policies twice gives the same proxies (the family may apply them before a caller does)', () => {
  const docs = docsOf(`${REGISTRY}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: p, namespace: demo}
spec: {action: CUSTOM, provider: {name: "authz.demo:9000"}, rules: [{}]}
---
apiVersion: security.istio.io/v1
kind: RequestAuthentication
metadata: {name: r, namespace: demo}
spec: {jwtRules: [{issuer: "https://i", jwksUri: "https://i/keys"}]}`);
  const once = secureDocuments(docs);
  const { ctx } = recordingContext();
  const twice = applyIstioSecurity(once.proxies, docs.filter((d) => d.apiVersion.startsWith('security.')), ctx);
  assert.deepEqual(twice, once.proxies);
});

test('malformed security documents are reported with their field path, never thrown', () => {
  const { ctx, errors } = recordingContext();
  const bad = [
    { apiVersion: 7, kind: 'AuthorizationPolicy', metadata: { name: 'a', namespace: 'demo' }, spec: {} },
    { apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { name: 'b', namespace: 'demo' }, spec: { rules: 'all' } },
    { apiVersion: 'security.istio.io/v1', kind: 'Telemetry', metadata: { name: 'c', namespace: 'demo' }, spec: {} },
    { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: 'd', namespace: 'demo' }, spec: { mtls: { mode: 'STRICT' }, portLevelMtls: { '0': { mode: 'DISABLE' } } } },
  ] as unknown as InputDocument[];
  assert.deepEqual(applyIstioSecurity([], bad, ctx), []);
  assert.ok(errors.some((e) => e.includes('demo/a apiVersion')));
  assert.ok(errors.some((e) => e.includes('demo/b spec.rules: expected a list')));
  assert.ok(errors.some((e) => e.includes('demo/c kind: unknown security.istio.io kind "Telemetry"')));
  assert.ok(errors.some((e) => e.includes('demo/d spec.portLevelMtls')));
});

test('a workload-level PeerAuthentication beats the namespace one; portLevelMtls only changes its port', () => {
  const secured = secureDocuments(docsOf(`${REGISTRY}
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: demo}
spec: {mtls: {mode: DISABLE}}
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: catalog, namespace: demo}
spec:
  selector: {matchLabels: {app: catalog}}
  mtls: {mode: STRICT}
  portLevelMtls: {"9081": {mode: PERMISSIVE}}`));
  const inbound = secured.proxies.find((p) => p.mesh)!.mesh!.inbound;
  assert.deepEqual(inbound.map((l) => [l.port, l.mtls]), [[9080, 'STRICT']]);
  assert.match(secured.warnings['PeerAuthentication demo/catalog']?.[0] ?? '', /portLevelMtls.9081: no selected workload/);
});

test('TCP ports: ALLOW rules with HTTP-only fields never match, DENY rules drop them and deny more', () => {
  const authz: Authorization = {
    deny: [rule('demo/d[rules[0]]', { to: [{ methods: ['GET'] }] })],
    allow: [rule('demo/a[rules[0]]', { from: [{ namespaces: ['demo'] }] }), rule('demo/a[rules[1]]', { to: [{ paths: ['/x'] }] })],
    audit: [rule('demo/audit[rules[0]]')],
  };
  const { filters, notes } = authorizationNetworkFilters(authz, 'inbound_5432.');
  assert.deepEqual(filters.map((f) => f.name), ['envoy.filters.network.rbac/deny', 'envoy.filters.network.rbac/allow']);
  for (const f of filters) {
    const { ['@type']: _type, ...config } = f.typed_config;
    assert.deepEqual(validateMessage('envoy.extensions.filters.network.rbac.v3.RBAC', config).map(formatIssue), []);
  }
  const deny = JSON.stringify(filters[0]!.typed_config);
  assert.match(deny, /"permissions":\[\{"any":true\}\]/);
  const allowPolicies = Object.keys((filters[1]!.typed_config['rules'] as { policies: Record<string, unknown> }).policies);
  assert.deepEqual(allowPolicies, ['demo/a[rules[0]]']);
  assert.deepEqual(notes.map((n) => n.rule), ['demo/audit[rules[0]]', 'demo/d[rules[0]]', 'demo/a[rules[1]]']);
});
