// A Kong file served as the Kong family serves it: parse (the decK envelope), translate, build
// and validate the Envoy resources of gateway/<namespace>/<name>; and requests explained against them.
import assert from 'node:assert/strict';
import { parseDocuments } from '../../src/documents/parse';
import type { EnvoyResource } from '../../src/envoy/resource';
import { explainRequest, type ExplainRequest, type ExplainResult } from '../../src/explain';
import { formatIssue, validateSnapshot } from '../../src/validate';
import { buildProxyResources } from '../../src/xds';
import { translate } from '../../translators';

export function serveKong(text: string, group = 'gateway/default/kong'): readonly EnvoyResource[] {
  const parsed = parseDocuments(text);
  assert.deepEqual(parsed.errors, [], 'the Kong file parses');
  const result = translate(parsed.documents);
  assert.deepEqual(result.errors, [], 'the Kong file translates without errors');
  const proxy = result.ir.proxies.find((p) => p.name === group);
  assert.ok(proxy, `${group} is served`);
  const resources = buildProxyResources(proxy);
  assert.deepEqual(validateSnapshot(resources).map(formatIssue), [], 'the generated snapshot validates');
  return resources;
}

/** A request to Kong's proxy port (8000) unless told otherwise. */
export function ask(resources: readonly EnvoyResource[], request: Partial<ExplainRequest> & { path: string }): ExplainResult {
  return explainRequest(resources, { port: 8000, host: 'api.example.com', method: 'GET', ...request });
}

/** The converted HTTPRoute a request met ("httproute/default/<name>/…" in Envoy's route name). */
export function routeOf(result: ExplainResult): string | undefined {
  return /httproute\/[^/]+\/([^/]+)\//.exec(result.route?.name ?? '')?.[1];
}
