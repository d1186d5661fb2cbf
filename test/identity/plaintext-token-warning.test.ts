// A bootstrap token over plain-text xDS can be read on the way: the workload-proof check warns in
// the log, once per node, without ever writing the token; over TLS it says nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createWorkloadProofCheck, TokenAuthority } from '../../src/identity';
import type { Workload } from '../../src/ir/mesh';
import type { NodeInfo } from '../../src/server/observer';

const WORKLOAD: Workload = { name: 'demo/frontend', namespace: 'demo', labels: {}, identity: { trustDomain: 'cluster.local', namespace: 'demo', serviceAccount: 'frontend' } };

function node(id: string, token: string | undefined): NodeInfo {
  return { id, cluster: 'frontend', metadata: token === undefined ? {} : { meshgate_token: token }, userAgentName: 'envoy', userAgentVersion: '', clientFeatures: [] };
}

function setup(plaintextTransport: boolean): { check: ReturnType<typeof createWorkloadProofCheck>; logged: string[]; token: string } {
  const tokens = TokenAuthority.ephemeral();
  const logged: string[] = [];
  const check = createWorkloadProofCheck({
    workloadOf: (group) => (group === 'sidecar/demo/frontend' ? WORKLOAD : undefined),
    tokens,
    spiffeIdOf: () => 'spiffe://cluster.local/ns/demo/sa/frontend',
    plaintextTransport,
    logger: { warn: (details, message) => logged.push(JSON.stringify(details) + ' ' + message) },
  });
  return { check, logged, token: tokens.issue({ namespace: 'demo', serviceAccount: 'frontend' }).token };
}

test('a token over plain-text xDS is warned about once per node, and the token is never logged', () => {
  const { check, logged, token } = setup(true);
  const ask = (id: string, t: string | undefined): void => {
    const decision = check({ node: node(id, t), group: 'sidecar/demo/frontend', peer: 'ipv4:127.0.0.1:5000', peerUris: [] });
    if (t !== undefined) assert.deepEqual(decision, { required: true, allowed: true, spiffeId: 'spiffe://cluster.local/ns/demo/sa/frontend', via: 'token' });
  };
  ask('frontend-1', token);
  ask('frontend-1', token);
  ask('frontend-2', token);
  ask('frontend-3', undefined);
  assert.equal(logged.length, 2, logged.join('\n'));
  assert.match(logged[0]!, /"node":"frontend-1".*plain-text xDS.*--xds-tls-cert/);
  assert.match(logged[1]!, /"node":"frontend-2"/);
  for (const line of logged) assert.ok(!line.includes(token), 'the token is never logged');
});

test('over TLS a token is not warned about', () => {
  const { check, logged, token } = setup(false);
  check({ node: node('frontend-1', token), group: 'sidecar/demo/frontend', peer: 'ipv4:127.0.0.1:5000', peerUris: [] });
  assert.deepEqual(logged, []);
});
