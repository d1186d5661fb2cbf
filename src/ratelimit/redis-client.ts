// A minimal Redis client over node:net, enough for rate limit counters: AUTH and SELECT on
// connect, pipelined commands (several commands in one write, replies matched in order), a timeout
// per command, and reconnection with exponential backoff. It fails fast rather than queueing while
// Redis is down: a rate limit answer that comes late is worth less than Envoy's failure mode.
// (Written here instead of depending on ioredis: the service needs five commands, and owning the
// connection logic keeps the failure behaviour, timeouts and UNAVAILABLE answers, explicit.)
import net from 'node:net';
import type { Logger } from 'pino';
import { encodeCommand, RedisReplyError, RespParser, type RedisArg, type RedisReply } from './resp';
import type { RedisEndpoint } from './redis-url';

export interface RedisClientOptions extends RedisEndpoint {
  /** Default 2 s. */
  readonly connectTimeoutMs?: number;
  /** A command without a reply after this long fails and the connection is replaced. Default 1 s. */
  readonly commandTimeoutMs?: number;
  /** Reconnect delay: doubles from min to max. Defaults 50 ms and 2 s. */
  readonly minReconnectDelayMs?: number;
  readonly maxReconnectDelayMs?: number;
  readonly logger?: Logger;
}

/** Redis could not be reached, the connection dropped, or a reply did not come in time. */
export class RedisUnavailableError extends Error {
  override name = 'RedisUnavailableError';
}

type State = 'idle' | 'connecting' | 'ready' | 'backoff' | 'closed';

interface Pending {
  readonly resolve: (reply: RedisReply) => void;
  readonly reject: (err: Error) => void;
  timer?: NodeJS.Timeout;
}

interface Queued {
  readonly payload: Buffer;
  readonly pending: Pending;
}

export class RedisClient {
  private readonly options: Required<Omit<RedisClientOptions, 'username' | 'password' | 'logger'>> & RedisClientOptions;
  private state: State = 'idle';
  private socket: net.Socket | undefined;
  private readonly parser = new RespParser();
  /** Written, awaiting their replies, oldest first. */
  private inFlight: Pending[] = [];
  /** Waiting for the connection (and its AUTH/SELECT) to be ready. */
  private queued: Queued[] = [];
  private attempt = 0;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private lastError: Error | undefined;
  private wasReady = false;
  /** The current socket got as far as a TCP connection (so a close means "lost", not "cannot connect"). */
  private socketConnected = false;
  private closed: Promise<void> | undefined;

  constructor(options: RedisClientOptions) {
    this.options = {
      connectTimeoutMs: 2_000,
      commandTimeoutMs: 1_000,
      minReconnectDelayMs: 50,
      maxReconnectDelayMs: 2_000,
      ...options,
    };
  }

  get isReady(): boolean {
    return this.state === 'ready';
  }

  /** Resolves once connected (AUTH and SELECT done); rejects if this attempt fails (retries go on). */
  async connect(): Promise<void> {
    await this.command(['PING']);
  }

  /** One command; an error reply rejects with RedisReplyError. */
  async command(args: readonly RedisArg[]): Promise<RedisReply> {
    const [reply] = await this.pipeline([args]);
    if (reply instanceof RedisReplyError) throw reply;
    return reply ?? null;
  }

  /** Several commands in one write; error replies come back as RedisReplyError values in their place. */
  pipeline(commands: readonly (readonly RedisArg[])[]): Promise<RedisReply[]> {
    if (commands.length === 0) return Promise.resolve([]);
    const payloads = commands.map(encodeCommand);
    switch (this.state) {
      case 'closed':
        return Promise.reject(new RedisUnavailableError('the Redis client is closed'));
      case 'backoff':
        return Promise.reject(new RedisUnavailableError(`Redis at ${this.where()} is unreachable${this.lastError ? `: ${this.lastError.message}` : ''}`));
      case 'idle':
        this.open();
        return Promise.all(payloads.map((p) => this.enqueue(p)));
      case 'connecting':
        return Promise.all(payloads.map((p) => this.enqueue(p)));
      case 'ready':
        return Promise.all(this.writeAll(this.socket!, payloads));
    }
  }

  close(): Promise<void> {
    if (this.closed) return this.closed;
    this.state = 'closed';
    clearTimeout(this.reconnectTimer);
    this.failQueued(new RedisUnavailableError('the Redis client is closed'));
    const socket = this.socket;
    this.closed = new Promise((resolve) => {
      if (!socket || socket.destroyed) return resolve();
      socket.once('close', () => resolve());
      socket.end();
      // A peer that does not close its side in time is cut off.
      setTimeout(() => socket.destroy(), 500).unref();
    });
    return this.closed;
  }

  private where(): string {
    return `${this.options.host}:${this.options.port}`;
  }

