// `meshgate explain --from-*`: a mesh request explained offline from the demo's Istio policy, run as
// the compiled CLI: the route, cluster and inbound decision on stdout (exit 0), and exit 1 with a
// message naming the flag for an unknown or ambiguous caller.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { runCli } from './helpers';
import { goldenPath } from '../golden-helper';

const EXAMPLES = path.join(path.dirname(goldenPath('x')), '..', '..', 'examples', 'istio');
const FILES = ['registry.yaml', 'traffic.yaml', 'security.yaml'].flatMap((f) => ['-f', path.join(EXAMPLES, f)]);

describe('meshgate explain (mesh requests)', { concurrency: 4 }, () => {
  it('frontend → catalog with x-canary: subset v2, allowed by the catalog policy', async () => {
    const r = await runCli(['explain', ...FILES, '--from-namespace', 'demo', '--from-service-account', 'frontend', '--host', 'catalog', '--port', '8080', '--header', 'x-canary=true']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^route: demo\/catalog\/canary@catalog\.demo\.svc\.cluster\.local:8080 → outbound\|8080\|v2\|catalog\.demo\.svc\.cluster\.local 100%$/m);
    assert.match(r.stdout, /inbound outbound\|8080\|v2\|catalog\.demo\.svc\.cluster\.local → 10\.77\.0\.12:9080 \(sidecar\/demo\/catalog-v2, mTLS\): allowed by ALLOW rule demo\/catalog\[rules\[0\]\]/);
    assert.match(r.stdout, /^authorization: allowed$/m);
  });

  it('--json: catalog-v1 → catalog is routed and denied at the destination', async () => {
    const r = await runCli(['explain', ...FILES, '--from-workload', 'demo/catalog-v1', '--host', 'catalog', '--port', '8080', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const result = JSON.parse(r.stdout) as { decision: string; authorization: string; destinations: { inbound: { decision: string; status?: number }[] }[] };
    assert.equal(result.decision, 'forward');
    assert.equal(result.authorization, 'denied');
    assert.ok(result.destinations.flatMap((d) => d.inbound).every((i) => i.decision === 'denied' && i.status === 403));
  });

  it('an unknown workload exits 1 naming the flag and the known sidecars', async () => {
    const r = await runCli(['explain', ...FILES, '--from-workload', 'demo/nobody', '--host', 'catalog', '--port', '8080']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /--from-workload: no sidecar fronts workload demo\/nobody \(known: .*sidecar\/demo\/frontend/);
    assert.equal(r.stdout, '');
  });

  it('a service account without a namespace, or a node flag with --from-*, exits 1 with a message', async () => {
    const noNamespace = await runCli(['explain', ...FILES, '--from-service-account', 'frontend', '--host', 'catalog', '--port', '8080']);
    assert.equal(noNamespace.code, 1);
    assert.match(noNamespace.stderr, /--from-namespace: from\.serviceAccount needs from\.namespace/);
    const mixed = await runCli(['explain', ...FILES, '--from-workload', 'demo/frontend', '--node-id', 'x', '--host', 'catalog', '--port', '8080']);
    assert.equal(mixed.code, 1);
    assert.match(mixed.stderr, /--node-id does not go with --from-\*/);
  });
});
