// Runs async tasks one at a time in submission order. Every read or write of the files goes
// through it, so revisions are numbered strictly in the order applies were called and history
// reads never race with compaction removing the files they need.
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task);
    // The next task waits for this one whatever its outcome; the caller sees the outcome itself.
    this.tail = result.catch(() => undefined);
    return result;
  }

  /** Resolves once the queue is empty, including tasks that queued tasks submitted meanwhile. */
  async idle(): Promise<void> {
    for (;;) {
      const tail = this.tail;
      await tail;
      if (tail === this.tail) return;
    }
  }
}
