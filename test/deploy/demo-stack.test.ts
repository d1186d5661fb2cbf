// The docker-compose demo of every format in examples/, end to end without Docker: the compose
// file's jobs run against a real control plane, and every Envoy the compose file defines (node
// from the bootstrap its job writes) receives a non-empty, valid configuration, ACKs it and shows
// up in GET /v1/proxies without a NACK; sidecars get their certificate. `explain` then walks the
// requests of the README: gateway → frontend, gateway → catalog (and its canary weights),
// frontend's sidecar → catalog subsets, catalog's inbound mTLS and authorization. Each walkthrough
// step (examples/<format>/demo/*.yaml) applies on top, and a rollback undoes the last one.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { ExplainResult } from '../../src/explain';
import { explainMeshAuthorization, type MeshAuthorizationRequest } from '../../src/explain/mesh-authorization';
import type { JsonObject } from '../../src/envoy/resource';
import { TypeUrl } from '../../src/envoy/type-urls';
import { createSnapshotValidator, formatIssue } from '../../src/validate';
import { RawRateLimitClient } from '../ratelimit/helpers';
import yaml from 'js-yaml';
import { bootstrapProblems } from '../../src/cli/bootstrap';
import { containerPortOf, flagValue, ipv4Of, repoPathOf, ROOT, type ComposeService } from './compose';
import { demoFormat, formatNames, readmeDemoToken, workloadEndpoints, workloadEntriesOf, type WorkloadEntry } from './demo-sets';
import { startDemoStack, type DemoProxy, type DemoStack } from './demo-stack';

function staticClusters(bootstrap: JsonObject): string[] {
  const statics = bootstrap['static_resources'] as { clusters?: { name: string }[] } | undefined;
  return (statics?.clusters ?? []).map((c) => c.name);
}

function appOf(stack: DemoStack, proxy: DemoProxy): { name: string; service: ComposeService } | undefined {
  const mode = proxy.envoy.service.network_mode;
  if (!mode?.startsWith('service:')) return undefined;
  const name = mode.slice('service:'.length);
  return { name, service: stack.format.compose.services[name]! };
}

const isSidecar = (p: DemoProxy): boolean => p.group.startsWith('sidecar/');

function edgeOf(stack: DemoStack): DemoProxy {
  const edges = stack.proxies.filter((p) => p.group === stack.format.edgeGroup);
  assert.equal(edges.length, 1, `one Envoy reads the edge group ${stack.format.edgeGroup}`);
  return edges[0]!;
}

function sidecarOf(stack: DemoStack, workload: string): DemoProxy {
  const found = stack.proxies.find((p) => p.group === `sidecar/demo/${workload}`);
  assert.ok(found, `an Envoy reads sidecar/demo/${workload}`);
  return found;
}

/** The edge's HTTP port: the one published port that is not its admin port. */
function edgePort(stack: DemoStack): number {
  const edge = edgeOf(stack);
  const admin = ((edge.bootstrap['admin'] as JsonObject)['address'] as { socket_address: { port_value: number } }).socket_address.port_value;
  const ports = (edge.envoy.service.ports ?? []).map(containerPortOf).filter((p) => p !== admin);
  assert.equal(ports.length, 1, `the gateway publishes one traffic port, got ${ports.join(', ')}`);
  return ports[0]!;
}

async function explain(stack: DemoStack, body: Record<string, unknown>): Promise<ExplainResult> {
  const answer = await stack.admin('POST', '/v1/explain', { method: 'GET', ...body });
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  return answer.body as ExplainResult;
}

const endpointsOf = (r: ExplainResult): string[] => [...new Set((r.upstream?.endpoints ?? []).map((e) => `${e.address}:${e.port}`))].sort();
const percentsOf = (r: ExplainResult): Record<string, number> => Object.fromEntries((r.upstream?.clusters ?? []).map((c) => [c.name, c.percent]));

