// The RateLimitService over real gRPC on 127.0.0.1, called by a raw client that encodes requests
// and decodes responses with the Envoy protos: N requests allowed then OVER_LIMIT with statuses,
// remaining and reset as Envoy reads them; bad requests and an unavailable store answered with the
// gRPC status Envoy's failure mode expects.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import protobuf from 'protobufjs';
import { CounterStoreUnavailableError, type CounterStore } from '../../src/ratelimit/counter-store';
import { MemoryCounterStore } from '../../src/ratelimit/memory-store';
import { RateLimitRules } from '../../src/ratelimit/rules';
import { registerRateLimitService } from '../../src/ratelimit/service';
import { ALIGNED, descriptor, FakeClock, RawRateLimitClient } from './helpers';

const clock = new FakeClock(ALIGNED + 20_250); // 20.25 s into the minute
const rules = new RateLimitRules({
  domains: [
    {
      domain: 'meshgate',
      rules: [
        { id: 'team/login', descriptor: [{ key: 'policy', value: 'team/login' }, { key: 'remote_address' }], requests: 3, unit: 'minute' },
        { id: 'team/bulk', descriptor: [{ key: 'policy', value: 'team/bulk' }], requests: 10, unit: 'hour' },
      ],
    },
  ],
});

class BrokenStore implements CounterStore {
  increment(): Promise<number[]> {
    return Promise.reject(new CounterStoreUnavailableError('connection to Redis at 127.0.0.1:1 lost'));
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

const servers: grpc.Server[] = [];
let port = 0;
let brokenPort = 0;
let client: RawRateLimitClient;

async function serve(store: CounterStore): Promise<number> {
  const server = new grpc.Server();
  registerRateLimitService(server, { rules, store, clock });
  servers.push(server);
  return new Promise((resolve, reject) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))));
}

before(async () => {
  port = await serve(new MemoryCounterStore({ clock }));
  brokenPort = await serve(new BrokenStore());
  client = new RawRateLimitClient(port);
});

after(() => {
  client.close();
  for (const s of servers) s.forceShutdown();
});

test('three requests from one client pass, the fourth is OVER_LIMIT; another client is unaffected', async () => {
  const login = (ip: string) => client.call({ domain: 'meshgate', descriptors: [descriptor(['policy', 'team/login'], ['remote_address', ip])] });
  const answers = [];
  for (let i = 0; i < 4; i++) answers.push(await login('198.51.100.7'));
  assert.deepEqual(
    answers.map((a) => [a.overall_code, a.statuses?.[0]?.code, a.statuses?.[0]?.limit_remaining ?? 0]),
    [
      ['OK', 'OK', 2],
      ['OK', 'OK', 1],
      ['OK', 'OK', 0],
      ['OVER_LIMIT', 'OVER_LIMIT', 0],
    ],
  );
  assert.deepEqual(answers[3]!.statuses![0], {
    code: 'OVER_LIMIT',
    current_limit: { name: 'team/login', requests_per_unit: 3, unit: 'MINUTE' },
    duration_until_reset: { seconds: 39, nanos: 750_000_000 },
  });
  assert.equal((await login('198.51.100.8')).overall_code, 'OK');
});

test('statuses follow the request\'s descriptors, unknown ones OK without a limit', async () => {
  const answer = await client.call({
    domain: 'meshgate',
    hits_addend: 4,
    descriptors: [descriptor(['policy', 'nobody']), descriptor(['policy', 'team/bulk'])],
  });
  assert.equal(answer.overall_code, 'OK');
  assert.deepEqual(answer.statuses, [
    { code: 'OK' },
    { code: 'OK', current_limit: { name: 'team/bulk', requests_per_unit: 10, unit: 'HOUR' }, limit_remaining: 6, duration_until_reset: { seconds: 3579, nanos: 750_000_000 } },
  ]);
});

test('a descriptor\'s hits_addend (newer than the bundled protos) is read from the wire', async () => {
  // RateLimitRequest{domain: "meshgate", descriptors: [{entries: [{policy, team/bulk}], hits_addend: {value: 7}}]}
  const entry = protobuf.Writer.create().uint32((1 << 3) | 2).string('policy').uint32((2 << 3) | 2).string('team/bulk').finish();
  const addend = protobuf.Writer.create().uint32((1 << 3) | 0).uint64(7).finish();
  const desc = protobuf.Writer.create().uint32((1 << 3) | 2).bytes(entry).uint32((3 << 3) | 2).bytes(addend).finish();
  const request = protobuf.Writer.create().uint32((1 << 3) | 2).string('meshgate').uint32((2 << 3) | 2).bytes(desc).finish();
  const before = await client.call({ domain: 'meshgate', descriptors: [{ ...descriptor(['policy', 'team/bulk']) }] });
  const remainingBefore = before.statuses![0]!.limit_remaining ?? 0;
  const answer = await client.callBytes(Buffer.from(request));
  assert.equal(answer.statuses![0]!.limit_remaining ?? 0, Math.max(0, remainingBefore - 7));
  assert.equal(answer.overall_code, remainingBefore - 7 >= 0 ? 'OK' : 'OVER_LIMIT');
});

test('a request that is not a RateLimitRequest, or has no descriptors, is INVALID_ARGUMENT', async () => {
  await assert.rejects(client.callBytes(Buffer.from([0xff, 0xff, 0xff])), (err: grpc.ServiceError) => err.code === grpc.status.INVALID_ARGUMENT);
  await assert.rejects(client.call({ domain: 'meshgate', descriptors: [] }), (err: grpc.ServiceError) => err.code === grpc.status.INVALID_ARGUMENT && /descriptor/.test(err.details));
  await assert.rejects(client.call({ domain: '', descriptors: [descriptor(['policy', 'team/bulk'])] }), (err: grpc.ServiceError) => err.code === grpc.status.INVALID_ARGUMENT && /domain/.test(err.details));
});

test('when the counter store is unavailable the call fails with UNAVAILABLE (Envoy\'s failure_mode_deny decides)', async () => {
  const broken = new RawRateLimitClient(brokenPort);
  try {
    await assert.rejects(broken.call({ domain: 'meshgate', descriptors: [descriptor(['policy', 'team/bulk'])] }), (err: grpc.ServiceError) => err.code === grpc.status.UNAVAILABLE && /Redis/.test(err.details));
    // A descriptor that no rule limits needs no counter, so it is answered even then.
    assert.equal((await broken.call({ domain: 'meshgate', descriptors: [descriptor(['policy', 'nobody'])] })).overall_code, 'OK');
  } finally {
    broken.close();
  }
});
