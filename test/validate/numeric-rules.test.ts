// Numeric, bool and enum rules: bounds, ranges (inside and exclusive), const, in / not_in, on
// plain scalars and on wrapper types (the rule applies to the wrapped value when it is set).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { TypeUrl } from '../../src/envoy/type-urls';
import type { JsonObject } from '../../src/envoy/resource';
import { validateMessage, validateResource } from '../../src/validate';
import { assertOnlyIssue, assertValid, cluster, HCM_PATH, httpListener, resource, routeConfig, routerFilter } from './helpers';
import { validateTest } from './synthetic';

describe('numeric rules on Envoy fields', () => {
  it('uint32 range [200, 600): DirectResponseAction.status', () => {
    const direct = (status: number) => routeConfig('r', [{ match: { prefix: '/' }, direct_response: { status } }]);
    const high = assertOnlyIssue(validateResource(direct(600)), 'virtual_hosts[0].routes[0].direct_response.status', 'uint32.lt');
    assert.equal(high.message, 'must be inside range [200, 600)');
    assertOnlyIssue(validateResource(direct(199)), 'virtual_hosts[0].routes[0].direct_response.status', 'uint32.gte');
    assertValid(validateResource(direct(200)));
    assertValid(validateResource(direct(599)));
  });

  it('uint32.lte on a UInt32Value: OutlierDetection.max_ejection_percent', () => {
    const od = (percent: number) => cluster('c', { outlier_detection: { max_ejection_percent: percent } });
    assertOnlyIssue(validateResource(od(101)), 'outlier_detection.max_ejection_percent', 'uint32.lte');
    assertValid(validateResource(od(100)));
  });

  it('uint32.gte on a UInt32Value: LeastRequestLbConfig.choice_count', () => {
    const lr = (n: number) => cluster('c', { lb_policy: 'LEAST_REQUEST', least_request_lb_config: { choice_count: n } });
    assertOnlyIssue(validateResource(lr(1)), 'least_request_lb_config.choice_count', 'uint32.gte');
    assertValid(validateResource(lr(2)));
  });

  it('uint32.gt on a wrapper applies when the wrapper is set, even to 0; an unset wrapper passes', () => {
    const cla = (policy: JsonObject) => resource(TypeUrl.ClusterLoadAssignment, 'c', { cluster_name: 'c', policy });
    assertOnlyIssue(validateResource(cla({ overprovisioning_factor: 0 })), 'policy.overprovisioning_factor', 'uint32.gt');
    assertValid(validateResource(cla({})));
    assertValid(validateResource(cla({ overprovisioning_factor: 140 })));
  });

  it('uint64.lte on a UInt64Value given as a decimal string: RingHashLbConfig.minimum_ring_size', () => {
    const rh = (size: string) => cluster('c', { lb_policy: 'RING_HASH', ring_hash_lb_config: { minimum_ring_size: size } });
    assertOnlyIssue(validateResource(rh('8388609')), 'ring_hash_lb_config.minimum_ring_size', 'uint64.lte');
    assertValid(validateResource(rh('8388608')));
  });

  it('double range [1, 3] on a DoubleValue: PreconnectPolicy.per_upstream_preconnect_ratio', () => {
    const pc = (ratio: number) => cluster('c', { preconnect_policy: { per_upstream_preconnect_ratio: ratio } });
    assertOnlyIssue(validateResource(pc(3.5)), 'preconnect_policy.per_upstream_preconnect_ratio', 'double.lte');
    assertOnlyIssue(validateResource(pc(0.5)), 'preconnect_policy.per_upstream_preconnect_ratio', 'double.gte');
    assertValid(validateResource(pc(1.5)));
  });

  it('float.gte on a FloatValue inside a load-balancing policy Any', () => {
    const lb = (penalty: number) =>
      cluster('c', {
        load_balancing_policy: {
          policies: [
            {
              typed_extension_config: {
                name: 'envoy.load_balancing_policies.client_side_weighted_round_robin',
                typed_config: {
                  '@type': 'type.googleapis.com/envoy.extensions.load_balancing_policies.client_side_weighted_round_robin.v3.ClientSideWeightedRoundRobin',
                  error_utilization_penalty: penalty,
                },
              },
            },
          ],
        },
      });
    assertOnlyIssue(validateResource(lb(-0.5)), 'load_balancing_policy.policies[0].typed_extension_config.typed_config.error_utilization_penalty', 'float.gte');
    assertValid(validateResource(lb(1.5)));
  });

  it('int32 range [-32768, 32767]: thrift FieldSelector.id', () => {
    const name = 'envoy.extensions.filters.http.thrift_to_metadata.v3.FieldSelector';
    assertOnlyIssue(validateMessage(name, { name: 'f', id: 40000 }), 'id', 'int32.lte');
    assertOnlyIssue(validateMessage(name, { name: 'f', id: -40000 }), 'id', 'int32.gte');
    assertValid(validateMessage(name, { name: 'f', id: -1 }));
  });

  it('int64.gt: DownstreamConnectionsConfig.max_active_downstream_connections (absent is 0)', () => {
    const name = 'envoy.extensions.resource_monitors.downstream_connections.v3.DownstreamConnectionsConfig';
    assertOnlyIssue(validateMessage(name, {}), 'max_active_downstream_connections', 'int64.gt');
    assertOnlyIssue(validateMessage(name, { max_active_downstream_connections: '-3' }), 'max_active_downstream_connections', 'int64.gt');
    assertValid(validateMessage(name, { max_active_downstream_connections: '100000' }));
    assertValid(validateMessage(name, { max_active_downstream_connections: 5 }));
  });

  it('bool.const: an RBAC Permission.any must be true, checked inside the RBAC filter inside the HCM', () => {
    const rbac = (any: boolean) =>
      httpListener('l', {
        http_filters: [
          {
            name: 'envoy.filters.http.rbac',
            typed_config: {
              '@type': 'type.googleapis.com/envoy.extensions.filters.http.rbac.v3.RBAC',
              rules: { action: 'ALLOW', policies: { p: { permissions: [{ any }], principals: [{ any: true }] } } },
            },
          },
          routerFilter(),
        ],
      });
    assertOnlyIssue(validateResource(rbac(false)), `${HCM_PATH}.http_filters[0].typed_config.rules.policies["p"].permissions[0].any`, 'bool.const');
    assertValid(validateResource(rbac(true)));
  });

  it('enum.defined_only: Cluster.lb_policy given as a number that is not a LbPolicy', () => {
    assertOnlyIssue(validateResource(cluster('c', { lb_policy: 99 })), 'lb_policy', 'enum.defined_only');
    assertValid(validateResource(cluster('c', { lb_policy: 1 })));
    assertValid(validateResource(cluster('c', { lb_policy: 'MAGLEV' })));
  });

  it('enum.not_in: HttpHealthCheck.method may not be CONNECT', () => {
    const hc = (method: string) =>
      cluster('c', { health_checks: [{ timeout: '1s', interval: '5s', unhealthy_threshold: 2, healthy_threshold: 1, http_health_check: { path: '/', method } }] });
    const issue = assertOnlyIssue(validateResource(hc('CONNECT')), 'health_checks[0].http_health_check.method', 'enum.not_in');
    assert.match(issue.message, /CONNECT/);
    assertValid(validateResource(hc('HEAD')));
  });

  it('reads JSON numbers as the proto type says: wrong type, out of range, fractions, enum names', () => {
    const port = (value: unknown) => cluster('c', { load_assignment: { cluster_name: 'c', endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: '10.0.0.1', port_value: value } } } }] }] } } as JsonObject);
    const at = 'load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.socket_address.port_value';
    assertOnlyIssue(validateResource(port('eighty')), at, 'json.type');
    assertOnlyIssue(validateResource(port(80.5)), at, 'json.type');
    assertOnlyIssue(validateResource(port(5_000_000_000)), at, 'json.range');
    assertOnlyIssue(validateResource(port(70000)), at, 'uint32.lte');
    assertValid(validateResource(port('8080')));
    assertOnlyIssue(validateResource(cluster('c', { lb_policy: 'FASTEST' })), 'lb_policy', 'json.enum');
    assertOnlyIssue(validateResource(cluster('c', { respect_dns_ttl: 'yes' })), 'respect_dns_ttl', 'json.type');
  });
});

