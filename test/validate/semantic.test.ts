// The snapshot-wide checks beyond PGV: names, the router filter, and references that must
// resolve inside the same snapshot.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { EnvoyResource, JsonObject } from '../../src/envoy/resource';
import { TypeUrl } from '../../src/envoy/type-urls';
import { createSnapshotValidator, formatIssue, validateSnapshot } from '../../src/validate';
import { assertIssue, assertOnlyIssue, assertValid, cluster, HCM_PATH, HCM_TYPE, httpListener, resource, routeConfig, routerFilter } from './helpers';

const ADS = { ads: {}, resource_api_version: 'V3' };

function filter(name: string, type: string, extra: JsonObject = {}): JsonObject {
  return { name, typed_config: { '@type': `type.googleapis.com/${type}`, ...extra } };
}
const CORS = 'envoy.extensions.filters.http.cors.v3.Cors';

function secret(name: string): EnvoyResource {
  return resource(TypeUrl.Secret, name, { name, validation_context: { trusted_ca: { inline_string: 'pem' } } });
}

/** A listener, its route configuration and the cluster it routes to: valid as a whole. */
function baseSnapshot(): EnvoyResource[] {
  return [httpListener('l', {}, 'routes'), routeConfig('routes', [{ match: { prefix: '/' }, route: { cluster: 'web' } }]), cluster('web')];
}

describe('names', () => {
  it('the base snapshot is valid', () => {
    assertValid(validateSnapshot(baseSnapshot()));
  });

  it('two resources of one type may not share a name; across types they may', () => {
    const issues = validateSnapshot([...baseSnapshot(), cluster('web', { connect_timeout: '2s' })]);
    const issue = assertOnlyIssue(issues, 'name', 'snapshot.duplicate_name');
    assert.equal(issue.typeUrl, TypeUrl.Cluster);
    assertValid(validateSnapshot([...baseSnapshot(), resource(TypeUrl.ClusterLoadAssignment, 'web', { cluster_name: 'web' })]));
  });

  it("a resource's name must match its own name field", () => {
    const renamed = { ...cluster('web'), name: 'web-v2' };
    assertIssue(validateSnapshot([renamed]), 'name', 'resource.name_mismatch');
    const cla = resource(TypeUrl.ClusterLoadAssignment, 'web', { cluster_name: 'api' });
    const issue = assertOnlyIssue(validateSnapshot([...baseSnapshot(), cla]), 'cluster_name', 'resource.name_mismatch');
    assert.match(formatIssue(issue), /^ClusterLoadAssignment 'web': cluster_name: resource.name_mismatch: /);
  });
});

describe('HTTP filter chain', () => {
  const withFilters = (filters: JsonObject[]) => [httpListener('l', { http_filters: filters }), ...baseSnapshot().slice(1)];

  it('the router filter must be present', () => {
    assertOnlyIssue(validateSnapshot(withFilters([filter('envoy.filters.http.cors', CORS)])), `${HCM_PATH}.http_filters`, 'hcm.router_missing');
  });

  it('the router filter must be last', () => {
    const issue = assertOnlyIssue(validateSnapshot(withFilters([routerFilter(), filter('envoy.filters.http.cors', CORS)])), `${HCM_PATH}.http_filters[0]`, 'hcm.router_not_last');
    assert.match(issue.message, /"envoy.filters.http.cors" follows it/);
    assertValid(validateSnapshot(withFilters([filter('envoy.filters.http.cors', CORS), routerFilter()])));
  });

  it('the router filter may appear only once', () => {
    const second = { ...routerFilter(), name: 'router-again' };
    assertOnlyIssue(validateSnapshot(withFilters([routerFilter(), second])), `${HCM_PATH}.http_filters[1]`, 'hcm.router_duplicate');
  });

  it('HTTP filter names must be unique', () => {
    const issues = validateSnapshot(withFilters([filter('cors', CORS), filter('cors', 'envoy.extensions.filters.http.buffer.v3.Buffer', { max_request_bytes: 1024 }), routerFilter()]));
    assertOnlyIssue(issues, `${HCM_PATH}.http_filters[1].name`, 'hcm.duplicate_filter_name');
  });

  it('checks HCMs in default_filter_chain and api_listener too', () => {
    const hcm = { '@type': HCM_TYPE, stat_prefix: 'x', rds: { config_source: ADS, route_config_name: 'routes' }, http_filters: [] };
    const listener = resource(TypeUrl.Listener, 'l2', {
      name: 'l2',
      address: { socket_address: { address: '0.0.0.0', port_value: 9090 } },
      default_filter_chain: { filters: [{ name: 'hcm', typed_config: hcm }] },
    });
    assertOnlyIssue(validateSnapshot([...baseSnapshot(), listener]), 'default_filter_chain.filters[0].typed_config.http_filters', 'hcm.router_missing');
    const api = resource(TypeUrl.Listener, 'api', { name: 'api', api_listener: { api_listener: hcm } });
    assertOnlyIssue(validateSnapshot([...baseSnapshot(), api]), 'api_listener.api_listener.http_filters', 'hcm.router_missing');
  });
});

