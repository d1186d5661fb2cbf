// Versions are content hashes: equal content always yields the equal version, in any process and
// after any restart, so an unchanged resource never causes a push (no listener drains) and a
// reconnecting proxy that repeats a version sees that nothing moved.
import { createHash } from 'node:crypto';

/** Hex characters kept from a sha256 digest; 64 bits is ample to tell versions of one resource apart. */
export const VERSION_LENGTH = 16;

/**
 * Only the kept bytes are turned into hex: a slice of the full hex text would be a V8 sliced
 * string holding on to all 64 characters, for every version of every resource held.
 */
function digest(text: string | Uint8Array): string {
  return createHash('sha256').update(text).digest().subarray(0, VERSION_LENGTH / 2).toString('hex');
}

/** Version of one resource: the hash of its deterministic encoding (the Any bytes). */
export function contentVersion(encoded: Uint8Array): string {
  return digest(encoded);
}

/**
 * Version of a resource whose readiness depends on others: a ClusterLoadAssignment carries the
 * versions of the clusters that read it, so a cluster change always moves its endpoints' version
 * and Envoy's re-created cluster receives an assignment to leave warming (XDS-PROTOCOL rule 11).
 */
export function foldedVersion(own: string, folded: readonly string[]): string {
  if (folded.length === 0) return own;
  return digest(`${own}|${[...folded].sort().join(',')}`);
}

/** Version of a whole type: the hash of its sorted (name, version) pairs. */
export function typeVersion(resources: Iterable<{ readonly name: string; readonly version: string }>): string {
  const pairs: string[] = [];
  for (const r of resources) pairs.push(`${r.name}\u0000${r.version}`);
  pairs.sort();
  return digest(pairs.join('\n'));
}

/** A full-length hash used internally as a content key (collisions must not merge distinct content). */
export function contentKey(text: string | Uint8Array): string {
  return createHash('sha256').update(text).digest('hex');
}
