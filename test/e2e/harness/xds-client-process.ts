// Child process: one proxyless gRPC client (@grpc/grpc-js-xds) dialing `xds:///<name>`.
// grpc-js-xds reads its bootstrap (node id, metadata, xDS server) once per process, so every
// simulated node runs in its own process. The bootstrap arrives in GRPC_XDS_BOOTSTRAP_CONFIG,
// the target in argv[2]; commands arrive as JSON lines on stdin (see xds-client-protocol.ts).
// The process exits when stdin closes, so a test that dies cannot leave it behind.
import * as readline from 'node:readline';
import * as grpc from '@grpc/grpc-js';
import * as grpcXds from '@grpc/grpc-js-xds';
import { echoService, type WhoReply } from './echo-service';
import type { CallTally, ClientCommand, ClientReply, WaitCommand } from './xds-client-protocol';

const MAX_ERROR_SAMPLES = 5;

function main(): void {
  const target = process.argv[2];
  if (!target) {
    process.stderr.write('usage: xds-client-process <xds:///name>\n');
    process.exit(2);
  }
  grpcXds.register();
  const service = echoService();
  const who = service['Who'];
  if (!who) throw new Error('meshgate.test.Echo has no Who method');
  // With MESHGATE_E2E_XDS_CREDENTIALS=1 the channel takes its security from xDS (mTLS through the
  // bootstrap's certificate providers where the cluster says so), else plain text.
  const credentials =
    process.env['MESHGATE_E2E_XDS_CREDENTIALS'] === '1'
      ? new grpcXds.XdsChannelCredentials(grpc.credentials.createInsecure())
      : grpc.credentials.createInsecure();
  const client = new grpc.Client(target, credentials);

  function metadataOf(headers: Readonly<Record<string, string>> | undefined): grpc.Metadata {
    const metadata = new grpc.Metadata();
    for (const [name, value] of Object.entries(headers ?? {})) metadata.set(name, value);
    return metadata;
  }

  function callOnce(deadlineMs: number, headers?: Readonly<Record<string, string>>): Promise<{ backend?: string; code?: string; message?: string }> {
    return new Promise((resolve) => {
      client.makeUnaryRequest<unknown, WhoReply>(
        who.path,
        who.requestSerialize,
        who.responseDeserialize as (bytes: Buffer) => WhoReply,
        {},
        metadataOf(headers),
        { deadline: Date.now() + deadlineMs },
        (err, reply) => {
          if (err) resolve({ code: grpc.status[err.code] ?? String(err.code), message: err.details });
          else resolve({ backend: reply?.backend ?? '' });
        },
      );
    });
  }

  async function tally(n: number, concurrency: number, deadlineMs: number, headers?: Readonly<Record<string, string>>): Promise<CallTally> {
    const counts: Record<string, number> = {};
    const errors: Record<string, number> = {};
    const errorSamples: string[] = [];
    let next = 0;
    async function worker(): Promise<void> {
      while (next < n) {
        next += 1;
        const result = await callOnce(deadlineMs, headers);
        if (result.backend !== undefined) {
          counts[result.backend] = (counts[result.backend] ?? 0) + 1;
        } else if (result.code) {
          errors[result.code] = (errors[result.code] ?? 0) + 1;
          const sample = `${result.code}: ${result.message ?? ''}`;
          if (errorSamples.length < MAX_ERROR_SAMPLES && !errorSamples.includes(sample)) errorSamples.push(sample);
        }
      }
    }
    await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, n)) }, worker));
    return { counts, errors, errorSamples };
  }

  function satisfies(cmd: WaitCommand, t: CallTally): boolean {
    const total = Object.values(t.counts).reduce((a, b) => a + b, 0);
    if (cmd.noErrors && Object.keys(t.errors).length > 0) return false;
    for (const name of cmd.reach ?? []) if (!t.counts[name]) return false;
    for (const name of cmd.avoid ?? []) if (t.counts[name]) return false;
    for (const [name, [min, max]] of Object.entries(cmd.share ?? {})) {
      if (total === 0) return false;
      const share = (t.counts[name] ?? 0) / total;
      if (share < min || share > max) return false;
    }
    return true;
  }

  async function handle(cmd: ClientCommand): Promise<ClientReply> {
    const started = Date.now();
    switch (cmd.cmd) {
      case 'calls': {
        const t = await tally(cmd.n, cmd.concurrency ?? 50, cmd.deadlineMs ?? 3000, cmd.metadata);
        return { id: cmd.id, ok: true, elapsedMs: Date.now() - started, ...t };
      }
      case 'wait': {
        const batch = cmd.batch ?? 100;
        let batches = 0;
        let last: CallTally = { counts: {}, errors: {}, errorSamples: [] };
        // Bounded: stops at the deadline even if no batch ever satisfies the conditions.
        while (Date.now() - started < cmd.timeoutMs) {
          last = await tally(batch, 50, Math.min(2000, cmd.timeoutMs), cmd.metadata);
          batches += 1;
          if (satisfies(cmd, last)) return { id: cmd.id, ok: true, batches, elapsedMs: Date.now() - started, last };
          await new Promise((r) => setTimeout(r, 25));
        }
        return { id: cmd.id, ok: false, batches, elapsedMs: Date.now() - started, last };
      }
      case 'exit':
        return { id: cmd.id, ok: true, elapsedMs: 0, counts: {}, errors: {}, errorSamples: [] };
    }
  }

  function reply(message: ClientReply): void {
    process.stdout.write(JSON.stringify(message) + '\n');
  }

  function shutdown(): void {
    client.close();
    process.exit(0);
  }

  const lines = readline.createInterface({ input: process.stdin });
  lines.on('line', (line) => {
    if (line.trim() === '') return;
    let cmd: ClientCommand;
    try {
      cmd = JSON.parse(line) as ClientCommand;
    } catch (err) {
      reply({ id: -1, ok: false, error: `bad command line: ${String(err)}` });
      return;
    }
    handle(cmd).then(
      (r) => {
        reply(r);
        if (cmd.cmd === 'exit') shutdown();
      },
      (err: unknown) => reply({ id: cmd.id, ok: false, error: err instanceof Error ? err.message : String(err) }),
    );
  });
  lines.on('close', shutdown);
}

main();
