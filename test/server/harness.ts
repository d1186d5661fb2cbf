// A meshgate xDS server on 127.0.0.1 with a fresh snapshot cache and an observer that records
// every event, for protocol tests.
import type { EnvoyResource } from '../../src/envoy/resource';
import { SnapshotCache } from '../../src/cache/snapshot-cache';
import { createXdsServer, type XdsServer, type XdsServerOptions } from '../../src/server/xds-server';
import type {
  AckReceived,
  NackReceived,
  ResponseSent,
  StreamClosed,
  StreamOpened,
  XdsStreamObserver,
} from '../../src/server/observer';
import { RawXdsClient } from './raw-client';

/** The group the default test node (cluster "test-cluster") reads. */
export const TEST_GROUP = 'test-cluster';

export class RecordingObserver implements XdsStreamObserver {
  readonly opened: StreamOpened[] = [];
  readonly sent: ResponseSent[] = [];
  readonly acks: AckReceived[] = [];
  readonly nacks: NackReceived[] = [];
  readonly closed: StreamClosed[] = [];
  streamOpened(e: StreamOpened): void { this.opened.push(e); }
  responseSent(e: ResponseSent): void { this.sent.push(e); }
  ackReceived(e: AckReceived): void { this.acks.push(e); }
  nackReceived(e: NackReceived): void { this.nacks.push(e); }
  streamClosed(e: StreamClosed): void { this.closed.push(e); }
}

export interface Harness {
  readonly cache: SnapshotCache;
  readonly xds: XdsServer;
  readonly port: number;
  readonly address: string;
  readonly events: RecordingObserver;
  /** A new client connection (closed by stop()). */
  client(): RawXdsClient;
  /** Replace the test group's snapshot and deliver the change notification at once. */
  set(resources: readonly EnvoyResource[], group?: string, opts?: { skipValidation?: boolean }): void;
  stop(): Promise<void>;
}

export async function startHarness(options: Partial<XdsServerOptions> = {}): Promise<Harness> {
  const cache = new SnapshotCache({ validator: () => [], debounceMs: 1, maxDelayMs: 20 });
  const events = new RecordingObserver();
  const xds = createXdsServer({
    identifier: 'meshgate-test',
    warmingGateMs: 500,
    ...options,
    cache,
    observers: [events, ...(options.observers ?? [])],
  });
  const port = await xds.bind('127.0.0.1', 0);
  const clients: RawXdsClient[] = [];
  const address = `127.0.0.1:${port}`;
  return {
    cache,
    xds,
    port,
    address,
    events,
    client() {
      const c = new RawXdsClient(address);
      clients.push(c);
      return c;
    },
    set(resources, group = TEST_GROUP, opts = {}) {
      cache.setSnapshot(group, resources, opts);
      cache.flush();
    },
    async stop() {
      for (const c of clients) c.close();
      await xds.close(200);
      cache.close();
    },
  };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Poll until `check` holds (or fail after timeoutMs). */
export async function eventually(check: () => boolean, timeoutMs = 3000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}