describe('numeric rules on the test messages', () => {
  const cases: { field: string; rule: string; bad: unknown; good: unknown; message?: string }[] = [
    { field: 'const_i32', rule: 'int32.const', bad: 8, good: 7 },
    { field: 'in_s32', rule: 'sint32.in', bad: 2, good: 5 },
    { field: 'not_in_s64', rule: 'sint64.not_in', bad: '-1', good: '-2' },
    { field: 'outside_f32', rule: 'fixed32.lt/gt', bad: 15, good: 9, message: 'must be outside range [10, 20]' },
    { field: 'outside_f32', rule: 'fixed32.lt/gt', bad: 20, good: 21 },
    { field: 'inside_f64', rule: 'fixed64.lte', bad: '21', good: '20', message: 'must be inside range [10, 20]' },
    { field: 'inside_f64', rule: 'fixed64.gte', bad: '9', good: '10' },
    { field: 'lt_sf32', rule: 'sfixed32.lt', bad: -5, good: -6 },
    { field: 'gt_sf64', rule: 'sfixed64.gt', bad: '100', good: '101' },
    { field: 'in_i64', rule: 'int64.in', bad: '123456789011', good: '123456789012' },
    { field: 'const_u64', rule: 'uint64.const', bad: '9007199254740990', good: '9007199254740991' },
    { field: 'outside_d', rule: 'double.lte/gte', bad: 1.0, good: 0.5, message: 'must be outside range (0.5, 1.5)' },
    { field: 'outside_d', rule: 'double.lte/gte', bad: 1.4999, good: 1.5 },
    { field: 'gt_f', rule: 'float.gt', bad: 0.1, good: 0.11 },
    { field: 'ignore_empty_u32', rule: 'uint32.gte', bad: 9, good: 0 },
    { field: 'const_bool', rule: 'bool.const', bad: true, good: false },
    { field: 'gte_lt_i64', rule: 'int64.lt', bad: 10, good: 9, message: 'must be inside range [-10, 10)' },
    { field: 'gte_lt_i64', rule: 'int64.gte', bad: '-11', good: '-10' },
  ];
  for (const c of cases) {
    it(`${c.rule}: ${JSON.stringify(c.bad)} fails, ${JSON.stringify(c.good)} passes`, () => {
      const issue = assertOnlyIssue(validateTest('Numbers', { [c.field]: c.bad }), c.field, c.rule);
      if (c.message) assert.equal(issue.message, c.message);
      assertValid(validateTest('Numbers', { [c.field]: c.good }));
    });
  }

  it('compares 64-bit integers exactly (beyond 2^53)', () => {
    assertOnlyIssue(validateTest('Numbers', { const_u64: '9007199254740992' }), 'const_u64', 'uint64.const');
    assertOnlyIssue(validateTest('Numbers', { const_u64: '18446744073709551616' }), 'const_u64', 'json.range');
  });

  const enumCases: { field: string; rule: string; bad: unknown; good: unknown }[] = [
    { field: 'const_e', rule: 'enum.const', bad: 'RED', good: 'GREEN' },
    { field: 'in_e', rule: 'enum.in', bad: 'BLUE', good: 'RED' },
    { field: 'not_in_e', rule: 'enum.not_in', bad: 'COLOR_UNSPECIFIED', good: 'BLUE' },
    { field: 'defined_e', rule: 'enum.defined_only', bad: 7, good: 3 },
  ];
  for (const c of enumCases) {
    it(`${c.rule}: ${JSON.stringify(c.bad)} fails, ${JSON.stringify(c.good)} passes`, () => {
      assertOnlyIssue(validateTest('Enums', { [c.field]: c.bad }), c.field, c.rule);
      assertValid(validateTest('Enums', { [c.field]: c.good }));
    });
  }
});
