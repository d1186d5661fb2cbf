// Message-level rules (required, skip, disabled), oneofs, Any (rules, and validation of the packed
// message with the path continuing through typed_config), wrappers, and the JSON reading itself.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { JsonObject } from '../../src/envoy/resource';
import { formatIssue, validateResource } from '../../src/validate';
import { assertIssue, assertOnlyIssue, assertValid, cluster, HCM_PATH, httpListener, routeConfig, routerFilter } from './helpers';
import { TEST_PACKAGE, validateTest } from './synthetic';

const INNER = `type.googleapis.com/${TEST_PACKAGE}.Inner`;
const DISABLED = `type.googleapis.com/${TEST_PACKAGE}.Disabled`;

describe('message and oneof rules on Envoy fields', () => {
  it('message.required: HeaderValueOption.header (absent or null)', () => {
    const add = (option: JsonObject) => routeConfig('r', [{ match: { prefix: '/' }, direct_response: { status: 200 } }], { request_headers_to_add: [option] });
    assertOnlyIssue(validateResource(add({ append_action: 'ADD_IF_ABSENT' })), 'virtual_hosts[0].request_headers_to_add[0].header', 'message.required');
    assertOnlyIssue(validateResource(add({ header: null })), 'virtual_hosts[0].request_headers_to_add[0].header', 'message.required');
    assertValid(validateResource(add({ header: { key: 'x-a', value: 'b' }, append_action: 'ADD_IF_ABSENT' })));
  });

  it('oneof.required: a Route needs an action, a RouteMatch a path specifier', () => {
    const issues = validateResource(routeConfig('r', [{ match: { headers: [{ name: 'x-a', present_match: true }] } }]));
    assertIssue(issues, 'virtual_hosts[0].routes[0].action', 'oneof.required');
    assertIssue(issues, 'virtual_hosts[0].routes[0].match.path_specifier', 'oneof.required');
    assert.equal(issues.length, 2);
    assertValid(validateResource(routeConfig('r', [{ match: { path: '/x' }, redirect: { host_redirect: 'example.com' } }])));
  });

  it('a oneof given twice is refused, like protobuf JSON parsing does', () => {
    const issues = validateResource(routeConfig('r', [{ match: { path: '/x', prefix: '/' }, direct_response: { status: 200 } }]));
    assertOnlyIssue(issues, 'virtual_hosts[0].routes[0].match.prefix', 'json.oneof');
  });

  it('any.required: TypedExtensionConfig.typed_config', () => {
    const lb = (config: JsonObject) => cluster('c', { load_balancing_policy: { policies: [{ typed_extension_config: config }] } });
    assertOnlyIssue(validateResource(lb({ name: 'envoy.load_balancing_policies.round_robin' })), 'load_balancing_policy.policies[0].typed_extension_config.typed_config', 'any.required');
    assertValid(
      validateResource(
        lb({ name: 'envoy.load_balancing_policies.round_robin', typed_config: { '@type': 'type.googleapis.com/envoy.extensions.load_balancing_policies.round_robin.v3.RoundRobin' } }),
      ),
    );
  });

  it('deprecated fields are accepted (Envoy only warns)', () => {
    assertValid(validateResource(cluster('c', { max_requests_per_connection: 100 })));
  });
});

