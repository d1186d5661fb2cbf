// Malformed requests get a clear status or are ignored with a log line; they never crash the
// server or disturb other streams, and streams that vanish mid-push leave nothing behind.
import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import protobuf from 'protobufjs';
import { TypeUrl } from '../../src/envoy/type-urls';
import type { EnvoyResource } from '../../src/envoy/resource';
import { assignment, cluster, listener, routeConfig } from '../cache/fixtures';
import { eventually, sleep, startHarness, type Harness } from './harness';
import { encodeSotwRequest, type SotwClientStream } from './raw-client';

const CDS = TypeUrl.Cluster;

function world(extra: EnvoyResource[] = []): EnvoyResource[] {
  return [cluster('a'), assignment('a'), listener('l', 'r'), routeConfig('r', ['a']), ...extra];
}

/** A healthy stream that must keep working whatever happens to its neighbours. */
async function bystander(h: Harness): Promise<SotwClientStream> {
  const s = h.client().sotw({ node: { id: 'bystander', cluster: 'test-cluster' } });
  s.send({ typeUrl: CDS });
  s.ack(await s.next());
  return s;
}

async function bystanderStillServed(h: Harness, s: SotwClientStream, n: number): Promise<void> {
  h.set(world([cluster(`extra-${n}`)]));
  const r = await s.next();
  assert.ok(r.names.includes(`extra-${n}`));
  s.ack(r);
}

function appendField(message: Buffer, field: number, bytes: Uint8Array): Buffer {
  return Buffer.concat([message, protobuf.Writer.create().uint32((field << 3) | 2).bytes(bytes).finish()]);
}