/** Every proxy holds a complete, valid configuration and the server has seen it ACKed, no NACK. */
async function assertAllSynced(stack: DemoStack): Promise<void> {
  await stack.settle();
  for (const proxy of stack.proxies) {
    const resources = proxy.client.resources();
    const issues = createSnapshotValidator({ clusters: staticClusters(proxy.bootstrap) })(resources);
    assert.deepEqual(issues.map(formatIssue), [], `${proxy.envoy.name}: valid configuration`);
    for (const typeUrl of [TypeUrl.ClusterLoadAssignment, TypeUrl.RouteConfiguration, TypeUrl.Secret]) {
      assert.deepEqual(proxy.client.namesOf(typeUrl), [...proxy.client.subscriptionOf(typeUrl)], `${proxy.envoy.name}: every ${typeUrl.split('.').pop()} it asks for arrived`);
    }
  }
  const answer = await stack.admin('GET', '/v1/proxies');
  assert.equal(answer.status, 200);
  const listed = (answer.body as { proxies: { id: string; group: string; sync: string; types: { type: string; state: string; nackedVersion?: string }[] }[] }).proxies;
  for (const proxy of stack.proxies) {
    const entry = listed.find((p) => p.id === proxy.node.id);
    assert.ok(entry, `GET /v1/proxies lists ${proxy.node.id}`);
    assert.equal(entry.group, proxy.group);
    assert.equal(entry.sync, 'synced', `${proxy.node.id}: ${JSON.stringify(entry.types)}`);
    for (const t of entry.types) {
      assert.equal(t.state, 'synced', `${proxy.node.id} ${t.type}`);
      assert.equal(t.nackedVersion, undefined);
    }
  }
}

function meshRequest(extra: Partial<MeshAuthorizationRequest>): MeshAuthorizationRequest {
  return { port: 9080, host: 'catalog', method: 'GET', path: '/items', ...extra };
}

/** What each walkthrough step must change, by "<format>/<file>"; every step also passes the generic checks. */
type StepCheck = (stack: DemoStack, context: WalkContext) => Promise<void>;

interface WalkContext {
  readonly entries: readonly WorkloadEntry[];
  readonly gatewayIp: string;
}

async function edgeCatalog(stack: DemoStack, headers: Record<string, string> = {}): Promise<ExplainResult> {
  return explain(stack, { group: stack.format.edgeGroup, port: edgePort(stack), host: 'localhost:8080', path: '/catalog/items', headers });
}

async function frontendToCatalog(stack: DemoStack, headers: Record<string, string> = {}): Promise<ExplainResult> {
  const frontend = sidecarOf(stack, 'frontend');
  const app = appOf(stack, frontend)!.service.environment ?? {};
  const egress = new URL(app['CATALOG_URL']!);
  return explain(stack, { group: frontend.group, port: Number(egress.port), host: app['CATALOG_HOST']!, path: '/items', headers });
}

const SUBSET = (v: string): string => `outbound|8080|${v}|catalog.demo.svc.cluster.local`;

function awayFromMinuteBoundary(): Promise<void> {
  const left = 60_000 - (Date.now() % 60_000);
  return left < 2_000 ? new Promise((r) => setTimeout(r, left + 50)) : Promise.resolve();
}

