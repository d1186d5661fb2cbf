// The composition root: builds the pipeline (snapshot cache → ADS server) and the parts that sit
// beside it (proxy status, metrics, CSDS, admin API), and wires them together. Nothing else in the
// code base constructs these; tests start the whole control plane through this function too.
import fs from 'node:fs';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import type { FastifyInstance } from 'fastify';
import pino, { type Logger } from 'pino';
import { tokensEqual } from './admin/auth';
import { registerIdentityRoutes } from './admin/routes/identity';
import { buildAdminServer } from './admin/server';
import { openCertificateAuthority, WorkloadCertificates, type CaOrigin, type Clock } from './ca';
import { SnapshotCache } from './cache';
import { createWorkloadProofCheck, TokenAuthority } from './identity';
import { isLoopback, type ControlPlaneOptions } from './config/options';
import { ConfigService } from './pipeline/config-service';
import { compile } from './pipeline/compile';
import { RateLimitRules, registerRateLimitService, rulesFromIr } from './ratelimit';
import { createCounterStore } from './ratelimit/store-factory';
import { createXdsServer, type XdsServer } from './server';
import { DocumentStore } from './store';
import { registerCsdsService } from './status/csds-service';
import { createProxyStatus, type ProxyStatusSetup } from './status/setup';
import { validateSnapshot } from './validate';

export interface ControlPlane {
  readonly cache: SnapshotCache;
  /** The built-in CA's workload certificates (ca.ca is the authority itself: trust bundle, issue()). */
  readonly ca: WorkloadCertificates;
  /** Issues and checks the bootstrap tokens sidecars prove their workload with. */
  readonly tokens: TokenAuthority;
  readonly store: DocumentStore;
  readonly config: ConfigService;
  readonly xds: XdsServer;
  readonly status: ProxyStatusSetup;
  readonly admin: FastifyInstance;
  /** Bound ports (useful when 0 was asked for). */
  readonly xdsPort: number;
  readonly adminPort: number;
  close(): Promise<void>;
}

export interface ControlPlaneTuning {
  /** Snapshot cache debounce (default 100 ms) and cap (default 1 s). */
  readonly debounceMs?: number;
  readonly maxDelayMs?: number;
  /** The CA's clock (tests compress certificate lifetimes with it). */
  readonly clock?: Clock;
  /** Renew workload certificates on a timer (default true; tests with a clock call ca.renewDue()). */
  readonly autoRenewCertificates?: boolean;
}