describe('messages packed in Any', () => {
  it('validates the HttpConnectionManager inside a Listener, the path running through typed_config', () => {
    const issues = validateResource(httpListener('l', { stat_prefix: '' }));
    const issue = assertOnlyIssue(issues, `${HCM_PATH}.stat_prefix`, 'string.min_len');
    assert.equal(formatIssue(issue), "Listener 'l': filter_chains[0].filters[0].typed_config.stat_prefix: string.min_len: length must be at least 1 character");
  });

  it('validates an HTTP filter config inside the HCM inside the Listener', () => {
    const issues = validateResource(
      httpListener('l', {
        http_filters: [
          { name: 'envoy.filters.http.local_ratelimit', typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit' } },
          routerFilter(),
        ],
      }),
    );
    assertOnlyIssue(issues, `${HCM_PATH}.http_filters[0].typed_config.stat_prefix`, 'string.min_len');
  });

  it('validates per-route configs keyed by filter name', () => {
    const route = (perRoute: JsonObject) =>
      routeConfig('r', [{ match: { prefix: '/' }, route: { cluster: 'c' }, typed_per_filter_config: { 'envoy.filters.http.cors': perRoute } }]);
    const issues = validateResource(
      route({ '@type': 'type.googleapis.com/envoy.extensions.filters.http.cors.v3.CorsPolicy', allow_origin_string_match: [{ safe_regex: {} }] }),
    );
    assertOnlyIssue(issues, 'virtual_hosts[0].routes[0].typed_per_filter_config["envoy.filters.http.cors"].allow_origin_string_match[0].safe_regex.regex', 'string.min_len');
    assertValid(validateResource(route({ '@type': 'type.googleapis.com/envoy.extensions.filters.http.cors.v3.CorsPolicy', allow_origin_string_match: [{ exact: 'https://a.example' }] })));
  });

  it('reports an unknown or missing "@type", and unknown fields inside the packed message', () => {
    const withFilter = (config: JsonObject) => httpListener('l', { http_filters: [{ name: 'f', typed_config: config }, routerFilter()] });
    assertOnlyIssue(validateResource(withFilter({ '@type': 'type.googleapis.com/envoy.extensions.filters.http.nope.v3.Nope' })), `${HCM_PATH}.http_filters[0].typed_config.@type`, 'json.any_type');
    assertOnlyIssue(validateResource(withFilter({ suppress_envoy_headers: true })), `${HCM_PATH}.http_filters[0].typed_config.@type`, 'json.any_type');
    assertOnlyIssue(
      validateResource(withFilter({ '@type': 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router', suppress_envoy_headerz: true })),
      `${HCM_PATH}.http_filters[0].typed_config.suppress_envoy_headerz`,
      'json.unknown_field',
    );
  });

  it('reads Any of a well-known type from {"@type", "value"}', () => {
    const meta = (value: unknown) => cluster('c', { metadata: { typed_filter_metadata: { 'meshgate.io': { '@type': 'type.googleapis.com/google.protobuf.Duration', value } as JsonObject } } });
    assertValid(validateResource(meta('1.5s')));
    assertOnlyIssue(validateResource(meta('soon')), 'metadata.typed_filter_metadata["meshgate.io"].value', 'json.type');
  });
});

describe('JSON reading', () => {
  it('reports unknown fields with their path and accepts lowerCamelCase names', () => {
    assertOnlyIssue(validateResource(cluster('c', { conect_timeout: '1s' })), 'conect_timeout', 'json.unknown_field');
    assertValid(validateResource(cluster('c', { dnsLookupFamily: 'V4_ONLY' })));
    assertOnlyIssue(validateResource(cluster('c', { dnsLookupFamily: 'V4_ONLY', dns_lookup_family: 'AUTO' })), 'dns_lookup_family', 'json.duplicate_field');
    assertOnlyIssue(validateResource(cluster('c', { '@type': 'type.googleapis.com/envoy.config.cluster.v3.Cluster' })), '@type', 'json.unknown_field');
  });

  it('reports values of the wrong JSON type', () => {
    assertOnlyIssue(validateResource(cluster('c', { health_checks: {} })), 'health_checks', 'json.type');
    assertOnlyIssue(validateResource(cluster('c', { circuit_breakers: [] })), 'circuit_breakers', 'json.type');
    assertOnlyIssue(validateResource(cluster('c', { metadata: { filter_metadata: { a: 'not a struct' } } })), 'metadata.filter_metadata["a"]', 'json.type');
  });
});

describe('message rules on the test messages', () => {
  const base: JsonObject = { required_m: { name: 'a' }, a: 'x', any_required: { '@type': INNER, name: 'n' }, required_wrapper: 1 };
  const withBase = (extra: JsonObject) => validateTest('Messages', { ...base, ...extra });

  it('the base message is valid', () => {
    assertValid(withBase({}));
  });

  it('message.required and message.skip', () => {
    const { required_m: _r, ...noRequired } = base;
    assertOnlyIssue(validateTest('Messages', noRequired), 'required_m', 'message.required');
    assertValid(withBase({ skipped_m: { name: '' } }));
    assertOnlyIssue(withBase({ plain_m: { name: '' } }), 'plain_m.name', 'string.min_len');
  });

  it('(validate.disabled) messages have no rules, but their JSON is still read', () => {
    assertValid(withBase({ disabled_m: { name: '' } }));
    assertOnlyIssue(withBase({ disabled_m: { nme: 'x' } }), 'disabled_m.nme', 'json.unknown_field');
  });

  it('(validate.required) oneof', () => {
    const { a: _a, ...noChoice } = base;
    assertOnlyIssue(validateTest('Messages', noChoice), 'choice', 'oneof.required');
    assertValid(validateTest('Messages', { ...noChoice, b: { name: 'b' } }));
    assertOnlyIssue(validateTest('Messages', { ...noChoice, b: { name: '' } }), 'b.name', 'string.min_len');
  });

  it('any.in, any.not_in, any.required', () => {
    assertOnlyIssue(withBase({ any_in: { '@type': DISABLED } }), 'any_in', 'any.in');
    assertValid(withBase({ any_in: { '@type': INNER, name: 'ok' } }));
    assertOnlyIssue(withBase({ any_not_in: { '@type': DISABLED } }), 'any_not_in', 'any.not_in');
    assertValid(withBase({ any_not_in: { '@type': INNER, name: 'ok' } }));
    const { any_required: _x, ...noAny } = base;
    assertOnlyIssue(validateTest('Messages', noAny), 'any_required', 'any.required');
  });

  it('a TypedStruct is validated as the message its type_url names', () => {
    const typed = (value: JsonObject) => ({
      '@type': 'type.googleapis.com/xds.type.v3.TypedStruct',
      type_url: 'type.googleapis.com/envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit',
      value,
    });
    assertOnlyIssue(withBase({ any_not_in: typed({}) }), 'any_not_in.value.stat_prefix', 'string.min_len');
    assertValid(withBase({ any_not_in: typed({ stat_prefix: 'rl' }) }));
  });

  it('rules on wrapper types apply to the wrapped value', () => {
    assertOnlyIssue(withBase({ wrapped_u32: 41 }), 'wrapped_u32', 'uint32.const');
    assertValid(withBase({ wrapped_u32: 42 }));
    assertOnlyIssue(withBase({ wrapped_bool: false }), 'wrapped_bool', 'bool.const');
    assertValid(withBase({ wrapped_bool: true }));
    assertOnlyIssue(withBase({ wrapped_string: 'x' }), 'wrapped_string', 'string.prefix');
    assertValid(withBase({ wrapped_string: 'w-x' }));
    const { required_wrapper: _w, ...noWrapper } = base;
    assertOnlyIssue(validateTest('Messages', noWrapper), 'required_wrapper', 'message.required');
    assertValid(withBase({ required_wrapper: 0 }));
  });
});
