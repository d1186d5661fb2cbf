// What the proxyless view could not carry over from the IR. gRPC's xDS client NACKs much of what
// Envoy takes, so the view adapts or leaves features out; each adaptation is recorded here, with
// the IR source it came from, so it can be reported instead of silently dropped.
import type { Source } from '../../ir/types';

export interface ProxylessNote {
  /** The IR element the note is about (absent for proxy-wide notes). */
  readonly source?: Source;
  /** Where in the proxy, e.g. "route grpc/example.com/..." or "cluster backend/default/a". */
  readonly subject: string;
  readonly message: string;
}

export class ProxylessNotes {
  private readonly seen = new Set<string>();
  readonly list: ProxylessNote[] = [];

  add(subject: string, message: string, source?: Source): void {
    const key = `${subject}\u0000${message}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.list.push(source ? { source, subject, message } : { subject, message });
  }

  /** Adds notes recorded earlier (by a memoised build step). */
  replay(notes: readonly ProxylessNote[]): void {
    for (const note of notes) this.add(note.subject, note.message, note.source);
  }
}

/**
 * Runs a build step with its own notes, for memoising: the step's value and notes are kept
 * together and the notes replayed whenever the value is reused.
 */
export function recording<T>(step: (notes: ProxylessNotes) => T): { readonly value: T; readonly notes: readonly ProxylessNote[] } {
  const notes = new ProxylessNotes();
  const value = step(notes);
  return { value, notes: notes.list };
}
