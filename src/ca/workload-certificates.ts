// The certificates currently held for workload identities: issued on demand, renewed at half life
// (so a proxy always holds a certificate with half its lifetime left), and announced when renewed
// so the config service can push the new one under the same secret names (Envoy swaps the
// certificate in place, without draining listeners). One certificate per SPIFFE ID: every proxy of
// a service account shares it, as they share the identity.
import type { Logger } from 'pino';
import pino from 'pino';
import type { EnvoyResource } from '../envoy/resource';
import { spiffeIdOf, type WorkloadIdentity } from '../ir/mesh';
import type { CertificateAuthority, WorkloadCertificate } from './authority';
import { secretResourcesOf } from './secrets';

export const DEFAULT_WORKLOAD_CERT_TTL_MS = 24 * 3600_000;

/** What the config service needs to serve mesh groups (see src/pipeline/config-service.ts). */
export interface MeshSecretProvider {
  /** The Secret resources for the identity when a valid certificate is held now (synchronous). */
  secretsFor(identity: WorkloadIdentity): readonly EnvoyResource[] | undefined;
  /** Hold valid certificates for exactly these identities (issue missing, drop the others). */
  prepare(identities: readonly WorkloadIdentity[]): Promise<void>;
  /** Hear about renewed certificates. Returns the unsubscribe function. */
  onRotated(listener: (spiffeIds: readonly string[]) => void): () => void;
}

export interface WorkloadCertificatesOptions {
  readonly ttlMs?: number;
  readonly logger?: Logger;
  /** Renew on a timer (default true). Tests with an injected clock call renewDue() themselves. */
  readonly autoRenew?: boolean;
}

export class WorkloadCertificates implements MeshSecretProvider {
  private readonly held = new Map<string, WorkloadCertificate>();
  private readonly inFlight = new Map<string, Promise<WorkloadCertificate>>();
  private readonly listeners = new Set<(spiffeIds: readonly string[]) => void>();
  /** Lifetime of the certificates issued (ms). */
  readonly ttl: number;
  private readonly logger: Logger;
  private readonly autoRenew: boolean;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(readonly ca: CertificateAuthority, options: WorkloadCertificatesOptions = {}) {
    this.ttl = options.ttlMs ?? DEFAULT_WORKLOAD_CERT_TTL_MS;
    this.logger = options.logger ?? pino({ level: 'silent' });
    this.autoRenew = options.autoRenew ?? true;
  }

  /** The SPIFFE ID this CA gives the identity (the CA's trust domain wins). */
  spiffeIdOf(identity: Pick<WorkloadIdentity, 'namespace' | 'serviceAccount'>): string {
    return spiffeIdOf({ trustDomain: this.ca.trustDomain, namespace: identity.namespace, serviceAccount: identity.serviceAccount });
  }

  /** The certificate held for the identity, if any (it may be past its renewal time until renewDue runs). */
  current(identity: Pick<WorkloadIdentity, 'namespace' | 'serviceAccount'>): WorkloadCertificate | undefined {
    return this.held.get(this.spiffeIdOf(identity));
  }

  secretsFor(identity: WorkloadIdentity): readonly EnvoyResource[] | undefined {
    const certificate = this.current(identity);
    return certificate && certificate.notAfter > this.ca.now() ? secretResourcesOf(certificate) : undefined;
  }

  /** A valid certificate for the identity, issuing one when none is held or it is due for renewal. */
  async certificateFor(identity: Pick<WorkloadIdentity, 'namespace' | 'serviceAccount'>): Promise<WorkloadCertificate> {
    const id = this.spiffeIdOf(identity);
    const held = this.held.get(id);
    if (held && this.ca.now() < renewalTime(held)) return held;
    return this.issue(identity, id);
  }

  async prepare(identities: readonly WorkloadIdentity[]): Promise<void> {
    const wanted = new Map(identities.map((identity) => [this.spiffeIdOf(identity), identity]));
    for (const identity of identities) {
      if (identity.trustDomain !== this.ca.trustDomain) {
        this.logger.warn({ configured: identity.trustDomain, ca: this.ca.trustDomain }, 'a workload identity names another trust domain than the CA; its certificate carries the CA\'s trust domain');
      }
    }
    await Promise.all([...wanted.values()].map((identity) => this.certificateFor(identity)));
    for (const id of [...this.held.keys()]) if (!wanted.has(id)) this.held.delete(id);
    this.schedule();
  }

  /** Renew every certificate at or past half its lifetime; returns (and announces) the renewed SPIFFE IDs. */
  async renewDue(): Promise<string[]> {
    const now = this.ca.now();
    const due = [...this.held.values()].filter((c) => now >= renewalTime(c));
    const renewed: string[] = [];
    await Promise.all(
      due.map(async (certificate) => {
        try {
          await this.issue(certificate.identity, certificate.spiffeId);
          renewed.push(certificate.spiffeId);
        } catch (err) {
          // The old certificate stays served until it expires; the next timer tries again.
          this.logger.error({ err, spiffeId: certificate.spiffeId }, 'workload certificate renewal failed');
        }
      }),
    );
    renewed.sort();
    if (renewed.length > 0) {
      this.logger.info({ renewed }, 'workload certificates renewed');
      for (const listener of this.listeners) listener(renewed);
    }
    this.schedule();
    return renewed;
  }

  onRotated(listener: (spiffeIds: readonly string[]) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.listeners.clear();
  }

  private issue(identity: Pick<WorkloadIdentity, 'namespace' | 'serviceAccount'>, id: string): Promise<WorkloadCertificate> {
    const pending = this.inFlight.get(id);
    if (pending) return pending;
    const issuing = this.ca
      .issue(identity, this.ttl)
      .then((certificate) => {
        this.held.set(id, certificate);
        this.logger.debug({ spiffeId: id, serial: certificate.serialNumber, notAfter: new Date(certificate.notAfter).toISOString() }, 'workload certificate issued');
        return certificate;
      })
      .finally(() => this.inFlight.delete(id));
    this.inFlight.set(id, issuing);
    return issuing;
  }

  /** One timer, at the earliest renewal time of the certificates held. */
  private schedule(): void {
    if (!this.autoRenew || this.closed) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.held.size === 0) return;
    const next = Math.min(...[...this.held.values()].map(renewalTime));
    // setTimeout caps at ~24.8 days; a shorter wait that finds nothing due just re-arms.
    const delay = Math.min(Math.max(next - this.ca.now(), 0), 2 ** 31 - 1);
    this.timer = setTimeout(() => void this.renewDue(), delay);
    this.timer.unref();
  }
}

/** Half-way through the certificate's life, counted from when it was issued. */
export function renewalTime(certificate: WorkloadCertificate): number {
  return certificate.issuedAt + (certificate.notAfter - certificate.issuedAt) / 2;
}
