// The Redis client against a scripted RESP server: AUTH and SELECT on connect, pipelining,
// refusal of a bad password, timeouts on a server that does not answer, fast failure while Redis
// is down, and reconnection once it is back.
import assert from 'node:assert/strict';
import net from 'node:net';
import { test } from 'node:test';
import { RedisClient, RedisUnavailableError } from '../../src/ratelimit/redis-client';
import { RespParser, type RedisReply } from '../../src/ratelimit/resp';

type Handler = (args: string[]) => string | undefined; // raw RESP reply, or undefined = never answer

interface FakeRedis {
  readonly port: number;
  readonly commands: string[][];
  connections: number;
  dropAll(): void;
  close(): Promise<void>;
}

async function fakeRedis(handler: Handler, port = 0): Promise<FakeRedis> {
  const sockets = new Set<net.Socket>();
  const commands: string[][] = [];
  const fake: { connections: number } = { connections: 0 };
  const server = net.createServer((socket) => {
    fake.connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    const parser = new RespParser();
    socket.on('data', (chunk) => {
      for (const cmd of parser.push(chunk) as RedisReply[]) {
        const args = (cmd as string[]).map(String);
        commands.push(args);
        const reply = handler(args);
        if (reply !== undefined) socket.write(reply);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const address = server.address() as net.AddressInfo;
  return Object.assign(fake, {
    port: address.port,
    commands,
    dropAll: () => sockets.forEach((s) => s.destroy()),
    close: () =>
      new Promise<void>((resolve) => {
        sockets.forEach((s) => s.destroy());
        server.close(() => resolve());
      }),
  });
}

const simple: Handler = (args) => {
  switch (args[0]) {
    case 'AUTH':
      return args[args.length - 1] === 'right' ? '+OK\r\n' : '-WRONGPASS invalid username-password pair\r\n';
    case 'SELECT':
    case 'PING':
      return args[0] === 'PING' ? '+PONG\r\n' : '+OK\r\n';
    case 'ECHO':
      return `$${Buffer.byteLength(args[1]!)}\r\n${args[1]}\r\n`;
    case 'HANG':
      return undefined;
    default:
      return '-ERR unknown command\r\n';
  }
};

test('AUTH and SELECT are sent before any command, and pipelined replies come back in order', async () => {
  const redis = await fakeRedis(simple);
  const client = new RedisClient({ host: '127.0.0.1', port: redis.port, db: 3, username: 'app', password: 'right' });
  try {
    const replies = await Promise.all([client.command(['ECHO', 'one']), client.pipeline([['ECHO', 'two'], ['NOPE'], ['ECHO', 'three']])]);
    assert.equal(replies[0], 'one');
    assert.equal(replies[1][0], 'two');
    assert.ok(replies[1][1] instanceof Error, 'an error reply stays in its place');
    assert.equal(replies[1][2], 'three');
    assert.deepEqual(redis.commands.slice(0, 3), [['AUTH', 'app', 'right'], ['SELECT', '3'], ['PING']]);
    await assert.rejects(client.command(['NOPE']), /unknown command/);
  } finally {
    await client.close();
    await redis.close();
  }
});

test('a wrong password fails the command as unavailable and is not retried in a tight loop', async () => {
  const redis = await fakeRedis(simple);
  const client = new RedisClient({ host: '127.0.0.1', port: redis.port, db: 0, password: 'wrong', minReconnectDelayMs: 200 });
  try {
    await assert.rejects(client.command(['ECHO', 'x']), (err: unknown) => err instanceof RedisUnavailableError && /WRONGPASS/.test(err.message));
    assert.equal(client.isReady, false);
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(redis.connections, 1, 'backing off before the next attempt');
  } finally {
    await client.close();
    await redis.close();
  }
});

test('a command without a reply times out and the stuck connection is replaced', async () => {
  const redis = await fakeRedis(simple);
  const client = new RedisClient({ host: '127.0.0.1', port: redis.port, db: 0, commandTimeoutMs: 100, minReconnectDelayMs: 10 });
  try {
    await client.connect();
    const started = Date.now();
    await assert.rejects(client.command(['HANG']), RedisUnavailableError);
    assert.ok(Date.now() - started < 1_000);
    await waitFor(() => client.isReady);
    assert.equal(await client.command(['ECHO', 'back']), 'back');
    assert.equal(redis.connections, 2);
  } finally {
    await client.close();
    await redis.close();
  }
});

test('while Redis is down commands fail at once; when it is back the client reconnects by itself', async () => {
  let redis = await fakeRedis(simple);
  const port = redis.port;
  const client = new RedisClient({ host: '127.0.0.1', port, db: 0, minReconnectDelayMs: 20, maxReconnectDelayMs: 50 });
  try {
    await client.connect();
    await redis.close();
    await waitFor(() => !client.isReady);
    const started = Date.now();
    await assert.rejects(client.command(['ECHO', 'x']), RedisUnavailableError);
    assert.ok(Date.now() - started < 500, 'no waiting for a server that is not there');
    redis = await fakeRedis(simple, port);
    await waitFor(() => client.isReady, 3_000);
    assert.equal(await client.command(['ECHO', 'again']), 'again');
  } finally {
    await client.close();
    await redis.close();
  }
});

test('closing rejects queued and later commands', async () => {
  const redis = await fakeRedis(simple);
  const client = new RedisClient({ host: '127.0.0.1', port: redis.port, db: 0 });
  await client.close();
  await assert.rejects(client.command(['PING']), /closed/);
  await redis.close();
});

async function waitFor(condition: () => boolean, timeoutMs = 2_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) assert.fail('condition not reached in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