  private open(): void {
    this.state = 'connecting';
    this.socketConnected = false;
    const socket = net.createConnection({ host: this.options.host, port: this.options.port });
    this.socket = socket;
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 10_000);
    socket.setTimeout(this.options.connectTimeoutMs, () => socket.destroy(new Error(`no connection after ${this.options.connectTimeoutMs} ms`)));
    socket.on('data', (chunk: Buffer) => this.onData(socket, chunk));
    socket.on('error', (err) => {
      this.lastError = err;
    });
    socket.on('close', () => this.onClose(socket));
    socket.once('connect', () => {
      socket.setTimeout(0);
      this.socketConnected = true;
      this.handshake(socket);
    });
  }

  private handshake(socket: net.Socket): void {
    const commands: RedisArg[][] = [];
    const { username, password, db } = this.options;
    if (password !== undefined) commands.push(username !== undefined ? ['AUTH', username, password] : ['AUTH', password]);
    if (db !== 0) commands.push(['SELECT', db]);
    commands.push(['PING']);
    Promise.all(this.writeAll(socket, commands.map(encodeCommand))).then(
      (replies) => {
        const failed = replies.find((r): r is RedisReplyError => r instanceof RedisReplyError);
        if (failed) {
          this.lastError = new Error(`handshake failed: ${failed.message}`);
          this.options.logger?.error({ redis: this.where(), err: failed.message }, 'Redis refused the connection setup (check the password and database in --redis-url)');
          socket.destroy();
          return;
        }
        if (this.socket !== socket || this.state !== 'connecting') return;
        this.state = 'ready';
        this.attempt = 0;
        this.lastError = undefined;
        this.options.logger?.info({ redis: this.where() }, this.wasReady ? 'reconnected to Redis' : 'connected to Redis');
        this.wasReady = true;
        this.flushQueued(socket);
      },
      () => {
        // The connection dropped during the handshake: onClose has scheduled a retry.
      },
    );
  }

  private enqueue(payload: Buffer): Promise<RedisReply> {
    return new Promise((resolve, reject) => {
      const pending: Pending = { resolve, reject };
      const entry: Queued = { payload, pending };
      pending.timer = setTimeout(() => {
        this.queued = this.queued.filter((q) => q !== entry);
        reject(new RedisUnavailableError(`no connection to Redis at ${this.where()} within ${this.options.commandTimeoutMs} ms`));
      }, this.options.commandTimeoutMs);
      this.queued.push(entry);
    });
  }

  private flushQueued(socket: net.Socket): void {
    const queued = this.queued;
    this.queued = [];
    if (queued.length === 0) return;
    for (const q of queued) {
      clearTimeout(q.pending.timer);
      this.track(socket, q.pending);
    }
    socket.write(Buffer.concat(queued.map((q) => q.payload)));
  }

  private writeAll(socket: net.Socket, payloads: readonly Buffer[]): Promise<RedisReply>[] {
    const promises = payloads.map(
      (_p) =>
        new Promise<RedisReply>((resolve, reject) => {
          this.track(socket, { resolve, reject });
        }),
    );
    socket.write(payloads.length === 1 ? payloads[0]! : Buffer.concat(payloads));
    return promises;
  }

  /** Expects a reply for `pending`; no reply in time means the connection is stuck, so it is replaced. */
  private track(socket: net.Socket, pending: Pending): void {
    pending.timer = setTimeout(() => {
      this.lastError = new Error(`no reply within ${this.options.commandTimeoutMs} ms`);
      socket.destroy();
    }, this.options.commandTimeoutMs);
    this.inFlight.push(pending);
  }

  private onData(socket: net.Socket, chunk: Buffer): void {
    if (this.socket !== socket) return;
    let replies: RedisReply[];
    try {
      replies = this.parser.push(chunk);
    } catch (err) {
      this.lastError = err as Error;
      socket.destroy();
      return;
    }
    for (const reply of replies) {
      const pending = this.inFlight.shift();
      if (!pending) {
        this.lastError = new Error('Redis sent a reply nobody asked for');
        socket.destroy();
        return;
      }
      clearTimeout(pending.timer);
      pending.resolve(reply);
    }
  }

  private onClose(socket: net.Socket): void {
    if (this.socket !== socket) return;
    this.socket = undefined;
    this.parser.reset();
    const what = this.socketConnected ? `connection to Redis at ${this.where()} lost` : `cannot connect to Redis at ${this.where()}`;
    const reason = new RedisUnavailableError(`${what}${this.lastError ? `: ${this.lastError.message}` : ''}`);
    const inFlight = this.inFlight;
    this.inFlight = [];
    for (const p of inFlight) {
      clearTimeout(p.timer);
      p.reject(reason);
    }
    if (this.state === 'closed') return;
    this.failQueued(reason);
    const wasReady = this.state === 'ready';
    this.state = 'backoff';
    const delay = Math.min(this.options.maxReconnectDelayMs, this.options.minReconnectDelayMs * 2 ** this.attempt);
    this.attempt++;
    const log = this.options.logger;
    if (wasReady || this.attempt === 1) log?.warn({ redis: this.where(), err: this.lastError?.message, retryInMs: delay }, 'Redis connection failed; retrying');
    else log?.debug({ redis: this.where(), err: this.lastError?.message, retryInMs: delay }, 'Redis still unreachable');
    this.reconnectTimer = setTimeout(() => {
      if (this.state === 'backoff') this.open();
    }, delay);
    this.reconnectTimer.unref();
  }

  private failQueued(reason: Error): void {
    const queued = this.queued;
    this.queued = [];
    for (const q of queued) {
      clearTimeout(q.pending.timer);
      q.pending.reject(reason);
    }
  }
}
