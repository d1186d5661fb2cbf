import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import type { SnapshotCache } from '../../src/cache/snapshot-cache';
import { envoyApi } from '../../src/envoy/api';
import { decodeAny } from '../../src/envoy/codec';
import type { JsonObject } from '../../src/envoy/resource';
import { TypeUrl } from '../../src/envoy/type-urls';
import { csdsClientConstructor, registerCsdsService } from '../../src/status/csds-service';
import { ProxyStatusRegistry } from '../../src/status/proxy-status';
import { REDACTED } from '../../src/status/redact';
import { cacheWith, standardResources } from './fixtures';
import { FakeClock, Script, nodeInfo } from './helpers';

type Obj = Record<string, unknown>;
type Client = grpc.Client & {
  FetchClientStatus(req: Obj, cb: (err: grpc.ServiceError | null, res?: Obj) => void): void;
  StreamClientStatus(): grpc.ClientDuplexStream<Obj, Obj>;
};

function fetch(client: Client, request: Obj): Promise<Obj> {
  return new Promise((resolve, reject) => client.FetchClientStatus(request, (err, res) => (err ? reject(err) : resolve(res!))));
}

function configsOf(response: Obj): Obj[] {
  return (response['config'] as Obj[] | undefined) ?? [];
}

function genericOf(config: Obj): Obj[] {
  return (config['generic_xds_configs'] as Obj[] | undefined) ?? [];
}

function find(config: Obj, typeUrl: string, name: string): Obj {
  const entry = genericOf(config).find((g) => g['type_url'] === typeUrl && g['name'] === name);
  assert.ok(entry, `no ${typeUrl} ${name}`);
  return entry;
}

/** Decodes a GenericXdsConfig's xds_config (an Any as {type_url, value}) to canonical JSON. */
function xdsJson(entry: Obj): JsonObject {
  const anyType = envoyApi().messageType('google.protobuf.Any');
  const bytes = anyType.encode(anyType.fromObject(entry['xds_config'] as Obj)).finish();
  const { json, typeUrl } = decodeAny(bytes);
  assert.equal(typeUrl, entry['type_url']);
  return json;
}

