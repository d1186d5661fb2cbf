// Real gRPC backend servers for the end-to-end tests: each listens on 127.0.0.1 with an
// ephemeral port and answers meshgate.test.Echo/Who with its own name.
import * as grpc from '@grpc/grpc-js';
import { echoService, type WhoReply } from './echo-service';

export interface Backend {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  /** Calls this backend has served, counted on the server side. */
  readonly served: () => number;
}

export interface BackendSet {
  readonly backends: readonly Backend[];
  byName(name: string): Backend;
  stop(): Promise<void>;
}

const HOST = '127.0.0.1';

/**
 * How a backend answers: "ok" always; "fail-every-other" fails every second call it receives
 * (the 1st, 3rd, ...) with UNAVAILABLE, for retry tests.
 */
export type BackendBehaviour = 'ok' | 'fail-every-other';

export async function startBackends(names: readonly string[], behaviours: Readonly<Record<string, BackendBehaviour>> = {}): Promise<BackendSet> {
  const servers: grpc.Server[] = [];
  const backends: Backend[] = [];
  try {
    for (const name of names) {
      const { server, backend } = await startBackend(name, behaviours[name] ?? 'ok');
      servers.push(server);
      backends.push(backend);
    }
  } catch (err) {
    await Promise.all(servers.map(stopServer));
    throw err;
  }
  return {
    backends,
    byName(name: string): Backend {
      const found = backends.find((b) => b.name === name);
      if (!found) throw new Error(`no backend named ${name}`);
      return found;
    },
    async stop(): Promise<void> {
      await Promise.all(servers.map(stopServer));
    },
  };
}

async function startBackend(name: string, behaviour: BackendBehaviour): Promise<{ server: grpc.Server; backend: Backend }> {
  const service = echoService();
  const server = new grpc.Server();
  let served = 0;
  let received = 0;
  server.addService(service, {
    Who(_call: grpc.ServerUnaryCall<unknown, WhoReply>, callback: grpc.sendUnaryData<WhoReply>) {
      received += 1;
      if (behaviour === 'fail-every-other' && received % 2 === 1) {
        callback({ code: grpc.status.UNAVAILABLE, details: `${name} fails every other call` });
        return;
      }
      served += 1;
      callback(null, { backend: name });
    },
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(`${HOST}:0`, grpc.ServerCredentials.createInsecure(), (err, boundPort) =>
      err ? reject(err) : resolve(boundPort),
    );
  });
  return { server, backend: { name, host: HOST, port, served: () => served } };
}

/** Graceful shutdown, forced after a short grace so a stuck client cannot hang `after`. */
function stopServer(server: grpc.Server): Promise<void> {
  return new Promise((resolve) => {
    const force = setTimeout(() => {
      server.forceShutdown();
      resolve();
    }, 1000);
    server.tryShutdown(() => {
      clearTimeout(force);
      resolve();
    });
  });
}
