// The validator reads JSON the way the codec (src/envoy/codec.ts) encodes it: what the codec
// refuses, the validator reports as a json.* issue at the same path, and what the validator
// accepts, the codec encodes. Otherwise a snapshot could pass validation and fail to serve.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CodecError, encodeAny } from '../../src/envoy/codec';
import type { EnvoyResource, JsonObject, JsonValue } from '../../src/envoy/resource';
import { validateResource } from '../../src/validate';
import { loadCorpus, show } from './helpers';

/** Returns a copy of `json` with the value at `path` (keys and indexes) replaced. */
function mutate(json: JsonObject, path: (string | number)[], value: JsonValue | undefined): JsonObject {
  const copy = structuredClone(json);
  let node: JsonValue = copy;
  for (const key of path.slice(0, -1)) node = (node as Record<string | number, JsonValue>)[key]!;
  const last = path[path.length - 1]!;
  if (value === undefined) delete (node as Record<string | number, JsonValue>)[last];
  else (node as Record<string | number, JsonValue>)[last] = value;
  return copy;
}

function codecError(resource: EnvoyResource): CodecError | undefined {
  try {
    encodeAny(resource.typeUrl, resource.json);
    return undefined;
  } catch (err) {
    if (err instanceof CodecError) return err;
    throw err;
  }
}

describe('validator and codec agree on JSON', () => {
  const corpus = new Map(loadCorpus().map((c) => [c.file, c.resource]));
  const hcm = ['filter_chains', 0, 'filters', 0, 'typed_config'];
  const mutations: { file: string; path: (string | number)[]; value: JsonValue | undefined }[] = [
    { file: 'cluster-eds.json', path: ['connect_timeout'], value: '5' },
    { file: 'cluster-eds.json', path: ['lb_policy'], value: 'FASTEST' },
    { file: 'cluster-eds.json', path: ['conect_timeout'], value: '1s' },
    { file: 'cluster-eds.json', path: ['transport_socket', 'typed_config', 'sni'], value: 42 },
    { file: 'cluster-eds.json', path: ['transport_socket', 'typed_config', '@type'], value: 'type.googleapis.com/envoy.Nope' },
    { file: 'cluster-strict-dns.json', path: ['health_checks', 0, 'unhealthy_threshold'], value: 'many' },
    { file: 'cluster-strict-dns.json', path: ['circuit_breakers', 'thresholds', 0, 'max_connections'], value: -1 },
    { file: 'cluster-strict-dns.json', path: ['outlier_detection', 'interval'], value: { seconds: 10 } },
    { file: 'listener-http.json', path: [...hcm, 'http_filters', 1], value: null },
    { file: 'listener-http.json', path: [...hcm, 'http_filters', 4, 'typed_config', 'bogus'], value: true },
    { file: 'listener-http.json', path: [...hcm, 'rds', 'route_config_name'], value: ['main-routes'] },
    { file: 'route-config.json', path: ['virtual_hosts', 0, 'routes', 0, 'match', 'path'], value: '/also' },
    { file: 'route-config.json', path: ['virtual_hosts', 0, 'routes', 1, 'route', 'weighted_clusters', 'clusters', 0, 'weight'], value: 1.5 },
    { file: 'route-config.json', path: ['virtual_hosts', 0, 'typed_per_filter_config', 'envoy.filters.http.cors', 'max_age'], value: 86400 },
    { file: 'cla-web.json', path: ['endpoints', 0, 'lb_endpoints', 0, 'health_status'], value: 'FINE' },
    { file: 'cla-web.json', path: ['policy', 'overprovisioning_factor'], value: 'lots' },
    { file: 'secret-web-cert.json', path: ['tls_certificate', 'certificate_chain', 'inline_bytes'], value: 'not base64!' },
  ];

  for (const m of mutations) {
    it(`${m.file}: ${m.path.join('.')} = ${JSON.stringify(m.value)}`, () => {
      const original = corpus.get(m.file);
      assert.ok(original, `${m.file} missing from the corpus`);
      const resource = { ...original, json: mutate(original.json, m.path, m.value) };
      const err = codecError(resource);
      assert.ok(err, 'the codec accepted the mutation; pick one it refuses');
      const issues = validateResource(resource).filter((i) => i.rule.startsWith('json.'));
      assert.ok(
        issues.some((i) => i.path === err.path),
        `codec refused at "${err.path}" (${err.reason}); validator reported:\n${show(issues)}`,
      );
    });
  }

  it('every corpus resource the validator accepts, the codec encodes', () => {
    for (const [file, resource] of corpus) {
      assert.equal(validateResource(resource).length, 0, file);
      assert.equal(codecError(resource), undefined, file);
    }
  });
});
