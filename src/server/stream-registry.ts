// The live streams, by id and by snapshot group, so that a changed group reaches exactly the
// streams reading it. A stream leaves both maps when it closes, whatever the reason. Whoever
// produces groups only on demand (proxyless gRPC views) hears when a group is first read and when
// nobody reads it any more.
import type { Logger } from 'pino';

export interface GroupDemand {
  /** `group` has its first stream; called before that stream reads the group's snapshot. */
  opened(group: string): void;
  /** `group`'s last stream closed. */
  closed(group: string): void;
}

export interface RegisteredStream {
  readonly id: string;
  /** The group's snapshot changed. */
  onSnapshotChanged(): void;
  /** Close the stream (server shutdown). */
  shutdown(reason: string): void;
}

export class StreamRegistry {
  private readonly byId = new Map<string, RegisteredStream>();
  private readonly byGroup = new Map<string, Set<RegisteredStream>>();
  private readonly groupOf = new Map<string, string>();

  constructor(
    private readonly demand?: GroupDemand,
    private readonly logger?: Logger,
  ) {}

  add(stream: RegisteredStream, group: string): void {
    this.byId.set(stream.id, stream);
    this.groupOf.set(stream.id, group);
    let set = this.byGroup.get(group);
    if (!set) {
      set = new Set();
      this.byGroup.set(group, set);
      this.tell('opened', group);
    }
    set.add(stream);
  }

  remove(stream: RegisteredStream): void {
    if (!this.byId.delete(stream.id)) return;
    const group = this.groupOf.get(stream.id);
    this.groupOf.delete(stream.id);
    if (group === undefined) return;
    const set = this.byGroup.get(group);
    if (!set) return;
    set.delete(stream);
    if (set.size === 0) {
      this.byGroup.delete(group);
      this.tell('closed', group);
    }
  }

  /** A failing listener must not take the stream (or the server) down with it. */
  private tell(what: keyof GroupDemand, group: string): void {
    try {
      this.demand?.[what](group);
    } catch (err) {
      this.logger?.error({ err, group }, `group demand listener failed (${what})`);
    }
  }

  groupsChanged(groups: readonly string[]): void {
    for (const group of groups) {
      const set = this.byGroup.get(group);
      if (!set) continue;
      for (const stream of [...set]) stream.onSnapshotChanged();
    }
  }

  shutdownAll(reason: string): void {
    for (const stream of [...this.byId.values()]) stream.shutdown(reason);
  }

  /** Sizes of the internal maps (all zero once every stream closed). */
  sizes(): { streams: number; groups: number } {
    return { streams: this.byId.size, groups: this.byGroup.size };
  }
}