describe('references', () => {
  it('HCM rds.route_config_name over ADS must name a RouteConfiguration of the snapshot', () => {
    const snapshot = [httpListener('l', {}, 'missing-routes'), ...baseSnapshot().slice(1)];
    const issue = assertOnlyIssue(validateSnapshot(snapshot), `${HCM_PATH}.rds.route_config_name`, 'reference.route_configuration');
    assert.equal(issue.name, 'l');
    // RDS from another source is not ours to check.
    const fromFile = httpListener('l', { rds: { config_source: { path_config_source: { path: '/etc/envoy/rds.yaml' } }, route_config_name: 'elsewhere' } });
    assertValid(validateSnapshot([fromFile, ...baseSnapshot().slice(1)]));
  });

  it('route clusters, weighted clusters and mirror clusters must exist; cluster_header is exempt', () => {
    const routes = routeConfig('routes', [
      { match: { prefix: '/a' }, route: { cluster: 'nope' } },
      { match: { prefix: '/b' }, route: { weighted_clusters: { clusters: [{ name: 'web', weight: 1 }, { name: 'gone', weight: 1 }] } } },
      { match: { prefix: '/c' }, route: { cluster: 'web', request_mirror_policies: [{ cluster: 'shadow' }] } },
      { match: { prefix: '/d' }, route: { cluster_header: 'x-target-cluster' } },
      { match: { prefix: '/e' }, route: { weighted_clusters: { clusters: [{ cluster_header: 'x-c', weight: 1 }] } } },
    ]);
    const issues = validateSnapshot([httpListener('l'), routes, cluster('web')]);
    assertIssue(issues, 'virtual_hosts[0].routes[0].route.cluster', 'reference.cluster');
    assertIssue(issues, 'virtual_hosts[0].routes[1].route.weighted_clusters.clusters[1].name', 'reference.cluster');
    assertIssue(issues, 'virtual_hosts[0].routes[2].route.request_mirror_policies[0].cluster', 'reference.cluster');
    assert.equal(issues.length, 3, issues.map(formatIssue).join('\n'));
  });

  it('tcp_proxy cluster and weighted clusters must exist', () => {
    const tcp = (config: JsonObject) =>
      resource(TypeUrl.Listener, 'tcp', {
        name: 'tcp',
        address: { socket_address: { address: '0.0.0.0', port_value: 5432 } },
        filter_chains: [{ filters: [filter('envoy.filters.network.tcp_proxy', 'envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy', { stat_prefix: 'pg', ...config })] }],
      });
    assertOnlyIssue(validateSnapshot([cluster('web'), tcp({ cluster: 'postgres' })]), 'filter_chains[0].filters[0].typed_config.cluster', 'reference.cluster');
    assertOnlyIssue(
      validateSnapshot([cluster('web'), tcp({ weighted_clusters: { clusters: [{ name: 'web', weight: 1 }, { name: 'pg-b', weight: 1 }] } })]),
      'filter_chains[0].filters[0].typed_config.weighted_clusters.clusters[1].name',
      'reference.cluster',
    );
    assertValid(validateSnapshot([cluster('web'), tcp({ cluster: 'web' })]));
  });

  it('SDS secrets fetched over ADS must exist: certificates, validation contexts, combined validation contexts', () => {
    const tls = (commonTlsContext: JsonObject) =>
      cluster('web', {
        transport_socket: {
          name: 'envoy.transport_sockets.tls',
          typed_config: { '@type': 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext', common_tls_context: commonTlsContext },
        },
      });
    const base = baseSnapshot().slice(0, 2);
    const prefix = 'transport_socket.typed_config.common_tls_context';
    assertOnlyIssue(
      validateSnapshot([...base, tls({ tls_certificate_sds_secret_configs: [{ name: 'client-cert', sds_config: ADS }] })]),
      `${prefix}.tls_certificate_sds_secret_configs[0].name`,
      'reference.secret',
    );
    assertOnlyIssue(validateSnapshot([...base, tls({ validation_context_sds_secret_config: { name: 'ca' } })]), `${prefix}.validation_context_sds_secret_config.name`, 'reference.secret');
    assertOnlyIssue(
      validateSnapshot([...base, tls({ combined_validation_context: { default_validation_context: {}, validation_context_sds_secret_config: { name: 'ca', sds_config: ADS } } })]),
      `${prefix}.combined_validation_context.validation_context_sds_secret_config.name`,
      'reference.secret',
    );
    assertValid(validateSnapshot([...base, secret('ca'), tls({ validation_context_sds_secret_config: { name: 'ca', sds_config: ADS } })]));
    // A secret served by another SDS server is not expected in this snapshot.
    const otherSds = { api_config_source: { api_type: 'GRPC', transport_api_version: 'V3', grpc_services: [{ envoy_grpc: { cluster_name: 'sds-server' } }] } };
    assertValid(validateSnapshot([...base, tls({ validation_context_sds_secret_config: { name: 'ca', sds_config: otherSds } })]));
  });

  it('gRPC services of filters (ext_authz) must name a cluster; xDS config sources are exempt', () => {
    const extAuthz = filter('envoy.filters.http.ext_authz', 'envoy.extensions.filters.http.ext_authz.v3.ExtAuthz', {
      grpc_service: { envoy_grpc: { cluster_name: 'authz' }, timeout: '0.5s' },
      transport_api_version: 'V3',
    });
    const snapshot = [httpListener('l', { http_filters: [extAuthz, routerFilter()] }), ...baseSnapshot().slice(1)];
    assertOnlyIssue(validateSnapshot(snapshot), `${HCM_PATH}.http_filters[0].typed_config.grpc_service.envoy_grpc.cluster_name`, 'reference.cluster');
    assertValid(validateSnapshot([...snapshot, cluster('authz')]));
    // EDS over a named gRPC source points at a bootstrap cluster, not at the snapshot.
    const eds = cluster('web', {
      type: 'EDS',
      load_assignment: null,
      eds_cluster_config: { eds_config: { api_config_source: { api_type: 'GRPC', transport_api_version: 'V3', grpc_services: [{ envoy_grpc: { cluster_name: 'xds_cluster' } }] } } },
    });
    assertValid(validateSnapshot([...baseSnapshot().slice(0, 2), eds]));
  });

  it('jwt_authn remote JWKS http_uri.cluster must exist', () => {
    const jwt = filter('envoy.filters.http.jwt_authn', 'envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication', {
      providers: { idp: { issuer: 'https://idp.example', remote_jwks: { http_uri: { uri: 'https://idp.example/jwks', cluster: 'idp', timeout: '1s' } } } },
    });
    const snapshot = [httpListener('l', { http_filters: [jwt, routerFilter()] }), ...baseSnapshot().slice(1)];
    assertOnlyIssue(validateSnapshot(snapshot), `${HCM_PATH}.http_filters[0].typed_config.providers["idp"].remote_jwks.http_uri.cluster`, 'reference.cluster');
    assertValid(validateSnapshot([...snapshot, cluster('idp')]));
  });

  it('createSnapshotValidator accepts references to static bootstrap clusters and secrets', () => {
    const extAuthz = filter('envoy.filters.http.ext_authz', 'envoy.extensions.filters.http.ext_authz.v3.ExtAuthz', { grpc_service: { envoy_grpc: { cluster_name: 'authz' } } });
    const snapshot = [httpListener('l', { http_filters: [extAuthz, routerFilter()] }), ...baseSnapshot().slice(1)];
    assert.equal(validateSnapshot(snapshot).length, 1);
    assertValid(createSnapshotValidator({ clusters: ['authz'] })(snapshot));
  });

  it('PGV issues and semantic issues come out of one validateSnapshot call', () => {
    const issues = validateSnapshot([httpListener('l', { stat_prefix: '' }, 'missing'), cluster('web', { connect_timeout: '0s' })]);
    assertIssue(issues, `${HCM_PATH}.stat_prefix`, 'string.min_len');
    assertIssue(issues, 'connect_timeout', 'duration.gt');
    assertIssue(issues, `${HCM_PATH}.rds.route_config_name`, 'reference.route_configuration');
    assert.equal(issues.length, 3);
  });
});
