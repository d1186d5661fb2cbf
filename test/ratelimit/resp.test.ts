// RESP2 encoding and incremental parsing, and --redis-url parsing.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodeCommand, RedisReplyError, RespParser, RespProtocolError } from '../../src/ratelimit/resp';
import { parseRedisUrl, redact, RedisUrlError } from '../../src/ratelimit/redis-url';

test('commands are arrays of bulk strings, lengths in bytes', () => {
  assert.equal(encodeCommand(['SET', 'ké', 5]).toString('utf8'), '*3\r\n$3\r\nSET\r\n$3\r\nké\r\n$1\r\n5\r\n');
});

test('every reply type parses, whether it arrives byte by byte or several to a chunk', () => {
  const wire = Buffer.from('+OK\r\n-NOSCRIPT No matching script\r\n:42\r\n$5\r\na\r\nbc\r\n$-1\r\n*2\r\n:1\r\n*1\r\n$0\r\n\r\n*-1\r\n');
  const check = (replies: unknown[]) => {
    assert.equal(replies.length, 7);
    assert.equal(replies[0], 'OK');
    assert.ok(replies[1] instanceof RedisReplyError);
    assert.equal((replies[1] as RedisReplyError).code, 'NOSCRIPT');
    assert.equal(replies[2], 42);
    assert.equal(replies[3], 'a\r\nbc', 'a bulk string may contain CRLF');
    assert.equal(replies[4], null);
    assert.deepEqual(replies[5], [1, ['']]);
    assert.equal(replies[6], null);
  };
  check(new RespParser().push(wire));
  const parser = new RespParser();
  const byByte: unknown[] = [];
  for (const b of wire) byByte.push(...parser.push(Buffer.from([b])));
  check(byByte);
});

test('a reply that is not RESP is a protocol error', () => {
  assert.throws(() => new RespParser().push(Buffer.from('HTTP/1.1 400\r\n')), RespProtocolError);
});

test('redis URLs give host, port, credentials and database', () => {
  assert.deepEqual(parseRedisUrl('redis://127.0.0.1:6380/2'), { host: '127.0.0.1', port: 6380, db: 2 });
  assert.deepEqual(parseRedisUrl('redis://:s%40cret@redis.internal'), { host: 'redis.internal', port: 6379, db: 0, password: 's@cret' });
  assert.deepEqual(parseRedisUrl('redis://app:pw@[::1]:7000/0'), { host: '::1', port: 7000, db: 0, username: 'app', password: 'pw' });
  assert.throws(() => parseRedisUrl('rediss://h'), RedisUrlError);
  assert.throws(() => parseRedisUrl('http://h'), RedisUrlError);
  assert.throws(() => parseRedisUrl('redis://h/x'), /database must be a number/);
  assert.throws(() => parseRedisUrl('not a url'), RedisUrlError);
  assert.equal(redact('redis://:s3cret@h:6379/0'), 'redis://:***@h:6379/0');
  assert.equal(redact('redis://h:6379'), 'redis://h:6379');
});
