import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultNodeGroupResolver } from '../../src/cache/group-resolver';
import type { NodeInfo } from '../../src/server/observer';

function node(partial: Partial<NodeInfo>): NodeInfo {
  return { id: 'n', cluster: '', metadata: {}, userAgentName: '', userAgentVersion: '', clientFeatures: [], ...partial };
}

test('default group: metadata meshgate_group, else node cluster, else "default"', () => {
  assert.equal(defaultNodeGroupResolver(node({ cluster: 'c', metadata: { meshgate_group: 'g' } })), 'g');
  assert.equal(defaultNodeGroupResolver(node({ cluster: 'c', metadata: { meshgate_group: 7 } })), 'c');
  assert.equal(defaultNodeGroupResolver(node({ cluster: 'c' })), 'c');
  assert.equal(defaultNodeGroupResolver(node({})), 'default');
});
