// The test side of an xDS-enabled gRPC server child process (xds-server-process.ts).
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import * as net from 'node:net';
import * as path from 'node:path';
import * as readline from 'node:readline';
import type { JsonObject } from '../../../src/envoy/resource';
import { SERVER_LISTENER_NAME_TEMPLATE } from '../../../src/xds/proxyless';
import { eventually } from './eventually';
import { bootstrapFor } from './xds-client';

export interface XdsServerOptions {
  /** What the server answers to Who. */
  readonly name: string;
  readonly port: number;
  readonly xdsPort: number;
  readonly nodeId: string;
  readonly metadata: JsonObject;
  /** Bootstrap certificate_providers (mTLS). */
  readonly certificateProviders?: JsonObject;
}

const STDERR_KEEP = 16_384;

/** A free TCP port on this machine (an xDS-enabled server must bind a fixed, non-zero port). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '0.0.0.0', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

export class XdsServerProcess {
  private readonly child: ChildProcessWithoutNullStreams;
  private stderrTail = '';
  private exited = false;
  private readonly exitPromise: Promise<void>;
  /** Resolves with the bound port once the server serves (its Listener arrived and was accepted). */
  readonly serving: Promise<number>;

  constructor(readonly options: XdsServerOptions) {
    const bootstrap: JsonObject = {
      ...bootstrapFor({ target: '', xdsPort: options.xdsPort, nodeId: options.nodeId, cluster: options.name, metadata: options.metadata }),
      server_listener_resource_name_template: SERVER_LISTENER_NAME_TEMPLATE,
      ...(options.certificateProviders ? { certificate_providers: options.certificateProviders } : {}),
    };
    const env: NodeJS.ProcessEnv = { ...process.env, GRPC_XDS_EXPERIMENTAL_RBAC: 'true', GRPC_XDS_BOOTSTRAP_CONFIG: JSON.stringify(bootstrap) };
    delete env['GRPC_XDS_BOOTSTRAP'];
    this.child = spawn(process.execPath, [path.join(__dirname, 'xds-server-process.js'), options.name, `0.0.0.0:${options.port}`], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stderr.setEncoding('utf8');
    this.child.stderr.on('data', (chunk: string) => {
      this.stderrTail = (this.stderrTail + chunk).slice(-STDERR_KEEP);
    });
    this.child.stdin.on('error', () => undefined);
    this.exitPromise = new Promise((resolve) => {
      this.child.on('exit', () => {
        this.exited = true;
        resolve();
      });
    });
    this.serving = new Promise((resolve, reject) => {
      readline.createInterface({ input: this.child.stdout }).on('line', (line) => {
        try {
          const message = JSON.parse(line) as { serving?: number; error?: string };
          if (typeof message.serving === 'number') resolve(message.serving);
          else if (message.error) reject(new Error(`xDS server failed to bind: ${message.error}`));
        } catch {
          // Not a status line.
        }
      });
      void this.exitPromise.then(() => reject(new Error(`xDS server exited; stderr: ${this.stderrTail}`)));
    });
    // The test awaits `serving` itself; an early exit must not become an unhandled rejection.
    this.serving.catch(() => undefined);
  }

  get stderr(): string {
    return this.stderrTail;
  }

  /**
   * The bound port, polled for up to `timeoutMs` (a loaded machine can take well over 10 s to start
   * the child, connect to xDS and get its Listener); fails at once if the server exits or cannot bind.
   */
  async waitUntilServing(timeoutMs = 30_000): Promise<number> {
    let outcome: { port: number } | { error: unknown } | undefined;
    this.serving.then(
      (port) => (outcome = { port }),
      (error: unknown) => (outcome = { error }),
    );
    const settled = await eventually('the xDS-enabled server to serve', () => outcome, { timeoutMs, intervalMs: 100, describe: () => `stderr: ${this.stderrTail}` });
    if ('error' in settled) throw settled.error;
    return settled.port;
  }

  async stop(): Promise<void> {
    if (this.exited) return;
    this.child.stdin.end();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 1000);
    await this.exitPromise;
    clearTimeout(timer);
  }
}
