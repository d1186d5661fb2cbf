// The proxyless view's notes (what gRPC clients could not be given, what was adapted) as warnings
// on the status of the document each note's IR element came from, so that operators see them
// where they look for everything else the translation could not honour.
import type { DocumentStatus } from '../../documents/types';
import type { ProxylessNote } from './notes';

function keyOf(kind: string, namespace: string | undefined, name: string): string {
  return `${kind}\u0000${namespace ?? 'default'}\u0000${name}`;
}

export interface GroupNotes {
  /** The proxyless group, "grpc:<group>". */
  readonly group: string;
  readonly notes: readonly ProxylessNote[];
}

/** `statuses` with each sourced note added once as a warning (statuses without notes are kept as they are). */
export function withProxylessNotes(statuses: readonly DocumentStatus[], views: readonly GroupNotes[]): DocumentStatus[] {
  if (views.every((v) => v.notes.length === 0)) return [...statuses];
  // Only the documents some note names are looked up: a large configuration has few notes.
  const named = new Set<string>();
  for (const { notes } of views) for (const note of notes) if (note.source) named.add(keyOf(note.source.kind, note.source.namespace, note.source.name));
  const byDocument = new Map<string, DocumentStatus>();
  for (const s of statuses) {
    const key = keyOf(s.document.kind, s.document.namespace, s.document.name);
    if (named.has(key)) byDocument.set(key, s);
  }
  const added = new Map<DocumentStatus, string[]>();
  for (const { group, notes } of views) {
    for (const note of notes) {
      if (!note.source) continue;
      const status = byDocument.get(keyOf(note.source.kind, note.source.namespace, note.source.name));
      if (!status) continue;
      const message = `proxyless gRPC view ${group}: ${note.subject}: ${note.message}`;
      const list = added.get(status) ?? [...(status.warnings ?? [])];
      if (!list.includes(message)) list.push(message);
      added.set(status, list);
    }
  }
  return statuses.map((s) => {
    const warnings = added.get(s);
    return warnings ? { ...s, warnings } : s;
  });
}