describe('CSDS over gRPC', () => {
  const clock = new FakeClock();
  let cache: SnapshotCache;
  let server: grpc.Server;
  let client: Client;
  const registry = new ProxyStatusRegistry({ now: clock.now });
  const script = new Script([registry], clock);

  before(async () => {
    cache = cacheWith('edge', standardResources(), clock.now);
    const snapshot = cache.getSnapshot('edge')!;
    const version = (t: string) => snapshot.typeVersions.get(t as never)!;

    // gw-1: clusters ACKed, endpoints pending, listener NACKed, routes ACKed, secrets ACKed.
    script.open('s1', 'gw-1', { group: 'edge', node: nodeInfo('gw-1', { cluster: 'gateways', metadata: { role: 'edge', replicas: 2 } }) });
    const cds = script.send('s1', TypeUrl.Cluster, version(TypeUrl.Cluster), ['backend']);
    clock.advance(1500);
    script.ack('s1', TypeUrl.Cluster, version(TypeUrl.Cluster), cds);
    script.send('s1', TypeUrl.ClusterLoadAssignment, version(TypeUrl.ClusterLoadAssignment), ['backend']);
    const lds = script.send('s1', TypeUrl.Listener, version(TypeUrl.Listener), ['http']);
    script.nack('s1', TypeUrl.Listener, version(TypeUrl.Listener), '', lds, 'Error adding/updating listener(s) http: unknown filter');
    const rds = script.send('s1', TypeUrl.RouteConfiguration, version(TypeUrl.RouteConfiguration), ['local']);
    script.ack('s1', TypeUrl.RouteConfiguration, version(TypeUrl.RouteConfiguration), rds);
    const sds = script.send('s1', TypeUrl.Secret, version(TypeUrl.Secret), ['edge-cert', 'hmac']);
    script.ack('s1', TypeUrl.Secret, version(TypeUrl.Secret), sds);

    script.open('s2', 'gw-2', { group: 'edge' });
    script.open('s3', 'gone', { group: 'edge' });
    script.close('s3');

    server = new grpc.Server();
    registerCsdsService(server, { registry, snapshots: cache });
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
    );
    const Ctor = csdsClientConstructor();
    client = new Ctor(`127.0.0.1:${port}`, grpc.credentials.createInsecure()) as unknown as Client;
  });

  after(async () => {
    client?.close();
    await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
    cache?.close();
  });

  it('FetchClientStatus answers one ClientConfig per connected proxy', async () => {
    const response = await fetch(client, {});
    const ids = configsOf(response).map((c) => (c['node'] as Obj)['id']);
    assert.deepEqual(ids, ['gw-1', 'gw-2']);
    const node = configsOf(response)[0]!['node'] as Obj;
    assert.equal(node['cluster'], 'gateways');
    assert.equal(node['user_agent_name'], 'envoy');
    assert.equal(node['user_agent_version'], '1.31.0');
    const metadata = (node['metadata'] as { fields: Record<string, Obj> }).fields;
    assert.equal(metadata['role']!['stringValue'], 'edge');
    assert.equal(metadata['replicas']!['numberValue'], 2);
    assert.deepEqual(genericOf(configsOf(response)[1]!), [], 'nothing sent to gw-2 yet');
  });

  it('reports each resource with its contents, version and config status', async () => {
    const [config] = configsOf(await fetch(client, { node_matchers: [{ node_id: { exact: 'gw-1' } }] }));
    assert.ok(config);
    const snapshot = cache.getSnapshot('edge')!;

    const cluster = find(config, TypeUrl.Cluster, 'backend');
    assert.equal(cluster['config_status'], 'SYNCED');
    assert.equal(cluster['client_status'], 'ACKED');
    assert.equal(cluster['version_info'], snapshot.typeVersions.get(TypeUrl.Cluster));
    assert.deepEqual(xdsJson(cluster), snapshot.resources.get(TypeUrl.Cluster)!.get('backend')!.json);
    const updated = cluster['last_updated'] as { seconds: number; nanos: number };
    assert.equal(updated.seconds * 1000 + updated.nanos / 1e6, clock.t);

    const eds = find(config, TypeUrl.ClusterLoadAssignment, 'backend');
    assert.equal(eds['config_status'], 'STALE');
    assert.equal(eds['client_status'], 'REQUESTED');

    const listener = find(config, TypeUrl.Listener, 'http');
    assert.equal(listener['config_status'], 'ERROR');
    assert.equal(listener['client_status'], 'NACKED');
    const errorState = listener['error_state'] as Obj;
    assert.equal(errorState['details'], 'Error adding/updating listener(s) http: unknown filter');
    assert.equal(errorState['version_info'], snapshot.typeVersions.get(TypeUrl.Listener));
    assert.ok(errorState['last_update_attempt']);
    assert.equal(find(config, TypeUrl.RouteConfiguration, 'local')['config_status'], 'SYNCED');
  });

  it('never sends secret key material', async () => {
    const [config] = configsOf(await fetch(client, { node_matchers: [{ node_id: { exact: 'gw-1' } }] }));
    const cert = xdsJson(find(config!, TypeUrl.Secret, 'edge-cert'));
    const tls = cert['tls_certificate'] as Record<string, JsonObject>;
    assert.equal(tls['private_key']!['inline_string'], REDACTED);
    assert.equal(tls['password']!['inline_string'], REDACTED);
    assert.match(String(tls['certificate_chain']!['inline_string']), /BEGIN CERTIFICATE/);
    const hmac = xdsJson(find(config!, TypeUrl.Secret, 'hmac'));
    const inline = ((hmac['generic_secret'] as JsonObject)['secret'] as JsonObject)['inline_bytes'];
    assert.equal(Buffer.from(String(inline), 'base64').toString(), REDACTED);
  });

  it('honours node matchers and exclude_resource_contents', async () => {
    assert.deepEqual(configsOf(await fetch(client, { node_matchers: [{ node_id: { exact: 'nobody' } }] })), []);
    const byMeta = await fetch(client, {
      node_matchers: [{ node_metadatas: [{ path: [{ key: 'role' }], value: { string_match: { exact: 'edge' } } }] }],
    });
    assert.deepEqual(configsOf(byMeta).map((c) => (c['node'] as Obj)['id']), ['gw-1']);
    const bare = configsOf(await fetch(client, { node_matchers: [{ node_id: { exact: 'gw-1' } }], exclude_resource_contents: true }));
    assert.ok(genericOf(bare[0]!).length > 0);
    assert.ok(genericOf(bare[0]!).every((g) => g['xds_config'] === undefined || g['xds_config'] === null));
  });

  it('answers an invalid regex with INVALID_ARGUMENT', async () => {
    await assert.rejects(fetch(client, { node_matchers: [{ node_id: { safe_regex: { regex: '(' } } }] }), (err: grpc.ServiceError) => {
      assert.equal(err.code, grpc.status.INVALID_ARGUMENT);
      return true;
    });
  });

  it('StreamClientStatus answers every request on the stream', async () => {
    const call = client.StreamClientStatus();
    const responses: Obj[] = [];
    const done = new Promise<void>((resolve, reject) => {
      call.on('data', (r: Obj) => responses.push(r));
      call.on('end', resolve);
      call.on('error', reject);
    });
    call.write({ node_matchers: [{ node_id: { exact: 'gw-2' } }] });
    call.write({});
    call.end();
    await done;
    assert.equal(responses.length, 2);
    assert.deepEqual(configsOf(responses[0]!).map((c) => (c['node'] as Obj)['id']), ['gw-2']);
    assert.equal(configsOf(responses[1]!).length, 2);
  });
});
