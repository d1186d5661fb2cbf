// The engine shared by every xDS stream, SotW or Delta, ADS or a single-type service: the node on
// the first request (rule 13), the snapshot the stream reads, the push order (rule 12, with the
// warming gate), write backpressure (rule 23), ACK/NACK reporting, and clean-up however it ends.
import * as grpc from '@grpc/grpc-js';
import type { Logger } from 'pino';
import type { Snapshot } from '../cache/types';
import { isResourceTypeUrl, TypeUrl, type ResourceTypeUrl } from '../envoy/type-urls';
import type { PlannedResponse, PushPhase, TypeChannel } from './channel';
import { decodeNodeInfo, MalformedNodeError } from './node-info';
import type { NodeInfo, StreamOpened, StreamProtocol } from './observer';
import type { StreamContext } from './stream-context';
import type { RegisteredStream } from './stream-registry';
import { publicNode, sameDecision, secretsAllowed, urisOfSubjectAltName, withoutSecrets, type SecretAccessDecision } from './secret-access';
import { WarmingGate } from './warming-gate';
import { decodeErrorDetail } from './wire';

/** A request as the service definition hands it over: decoded, or the reason it could not be. */
export type Decoded<R> = { readonly ok: true; readonly value: R } | { readonly ok: false; readonly error: string };

export type XdsCall<R> = grpc.ServerDuplexStream<Decoded<R>, Buffer>;

export type ServiceKind = StreamOpened['service'];

interface RequestBase {
  readonly node: Uint8Array | undefined;
  readonly typeUrl: string;
}

/** Types that never wait for the warming gate: they are the ones it waits on. */
const MAKE_TYPES: readonly ResourceTypeUrl[] = [TypeUrl.Cluster, TypeUrl.ClusterLoadAssignment];
const DEPENDENT_TYPES: readonly ResourceTypeUrl[] = [TypeUrl.Listener, TypeUrl.RouteConfiguration, TypeUrl.Secret];
/** Unknown type URLs logged per stream at most this many times (a misbehaving client cannot flood the log). */
const MAX_UNKNOWN_TYPES_LOGGED = 8;

export abstract class XdsStream<R extends RequestBase, C extends TypeChannel> implements RegisteredStream {
  readonly id: string;
  protected readonly log: Logger;
  protected readonly channels = new Map<ResourceTypeUrl, C>();
  protected node: NodeInfo | undefined;
  protected group: string | undefined;
  /** The snapshot this stream currently serves; moves only when the group's change is announced. */
  protected view: Snapshot | undefined;
  /** The group's snapshot `view` was made from (the same object unless Secrets are withheld). */
  private source: Snapshot | undefined;
  /** The node as sent, token included: kept only to re-check access when the group changes. */
  private claimedNode: NodeInfo | undefined;
  private access: SecretAccessDecision = { required: false };
  private opened = false;
  private closed = false;
  private blocked = false;
  private pendingBytes = 0;
  private readonly gate: WarmingGate;
  private readonly unknownTypesLogged = new Set<string>();

  constructor(
    protected readonly call: XdsCall<R>,
    protected readonly ctx: StreamContext,
    readonly service: ServiceKind,
    readonly protocol: StreamProtocol,
    /** The one type a single-type service (LDS, CDS, ...) serves; undefined for ADS. */
    private readonly fixedType: ResourceTypeUrl | undefined,
  ) {
    this.id = ctx.nextStreamId();
    this.log = ctx.logger.child({ stream: this.id, service, protocol });
    this.gate = new WarmingGate(ctx.warmingGateMs, ctx.now);
    call.on('data', (message: Decoded<R>) => this.onMessage(message));
    call.on('end', () => {
      // The proxy half-closed its side: finish ours with OK.
      this.finish('client ended the stream');
      if (!call.writableEnded) call.end();
    });
    call.on('cancelled', () => this.finish('cancelled'));
    call.on('error', (err: Error) => this.finish(`error: ${err.message}`));
    call.on('close', () => this.finish('closed'));
    call.on('drain', () => this.maybeUnblock());
  }

  /** Handle one decoded request of a known type. */
  protected abstract handleRequest(typeUrl: ResourceTypeUrl, request: R): void;

  /** Encode a planned response with its nonce. */
  protected abstract encode(plan: PlannedResponse, nonce: string): Buffer;

  get isClosed(): boolean {
    return this.closed;
  }

  private onMessage(message: Decoded<R>): void {
    if (this.closed) return;
    if (!message.ok) {
      this.fail(grpc.status.INVALID_ARGUMENT, `malformed discovery request: ${message.error}`);
      return;
    }
    const request = message.value;
    if (!this.node && !this.open(request)) return;
    const typeUrl = this.resolveType(request.typeUrl);
    if (!typeUrl) return;
    try {
      this.handleRequest(typeUrl, request);
    } catch (err) {
      this.log.error({ err }, 'failed to handle a discovery request');
      this.fail(grpc.status.INTERNAL, 'internal error while handling the request');
    }
  }

