// The operations behind the admin API's /v1/apply, /v1/resources and /v1/revisions: it sits beside
// the pipeline, stores accepted documents durably, and publishes compiled snapshots to the cache.
// Translation + validation run inside the store's write queue, so a change is either compiled,
// durable and served, or refused with nothing stored and proxies keeping their last good config.
// Mesh groups get their workload certificate and trust bundle (SDS Secrets "default" and "ROOTCA")
// from the CA here, at publication, so compile() stays pure and certificates are never stored.
import type { Logger } from 'pino';
import type { MeshSecretProvider } from '../ca/workload-certificates';
import type { DocumentError, DocumentRef, DocumentStatus, InputDocument } from '../documents/types';
import type { EnvoyResource } from '../envoy/resource';
import type { Workload } from '../ir/mesh';
import type { ApplyResult, DocumentStore, RevisionInfo, StoredDocument } from '../store';
import { inputDocumentOf, storedDocumentOf } from '../store';
import { compile, type CompiledConfig, type CompileOutcome } from './compile';
import { diffGroups, type GroupDiff } from './diff';
import { isProxylessGroup, proxylessGroupsOf, proxylessViewOf, withProxylessViews } from './proxyless-demand';

/** What the service needs from the snapshot cache: replace every group at once, atomically. */
export interface SnapshotPublisher {
  setSnapshots(groups: ReadonlyMap<string, readonly EnvoyResource[]>): void;
  getSnapshot(group: string): { readonly resources: ReadonlyMap<string, ReadonlyMap<string, { readonly json: EnvoyResource['json'] }>> } | undefined;
  groups(): string[];
}

/** A change refused before anything was stored: HTTP 400 with these errors. */
export class ChangeRejectedError extends Error {
  constructor(readonly errors: readonly DocumentError[]) {
    super(`change refused: ${errors.length} error(s)`);
    this.name = 'ChangeRejectedError';
  }
}

export interface DocumentChange {
  readonly ref: DocumentRef;
  readonly outcome: string;
}

export interface ApplyResponse {
  readonly revision: number;
  readonly changed: boolean;
  readonly documents: readonly DocumentChange[];
  /** Dry run only: per proxy group, the Envoy resources that would be added, changed and removed. */
  readonly diff?: readonly GroupDiff[];
  readonly dryRun: boolean;
}

export interface ConfigServiceExtras {
  /** Supplies mesh groups' certificates; without it mesh groups cannot be served. */
  readonly secrets?: MeshSecretProvider;
  /**
   * Documents → compiled configuration (default: compile(); tests substitute IR the translators do
   * not produce yet). `keepProxylessView` is compile()'s option of that name: the proxyless views
   * some node reads now.
   */
  readonly compile?: CompileDocuments;
}

export type CompileDocuments = (documents: readonly InputDocument[], previous?: CompiledConfig, keepProxylessView?: (group: string) => boolean) => CompileOutcome;

export class ConfigService {
  /** The served configuration: the accepted one plus the proxyless views nodes read now. */
  private compiled: CompiledConfig | undefined;
  /** The accepted configuration `compiled` was made from (it differs only in proxyless views). */
  private compiledFrom: CompiledConfig | undefined;
  /** Proxyless views ("grpc:<group>") at least one connected node reads. */
  private readonly demandedViews = new Set<string>();
  private readonly wantsView = (group: string): boolean => this.demandedViews.has(group);
  /** The newest accepted configuration; a publication waiting for certificates is dropped once a newer one exists. */
  private latest: CompiledConfig | undefined;
  /** Status conditions of the served configuration, by "Kind/namespace/name". */
  private statuses = new Map<string, DocumentStatus>();
  /** Mesh groups' served arrays (compiled resources + Secrets), kept while both parts are the same objects. */
  private readonly withSecrets = new Map<string, { readonly base: readonly EnvoyResource[]; readonly secrets: readonly EnvoyResource[]; readonly served: readonly EnvoyResource[] }>();
  private secretsReadyPromise: Promise<void> = Promise.resolve();
  /** Mesh groups of the served configuration → their workload (asked on every stream open and change). */
  private workloads = new Map<string, Workload>();
  private readonly unsubscribeRotation: () => void;

  private constructor(
    private readonly store: DocumentStore,
    private readonly cache: SnapshotPublisher,
    private readonly onPublished: (config: CompiledConfig) => void,
    private readonly logger: Logger,
    private readonly secrets: MeshSecretProvider | undefined,
    private readonly compileDocuments: CompileDocuments,
  ) {
    // A renewed certificate is pushed under the same secret names; other groups hash the same and
    // are not pushed again.
    this.unsubscribeRotation = secrets?.onRotated((renewed) => {
      if (!this.compiled) return;
      try {
        this.serve(this.compiled);
      } catch (err) {
        // Proxies keep the previous certificate (still valid: renewal runs at half life).
        this.logger.error({ err, renewed }, 'serving renewed workload certificates failed');
      }
    }) ?? (() => {});
  }