const STEP_CHECKS: Readonly<Record<string, StepCheck>> = {
  // Kong upstreams balance by target weight inside one cluster (Kong's own model), so the canary
  // shows as endpoint weights: catalog-v1 100, catalog-v2 11 (about 90/10).
  'kong/01-canary.yaml': async (stack, context) => {
    const r = await edgeCatalog(stack);
    assert.equal(r.decision, 'forward', r.steps.join('\n'));
    const weights = Object.fromEntries((r.upstream?.endpoints ?? []).map((e) => [`${e.address}:${e.port}`, e.weight]));
    const [v1] = workloadEndpoints(context.entries.filter((w) => w.labels['version'] === 'v1'), 'catalog');
    const [v2] = workloadEndpoints(context.entries.filter((w) => w.labels['version'] === 'v2'), 'catalog');
    assert.deepEqual(weights, { [v1!]: 100, [v2!]: 11 });
  },
  'kong/02-key-auth-ratelimit.yaml': async (stack) => {
    const missing = await edgeCatalog(stack);
    assert.equal(missing.decision, 'denied');
    assert.equal(missing.status, 401);
    const withKey = await edgeCatalog(stack, { apikey: 'demo-key-0123456789' });
    assert.equal(withKey.decision, 'forward', withKey.steps.join('\n'));
    const frontend = await explain(stack, { group: stack.format.edgeGroup, port: edgePort(stack), host: 'localhost:8000', path: '/' });
    assert.equal(frontend.decision, 'forward', 'the frontend route needs no key');
  },
  'gateway-api/01-canary.yaml': async (stack) => {
    const r = await edgeCatalog(stack);
    assert.equal(r.decision, 'forward');
    assert.deepEqual(percentsOf(r), { 'backend/default/catalog-v1': 90, 'backend/default/catalog-v2': 10 });
  },
  'gateway-api/02-jwt-ratelimit.yaml': async (stack) => {
    const missing = await edgeCatalog(stack);
    assert.equal(missing.decision, 'denied');
    assert.equal(missing.status, 401);
    const withToken = await edgeCatalog(stack, { authorization: `Bearer ${readmeDemoToken()}` });
    assert.equal(withToken.decision, 'forward', withToken.steps.join('\n'));
    assert.deepEqual(percentsOf(withToken), { 'backend/default/catalog-v1': 90, 'backend/default/catalog-v2': 10 });
    // The frontend route is not covered.
    const frontend = await explain(stack, { group: stack.format.edgeGroup, port: edgePort(stack), host: 'localhost:8080', path: '/' });
    assert.equal(frontend.decision, 'forward');
    // The global limit: meshgate's rate limit service answers OK five times, then OVER_LIMIT.
    const limit = withToken.filters.find((f) => f.rateLimit?.kind === 'global')?.rateLimit;
    assert.ok(limit, 'a global rate limit filter runs on /catalog');
    assert.equal(limit.domain, 'meshgate');
    // Proxies reach it through meshgate/ratelimit: the compose service of the control plane, on its xDS port.
    const rls = edgeOf(stack).client.resources().find((r) => r.typeUrl === TypeUrl.Cluster && r.name === 'meshgate/ratelimit');
    assert.ok(rls, 'the edge has the cluster meshgate/ratelimit');
    const endpoint = JSON.stringify(rls.json['load_assignment']);
    assert.ok(endpoint.includes(`{"address":"${stack.controlPlane.name}","port_value":${stack.controlPlane.xdsPort}}`), `rate limit service at ${stack.controlPlane.name}:${stack.controlPlane.xdsPort}: ${endpoint}`);
    const client = new RawRateLimitClient(stack.plane.xdsPort);
    try {
      await awayFromMinuteBoundary();
      const codes: string[] = [];
      for (let i = 0; i < 7; i++) {
        const answer = await client.call({ domain: limit.domain, descriptors: limit.descriptors.map((entries) => ({ entries: [...entries] })) });
        codes.push(answer.overall_code ?? '');
      }
      assert.deepEqual(codes, ['OK', 'OK', 'OK', 'OK', 'OK', 'OVER_LIMIT', 'OVER_LIMIT']);
    } finally {
      client.close();
    }
  },
  'istio/01-canary.yaml': async (stack) => {
    assert.deepEqual(percentsOf(await edgeCatalog(stack)), { [SUBSET('v1')]: 90, [SUBSET('v2')]: 10 });
    assert.deepEqual(percentsOf(await frontendToCatalog(stack)), { [SUBSET('v1')]: 90, [SUBSET('v2')]: 10 });
    assert.deepEqual(percentsOf(await frontendToCatalog(stack, { 'x-canary': 'true' })), { [SUBSET('v2')]: 100 });
  },
  'istio/02-jwt.yaml': async (stack, { entries }) => {
    const catalog = sidecarOf(stack, 'catalog-v1').client.resources();
    const frontend = { principal: 'cluster.local/ns/demo/sa/frontend', ip: entries.find((w) => w.name === 'frontend')!.address };
    const without = explainMeshAuthorization(catalog, meshRequest({ source: frontend }));
    assert.equal(without.decision, 'denied');
    assert.equal(without.status, 403);
    assert.equal(without.decidedBy, 'demo/catalog-require-jwt[rules[0]]');
    const withJwt = explainMeshAuthorization(catalog, meshRequest({ source: frontend, headers: { authorization: `Bearer ${readmeDemoToken()}` }, jwt: { iss: 'https://auth.demo.example', sub: 'alice', aud: 'demo-api' } }));
    assert.equal(withJwt.decision, 'allowed', withJwt.summary);
  },
};

