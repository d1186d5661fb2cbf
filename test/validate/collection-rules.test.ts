// validate.RepeatedRules and validate.MapRules: counts, uniqueness, per-item and per-key/value
// rules, sparse maps; paths carry the list index or the map key.
import { describe, it } from 'node:test';
import type { JsonObject } from '../../src/envoy/resource';
import { validateMessage, validateResource } from '../../src/validate';
import { assertOnlyIssue, assertValid, cluster, HCM_PATH, httpListener, routeConfig } from './helpers';
import { validateTest } from './synthetic';

const ROUTE = { match: { prefix: '/' }, direct_response: { status: 200 } };

describe('repeated rules on Envoy fields', () => {
  it('repeated.min_items: VirtualHost.domains may not be empty (absent counts as empty)', () => {
    assertOnlyIssue(validateResource(routeConfig('r', [ROUTE], { domains: [] })), 'virtual_hosts[0].domains', 'repeated.min_items');
    const noDomains = { name: 'r', virtual_hosts: [{ name: 'vh', routes: [ROUTE] }] };
    assertOnlyIssue(validateResource({ typeUrl: 'type.googleapis.com/envoy.config.route.v3.RouteConfiguration', name: 'r', json: noDomains }), 'virtual_hosts[0].domains', 'repeated.min_items');
    assertValid(validateResource(routeConfig('r', [ROUTE], { domains: ['example.com'] })));
  });

  it('repeated.max_items: at most 1000 request_headers_to_add on a VirtualHost', () => {
    const headers = (n: number) => Array.from({ length: n }, (_, i) => ({ header: { key: `x-h${i}`, value: 'v' } }));
    assertOnlyIssue(validateResource(routeConfig('r', [ROUTE], { request_headers_to_add: headers(1001) })), 'virtual_hosts[0].request_headers_to_add', 'repeated.max_items');
    assertValid(validateResource(routeConfig('r', [ROUTE], { request_headers_to_add: headers(1000) })));
  });

  it('repeated.unique: InternalRedirectPolicy.response_headers_to_copy, reported at the repeated item', () => {
    const copy = (headers: string[]) =>
      routeConfig('r', [{ match: { prefix: '/' }, route: { cluster: 'c', internal_redirect_policy: { response_headers_to_copy: headers } } }]);
    assertOnlyIssue(validateResource(copy(['x-a', 'x-b', 'x-a'])), 'virtual_hosts[0].routes[0].route.internal_redirect_policy.response_headers_to_copy[2]', 'repeated.unique');
    assertValid(validateResource(copy(['x-a', 'x-b'])));
  });

  it('repeated.items.string.in: Router.strict_check_headers', () => {
    const router = (headers: string[]) =>
      httpListener('l', { http_filters: [{ name: 'envoy.filters.http.router', typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router', strict_check_headers: headers } }] });
    assertOnlyIssue(validateResource(router(['x-envoy-max-retries', 'x-bogus'])), `${HCM_PATH}.http_filters[0].typed_config.strict_check_headers[1]`, 'repeated.items.string.in');
    assertValid(validateResource(router(['x-envoy-max-retries', 'x-envoy-retry-on'])));
  });

  it('repeated.items.string.min_len: Route.request_headers_to_remove', () => {
    const remove = (names: string[]) => routeConfig('r', [{ ...ROUTE, request_headers_to_remove: names }]);
    assertOnlyIssue(validateResource(remove(['x-a', ''])), 'virtual_hosts[0].routes[0].request_headers_to_remove[1]', 'repeated.items.string.min_len');
    assertValid(validateResource(remove(['x-a', 'x-b'])));
  });

  it('repeated.items.enum.defined_only: HealthStatusSet.statuses', () => {
    const override = (statuses: unknown[]) => cluster('c', { common_lb_config: { override_host_status: { statuses } } } as JsonObject);
    assertOnlyIssue(validateResource(override(['HEALTHY', 42])), 'common_lb_config.override_host_status.statuses[1]', 'repeated.items.enum.defined_only');
    assertValid(validateResource(override(['HEALTHY', 'DRAINING'])));
  });

  it('repeated.items.uint32 range: FilterChainMatch.source_ports', () => {
    const ports = (source_ports: number[]) => {
      const listener = httpListener('l');
      const chains = listener.json['filter_chains'] as JsonObject[];
      return { ...listener, json: { ...listener.json, filter_chains: [{ ...chains[0]!, filter_chain_match: { source_ports } }] } };
    };
    assertOnlyIssue(validateResource(ports([443, 0])), 'filter_chains[0].filter_chain_match.source_ports[1]', 'repeated.items.uint32.gte');
    assertValid(validateResource(ports([443, 65535])));
  });

  it('repeated min_items, unique and items.double.gt together: HistogramBucketSettings.buckets', () => {
    const name = 'envoy.config.metrics.v3.HistogramBucketSettings';
    const settings = (buckets: number[]) => ({ match: { prefix: 'http' }, buckets });
    assertOnlyIssue(validateMessage(name, settings([])), 'buckets', 'repeated.min_items');
    assertOnlyIssue(validateMessage(name, settings([0.5, 1, 0.5])), 'buckets[2]', 'repeated.unique');
    assertOnlyIssue(validateMessage(name, settings([0.5, 0])), 'buckets[1]', 'repeated.items.double.gt');
    assertValid(validateMessage(name, settings([0.5, 1, 5])));
  });
});

describe('map rules on Envoy fields', () => {
  it('map.keys.string.min_len: Metadata.filter_metadata keys may not be empty', () => {
    assertOnlyIssue(validateResource(cluster('c', { metadata: { filter_metadata: { '': { a: 1 } } } })), 'metadata.filter_metadata[""]', 'map.keys.string.min_len');
    assertValid(validateResource(cluster('c', { metadata: { filter_metadata: { 'meshgate.io': { a: 1 } } } })));
  });

  it('map.min_pairs, map.keys and map.values: rate_limit_quota BucketId.bucket', () => {
    const name = 'envoy.service.rate_limit_quota.v3.BucketId';
    assertOnlyIssue(validateMessage(name, {}), 'bucket', 'map.min_pairs');
    assertOnlyIssue(validateMessage(name, { bucket: { tenant: '' } }), 'bucket["tenant"]', 'map.values.string.min_len');
    assertOnlyIssue(validateMessage(name, { bucket: { '': 'acme' } }), 'bucket[""]', 'map.keys.string.min_len');
    assertValid(validateMessage(name, { bucket: { tenant: 'acme' } }));
  });
});

describe('collection rules on the test messages', () => {
  it('map.no_sparse: a null message value', () => {
    assertOnlyIssue(validateTest('Collections', { no_sparse_m: { a: null } }), 'no_sparse_m["a"]', 'map.no_sparse');
    assertValid(validateTest('Collections', { no_sparse_m: { a: { name: 'x' } } }));
  });

  it('map keys are read as the key type and checked with map.keys rules', () => {
    assertOnlyIssue(validateTest('Collections', { keys_m: { '0': 'ab' } }), 'keys_m["0"]', 'map.keys.int32.gt');
    assertOnlyIssue(validateTest('Collections', { keys_m: { one: 'ab' } }), 'keys_m["one"]', 'json.type');
    assertOnlyIssue(validateTest('Collections', { keys_m: { '1': 'a' } }), 'keys_m["1"]', 'map.values.string.min_len');
    assertValid(validateTest('Collections', { keys_m: { '1': 'ab', '2': 'cd' } }));
  });

  it('map.max_pairs and map.min_pairs with ignore_empty', () => {
    assertOnlyIssue(validateTest('Collections', { max_pairs_m: { a: '1', b: '2', c: '3' } }), 'max_pairs_m', 'map.max_pairs');
    assertValid(validateTest('Collections', { max_pairs_m: { a: '1', b: '2' } }));
    assertOnlyIssue(validateTest('Collections', { min_pairs_m: { a: '1' } }), 'min_pairs_m', 'map.min_pairs');
    assertValid(validateTest('Collections', { min_pairs_m: {} }));
  });

  it('repeated.unique on strings and enums', () => {
    assertOnlyIssue(validateTest('Collections', { unique_s: ['a', 'b', 'a'] }), 'unique_s[2]', 'repeated.unique');
    assertValid(validateTest('Collections', { unique_s: ['a', 'b'] }));
    assertOnlyIssue(validateTest('Enums', { unique_e: ['RED', 1] }), 'unique_e[1]', 'repeated.unique');
    assertOnlyIssue(validateTest('Enums', { unique_e: ['RED', 9] }), 'unique_e[1]', 'repeated.items.enum.defined_only');
  });

  it('items are validated as messages unless items.message.skip', () => {
    assertValid(validateTest('Collections', { skipped_items: [{ name: '' }] }));
    assertOnlyIssue(validateTest('Collections', { required_items: [{ name: 'ok' }, { name: '' }] }), 'required_items[1].name', 'string.min_len');
    assertOnlyIssue(validateTest('Collections', { required_items: [null] }), 'required_items[0]', 'json.type');
  });

  it('repeated.min_items with ignore_empty', () => {
    assertOnlyIssue(validateTest('Collections', { ignore_empty_r: ['a'] }), 'ignore_empty_r', 'repeated.min_items');
    assertValid(validateTest('Collections', { ignore_empty_r: [] }));
    assertValid(validateTest('Collections', { ignore_empty_r: ['a', 'b'] }));
  });
});
