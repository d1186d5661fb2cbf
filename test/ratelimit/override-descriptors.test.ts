// The contract between src/xds and the RateLimitService for overrides and path keys, end to end:
// a TrafficPolicy is translated, src/xds builds the route's rate_limits, explain computes the
// descriptors Envoy would send for a request (header_value_match on the override header, :path), and
// the rules derived from the same IR must give each of them the intended limit.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import yaml from 'js-yaml';
import type { InputDocument } from '../../src/documents/types';
import { explainRequest } from '../../src/explain';
import { rulesFromIr } from '../../src/ratelimit/rules-from-ir';
import { RateLimitRules } from '../../src/ratelimit/rules';
import { buildProxyResources } from '../../src/xds';
import { translate } from '../../translators';

const DOCS = `
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: edge}
spec: {gatewayClassName: meshgate, listeners: [{name: http, port: 8080, protocol: HTTP}]}
---
apiVersion: meshgate.io/v1alpha1
kind: Backend
metadata: {name: app}
spec: {endpoints: [{address: 10.1.0.1, port: 8080}]}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: api}
spec:
  parentRefs: [{name: edge}]
  rules: [{backendRefs: [{name: app, port: 80}]}]
---
apiVersion: meshgate.io/v1alpha1
kind: TrafficPolicy
metadata: {name: limits}
spec:
  targetRefs: [{kind: HTTPRoute, name: api}]
  rateLimit:
    global:
      limits: [{requests: 5, unit: minute}, {requests: 100, unit: hour}]
      key: path
      responseHeaders: kong
      overrides:
        - {header: x-consumer-username, values: [alice, bob], limits: [{requests: 50, unit: minute}]}
        - {header: x-consumer-username, values: [carol], limits: [{requests: 7, unit: second}]}
`;

const result = translate(yaml.loadAll(DOCS) as InputDocument[]);
const proxy = result.ir.proxies[0]!;
const resources = buildProxyResources(proxy);
const rules = new RateLimitRules(rulesFromIr(result.ir));

function ruleFor(headers: Record<string, string>, path = '/items?page=2') {
  const r = explainRequest(resources, { port: 8080, host: 'shop.example.com', method: 'GET', path, headers });
  const report = r.filters.find((f) => f.rateLimit?.kind === 'global')?.rateLimit;
  assert.ok(report, 'the global rate limit filter runs');
  assert.equal(report.descriptors.length, 1, `exactly one descriptor is sent: ${JSON.stringify(report.descriptors)}`);
  return { descriptor: report.descriptors[0]!, rule: rules.match('meshgate', report.descriptors[0]!) };
}

test('translates without errors', () => assert.deepEqual(result.errors, []));

test('a request matching no override gets the default windows, keyed by its path', () => {
  const { descriptor, rule } = ruleFor({ 'x-consumer-username': 'dave' });
  assert.deepEqual(descriptor.map((e) => e.key), ['policy', 'override', 'path']);
  assert.equal(descriptor[1]!.value, 'default');
  assert.equal(rule?.id, 'default/limits/httproute/default/api');
  assert.deepEqual([rule?.requests, rule?.unit, rule?.additionalLimits], [5, 'minute', [{ requests: 100, unit: 'hour' }]]);
  assert.equal(rule?.responseHeaders, 'kong');
});

test('without the header at all, the default applies too', () => {
  assert.equal(ruleFor({}).rule?.id, 'default/limits/httproute/default/api');
});

test('each override value selects its own override and limits', () => {
  assert.equal(ruleFor({ 'x-consumer-username': 'bob' }).rule?.id, 'default/limits/httproute/default/api#override-0');
  const carol = ruleFor({ 'x-consumer-username': 'carol' }).rule;
  assert.equal(carol?.id, 'default/limits/httproute/default/api#override-1');
  assert.deepEqual([carol?.requests, carol?.unit], [7, 'second']);
  // An exact match: a value that only starts like an override value is not one.
  assert.equal(ruleFor({ 'x-consumer-username': 'alice2' }).rule?.id, 'default/limits/httproute/default/api');
});