describe('bad input', { timeout: 60_000 }, () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
    h.set(world());
  });
  afterEach(async () => {
    await h.stop();
  });

  test('bytes that are not a DiscoveryRequest: INVALID_ARGUMENT', async () => {
    const ok = await bystander(h);
    const s = h.client().sotw();
    s.sendRaw(Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x01]));
    const status = await s.status;
    assert.equal(status.code, grpc.status.INVALID_ARGUMENT);
    assert.match(status.details, /malformed discovery request/);
    await bystanderStillServed(h, ok, 1);
  });

  test('a field with the wrong wire type: INVALID_ARGUMENT (Delta)', async () => {
    const d = h.client().delta();
    d.sendRaw(Buffer.from([0x10, 0x05])); // type_url (field 2) as a varint
    assert.equal((await d.status).code, grpc.status.INVALID_ARGUMENT);
  });

  test('a first request without a node: INVALID_ARGUMENT', async () => {
    const s = h.client().sotw({ node: null });
    s.send({ typeUrl: CDS });
    const status = await s.status;
    assert.equal(status.code, grpc.status.INVALID_ARGUMENT);
    assert.match(status.details, /must carry the node/);
    assert.equal(h.events.opened.length, 0);
  });

  test('a malformed node and a node without an id: INVALID_ARGUMENT', async () => {
    const ok = await bystander(h);
    const c = h.client();
    const garbage = c.sotw({ node: Buffer.from([0x0a, 0x10, 0x41]) }); // id claims 16 bytes, has 1
    garbage.send({ typeUrl: CDS });
    const st1 = await garbage.status;
    assert.equal(st1.code, grpc.status.INVALID_ARGUMENT);
    assert.match(st1.details, /malformed node/);
    const anonymous = c.delta({ node: { cluster: 'test-cluster' } });
    anonymous.send({ typeUrl: CDS });
    const st2 = await anonymous.status;
    assert.equal(st2.code, grpc.status.INVALID_ARGUMENT);
    assert.match(st2.details, /node\.id is empty/);
    await bystanderStillServed(h, ok, 2);
  });

  test('an unknown type URL on ADS is ignored; the stream keeps working', async () => {
    const s = h.client().sotw();
    s.send({ typeUrl: 'type.googleapis.com/envoy.service.runtime.v3.Runtime', resourceNames: ['rtds'] });
    s.send({ typeUrl: 'not even a url' });
    s.send({ typeUrl: '' });
    await s.expectNone(200);
    s.send({ typeUrl: CDS });
    assert.deepEqual((await s.next()).names, ['a']);
    const d = h.client().delta({ node: { id: 'd', cluster: 'test-cluster' } });
    d.send({ typeUrl: 'type.googleapis.com/xds.type.v3.TypedStruct' });
    d.send({ typeUrl: CDS });
    assert.deepEqual((await d.next()).names, ['a']);
  });

  test('garbage error_detail still counts as a NACK and is reported as undecodable', async () => {
    const s = h.client().sotw();
    s.send({ typeUrl: CDS });
    const r = await s.next();
    const nack = appendField(encodeSotwRequest({ typeUrl: CDS, versionInfo: '', responseNonce: r.nonce }, null), 6, Buffer.from([0x08]));
    s.sendRaw(nack);
    await eventually(() => h.events.nacks.length === 1, 2000, 'NACK');
    assert.match(h.events.nacks[0]!.errorMessage, /undecodable error_detail/);
    await s.expectNone(300);
    h.set(world([cluster('after')]));
    assert.ok((await s.next()).names.includes('after'));
  });

  test('an enormous error message is truncated before it reaches observers', async () => {
    const d = h.client().delta();
    d.send({ typeUrl: CDS });
    const r = await d.next();
    d.send({ typeUrl: CDS, responseNonce: r.nonce, errorDetail: { code: 13, message: 'x'.repeat(100_000) } });
    await eventually(() => h.events.nacks.length === 1, 2000, 'NACK');
    assert.ok(h.events.nacks[0]!.errorMessage.length < 5000);
    assert.equal(h.events.nacks[0]!.errorCode, 13);
  });

  test('an observer that throws does not break the stream', async () => {
    await h.stop();
    h = await startHarness({
      observers: [
        {
          responseSent() {
            throw new Error('observer bug');
          },
          streamOpened() {
            throw new Error('observer bug');
          },
        },
      ],
    });
    h.set(world());
    const s = h.client().sotw();
    s.send({ typeUrl: CDS });
    assert.deepEqual((await s.next()).names, ['a']);
    h.set(world([cluster('b')]));
    assert.ok((await s.next()).names.includes('b'));
  });

  test('streams that disconnect mid-push leave no state behind', async () => {
    const big = (n: number): EnvoyResource[] => Array.from({ length: 400 }, (_, i) => cluster(`c-${i}-${'y'.repeat(100)}`, { connectTimeout: `${n}s` }));
    h.set(big(1));
    const c = h.client();
    const streams = Array.from({ length: 30 }, (_, i) => {
      const s = i % 2 === 0 ? c.sotw({ node: { id: `n${i}`, cluster: 'test-cluster' } }) : c.delta({ node: { id: `n${i}`, cluster: 'test-cluster' } });
      s.send({ typeUrl: CDS });
      return s;
    });
    await eventually(() => h.xds.stats().streams === 30, 3000, 'streams open');
    for (let i = 2; i < 6; i++) h.set(big(i));
    for (const s of streams) s.cancel();
    await eventually(() => h.xds.stats().streams === 0, 3000, 'streams gone');
    assert.deepEqual(h.xds.stats(), { streams: 0, groups: 0 });
    await sleep(50);
    assert.equal(h.events.closed.length, 30);
    // The server still serves new streams.
    const s = c.sotw({ node: { id: 'after', cluster: 'test-cluster' } });
    s.send({ typeUrl: CDS });
    assert.equal((await s.next()).names.length, 400);
  });

  test('a client that half-closes gets OK and its stream is released', async () => {
    const s = h.client().sotw();
    s.send({ typeUrl: CDS });
    await s.next();
    s.end();
    const status = await s.status;
    assert.equal(status.code, grpc.status.OK);
    await eventually(() => h.xds.stats().streams === 0, 2000, 'released');
  });
});
