// The hand-written wire code agrees with the Envoy protos as protobufjs reads and writes them.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { envoyApi } from '../../src/envoy/api';
import { encodeAny } from '../../src/envoy/codec';
import { TypeUrl } from '../../src/envoy/type-urls';
import {
  checkMessageStructure,
  decodeDeltaRequest,
  decodeErrorDetail,
  decodeSotwRequest,
  encodeControlPlane,
  encodeDeltaResponse,
  encodeSotwResponse,
} from '../../src/server/wire';
import { decodeNodeInfo } from '../../src/server/node-info';
import { encodeMessage } from '../../src/envoy/codec';
import { cluster } from '../cache/fixtures';
import { encodeDeltaRequest, encodeSotwRequest } from './raw-client';

const clusterAny = (name: string) => encodeAny(TypeUrl.Cluster, cluster(name).json);

describe('wire', () => {
  test('a DiscoveryResponse written by hand decodes with the Envoy protos, Any bytes unchanged', () => {
    const anys = [clusterAny('a'), clusterAny('b')];
    const bytes = encodeSotwResponse({
      versionInfo: 'v1',
      resources: anys,
      typeUrl: TypeUrl.Cluster,
      nonce: 'n-1',
      controlPlane: encodeControlPlane('cp-1'),
    });
    const type = envoyApi().messageType('envoy.service.discovery.v3.DiscoveryResponse');
    const m = type.toObject(type.decode(bytes), { defaults: false }) as {
      version_info: string;
      type_url: string;
      nonce: string;
      resources: { type_url: string; value: Uint8Array }[];
      control_plane: { identifier: string };
    };
    assert.equal(m.version_info, 'v1');
    assert.equal(m.type_url, TypeUrl.Cluster);
    assert.equal(m.nonce, 'n-1');
    assert.equal(m.control_plane.identifier, 'cp-1');
    const anyType = envoyApi().messageType('google.protobuf.Any');
    m.resources.forEach((r, i) => assert.deepEqual(Buffer.from(anyType.encode(r).finish()), Buffer.from(anys[i]!)));
  });

  test('a DeltaDiscoveryResponse written by hand decodes with the Envoy protos', () => {
    const bytes = encodeDeltaResponse({
      systemVersionInfo: 'sys',
      resources: [{ name: 'a', version: 'va', any: clusterAny('a') }],
      typeUrl: TypeUrl.Cluster,
      removed: ['gone', 'also-gone'],
      nonce: 'n-2',
      controlPlane: encodeControlPlane('cp-2'),
    });
    const type = envoyApi().messageType('envoy.service.discovery.v3.DeltaDiscoveryResponse');
    const m = type.toObject(type.decode(bytes)) as {
      system_version_info: string;
      nonce: string;
      removed_resources: string[];
      resources: { name: string; version: string; resource: { type_url: string }; ttl?: unknown }[];
      control_plane: { identifier: string };
    };
    assert.equal(m.system_version_info, 'sys');
    assert.equal(m.nonce, 'n-2');
    assert.deepEqual(m.removed_resources, ['gone', 'also-gone']);
    assert.equal(m.resources[0]!.name, 'a');
    assert.equal(m.resources[0]!.version, 'va');
    assert.equal(m.resources[0]!.resource.type_url, TypeUrl.Cluster);
    assert.equal(m.resources[0]!.ttl, undefined);
    assert.equal(m.control_plane.identifier, 'cp-2');
  });

  test('requests encoded with the Envoy protos are read back field by field', () => {
    const node = { id: 'n', cluster: 'c', metadata: { meshgate_group: 'g' }, user_agent_name: 'envoy', user_agent_build_version: { version: { major_number: 1, minor_number: 31, patch: 2 } } };
    const sotw = decodeSotwRequest(
      encodeSotwRequest({ typeUrl: TypeUrl.Listener, resourceNames: ['x', 'y'], versionInfo: 'v', responseNonce: 'nn', errorDetail: { code: 3, message: 'bad' } }, node),
    );
    assert.equal(sotw.typeUrl, TypeUrl.Listener);
    assert.deepEqual(sotw.resourceNames, ['x', 'y']);
    assert.equal(sotw.versionInfo, 'v');
    assert.equal(sotw.responseNonce, 'nn');
    assert.deepEqual(decodeErrorDetail(sotw.errorDetail!), { code: 3, message: 'bad' });
    const info = decodeNodeInfo(sotw.node!);
    assert.equal(info.id, 'n');
    assert.equal(info.cluster, 'c');
    assert.deepEqual(info.metadata, { meshgate_group: 'g' });
    assert.equal(info.userAgentName, 'envoy');
    assert.equal(info.userAgentVersion, '1.31.2');

    const delta = decodeDeltaRequest(
      encodeDeltaRequest({ typeUrl: TypeUrl.Cluster, subscribe: ['a'], unsubscribe: ['b'], initialResourceVersions: { a: '1', c: '2' }, responseNonce: 'q' }, null),
    );
    assert.equal(delta.typeUrl, TypeUrl.Cluster);
    assert.deepEqual(delta.subscribe, ['a']);
    assert.deepEqual(delta.unsubscribe, ['b']);
    assert.deepEqual([...delta.initialResourceVersions].sort(), [['a', '1'], ['c', '2']]);
    assert.equal(delta.responseNonce, 'q');
    assert.equal(delta.node, undefined);
    assert.equal(delta.errorDetail, undefined);
  });

  test('truncated strings, bad wire types and bad map entries are errors, not truncated values', () => {
    assert.throws(() => decodeSotwRequest(Buffer.from([0x22, 0x10, 0x41])));
    assert.throws(() => decodeSotwRequest(Buffer.from([0x20, 0x01])));
    assert.throws(() => decodeDeltaRequest(Buffer.from([0x2a, 0x05, 0x0a, 0x09, 0x41])));
    assert.throws(() => checkMessageStructure(Buffer.from([0x0f])));
    assert.throws(() => checkMessageStructure(Buffer.from([0x02, 0x00])));
    assert.doesNotThrow(() => checkMessageStructure(encodeMessage('envoy.config.core.v3.Node', { id: 'ok' })));
  });

  test('error_detail is read leniently', () => {
    assert.match(decodeErrorDetail(Buffer.from([0x12, 0x40])).message, /undecodable/);
    const long = decodeErrorDetail(
      envoyApi().messageType('google.rpc.Status').encode({ code: 2, message: 'z'.repeat(10_000) }).finish(),
    );
    assert.equal(long.code, 2);
    assert.ok(long.message.length < 4200 && long.message.endsWith('(truncated)'));
  });
});
