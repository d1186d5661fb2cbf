// Shared fixtures for the validator tests: resource builders around known-valid Envoy configs,
// the corpus on disk, and assertions that name the rule and path an issue must carry.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { ValidationIssue } from '../../src/cache/types';
import type { EnvoyResource, JsonObject } from '../../src/envoy/resource';
import { type ResourceTypeUrl, TypeUrl } from '../../src/envoy/type-urls';
import { formatIssue } from '../../src/validate';

/** A file of the repository, found upward from the compiled test (works from dist/ and .tmp/out-*). */
export function repoPath(...parts: string[]): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'test', 'validate', 'corpus'))) {
      return path.join(dir, ...parts);
    }
    if (path.dirname(dir) === dir) throw new Error(`repository root not found above ${__dirname}`);
  }
}

export function loadCorpus(): { file: string; resource: EnvoyResource }[] {
  const dir = repoPath('test', 'validate', 'corpus');
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => ({ file, resource: JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as EnvoyResource }));
}

export function resource(typeUrl: ResourceTypeUrl, name: string, json: JsonObject): EnvoyResource {
  return { typeUrl, name, json };
}

export function cluster(name: string, extra: JsonObject = {}): EnvoyResource {
  return resource(TypeUrl.Cluster, name, {
    name,
    type: 'STATIC',
    connect_timeout: '1s',
    load_assignment: {
      cluster_name: name,
      endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: '10.0.0.1', port_value: 8080 } } } }] }],
    },
    ...extra,
  });
}

export function routeConfig(name: string, routes: JsonObject[], vhostExtra: JsonObject = {}): EnvoyResource {
  return resource(TypeUrl.RouteConfiguration, name, {
    name,
    virtual_hosts: [{ name: 'vh', domains: ['*'], routes, ...vhostExtra }],
  });
}

export const HCM_TYPE = 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager';
export const ROUTER_TYPE = 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router';

export function routerFilter(): JsonObject {
  return { name: 'envoy.filters.http.router', typed_config: { '@type': ROUTER_TYPE } };
}

/** A listener whose only filter is an HCM taking routes from RDS over ADS. */
export function httpListener(name: string, hcmExtra: JsonObject = {}, routeConfigName = 'routes'): EnvoyResource {
  return resource(TypeUrl.Listener, name, {
    name,
    address: { socket_address: { address: '0.0.0.0', port_value: 8080 } },
    filter_chains: [
      {
        filters: [
          {
            name: 'envoy.filters.network.http_connection_manager',
            typed_config: {
              '@type': HCM_TYPE,
              stat_prefix: 'http',
              rds: { config_source: { ads: {}, resource_api_version: 'V3' }, route_config_name: routeConfigName },
              http_filters: [routerFilter()],
              ...hcmExtra,
            },
          },
        ],
      },
    ],
  });
}

export const HCM_PATH = 'filter_chains[0].filters[0].typed_config';

export function show(issues: readonly ValidationIssue[]): string {
  return issues.length === 0 ? '(no issues)' : issues.map(formatIssue).join('\n');
}

/** Asserts that an issue with this path and rule was reported, and returns it. */
export function assertIssue(issues: readonly ValidationIssue[], path: string, rule: string): ValidationIssue {
  const found = issues.find((i) => i.path === path && i.rule === rule);
  assert.ok(found, `expected ${rule} at "${path}", got:\n${show(issues)}`);
  return found;
}

/** Asserts that exactly one issue was reported, at this path with this rule. */
export function assertOnlyIssue(issues: readonly ValidationIssue[], path: string, rule: string): ValidationIssue {
  assert.equal(issues.length, 1, `expected only ${rule} at "${path}", got:\n${show(issues)}`);
  return assertIssue(issues, path, rule);
}

export function assertValid(issues: readonly ValidationIssue[]): void {
  assert.equal(issues.length, 0, `expected no issues, got:\n${show(issues)}`);
}
