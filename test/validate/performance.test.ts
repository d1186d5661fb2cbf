// Rule plans are compiled once per message type, so a large RouteConfiguration validates fast.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { JsonObject } from '../../src/envoy/resource';
import { envoyApi } from '../../src/envoy/api';
import { validateResource } from '../../src/validate';
import { assertValid, routeConfig } from './helpers';

function bigRouteConfig(routes: number) {
  const list: JsonObject[] = [];
  for (let i = 0; i < routes; i++) {
    list.push({
      name: `r${i}`,
      match: { prefix: `/svc${i}/`, headers: [{ name: 'x-version', string_match: { exact: `v${i % 3}` } }] },
      route: {
        weighted_clusters: { clusters: [{ name: `svc${i}-a`, weight: 90 }, { name: `svc${i}-b`, weight: 10 }] },
        timeout: '15s',
        retry_policy: { retry_on: '5xx,reset', num_retries: 2, per_try_timeout: '2s' },
      },
      request_headers_to_add: [{ header: { key: 'x-route', value: String(i) }, append_action: 'OVERWRITE_IF_EXISTS_OR_ADD' }],
      typed_per_filter_config: {
        'envoy.filters.http.cors': { '@type': 'type.googleapis.com/envoy.extensions.filters.http.cors.v3.CorsPolicy', allow_origin_string_match: [{ exact: 'https://a.example' }] },
      },
    });
  }
  return routeConfig('big', list, { domains: ['*.example.com'] });
}

describe('performance', () => {
  it('validates a RouteConfiguration of 1,000 routes quickly', () => {
    const config = bigRouteConfig(1000);
    envoyApi(); // loading the protos is not part of validating
    const coldStart = process.hrtime.bigint();
    assertValid(validateResource(config));
    const coldMs = Number(process.hrtime.bigint() - coldStart) / 1e6;
    const runs = 5;
    const warmStart = process.hrtime.bigint();
    for (let i = 0; i < runs; i++) validateResource(config);
    const warmMs = Number(process.hrtime.bigint() - warmStart) / 1e6 / runs;
    console.log(`validate RouteConfiguration with 1000 routes: first ${coldMs.toFixed(1)} ms (rule plans compiled), then ${warmMs.toFixed(1)} ms per run`);
    // Generous bounds for slow CI machines; typical figures are ~40 ms cold and under 15 ms warm.
    assert.ok(warmMs < 250, `warm validation took ${warmMs} ms`);
  });

  it('still finds the one broken route among 1,000', () => {
    const config = bigRouteConfig(1000);
    const vhosts = config.json['virtual_hosts'] as JsonObject[];
    const routes = vhosts[0]!['routes'] as JsonObject[];
    routes[737] = { ...routes[737]!, route: { cluster: 'x', timeout: 'soon' } };
    const issues = validateResource(config);
    assert.deepEqual(issues.map((i) => `${i.path} ${i.rule}`), ['virtual_hosts[0].routes[737].route.timeout json.type']);
  });
});