  /** First request: remember the node for the whole stream and start serving its group. */
  private open(request: R): boolean {
    if (!request.node) {
      this.fail(grpc.status.INVALID_ARGUMENT, 'the first request of a stream must carry the node');
      return false;
    }
    let node: NodeInfo;
    try {
      node = decodeNodeInfo(request.node);
    } catch (err) {
      if (!(err instanceof MalformedNodeError)) throw err;
      this.fail(grpc.status.INVALID_ARGUMENT, `malformed node: ${err.message}`);
      return false;
    }
    let group: string;
    try {
      group = this.ctx.resolveGroup(node);
    } catch (err) {
      this.log.error({ err, node: node.id }, 'group resolver failed');
      this.fail(grpc.status.INTERNAL, 'cannot decide which configuration this node reads');
      return false;
    }
    const peer = this.call.getPeer();
    this.claimedNode = node;
    this.group = group;
    this.access = this.checkAccess(node, group, peer);
    // From here on the token is gone: observers, status and logs only ever see the public node.
    this.node = publicNode(node, this.access);
    // Registered first: a group served on demand is produced when its first stream registers.
    this.ctx.registry.add(this, group);
    this.source = this.ctx.snapshots.getSnapshot(group);
    this.view = this.viewOf(this.source);
    this.opened = true;
    this.log.info({ node: node.id, group, peer }, 'xDS stream opened');
    this.reportDeniedAccess(peer);
    this.ctx.observers.streamOpened({
      streamId: this.id,
      node: this.node,
      group,
      protocol: this.protocol,
      service: this.service,
      peer,
      at: this.ctx.now(),
    });
    return true;
  }

  private checkAccess(node: NodeInfo, group: string, peer: string): SecretAccessDecision {
    try {
      return this.ctx.secretAccess({ node, group, peer, peerUris: this.peerUris() });
    } catch (err) {
      // Fail closed: a check that cannot decide gives no Secrets.
      this.log.error({ err, node: node.id, group }, 'secret access check failed');
      return { required: true, allowed: false, spiffeId: '', reason: 'the access check failed' };
    }
  }

  /** URI SANs of the TLS client certificate (verified by the handshake when a client CA is set). */
  private peerUris(): string[] {
    const auth = typeof this.call.getAuthContext === 'function' ? this.call.getAuthContext() : undefined;
    return urisOfSubjectAltName(auth?.sslPeerCertificate?.subjectaltname);
  }

  private viewOf(snapshot: Snapshot | undefined): Snapshot | undefined {
    return snapshot && !secretsAllowed(this.access) ? withoutSecrets(snapshot) : snapshot;
  }

  private reportDeniedAccess(peer: string): void {
    if (!this.access.required || this.access.allowed) return;
    this.log.warn(
      { node: this.node?.id, group: this.group, peer, spiffeId: this.access.spiffeId, reason: this.access.reason },
      'proxy did not prove the workload identity of its group: its Secrets are withheld',
    );
  }

  private resolveType(typeUrl: string): ResourceTypeUrl | undefined {
    if (this.fixedType) {
      if (typeUrl === '' || typeUrl === this.fixedType) return this.fixedType;
      this.fail(grpc.status.INVALID_ARGUMENT, `this service serves ${this.fixedType} only, not "${typeUrl}"`);
      return undefined;
    }
    if (isResourceTypeUrl(typeUrl)) return typeUrl;
    // An ADS stream also carries types meshgate does not serve (RTDS, SRDS, ...): answering them
    // with an error would take the proxy's other types down with them.
    if (this.unknownTypesLogged.size < MAX_UNKNOWN_TYPES_LOGGED && !this.unknownTypesLogged.has(typeUrl)) {
      this.unknownTypesLogged.add(typeUrl);
      this.log.warn({ typeUrl }, 'ignoring requests for an unsupported type URL');
    }
    return undefined;
  }

  /** Report the ACK or NACK carried by a request whose nonce is the current one (rules 3, 4, 21). */
  protected acknowledge(channel: C, keptVersion: string, nonce: string, errorDetail: Uint8Array | undefined): void {
    if (channel.lastNonceAnswered) return;
    channel.lastNonceAnswered = true;
    const at = this.ctx.now();
    if (errorDetail) {
      const { code, message } = decodeErrorDetail(errorDetail);
      this.log.warn(
        { typeUrl: channel.typeUrl, rejectedVersion: channel.lastVersion, keptVersion, code, error: message, node: this.node?.id },
        'proxy rejected configuration (NACK)',
      );
      this.ctx.observers.nackReceived({
        streamId: this.id,
        typeUrl: channel.typeUrl,
        rejectedVersion: channel.lastVersion,
        keptVersion,
        nonce,
        errorCode: code,
        errorMessage: message,
        at,
      });
      return;
    }
    this.ctx.observers.ackReceived({ streamId: this.id, typeUrl: channel.typeUrl, version: channel.lastVersion, nonce, at });
  }