/** After rolling back the last step, per format. */
const ROLLBACK_CHECKS: Readonly<Record<string, StepCheck>> = {
  'gateway-api': async (stack) => {
    const r = await edgeCatalog(stack);
    assert.equal(r.decision, 'forward', 'no JWT needed any more');
    assert.deepEqual(percentsOf(r), { 'backend/default/catalog-v1': 90, 'backend/default/catalog-v2': 10 }, 'the canary stays');
  },
  istio: async (stack, { entries }) => {
    const catalog = sidecarOf(stack, 'catalog-v1').client.resources();
    const frontend = { principal: 'cluster.local/ns/demo/sa/frontend', ip: entries.find((w) => w.name === 'frontend')!.address };
    assert.equal(explainMeshAuthorization(catalog, meshRequest({ source: frontend })).decision, 'allowed');
    assert.deepEqual(percentsOf(await edgeCatalog(stack)), { [SUBSET('v1')]: 90, [SUBSET('v2')]: 10 });
  },
};

for (const name of formatNames()) {
  describe(`docker compose demo, ${name} format`, () => {
    const format = demoFormat(name);
    let stack: DemoStack;
    let context: WalkContext;
    before(async () => {
      stack = await startDemoStack(format);
      context = { entries: workloadEntriesOf(format.startFiles), gatewayIp: ipv4Of(edgeOf(stack).envoy.service)! };
    });
    after(async () => {
      await stack?.close();
    });

    it('the compose file\'s apply job stores the starting set as revision 1', () => {
      assert.match(stack.startup.stdout, /^revision 1$/m);
      assert.ok(format.startFiles.includes(format.demoFile), `${path.relative(ROOT, format.demoFile)} is applied at start`);
    });

    it('every bootstrap the jobs wrote is a valid Bootstrap: its template with the node of the job\'s command line', () => {
      for (const proxy of stack.proxies) {
        assert.deepEqual(bootstrapProblems(proxy.bootstrap), [], proxy.envoy.name);
        const args = proxy.envoy.job.args;
        const template = yaml.load(fs.readFileSync(repoPathOf(proxy.envoy.job.service, flagValue(args, '--template')!)!, 'utf8')) as JsonObject;
        const { node: _generated, ...rest } = proxy.bootstrap;
        const { node: _template, ...templateRest } = template;
        assert.deepEqual(rest, templateRest, `${proxy.envoy.name}: only the node differs from the template`);
        assert.equal(proxy.node.id, flagValue(args, '--node-id'));
        assert.equal(proxy.node.cluster, flagValue(args, '--node-cluster'));
        assert.equal(proxy.group, flagValue(args, '--group'));
        assert.match(proxy.node.metadata['meshgate_token'] ?? '', /^mgt1\./, `${proxy.envoy.name} carries a bootstrap token`);
      }
    });

    it('every Envoy service is a distinct node, and every proxy group of the starting set has one', () => {
      const ids = stack.proxies.map((p) => p.node.id);
      assert.equal(new Set(ids).size, ids.length, `node ids ${ids.join(', ')}`);
      const served = stack.plane.config.groupNames().filter((g) => !g.startsWith('grpc:'));
      assert.deepEqual(stack.proxies.map((p) => p.group).sort(), served);
    });

    it('every node receives a non-empty, valid configuration, ACKs it, and GET /v1/proxies shows no NACK', async () => {
      for (const proxy of stack.proxies) {
        assert.ok(proxy.client.namesOf(TypeUrl.Listener).length > 0, `${proxy.envoy.name}: listeners`);
        assert.ok(proxy.client.namesOf(TypeUrl.Cluster).length > 0, `${proxy.envoy.name}: clusters`);
        assert.ok(proxy.client.namesOf(TypeUrl.RouteConfiguration).length > 0, `${proxy.envoy.name}: routes`);
      }
      await assertAllSynced(stack);
    });

    it('sidecars prove their workload with the token their job wrote: "default" (their SPIFFE ID) and "ROOTCA" arrive', async () => {
      const sidecars = stack.proxies.filter(isSidecar);
      assert.equal(sidecars.length, context.entries.length, 'one sidecar per WorkloadEntry');
      for (const proxy of sidecars) {
        const workload = context.entries.find((w) => `sidecar/demo/${w.name}` === proxy.group);
        assert.ok(workload, `${proxy.group} is a WorkloadEntry`);
        assert.deepEqual(proxy.client.namesOf(TypeUrl.Secret), ['ROOTCA', 'default']);
        const secret = proxy.client.resources().find((r) => r.typeUrl === TypeUrl.Secret && r.name === 'default')!;
        const chain = (secret.json['tls_certificate'] as { certificate_chain: { inline_string: string } }).certificate_chain.inline_string;
        assert.equal(new X509Certificate(chain).subjectAltName, `URI:spiffe://cluster.local/ns/demo/sa/${workload.serviceAccount}`);
        const detail = await stack.admin('GET', `/v1/proxies/${encodeURIComponent(proxy.node.id)}`);
        const metadata = (detail.body as { node: { metadata: Record<string, unknown> } }).node.metadata;
        assert.deepEqual(metadata['meshgate_identity'], { authenticated: true, spiffe_id: `spiffe://cluster.local/ns/demo/sa/${workload.serviceAccount}`, via: 'token' });
        assert.equal(metadata['meshgate_token'], '[redacted]');
      }
    });

    it('each sidecar shares its app\'s network namespace: inbound forwards to the app\'s port, egress is where the app calls', () => {
      for (const proxy of stack.proxies.filter(isSidecar)) {
        const app = appOf(stack, proxy);
        assert.ok(app, `${proxy.envoy.name} runs in an app's network namespace`);
        const env = app.service.environment ?? {};
        const workload = context.entries.find((w) => `sidecar/demo/${w.name}` === proxy.group)!;
        assert.equal(ipv4Of(app.service), workload.address, `${app.name} has the address of WorkloadEntry ${workload.name}`);
        const text = JSON.stringify(proxy.client.resources().map((r) => r.json));
        assert.ok(text.includes(`"address":"${env['LISTEN_HOST']}","port_value":${env['PORT']}`), `${proxy.envoy.name} forwards inbound to ${env['LISTEN_HOST']}:${env['PORT']}`);
        assert.ok(text.includes(`"address":"0.0.0.0","port_value":${workload.ports['http']}`), `${proxy.envoy.name} listens on ${workload.ports['http']}`);
        if (env['CATALOG_URL']) {
          const egress = new URL(env['CATALOG_URL']);
          assert.ok(proxy.client.namesOf(TypeUrl.Listener).includes(`${egress.hostname}_${egress.port}`), `${proxy.envoy.name} has the egress listener ${egress.host}`);
        }
      }
    });

    it('explain: the gateway sends / to frontend and /catalog to catalog, on the published port', async () => {
      const port = edgePort(stack);
      assert.ok(edgeOf(stack).client.resources().some((r) => r.typeUrl === TypeUrl.Listener && JSON.stringify(r.json).includes(`"port_value":${port}`)), `a listener on ${port}`);
      const frontend = await explain(stack, { group: format.edgeGroup, port, host: 'localhost:8080', path: '/' });
      assert.equal(frontend.decision, 'forward', frontend.steps.join('\n'));
      assert.deepEqual(endpointsOf(frontend), workloadEndpoints(context.entries, 'frontend'));
      const catalog = await edgeCatalog(stack);
      assert.equal(catalog.decision, 'forward', catalog.steps.join('\n'));
      for (const endpoint of endpointsOf(catalog)) assert.ok(workloadEndpoints(context.entries, 'catalog').includes(endpoint), `${endpoint} is a catalog workload`);
      const toV1 = (catalog.upstream?.clusters ?? []).filter((c) => c.percent > 0).flatMap((c) => c.endpoints.map((e) => `${e.address}:${e.port}`));
      assert.deepEqual([...new Set(toV1)], workloadEndpoints(context.entries.filter((w) => w.labels['version'] === 'v1'), 'catalog'), 'all of it to v1 before the canary');
    });

    it('explain: frontend\'s sidecar sends catalog calls to subset v1, and x-canary: true to v2', async () => {
      const split = await frontendToCatalog(stack);
      assert.equal(split.decision, 'forward', split.steps.join('\n'));
      assert.deepEqual(percentsOf(split), { [SUBSET('v1')]: 100, [SUBSET('v2')]: 0 });
      assert.deepEqual(endpointsOf(split), workloadEndpoints(context.entries, 'catalog'));
      assert.equal(split.upstream?.clusters[0]?.upstreamTls !== undefined, true, 'mesh mTLS to catalog');
      const canary = await frontendToCatalog(stack, { 'x-canary': 'true' });
      assert.deepEqual(percentsOf(canary), { [SUBSET('v2')]: 100 });
    });

    it('explain: catalog accepts frontend over mTLS and the gateway\'s address in plain text, and refuses everyone else', () => {
      const catalog = sidecarOf(stack, 'catalog-v1').client.resources();
      const frontendIp = context.entries.find((w) => w.name === 'frontend')!.address;
      const fromFrontend = explainMeshAuthorization(catalog, meshRequest({ source: { principal: 'cluster.local/ns/demo/sa/frontend', ip: frontendIp } }));
      assert.equal(fromFrontend.decision, 'allowed', fromFrontend.summary);
      assert.equal(fromFrontend.decidedBy, 'demo/catalog[rules[0]]');
      assert.ok(fromFrontend.steps.some((s) => s.kind === 'tls' && s.outcome === 'passed'), 'mTLS chain');
      const fromGateway = explainMeshAuthorization(catalog, meshRequest({ source: { ip: context.gatewayIp } }));
      assert.equal(fromGateway.decision, 'allowed', fromGateway.summary);
      assert.equal(fromGateway.decidedBy, 'demo/catalog[rules[1]]');
      const stranger = explainMeshAuthorization(catalog, meshRequest({ source: { ip: '10.77.0.200' } }));
      assert.deepEqual([stranger.decision, stranger.status], ['denied', 403]);
      const otherWorkload = explainMeshAuthorization(catalog, meshRequest({ source: { principal: 'cluster.local/ns/demo/sa/catalog', ip: context.entries.find((w) => w.name === 'catalog-v2')!.address } }));
      assert.deepEqual([otherWorkload.decision, otherWorkload.status], ['denied', 403]);
      const write = explainMeshAuthorization(catalog, meshRequest({ method: 'POST', source: { principal: 'cluster.local/ns/demo/sa/frontend', ip: frontendIp } }));
      assert.deepEqual([write.decision, write.status], ['denied', 403]);
    });

    const revisions: number[] = [];
    for (const step of format.steps) {
      const key = `${name}/${path.basename(step)}`;
      it(`walkthrough step ${path.relative(ROOT, step)} applies with \`meshgate apply\`, every proxy takes it without a NACK`, async () => {
        const result = await stack.cli(['apply', '-f', step]);
        assert.equal(result.code, 0, result.stderr);
        const revision = Number(/^revision (\d+)$/m.exec(result.stdout)?.[1]);
        assert.equal(revision, 2 + revisions.length);
        revisions.push(revision);
        await assertAllSynced(stack);
        const check = STEP_CHECKS[key];
        if (check) await check(stack, context);
      });
    }

    if (format.steps.length > 0) {
      it('POST /v1/revisions/{n}/rollback undoes the last step; every proxy takes it without a NACK', async () => {
        const target = revisions.length >= 2 ? revisions[revisions.length - 2]! : 1;
        const answer = await stack.admin('POST', `/v1/revisions/${target}/rollback`);
        assert.equal(answer.status, 200, JSON.stringify(answer.body));
        assert.equal((answer.body as { revision: number }).revision, 2 + revisions.length);
        const byKey = (docs: readonly { key: { kind: string; namespace: string; name: string }; body: unknown }[]): string[] =>
          docs.map((d) => JSON.stringify([d.key.kind, d.key.namespace, d.key.name, d.body])).sort();
        assert.deepEqual(byKey(stack.plane.store.current().documents), byKey(await stack.plane.store.documentsAt(target)), `the documents of revision ${target}`);
        await assertAllSynced(stack);
        const check = ROLLBACK_CHECKS[name];
        if (check) await check(stack, context);
      });
    }
  });
}
