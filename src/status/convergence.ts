// Convergence: how long a change takes to reach the proxies it affects. A change accepted at t0
// for group G opens a round over the proxies of G connected at that moment. A proxy is affected
// when a response is sent to it while the round is open (or was sent since t0 and is still
// unanswered when the round opens); for each type pushed to it, one of those responses must be
// ACKed. The round settles once no affected proxy has an unanswered type and the push window has
// passed: proxies whose resources did not change get no response at all, and a push can follow
// an ACK (endpoints requested after clusters arrive, listeners held back until then), so "all
// answered" alone is not the end. Then (last ACK − t0) is reported; a NACK makes the round settle
// with an error instead, and rounds that never settle are abandoned.

export type AbandonReason = 'timeout' | 'overflow';

export interface ConvergenceListener {
  converged(group: string, seconds: number): void;
  settledWithError(group: string): void;
  abandoned(group: string, reason: AbandonReason): void;
}

export interface ConvergenceMember {
  readonly proxyId: string;
  /** Responses sent since t0 and not yet answered: type URL → "streamId/nonce". */
  readonly outstanding: ReadonlyMap<string, string>;
}

export interface ConvergenceOptions {
  readonly now: () => number;
  readonly listener?: ConvergenceListener;
  /** How long after a change opens members may still receive their first response. */
  readonly pushWindowMs?: number;
  /** A round still open after this long is abandoned ("timeout"). */
  readonly timeoutMs?: number;
  /** At most this many rounds are open; opening one more abandons the oldest ("overflow"). */
  readonly maxOpenRounds?: number;
}

interface Member {
  /** Per type, the latest unanswered response sent during the round. */
  readonly outstanding: Map<string, string>;
  /** Types already ACKed or NACKed in this round: later pushes of them belong to later changes. */
  readonly settled: Set<string>;
  affected: boolean;
  nacked: boolean;
  lastSettledAt: number;
}

interface Round {
  readonly group: string;
  readonly acceptedAt: number;
  readonly windowEndsAt: number;
  readonly expiresAt: number;
  readonly members: Map<string, Member>;
  /** Outstanding entries over all members, so checking for completion is O(1) per answer. */
  unanswered: number;
}

export class ConvergenceTracker {
  private rounds: Round[] = [];
  private readonly now: () => number;
  private readonly listener: ConvergenceListener | undefined;
  private readonly pushWindowMs: number;
  private readonly timeoutMs: number;
  private readonly maxOpenRounds: number;

  constructor(options: ConvergenceOptions) {
    this.now = options.now;
    this.listener = options.listener;
    this.pushWindowMs = options.pushWindowMs ?? 1000;
    this.timeoutMs = options.timeoutMs ?? 5 * 60_000;
    this.maxOpenRounds = options.maxOpenRounds ?? 64;
  }

  get openRounds(): number {
    return this.rounds.length;
  }

  /** A change for `group`, accepted at `acceptedAt`, is now being served to `members`. */
  open(group: string, acceptedAt: number, members: Iterable<ConvergenceMember>): void {
    const now = this.now();
    const round: Round = {
      group,
      acceptedAt,
      windowEndsAt: now + this.pushWindowMs,
      expiresAt: now + this.timeoutMs,
      members: new Map(),
      unanswered: 0,
    };
    for (const m of members) {
      round.unanswered += m.outstanding.size;
      round.members.set(m.proxyId, {
        outstanding: new Map(m.outstanding),
        settled: new Set(),
        affected: m.outstanding.size > 0,
        nacked: false,
        lastSettledAt: acceptedAt,
      });
    }
    if (round.members.size === 0) return; // nobody to wait for
    while (this.rounds.length >= this.maxOpenRounds) {
      const oldest = this.rounds.shift()!;
      this.listener?.abandoned(oldest.group, 'overflow');
    }
    this.rounds.push(round);
  }

  responseSent(proxyId: string, typeUrl: string, sendKey: string): void {
    for (const round of this.rounds) {
      const member = round.members.get(proxyId);
      if (!member || member.settled.has(typeUrl)) continue;
      if (!member.outstanding.has(typeUrl)) round.unanswered += 1;
      member.outstanding.set(typeUrl, sendKey);
      member.affected = true;
    }
  }

  /** An ACK (ok) or NACK (not ok) of the response identified by sendKey. */
  answered(proxyId: string, typeUrl: string, sendKey: string, at: number, ok: boolean): void {
    let touched = false;
    for (const round of this.rounds) {
      const member = round.members.get(proxyId);
      if (!member || member.outstanding.get(typeUrl) !== sendKey) continue;
      member.outstanding.delete(typeUrl);
      round.unanswered -= 1;
      member.settled.add(typeUrl);
      if (!ok) member.nacked = true;
      member.lastSettledAt = Math.max(member.lastSettledAt, at);
      touched = true;
    }
    if (touched) this.settleReady();
  }

  /** The proxy's stream was replaced: responses sent on the old stream will never be answered. */
  streamReplaced(proxyId: string): void {
    for (const round of this.rounds) {
      const member = round.members.get(proxyId);
      if (!member) continue;
      round.unanswered -= member.outstanding.size;
      member.outstanding.clear();
    }
  }

  /** The proxy disconnected: it no longer counts for any open round. */
  proxyGone(proxyId: string): void {
    let touched = false;
    for (const round of this.rounds) {
      const member = round.members.get(proxyId);
      if (!member) continue;
      round.unanswered -= member.outstanding.size;
      round.members.delete(proxyId);
      touched = true;
    }
    if (touched) this.settleReady();
  }

  /** Settles rounds whose push window passed and abandons those that timed out (call periodically). */
  sweep(): void {
    this.settleReady();
  }

  private settleReady(): void {
    const now = this.now();
    const open: Round[] = [];
    for (const round of this.rounds) {
      if (this.trySettle(round, now)) continue;
      if (now >= round.expiresAt) {
        this.listener?.abandoned(round.group, 'timeout');
        continue;
      }
      open.push(round);
    }
    this.rounds = open;
  }

  /** True when the round is finished (reported, or dropped because nobody was affected). */
  private trySettle(round: Round, now: number): boolean {
    if (now < round.windowEndsAt || round.unanswered > 0) return false;
    let affected = 0;
    let nacked = false;
    let lastAck = round.acceptedAt;
    for (const member of round.members.values()) {
      if (!member.affected) continue;
      affected += 1;
      nacked ||= member.nacked;
      lastAck = Math.max(lastAck, member.lastSettledAt);
    }
    if (affected === 0) return true;
    if (nacked) {
      this.listener?.settledWithError(round.group);
      return true;
    }
    this.listener?.converged(round.group, Math.max(0, lastAck - round.acceptedAt) / 1000);
    return true;
  }
}