  onSnapshotChanged(): void {
    if (this.closed || !this.group) return;
    const latest = this.ctx.snapshots.getSnapshot(this.group);
    if (!latest) {
      // Keep serving what the proxy has rather than pushing emptiness: a group is deleted by an
      // operator or on shutdown, never as a way to tell proxies to drop their configuration.
      this.log.debug({ group: this.group }, 'snapshot group deleted; keeping the last view');
      return;
    }
    const access = this.claimedNode ? this.checkAccess(this.claimedNode, this.group, this.call.getPeer()) : this.access;
    const accessChanged = !sameDecision(access, this.access);
    if (latest === this.source && !accessChanged) return;
    this.source = latest;
    if (accessChanged) {
      // The group's workload changed (e.g. another service account): the proof is judged anew.
      this.access = access;
      this.reportDeniedAccess(this.call.getPeer());
    }
    const view = this.viewOf(latest);
    if (view === this.view) return;
    this.view = view;
    for (const channel of this.channels.values()) channel.dirty = true;
    this.pump();
  }

  /**
   * Send whatever the proxy should get now, in make-before-break order on ADS: clusters and
   * endpoints (keeping clusters that are going away), then listeners, routes and secrets, then the
   * removals of clusters and endpoints.
   */
  protected pump(): void {
    if (this.closed || this.blocked || !this.view) return;
    if (this.fixedType) {
      const channel = this.channels.get(this.fixedType);
      if (channel?.dirty) {
        channel.dirty = false;
        this.sendPlanned(channel, 'break');
      }
      return;
    }
    // Listeners, routes and secrets with nothing new to send are settled first: when none has an
    // update, nothing this push sends can still refer to a removed cluster, so cluster additions
    // and removals go out together in one response.
    for (const t of DEPENDENT_TYPES) {
      const channel = this.channels.get(t);
      if (channel?.dirty && !channel.plan(this.view, 'break')) channel.dirty = false;
    }
    const dependentsPending = DEPENDENT_TYPES.some((t) => this.channels.get(t)?.dirty);
    for (const t of MAKE_TYPES) {
      const channel = this.channels.get(t);
      if (!channel?.dirty) continue;
      if (!dependentsPending) channel.dirty = false;
      if (!this.sendPlanned(channel, dependentsPending ? 'make' : 'break')) return;
    }
    const gate = this.gate.holds(this.view, this.channels.get(TypeUrl.ClusterLoadAssignment), () => this.pump());
    if (gate.gaveUpOn.length > 0) this.log.debug({ waiting: gate.gaveUpOn.slice(0, 10) }, 'endpoints not requested in time; pushing listeners and routes');
    if (gate.holds) return;
    for (const t of [...DEPENDENT_TYPES, ...MAKE_TYPES]) {
      const channel = this.channels.get(t);
      if (!channel?.dirty) continue;
      channel.dirty = false;
      if (!this.sendPlanned(channel, 'break')) return;
    }
  }

  /** Plan, encode, commit and write one response. Returns false when the stream is now blocked. */
  private sendPlanned(channel: C, phase: PushPhase): boolean {
    const view = this.view!;
    const plan = channel.plan(view, phase);
    if (!plan) return true;
    const nonce = this.ctx.nonces.next();
    const bytes = this.encode(plan, nonce);
    channel.commit(plan, nonce);
    this.write(bytes);
    this.ctx.observers.responseSent({
      streamId: this.id,
      typeUrl: plan.typeUrl,
      version: plan.version,
      nonce,
      resourceNames: plan.resources.map((r) => r.name),
      removedNames: plan.removed,
      bytes: bytes.length,
      at: this.ctx.now(),
    });
    if (plan.typeUrl === TypeUrl.Cluster && !this.fixedType) this.gate.arm(plan, view, this.channels.get(TypeUrl.ClusterLoadAssignment));
    return !this.blocked;
  }

  private write(bytes: Buffer): void {
    this.pendingBytes += bytes.length;
    const accepted = this.call.write(bytes, () => {
      this.pendingBytes -= bytes.length;
      this.maybeUnblock();
    });
    // Stop producing once gRPC holds enough for this proxy; what changes meanwhile is planned
    // afresh from the latest snapshot when the stream drains, so only the latest state is sent.
    if (!accepted || this.pendingBytes >= this.ctx.maxPendingBytes) this.blocked = true;
  }

  private maybeUnblock(): void {
    if (!this.blocked || this.closed) return;
    if (this.pendingBytes >= this.ctx.maxPendingBytes || this.call.writableNeedDrain) return;
    this.blocked = false;
    this.pump();
  }

  /** End the stream with a gRPC status. */
  protected fail(code: grpc.status, details: string): void {
    if (this.closed) return;
    this.log.warn({ code: grpc.status[code], details, node: this.node?.id }, 'closing xDS stream');
    const err = Object.assign(new Error(details), { code, details });
    this.call.emit('error', err);
  }

  shutdown(reason: string): void {
    if (this.closed) return;
    this.finish(reason);
    if (!this.call.writableEnded) this.call.end();
  }

  /** Release everything the stream holds; safe to call more than once. */
  private finish(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.gate.clear();
    this.ctx.registry.remove(this);
    this.channels.clear();
    if (this.opened) {
      this.log.info({ node: this.node?.id, reason }, 'xDS stream closed');
      this.ctx.observers.streamClosed({ streamId: this.id, at: this.ctx.now(), reason });
    }
  }
}
