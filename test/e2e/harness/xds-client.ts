// The test side of an xDS client child process: spawns xds-client-process.js with its own
// bootstrap, sends commands, and matches replies. `stop()` closes stdin (the child exits on its
// own) and kills it if it has not gone within a second.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import * as path from 'node:path';
import * as readline from 'node:readline';
import type { JsonObject } from '../../../src/envoy/resource';
import type { CallsReply, ClientCommand, ClientReply, WaitCommand, WaitReply } from './xds-client-protocol';

export interface XdsClientOptions {
  /** The LDS resource name the client dials as `xds:///<name>`. */
  readonly target: string;
  readonly xdsPort: number;
  readonly nodeId: string;
  readonly cluster: string;
  readonly metadata?: JsonObject;
  /** Extra environment, e.g. GRPC_TRACE for debugging. */
  readonly env?: Readonly<Record<string, string>>;
  /**
   * Bootstrap certificate_providers; when given, the channel uses XdsChannelCredentials so that
   * clusters with certificate-provider TLS are called over mTLS.
   */
  readonly certificateProviders?: JsonObject;
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

const STDERR_KEEP = 16_384;

export function bootstrapFor(options: XdsClientOptions): JsonObject {
  const providers: JsonObject = options.certificateProviders ? { certificate_providers: options.certificateProviders } : {};
  return {
    ...providers,
    xds_servers: [
      {
        server_uri: `127.0.0.1:${options.xdsPort}`,
        channel_creds: [{ type: 'insecure' }],
        server_features: ['xds_v3'],
      },
    ],
    node: {
      id: options.nodeId,
      cluster: options.cluster,
      metadata: options.metadata ?? {},
      locality: {},
    },
  };
}

export class XdsClientProcess {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly pending = new Map<number, (reply: ClientReply) => void>();
  private nextId = 1;
  private stderrTail = '';
  private exited = false;
  private readonly exitPromise: Promise<void>;

  constructor(readonly options: XdsClientOptions) {
    const env: NodeJS.ProcessEnv = { ...process.env, ...options.env };
    delete env['GRPC_XDS_BOOTSTRAP'];
    env['GRPC_XDS_BOOTSTRAP_CONFIG'] = JSON.stringify(bootstrapFor(options));
    if (options.certificateProviders) env['MESHGATE_E2E_XDS_CREDENTIALS'] = '1';
    this.child = spawn(process.execPath, [path.join(__dirname, 'xds-client-process.js'), `xds:///${options.target}`], {
      env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.child.stderr.setEncoding('utf8');
    this.child.stderr.on('data', (chunk: string) => {
      this.stderrTail = (this.stderrTail + chunk).slice(-STDERR_KEEP);
    });
    readline.createInterface({ input: this.child.stdout }).on('line', (line) => this.onLine(line));
    // A write after the child died must not crash the test process.
    this.child.stdin.on('error', () => undefined);
    this.exitPromise = new Promise((resolve) => {
      this.child.on('exit', () => {
        this.exited = true;
        for (const [id, settle] of this.pending) settle({ id, ok: false, error: `client process exited; stderr: ${this.stderrTail}` });
        this.pending.clear();
        resolve();
      });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Recent stderr of the child (grpc-js logs), for assertion messages. */
  get stderr(): string {
    return this.stderrTail;
  }

  async calls(n: number, options: { concurrency?: number; deadlineMs?: number; metadata?: Readonly<Record<string, string>> } = {}): Promise<CallsReply> {
    const reply = await this.send({ cmd: 'calls', n, ...options }, 30_000);
    if (!('counts' in reply)) throw new Error(`calls failed: ${JSON.stringify(reply)}`);
    return reply;
  }

  async waitFor(condition: Omit<WaitCommand, 'id' | 'cmd'>): Promise<WaitReply> {
    const reply = await this.send({ cmd: 'wait', ...condition }, condition.timeoutMs + 5_000);
    if (!('batches' in reply)) throw new Error(`wait failed: ${JSON.stringify(reply)}`);
    return reply;
  }

  async stop(): Promise<void> {
    if (this.exited) return;
    this.child.stdin.end();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 1000);
    await this.exitPromise;
    clearTimeout(timer);
  }

  private send(command: DistributiveOmit<ClientCommand, 'id'>, timeoutMs: number): Promise<ClientReply> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      if (this.exited) {
        resolve({ id, ok: false, error: `client process exited; stderr: ${this.stderrTail}` });
        return;
      }
      const timer = setTimeout(() => {
        this.pending.delete(id);
        resolve({ id, ok: false, error: `no reply within ${timeoutMs} ms` });
      }, timeoutMs);
      this.pending.set(id, (reply) => {
        clearTimeout(timer);
        resolve(reply);
      });
      this.child.stdin.write(JSON.stringify({ ...command, id }) + '\n');
    });
  }

  private onLine(line: string): void {
    let reply: ClientReply;
    try {
      reply = JSON.parse(line) as ClientReply;
    } catch {
      return; // Not a reply (a stray log line); replies are always JSON.
    }
    const settle = this.pending.get(reply.id);
    if (!settle) return;
    this.pending.delete(reply.id);
    settle(reply);
  }
}