  /**
   * Compile what the store holds and serve it (the restart path: same documents, same versions).
   * `onPublished` hears every configuration that is served (e.g. to update rate-limit rules).
   * `secrets` supplies mesh groups' certificates; without it mesh groups cannot be served (the
   * cache refuses a listener that names a Secret nobody provides). Mesh groups are served once
   * their certificates are issued: await secretsReady() before letting proxies in.
   */
  static start(
    store: DocumentStore,
    cache: SnapshotPublisher,
    logger: Logger,
    onPublished: (config: CompiledConfig) => void = () => {},
    extras: ConfigServiceExtras = {},
  ): ConfigService {
    const compileDefault: CompileDocuments = (documents, previous, keepProxylessView) => compile(documents, keepProxylessView ? { keepProxylessView } : {}, previous);
    const service = new ConfigService(store, cache, onPublished, logger, extras.secrets, extras.compile ?? compileDefault);
    const { revision, documents } = store.current();
    const outcome = service.compileDocuments(documents.map(inputDocumentOf), undefined, service.wantsView);
    if (outcome.ok) {
      service.latest = outcome.config;
      service.publish(outcome.config);
      service.secretsReadyPromise = service.publishWhenSecretsReady(outcome.config);
      logger.info({ revision, documents: documents.length, groups: outcome.config.groups.size }, 'serving stored configuration');
    } else {
      // Only possible when a new meshgate version rejects what an older one accepted: serve
      // nothing new, keep the data, and say exactly why.
      logger.error({ revision, errors: outcome.errors }, 'stored configuration no longer compiles; serving none of it');
    }
    return service;
  }

  async apply(documents: readonly InputDocument[], options: { dryRun?: boolean; author?: string; message?: string } = {}): Promise<ApplyResponse> {
    const now = new Date();
    const upserts = documents.map((doc) => storedDocumentOf(withCreationTimestamp(doc, this.store, now)));
    return this.change({ upserts }, options);
  }

  async delete(ref: DocumentRef, options: { dryRun?: boolean; author?: string } = {}): Promise<ApplyResponse> {
    return this.change({ deletes: [ref] }, options);
  }

  async rollback(revision: number, author?: string): Promise<ApplyResponse> {
    let next: CompiledConfig | undefined;
    const result = await this.store.rollback(revision, author ? { author } : {}, {
      validate: (plan) => {
        next = this.compileOrThrow(plan.documents);
      },
    });
    if (result.changed && next) await this.accept(next);
    return this.response(result, false);
  }

  /** Resolves once the stored configuration's mesh groups are served with their certificates. */
  secretsReady(): Promise<void> {
    return this.secretsReadyPromise;
  }

  /**
   * The workload a mesh proxy group fronts, from the served configuration (undefined for gateways
   * and unknown groups). The xDS server asks this to decide who may receive the group's Secrets.
   */
  meshWorkloadOf(group: string): Workload | undefined {
    return this.workloads.get(group);
  }

  close(): void {
    this.unsubscribeRotation();
  }

  /**
   * A node now reads `group` (the xDS server calls this when a group's first stream opens, before
   * it reads the group's snapshot). A proxyless view is built and served from then on; other
   * groups are always served.
   */
  groupOpened(group: string): void {
    if (!isProxylessGroup(group) || this.demandedViews.has(group)) return;
    this.demandedViews.add(group);
    this.serveDemandedViews();
  }

  /** The last node reading `group` left: a proxyless view is no longer served (nor held). */
  groupClosed(group: string): void {
    if (!this.demandedViews.delete(group)) return;
    this.serveDemandedViews();
  }

  list(filter: { kind?: string; namespace?: string } = {}): { document: StoredDocument; status?: DocumentStatus }[] {
    const kind = filter.kind ? this.resolveKind(filter.kind) : undefined;
    return this.store
      .list({ ...(kind ? { kind } : {}), ...(filter.namespace ? { namespace: filter.namespace } : {}) })
      .map((document) => ({ document, ...this.statusEntry(document) }));
  }

  get(ref: DocumentRef): { document: StoredDocument; status?: DocumentStatus } | undefined {
    const document = this.store.get({ ...ref, kind: this.resolveKind(ref.kind) });
    return document ? { document, ...this.statusEntry(document) } : undefined;
  }

