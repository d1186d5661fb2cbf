// The live streams, by id and by snapshot group, so that a changed group reaches exactly the
// streams reading it. A stream leaves both maps when it closes, whatever the reason.
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

  add(stream: RegisteredStream, group: string): void {
    this.byId.set(stream.id, stream);
    this.groupOf.set(stream.id, group);
    let set = this.byGroup.get(group);
    if (!set) {
      set = new Set();
      this.byGroup.set(group, set);
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
    if (set.size === 0) this.byGroup.delete(group);
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
