// The operations behind the admin API's /v1/apply, /v1/resources and /v1/revisions: it sits beside
// the pipeline, stores accepted documents durably, and publishes compiled snapshots to the cache.
// Translation + validation run inside the store's write queue, so a change is either compiled,
// durable and served, or refused with nothing stored and proxies keeping their last good config.
import type { Logger } from 'pino';
import type { DocumentError, DocumentRef, DocumentStatus, InputDocument } from '../documents/types';
import type { EnvoyResource } from '../envoy/resource';
import type { ApplyResult, DocumentStore, RevisionInfo, StoredDocument } from '../store';
import { inputDocumentOf, storedDocumentOf } from '../store';
import { compile, type CompiledConfig } from './compile';
import { diffGroups, type GroupDiff } from './diff';

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

export class ConfigService {
  private compiled: CompiledConfig | undefined;
  /** Status conditions of the served configuration, by "Kind/namespace/name". */
  private statuses = new Map<string, DocumentStatus>();

  private constructor(
    private readonly store: DocumentStore,
    private readonly cache: SnapshotPublisher,
    private readonly onPublished: (config: CompiledConfig) => void,
  ) {}

  /**
   * Compile what the store holds and serve it (the restart path: same documents, same versions).
   * `onPublished` hears every configuration that is served (e.g. to update rate-limit rules).
   */
  static start(store: DocumentStore, cache: SnapshotPublisher, logger: Logger, onPublished: (config: CompiledConfig) => void = () => {}): ConfigService {
    const service = new ConfigService(store, cache, onPublished);
    const { revision, documents } = store.current();
    const outcome = compile(documents.map(inputDocumentOf));
    if (outcome.ok) {
      service.publish(outcome.config);
      logger.info({ revision, documents: documents.length, groups: outcome.config.groups.size }, 'serving stored configuration');
    } else {
      // Only possible when a new meshgate version rejects what an older one accepted: serve
      // nothing new, keep the data, and say exactly why.
      logger.error({ revision, errors: outcome.errors }, 'stored configuration no longer compiles; serving none of it');
    }
    return service;
  }

  async apply(documents: readonly InputDocument[], options: { dryRun?: boolean; author?: string; message?: string } = {}): Promise<ApplyResponse> {
    const upserts = documents.map(storedDocumentOf);
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
    if (result.changed && next) this.publish(next);
    return this.response(result, false);
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

  /** The resources a proxy group is served now (used by explain and render). */
  groupResources(group: string): readonly EnvoyResource[] | undefined {
    return this.compiled?.groups.get(group);
  }

  groupNames(): string[] {
    return [...(this.compiled?.groups.keys() ?? [])].sort();
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
        diff: diffGroups(this.cache, next.groups),
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
    if (result.changed && next) this.publish(next);
    return this.response(result, false);
  }

  private compileOrThrow(documents: readonly StoredDocument[]): CompiledConfig {
    const outcome = compile(documents.map(inputDocumentOf));
    if (!outcome.ok) throw new ChangeRejectedError(outcome.errors);
    return outcome.config;
  }

  private publish(config: CompiledConfig): void {
    this.cache.setSnapshots(config.groups);
    this.compiled = config;
    this.statuses = new Map(config.statuses.map((s) => [statusKey(s.document), s]));
    this.onPublished(config);
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

function statusKey(ref: DocumentRef): string {
  return `${ref.kind}/${ref.namespace}/${ref.name}`;
}