  revisions(): readonly RevisionInfo[] {
    return this.store.revisions();
  }

  get revision(): number {
    return this.store.revision;
  }

  /** The resources a proxy group is served now, or would be (a proxyless view nobody reads; used by explain and render). */
  groupResources(group: string): readonly EnvoyResource[] | undefined {
    if (!this.compiled) return undefined;
    return this.compiled.groups.get(group) ?? (isProxylessGroup(group) ? proxylessViewOf(this.compiled, group)?.resources : undefined);
  }

  /** Every group of the served configuration, proxyless views included whether or not a node reads them. */
  groupNames(): string[] {
    if (!this.compiled) return [];
    return [...new Set([...this.compiled.groups.keys(), ...proxylessGroupsOf(this.compiled)])].sort();
  }

  /**
   * Accept "HTTPRoute" as well as "HTTPRoute.gateway.networking.k8s.io": a short kind resolves to
   * the one stored kind it names; an ambiguous short kind (Istio and Gateway API both have
   * "Gateway") must be qualified.
   */
  resolveKind(kind: string): string {
    if (kind.includes('.')) return kind;
    const matches = new Set(this.store.list().map((d) => d.key.kind).filter((k) => k === kind || k.startsWith(`${kind}.`)));
    if (matches.size > 1) {
      throw new ChangeRejectedError([{ path: 'kind', reason: `"${kind}" is ambiguous: use one of ${[...matches].sort().join(', ')}` }]);
    }
    return [...matches][0] ?? kind;
  }

  private async change(
    changes: { upserts?: readonly StoredDocument[]; deletes?: readonly DocumentRef[] },
    options: { dryRun?: boolean; author?: string; message?: string },
  ): Promise<ApplyResponse> {
    const deletes = changes.deletes?.map((ref) => ({ ...ref, kind: this.resolveKind(ref.kind) }));
    const normalized = { ...(changes.upserts ? { upserts: changes.upserts } : {}), ...(deletes ? { deletes } : {}) };
    if (options.dryRun) {
      const plan = this.store.plan(normalized);
      const next = this.compileOrThrow(plan.documents);
      return {
        revision: this.store.revision,
        changed: plan.changed,
        documents: plan.results.map((r) => ({ ref: r.key, outcome: r.outcome })),
        // Compared as served (mesh groups with their current certificates), so a dry run does not
        // report the Secrets as removed.
        diff: diffGroups(this.cache, this.servedGroups(next).served),
        dryRun: true,
      };
    }
    let next: CompiledConfig | undefined;
    const meta = { ...(options.author ? { author: options.author } : {}), ...(options.message ? { message: options.message } : {}) };
    const result = await this.store.apply(normalized, meta, {
      validate: (plan) => {
        if (plan.changed) next = this.compileOrThrow(plan.documents);
      },
    });
    if (result.changed && next) await this.accept(next);
    return this.response(result, false);
  }

  private compileOrThrow(documents: readonly StoredDocument[]): CompiledConfig {
    // The newest accepted configuration shares its unchanged resources with the new one (as served,
    // with the proxyless views nodes read, when it is the one served).
    const newest = this.latest ?? this.compiledFrom;
    const previous = newest !== undefined && newest === this.compiledFrom ? this.compiled : newest;
    const outcome = this.compileDocuments(documents.map(inputDocumentOf), previous, this.wantsView);
    if (!outcome.ok) throw new ChangeRejectedError(outcome.errors);
    return outcome.config;
  }

  /** Serve a newly stored configuration once its mesh groups' certificates are issued. */
  private async accept(config: CompiledConfig): Promise<void> {
    this.latest = config;
    await this.publishWhenSecretsReady(config);
  }

  private async publishWhenSecretsReady(config: CompiledConfig): Promise<void> {
    if (!this.secrets || !hasMeshGroups(config)) {
      if (this.latest === config && this.compiledFrom !== config) this.publish(config);
      return;
    }
    try {
      await this.secrets.prepare(meshIdentities(config));
    } catch (err) {
      // Stored and valid, but the CA failed: serve what can be served; the groups without
      // certificates keep their last snapshot's absence logged below.
      this.logger.error({ err }, 'issuing workload certificates failed');
    }
    // A newer configuration was accepted while certificates were issued: it publishes itself.
    if (this.latest === config) this.publish(config);
  }