export async function startControlPlane(
  options: ControlPlaneOptions,
  logger: Logger = pino({ level: 'silent' }),
  tuning: ControlPlaneTuning = {},
): Promise<ControlPlane> {
  fs.mkdirSync(options.dataDir, { recursive: true });
  if (!options.adminToken) {
    logger.warn({ adminHost: options.adminHost }, 'no admin token set: the admin API accepts unauthenticated calls and listens on loopback only');
  }

  const cache = new SnapshotCache({
    validator: validateSnapshot,
    ...(tuning.debounceMs !== undefined ? { debounceMs: tuning.debounceMs } : {}),
    ...(tuning.maxDelayMs !== undefined ? { maxDelayMs: tuning.maxDelayMs } : {}),
  });
  const status = createProxyStatus(cache);

  // The CA before anything is served: mesh groups are published with their certificates.
  const opened = await openCertificateAuthority({
    dataDir: options.dataDir,
    ...(options.trustDomain ? { trustDomain: options.trustDomain } : {}),
    ...(options.caCertFile && options.caKeyFile ? { caCertFile: options.caCertFile, caKeyFile: options.caKeyFile } : {}),
    ...(tuning.clock ? { clock: tuning.clock } : {}),
  });
  logCaOrigin(logger, opened.origin, options);
  const ca = new WorkloadCertificates(opened.ca, {
    ...(options.workloadCertTtlMs ? { ttlMs: options.workloadCertTtlMs } : {}),
    ...(tuning.autoRenewCertificates !== undefined ? { autoRenew: tuning.autoRenewCertificates } : {}),
    logger: logger.child({ component: 'ca' }),
  });
  const tokens = TokenAuthority.open(options.dataDir);
  let config: ConfigService | undefined;
  const xds = createXdsServer({
    cache,
    observers: status.observers,
    logger: logger.child({ component: 'xds' }),
    identifier: options.identifier,
    // Proxyless gRPC views are built and served while a node reads them (src/pipeline/proxyless-demand.ts).
    groupDemand: { opened: (group) => config?.groupOpened(group), closed: (group) => config?.groupClosed(group) },
    secretAccess: createWorkloadProofCheck({
      workloadOf: (group) => config?.meshWorkloadOf(group),
      tokens,
      spiffeIdOf: (workload) => ca.spiffeIdOf(workload.identity),
      plaintextTransport: !(options.xdsTlsCertFile && options.xdsTlsKeyFile),
      logger: logger.child({ component: 'identity' }),
      ...(tuning.clock ? { now: () => tuning.clock!.now() } : {}),
    }),
  });
  registerCsdsService(xds.server, {
    registry: status.registry,
    snapshots: cache,
    authorize: (metadata, peer) => authorizeOperatorCall(options.adminToken, metadata, peer),
  });
  // The global rate limiter runs in-process by default, on the xDS port (gateways reach it through
  // the same cluster they use for xDS); `meshgate ratelimit` runs it on its own.
  const rateLimitRules = new RateLimitRules();
  const counters = createCounterStore({ ...(options.redisUrl ? { redisUrl: options.redisUrl } : {}), logger: logger.child({ component: 'ratelimit' }) });
  registerRateLimitService(xds.server, { rules: rateLimitRules, store: counters.store, logger: logger.child({ component: 'ratelimit' }) });

  const store = await DocumentStore.open({ dir: path.join(options.dataDir, 'store') });
  const recovery = store.recoveryReport;
  if (recovery.removedTempFiles.length + recovery.quarantined.length > 0) logger.warn({ recovery }, 'store recovered from an interrupted write');
  config = ConfigService.start(store, cache, logger.child({ component: 'config' }), (compiled) => rateLimitRules.update(rulesFromIr(compiled.ir)), {
    secrets: ca,
    // Peer SPIFFE IDs and RBAC principals name the CA's trust domain, as its certificates do.
    compile: (documents, previous, keepProxylessView) => compile(documents, { trustDomain: opened.ca.trustDomain, ...(keepProxylessView ? { keepProxylessView } : {}) }, previous),
  });
  await config.secretsReady();

  let xdsBound = false;
  const admin = buildAdminServer({
    registry: status.registry,
    snapshots: cache,
    metrics: status.metrics,
    readiness: { xds: () => xdsBound },
    config,
    ...(options.adminToken ? { token: options.adminToken } : {}),
    logger: logger.child({ component: 'admin' }),
  });

  registerIdentityRoutes(admin, { tokens, ca });

  const xdsPort = await xds.bind(options.xdsHost, options.xdsPort, xdsCredentials(options));
  xdsBound = true;
  await admin.listen({ host: options.adminHost, port: options.adminPort });
  const address = admin.server.address();
  const adminPort = typeof address === 'object' && address ? address.port : options.adminPort;
  logger.info({ xdsPort, adminPort, dataDir: options.dataDir, identifier: xds.identifier, revision: store.revision, rateLimitCounters: counters.description }, 'meshgate control plane started');

  return {
    cache,
    ca,
    tokens,
    store,
    config,
    xds,
    status,
    admin,
    xdsPort,
    adminPort,
    async close() {
      await admin.close();
      await xds.close();
      ca.close();
      config.close();
      status.close();
      await counters.store.close();
      await store.close();
      cache.close();
    },
  };
}

/** Plain text unless --xds-tls-cert/--xds-tls-key are set; with --xds-tls-client-ca, client certificates are required. */
export function xdsCredentials(options: ControlPlaneOptions): grpc.ServerCredentials {
  if (!options.xdsTlsCertFile || !options.xdsTlsKeyFile) return grpc.ServerCredentials.createInsecure();
  const read = (file: string, what: string): Buffer => {
    try {
      return fs.readFileSync(file);
    } catch (err) {
      throw new Error(`cannot read ${what} ${file}: ${(err as Error).message}`);
    }
  };
  const clientCa = options.xdsTlsClientCaFile ? read(options.xdsTlsClientCaFile, '--xds-tls-client-ca') : null;
  return grpc.ServerCredentials.createSsl(
    clientCa,
    [{ cert_chain: read(options.xdsTlsCertFile, '--xds-tls-cert'), private_key: read(options.xdsTlsKeyFile, '--xds-tls-key') }],
    clientCa !== null,
  );
}

function logCaOrigin(logger: Logger, origin: CaOrigin, options: ControlPlaneOptions): void {
  const where = {
    supplied: { caCert: options.caCertFile },
    'data-dir': { dir: path.join(options.dataDir, 'ca') },
    generated: { dir: path.join(options.dataDir, 'ca') },
    memory: {},
  }[origin];
  logger.info({ origin, ...where, trustDomain: options.trustDomain ?? 'cluster.local' }, origin === 'generated' ? 'generated a new CA root' : 'CA ready');
}

/**
 * Operator-only gRPC calls (CSDS) share the xDS port with proxies, so they need the admin token
 * when one is set, and otherwise must come from this machine, like the admin API itself.
 */
export function authorizeOperatorCall(token: string | undefined, metadata: grpc.Metadata, peer: string): string | undefined {
  if (token) {
    const header = metadata.get('authorization')[0];
    const match = typeof header === 'string' ? /^Bearer[ \t]+(\S+)$/i.exec(header.trim()) : null;
    return match && tokensEqual(match[1]!, token) ? undefined : 'CSDS needs the admin token (authorization: Bearer <token>)';
  }
  const host = peer.replace(/^ipv[46]:/, '').replace(/^\[?([^\]]*)\]?:\d+$/, '$1');
  return isLoopback(host) ? undefined : 'CSDS is only served to loopback callers when no admin token is set';
}
