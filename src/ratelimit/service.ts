// envoy.service.ratelimit.v3.RateLimitService on a grpc-js server, defined by hand: one unary
// method whose request is decoded by wire.ts (a decode failure becomes INVALID_ARGUMENT rather
// than grpc-js' INTERNAL) and whose response is encoded before it reaches gRPC.
// When the counter store cannot answer, the call fails with UNAVAILABLE and Envoy's
// failure_mode_deny decides whether the request passes; X-RateLimit-* headers are written by Envoy
// itself from current_limit, limit_remaining and duration_until_reset.
import * as grpc from '@grpc/grpc-js';
import pino, { type Logger } from 'pino';
import { CounterStoreUnavailableError, type CounterStore } from './counter-store';
import { RateLimiter, RateLimitQueryError, type RateLimitQuery } from './limiter';
import type { RateLimitRules } from './rules';
import type { Clock } from './units';
import { decodeRateLimitRequest, encodeRateLimitResponse, SHOULD_RATE_LIMIT_PATH } from './wire';

type Decoded = { readonly ok: true; readonly query: RateLimitQuery } | { readonly ok: false; readonly error: string };

function serverOnly(): never {
  throw new Error('this service definition is for serving, not for calling');
}

export const rateLimitServiceDefinition: grpc.ServiceDefinition = {
  ShouldRateLimit: {
    path: SHOULD_RATE_LIMIT_PATH,
    requestStream: false,
    responseStream: false,
    requestSerialize: serverOnly,
    requestDeserialize: (bytes: Buffer): Decoded => {
      try {
        return { ok: true, query: decodeRateLimitRequest(bytes) };
      } catch (err) {
        return { ok: false, error: err instanceof Error ? err.message : String(err) };
      }
    },
    responseSerialize: (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength),
    responseDeserialize: (bytes: Buffer) => bytes,
    originalName: 'shouldRateLimit',
  } satisfies grpc.MethodDefinition<Decoded, Uint8Array>,
};

export interface RateLimitServiceOptions {
  readonly rules: RateLimitRules;
  readonly store: CounterStore;
  readonly logger?: Logger;
  readonly clock?: Clock;
}

/** Logs the first store failure at once and later ones at most every intervalMs, with a count. */
class FailureLog {
  private lastAt = -Infinity;
  private suppressed = 0;
  constructor(
    private readonly logger: Logger,
    private readonly intervalMs = 10_000,
  ) {}

  report(err: Error): void {
    const now = Date.now();
    if (now - this.lastAt < this.intervalMs) {
      this.suppressed++;
      return;
    }
    this.logger.error({ err: err.message, failuresSinceLastLog: this.suppressed }, 'rate limit counters unavailable: answering UNAVAILABLE');
    this.lastAt = now;
    this.suppressed = 0;
  }
}

/** Adds ShouldRateLimit to `server`; returns the limiter it uses. */
export function registerRateLimitService(server: grpc.Server, options: RateLimitServiceOptions): RateLimiter {
  const logger = options.logger ?? pino({ level: 'silent' });
  const limiter = new RateLimiter({ rules: options.rules, store: options.store, ...(options.clock ? { clock: options.clock } : {}) });
  const failures = new FailureLog(logger);
  const shouldRateLimit: grpc.handleUnaryCall<Decoded, Uint8Array> = (call, callback) => {
    const decoded = call.request;
    if (!decoded.ok) {
      callback({ code: grpc.status.INVALID_ARGUMENT, details: `not a RateLimitRequest: ${decoded.error}` });
      return;
    }
    limiter.decide(decoded.query).then(
      (decision) => {
        if (decision.overallCode === 'OVER_LIMIT') logger.debug({ domain: decoded.query.domain, descriptors: decoded.query.descriptors.map((d) => d.entries) }, 'over limit');
        callback(null, encodeRateLimitResponse(decision));
      },
      (err: unknown) => {
        if (err instanceof RateLimitQueryError) {
          callback({ code: grpc.status.INVALID_ARGUMENT, details: err.message });
        } else if (err instanceof CounterStoreUnavailableError) {
          failures.report(err);
          callback({ code: grpc.status.UNAVAILABLE, details: err.message });
        } else {
          logger.error({ err }, 'rate limit decision failed');
          callback({ code: grpc.status.INTERNAL, details: err instanceof Error ? err.message : String(err) });
        }
      },
    );
  };
  server.addService(rateLimitServiceDefinition, { ShouldRateLimit: shouldRateLimit });
  return limiter;
}