  private publish(accepted: CompiledConfig): void {
    // Compiled before a node asked for a view (or after it left): served as demanded now.
    const config = withProxylessViews(accepted, this.wantsView);
    this.serve(config);
    this.compiled = config;
    this.compiledFrom = accepted;
    this.workloads = new Map(config.ir.proxies.flatMap((p) => (p.mesh ? [[p.name, p.mesh.workload] as const] : [])));
    this.statuses = new Map(config.statuses.map((s) => [statusKey(s.document), s]));
    this.onPublished(config);
  }

  /** Serve the configuration again with the proxyless views demanded now. */
  private serveDemandedViews(): void {
    if (!this.compiled) return;
    try {
      const next = withProxylessViews(this.compiled, this.wantsView);
      if (next === this.compiled) return;
      this.serve(next);
      this.compiled = next;
      // The served views' notes are warnings on their documents while the views are served.
      this.statuses = new Map(next.statuses.map((s) => [statusKey(s.document), s]));
    } catch (err) {
      // Not expected (the view comes from accepted IR): the node keeps reading what the cache has.
      this.logger.error({ err }, 'serving the proxyless views nodes read failed');
    }
  }

  /**
   * Hand the configuration's groups to the cache; mesh groups with their Secrets added. A mesh
   * group whose certificate is not issued yet is left out (the cache would refuse its listeners).
   */
  private serve(config: CompiledConfig): void {
    const { served, waiting } = this.servedGroups(config);
    if (waiting.length > 0) this.logger.warn({ groups: waiting }, 'mesh groups not served yet: no workload certificate');
    this.cache.setSnapshots(served);
  }

  /** Every group as it would be served: mesh groups with their Secrets, when certificates are held. */
  private servedGroups(config: CompiledConfig): { served: Map<string, readonly EnvoyResource[]>; waiting: string[] } {
    const served = new Map<string, readonly EnvoyResource[]>();
    const waiting: string[] = [];
    const meshProxies = new Map(config.ir.proxies.filter((p) => p.mesh).map((p) => [p.name, p.mesh!.workload.identity]));
    for (const [group, resources] of config.groups) {
      const identity = meshProxies.get(group);
      if (!identity) {
        served.set(group, resources);
        continue;
      }
      const secrets = this.secrets?.secretsFor(identity);
      if (!secrets) {
        waiting.push(group);
        continue;
      }
      const known = this.withSecrets.get(group);
      if (known && known.base === resources && known.secrets === secrets) {
        served.set(group, known.served);
        continue;
      }
      // Frozen like every compiled group, so the validator keeps its answer for the array.
      const withSecrets = Object.freeze([...resources, ...secrets]);
      this.withSecrets.set(group, { base: resources, secrets, served: withSecrets });
      served.set(group, withSecrets);
    }
    for (const group of this.withSecrets.keys()) if (!meshProxies.has(group)) this.withSecrets.delete(group);
    return { served, waiting };
  }

  private response(result: ApplyResult, dryRun: boolean): ApplyResponse {
    return {
      revision: result.revision,
      changed: result.changed,
      documents: result.results.map((r) => ({ ref: r.key, outcome: r.outcome })),
      dryRun,
    };
  }

  private statusEntry(document: StoredDocument): { status?: DocumentStatus } {
    const kind = String((document.body as { kind?: unknown }).kind ?? document.key.kind);
    const status = this.statuses.get(statusKey({ ...document.key, kind }));
    return status ? { status } : {};
  }
}

function hasMeshGroups(config: CompiledConfig): boolean {
  return config.ir.proxies.some((p) => p.mesh);
}

function meshIdentities(config: CompiledConfig): Workload['identity'][] {
  return config.ir.proxies.flatMap((p) => (p.mesh ? [p.mesh.workload.identity] : []));
}

function statusKey(ref: DocumentRef): string {
  return `${ref.kind}/${ref.namespace}/${ref.name}`;
}

/**
 * Kubernetes semantics for metadata.creationTimestamp: set once, when a document is first
 * accepted, and kept by every later update that does not give one. Gateway API precedence breaks
 * ties by age ("the oldest route wins"), so the age must survive re-applies of the same YAML.
 */
function withCreationTimestamp(doc: InputDocument, store: DocumentStore, now: Date): InputDocument {
  if (doc.metadata.creationTimestamp !== undefined) return doc;
  const stored = store.get(storedDocumentOf(doc).key)?.body.metadata;
  const kept = typeof stored === 'object' && stored !== null && !Array.isArray(stored) ? stored['creationTimestamp'] : undefined;
  // Whole seconds, as the Kubernetes API server writes it.
  const creationTimestamp = typeof kept === 'string' ? kept : `${now.toISOString().slice(0, 19)}Z`;
  return { ...doc, metadata: { ...doc.metadata, creationTimestamp } };
}
