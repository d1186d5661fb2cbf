import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { NodeMatcherError, matchesAnyNode, matchesNode } from '../../src/status/node-matcher';
import { nodeInfo } from './helpers';

const node = nodeInfo('sidecar~10.0.0.1~web-1.shop~shop.svc', { metadata: { env: 'prod', replicas: 3, canary: false, tags: ['a', 'b'] } });

describe('CSDS node matchers', () => {
  it('matches node ids exactly, by prefix, suffix, substring and regex', () => {
    assert.equal(matchesNode({ node_id: { exact: node.id } }, node), true);
    assert.equal(matchesNode({ node_id: { exact: 'sidecar' } }, node), false);
    assert.equal(matchesNode({ node_id: { prefix: 'sidecar~' } }, node), true);
    assert.equal(matchesNode({ node_id: { suffix: '.svc' } }, node), true);
    assert.equal(matchesNode({ node_id: { contains: 'web-1' } }, node), true);
    assert.equal(matchesNode({ node_id: { safe_regex: { regex: 'sidecar~.*~web-\\d\\..*' } } }, node), true);
    assert.equal(matchesNode({ node_id: { safe_regex: { regex: 'web' } } }, node), false, 'regexes match the whole id');
    assert.equal(matchesNode({ node_id: { exact: 'SIDECAR~10.0.0.1~WEB-1.SHOP~SHOP.SVC', ignore_case: true } }, node), true);
  });

  it('matches metadata by path with string, number, bool, presence and list matchers', () => {
    const meta = (key: string, value: unknown) => ({ node_metadatas: [{ path: [{ key }], value }] });
    assert.equal(matchesNode(meta('env', { string_match: { exact: 'prod' } }), node), true);
    assert.equal(matchesNode(meta('env', { string_match: { exact: 'dev' } }), node), false);
    assert.equal(matchesNode(meta('replicas', { double_match: { range: { start: 1, end: 5 } } }), node), true);
    assert.equal(matchesNode(meta('replicas', { double_match: { exact: 4 } }), node), false);
    assert.equal(matchesNode(meta('canary', { bool_match: false }), node), true);
    assert.equal(matchesNode(meta('missing', { present_match: true }), node), false);
    assert.equal(matchesNode(meta('env', { present_match: true }), node), true);
    assert.equal(matchesNode(meta('tags', { list_match: { one_of: { string_match: { exact: 'b' } } } }), node), true);
    assert.equal(matchesNode(meta('env', { or_match: { value_matchers: [{ string_match: { exact: 'x' } }, { string_match: { prefix: 'pr' } }] } }), node), true);
  });

  it('requires every part of one matcher and any of several matchers', () => {
    const both = { node_id: { prefix: 'sidecar' }, node_metadatas: [{ path: [{ key: 'env' }], value: { string_match: { exact: 'dev' } } }] };
    assert.equal(matchesNode(both, node), false);
    assert.equal(matchesAnyNode([both, { node_id: { exact: node.id } }], node), true);
    assert.equal(matchesAnyNode([], node), true, 'no matchers: every node');
  });

  it('matches nothing with a matcher it cannot evaluate, and rejects invalid regexes', () => {
    assert.equal(matchesNode({ node_id: { custom: { name: 'x' } } }, node), false);
    assert.throws(() => matchesNode({ node_id: { safe_regex: { regex: '(' } } }, node), NodeMatcherError);
  });
});
