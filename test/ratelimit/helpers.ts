// Shared pieces of the rate limit tests: a settable clock, a raw gRPC client that encodes and
// decodes with the Envoy protos independently of src/ratelimit/wire.ts, and access to the real
// Redis the Redis-backed tests need.
import crypto from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { envoyApi } from '../../src/envoy/api';
import { RedisClient } from '../../src/ratelimit/redis-client';
import type { Clock } from '../../src/ratelimit/units';

export class FakeClock implements Clock {
  constructor(public ms: number) {}
  now(): number {
    return this.ms;
  }
  advance(ms: number): void {
    this.ms += ms;
  }
}

/** 2024-03-01T10:00:00Z: aligned to every unit (second, minute, hour, day). */
export const ALIGNED = Date.UTC(2024, 2, 1, 10, 0, 0);

// --- raw gRPC client -----------------------------------------------------------------------------

export const SHOULD_RATE_LIMIT = '/envoy.service.ratelimit.v3.RateLimitService/ShouldRateLimit';

export interface RawStatus {
  code?: string;
  current_limit?: { name?: string; requests_per_unit?: number; unit?: string };
  limit_remaining?: number;
  duration_until_reset?: { seconds?: number; nanos?: number };
}

export interface RawResponse {
  overall_code?: string;
  statuses?: RawStatus[];
  response_headers_to_add?: { key?: string; value?: string }[];
}

export function encodeRequest(request: Record<string, unknown>): Buffer {
  const type = envoyApi().messageType('envoy.service.ratelimit.v3.RateLimitRequest');
  const err = type.verify(request);
  if (err) throw new Error(`bad test request: ${err}`);
  return Buffer.from(type.encode(type.fromObject(request)).finish());
}

export function decodeResponse(bytes: Buffer): RawResponse {
  const type = envoyApi().messageType('envoy.service.ratelimit.v3.RateLimitResponse');
  return type.toObject(type.decode(bytes), { enums: String, longs: Number, defaults: false }) as RawResponse;
}

export class RawRateLimitClient {
  private readonly client: grpc.Client;
  constructor(port: number) {
    this.client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  }

  /** Sends already-encoded request bytes. */
  callBytes(bytes: Buffer): Promise<RawResponse> {
    return new Promise((resolve, reject) => {
      this.client.makeUnaryRequest(
        SHOULD_RATE_LIMIT,
        (b: Buffer) => b,
        (b: Buffer) => b,
        bytes,
        { deadline: Date.now() + 5_000 },
        (err, response) => (err ? reject(err) : resolve(decodeResponse(response!))),
      );
    });
  }

  call(request: Record<string, unknown>): Promise<RawResponse> {
    return this.callBytes(encodeRequest(request));
  }

  close(): void {
    this.client.close();
  }
}

export function descriptor(...pairs: [string, string][]): { entries: { key: string; value: string }[] } {
  return { entries: pairs.map(([key, value]) => ({ key, value })) };
}

// --- real Redis ----------------------------------------------------------------------------------

export const REDIS_HOST = '127.0.0.1';
export const REDIS_PORT = 6379;
export const REDIS_URL = `redis://${REDIS_HOST}:${REDIS_PORT}/0`;

const START_HINT =
  `start it with: redis-server --port ${REDIS_PORT} --bind ${REDIS_HOST} --daemonize yes --save '' --appendonly no` +
  " (Debian: apt-get install -y redis-server; .ci/run installs and starts it)";

/** A connected client to the test Redis; fails the test (never skips it) when Redis is not running. */
export async function requireRedis(): Promise<RedisClient> {
  const client = new RedisClient({ host: REDIS_HOST, port: REDIS_PORT, db: 0, connectTimeoutMs: 1_000, commandTimeoutMs: 2_000 });
  try {
    await client.connect();
  } catch (err) {
    await client.close();
    throw new Error(`the Redis-backed rate limit tests need Redis on ${REDIS_HOST}:${REDIS_PORT}, which is not reachable (${(err as Error).message}); ${START_HINT}`);
  }
  return client;
}

/** A key prefix no other test run uses. */
export function uniquePrefix(label: string): string {
  return `meshgate-test:${label}:${process.pid}:${crypto.randomBytes(4).toString('hex')}:`;
}

export async function keysWithPrefix(client: RedisClient, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const reply = await client.command(['SCAN', cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000]);
    if (!Array.isArray(reply)) throw new Error(`unexpected SCAN reply ${JSON.stringify(reply)}`);
    cursor = String(reply[0]);
    for (const k of reply[1] as string[]) keys.push(k);
  } while (cursor !== '0');
  return keys;
}

export async function deleteKeysWithPrefix(client: RedisClient, prefix: string): Promise<void> {
  const keys = await keysWithPrefix(client, prefix);
  if (keys.length > 0) await client.command(['DEL', ...keys]);
}
