// The single-type services (LDS, RDS, CDS, EDS, SDS) run on the same engine as ADS.
import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { TypeUrl } from '../../src/envoy/type-urls';
import { assignment, cluster, listener, routeConfig, secret } from '../cache/fixtures';
import { startHarness, type Harness } from './harness';
import { CDS_DELTA, CDS_SOTW, EDS_DELTA, EDS_SOTW, LDS_SOTW, RDS_SOTW, SDS_DELTA } from './raw-client';

describe('standalone xDS services', { timeout: 60_000 }, () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
    h.set([cluster('a'), assignment('a'), cluster('b'), listener('l', 'r'), routeConfig('r', ['a', 'b']), secret('s')]);
  });
  afterEach(async () => {
    await h.stop();
  });

  test('CDS (SotW): the type URL may be left out; updates are pushed', async () => {
    const s = h.client().sotw({ path: CDS_SOTW });
    s.send({ typeUrl: '' });
    const r1 = await s.next();
    assert.equal(r1.typeUrl, TypeUrl.Cluster);
    assert.deepEqual([...r1.names].sort(), ['a', 'b']);
    s.ack(r1);
    h.set([cluster('a'), assignment('a'), listener('l', 'r'), routeConfig('r', ['a']), secret('s')]);
    const r2 = await s.next();
    assert.deepEqual(r2.names, ['a']);
    assert.equal(h.events.opened[0]!.service, 'cds');
    assert.equal(h.events.opened[0]!.protocol, 'sotw');
  });

  test('EDS (SotW): named assignments, including the synthesized empty one', async () => {
    const s = h.client().sotw({ path: EDS_SOTW });
    s.send({ typeUrl: TypeUrl.ClusterLoadAssignment, resourceNames: ['a', 'b'] });
    const r = await s.next();
    assert.deepEqual([...r.names].sort(), ['a', 'b']);
    assert.equal(h.events.opened[0]!.service, 'eds');
  });

  test('CDS and EDS (Delta)', async () => {
    const c = h.client();
    const cds = c.delta({ path: CDS_DELTA });
    cds.send({ typeUrl: TypeUrl.Cluster });
    assert.deepEqual([...(await cds.next()).names].sort(), ['a', 'b']);
    const eds = c.delta({ path: EDS_DELTA, node: { id: 'n2', cluster: 'test-cluster' } });
    eds.send({ typeUrl: TypeUrl.ClusterLoadAssignment, subscribe: ['a', 'zzz'] });
    const r = await eds.next();
    assert.deepEqual(r.names, ['a']);
    assert.deepEqual(r.removed, ['zzz']);
  });

  test('LDS, RDS and SDS', async () => {
    const c = h.client();
    const lds = c.sotw({ path: LDS_SOTW });
    lds.send({ typeUrl: TypeUrl.Listener });
    assert.deepEqual((await lds.next()).names, ['l']);
    const rds = c.sotw({ path: RDS_SOTW, node: { id: 'n2', cluster: 'test-cluster' } });
    rds.send({ typeUrl: TypeUrl.RouteConfiguration, resourceNames: ['r'] });
    assert.deepEqual((await rds.next()).names, ['r']);
    const sds = c.delta({ path: SDS_DELTA, node: { id: 'n3', cluster: 'test-cluster' } });
    sds.send({ typeUrl: TypeUrl.Secret, subscribe: ['s'] });
    assert.deepEqual((await sds.next()).names, ['s']);
  });

  test('a single-type service refuses another type with INVALID_ARGUMENT', async () => {
    const s = h.client().sotw({ path: CDS_SOTW });
    s.send({ typeUrl: TypeUrl.Listener });
    const status = await s.status;
    assert.equal(status.code, grpc.status.INVALID_ARGUMENT);
    assert.match(status.details, /Cluster only/);
  });
});
