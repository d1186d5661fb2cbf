// A control plane assembled from its real parts (store, config service, snapshot cache, CA, ADS
// server with the workload-proof check) around mesh proxy groups. Until an input family produces
// sidecars, the groups come from Gateway API Gateways in namespace "demo" turned into sidecar
// proxies (kind "sidecar", Proxy.mesh with the workload's identity) by a compile wrapper: the
// config service, CA and server only look at Proxy.mesh, which is exactly what a sidecar carries.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type * as grpc from '@grpc/grpc-js';
import pino, { type Logger } from 'pino';
import { CertificateAuthority, WorkloadCertificates } from '../../src/ca';
import { SnapshotCache } from '../../src/cache';
import { parseDocuments } from '../../src/documents/parse';
import type { InputDocument } from '../../src/documents/types';
import type { EnvoyResource } from '../../src/envoy/resource';
import { createWorkloadProofCheck, TokenAuthority } from '../../src/identity';
import type { Proxy } from '../../src/ir/types';
import { compile, type CompileOutcome } from '../../src/pipeline/compile';
import { ConfigService } from '../../src/pipeline/config-service';
import { createXdsServer, type XdsServer } from '../../src/server';
import { createProxyStatus, type ProxyStatusSetup } from '../../src/status/setup';
import { DocumentStore } from '../../src/store';
import { validateSnapshot } from '../../src/validate';
import { ManualClock } from '../ca/fixtures';

/** Workload name → service account, all in namespace "demo". */
export const WORKLOADS: Readonly<Record<string, string>> = { 'catalog-v1': 'catalog', 'catalog-v2': 'catalog', frontend: 'frontend' };

export function gatewayDocuments(names: readonly string[]): InputDocument[] {
  const text = [
    'apiVersion: gateway.networking.k8s.io/v1\nkind: GatewayClass\nmetadata: {name: meshgate}\nspec: {controllerName: meshgate.io/gateway-controller}',
    ...names.map(
      (name) =>
        `apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata: {name: ${name}, namespace: demo}\nspec:\n  gatewayClassName: meshgate\n  listeners: [{name: http, port: 9080, protocol: HTTP}]`,
    ),
  ].join('\n---\n');
  const parsed = parseDocuments(text);
  if (parsed.errors.length > 0) throw new Error(JSON.stringify(parsed.errors));
  return parsed.documents;
}

function asSidecar(proxy: Proxy, serviceAccounts: Readonly<Record<string, string>>): Proxy {
  const name = /^gateway\/demo\/(.+)$/.exec(proxy.name)?.[1];
  const serviceAccount = name ? serviceAccounts[name] : undefined;
  if (!name || !serviceAccount) return proxy;
  return {
    ...proxy,
    name: `sidecar/demo/${name}`,
    kind: 'sidecar',
    mesh: {
      workload: { name: `demo/${name}`, namespace: 'demo', labels: { app: name }, identity: { trustDomain: 'cluster.local', namespace: 'demo', serviceAccount } },
      captureMode: 'explicit',
      inbound: [],
      outbound: [],
    },
  };
}

/** compile(), then every Gateway "demo/<name>" with a service account in `serviceAccounts` becomes sidecar "sidecar/demo/<name>". */
export function meshCompile(serviceAccounts: Readonly<Record<string, string>> = WORKLOADS): (documents: readonly InputDocument[]) => CompileOutcome {
  return (documents) => {
    const outcome = compile(documents);
    if (!outcome.ok) return outcome;
    const rename = (group: string): string => group.replace(/^(grpc:)?gateway\/demo\/(.+)$/, (all, prefix: string | undefined, name: string) => (serviceAccounts[name] ? `${prefix ?? ''}sidecar/demo/${name}` : all));
    const groups = new Map<string, readonly EnvoyResource[]>([...outcome.config.groups].map(([group, resources]) => [rename(group), resources]));
    const proxies = outcome.config.ir.proxies.map((p) => asSidecar(p, serviceAccounts));
    return { ok: true, config: { ...outcome.config, ir: { ...outcome.config.ir, proxies }, groups } };
  };
}

/** Log lines captured as parsed JSON objects. */
export class LogCapture {
  readonly lines: Record<string, unknown>[] = [];
  readonly raw: string[] = [];
  readonly logger: Logger = pino({ level: 'debug' }, { write: (line: string) => this.push(line) });
  private push(line: string): void {
    this.raw.push(line);
    this.lines.push(JSON.parse(line) as Record<string, unknown>);
  }
}

export interface MeshPlane {
  readonly clock: ManualClock;
  readonly cache: SnapshotCache;
  readonly certificates: WorkloadCertificates;
  readonly tokens: TokenAuthority;
  readonly config: ConfigService;
  readonly xds: XdsServer;
  readonly address: string;
  readonly logs: LogCapture;
  /** Proxy status as /v1/proxies reports it. */
  readonly status: ProxyStatusSetup;
  stop(): Promise<void>;
}

export async function startMeshPlane(options: { ttlMs?: number; workloads?: readonly string[]; credentials?: (ca: CertificateAuthority) => Promise<grpc.ServerCredentials> } = {}): Promise<MeshPlane> {
  const clock = new ManualClock(Date.now());
  const logs = new LogCapture();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'meshgate-mesh-'));
  const store = await DocumentStore.open({ dir });
  const cache = new SnapshotCache({ validator: validateSnapshot, debounceMs: 1, maxDelayMs: 20 });
  const { ca } = await CertificateAuthority.generate({ clock });
  const certificates = new WorkloadCertificates(ca, { ttlMs: options.ttlMs ?? 24 * 3600_000, autoRenew: false });
  const tokens = TokenAuthority.ephemeral();
  let config: ConfigService | undefined;
  const status = createProxyStatus(cache);
  const xds = createXdsServer({
    cache,
    observers: status.observers,
    logger: logs.logger,
    identifier: 'meshgate-test',
    warmingGateMs: 0,
    secretAccess: createWorkloadProofCheck({
      workloadOf: (group) => config?.meshWorkloadOf(group),
      tokens,
      spiffeIdOf: (workload) => certificates.spiffeIdOf(workload.identity),
      now: () => clock.now(),
    }),
  });
  config = ConfigService.start(store, cache, logs.logger, () => {}, { secrets: certificates, compile: meshCompile() });
  await config.apply(gatewayDocuments(options.workloads ?? Object.keys(WORKLOADS)));
  cache.flush();
  const port = await xds.bind('127.0.0.1', 0, options.credentials ? await options.credentials(ca) : undefined);
  return {
    clock,
    cache,
    certificates,
    tokens,
    config,
    xds,
    address: `127.0.0.1:${port}`,
    logs,
    status,
    async stop() {
      await xds.close(200);
      status.close();
      certificates.close();
      config!.close();
      cache.close();
      await store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
