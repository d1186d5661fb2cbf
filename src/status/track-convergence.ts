// Connects convergence tracking to the snapshot cache: each published change of a group opens a
// convergence round from the snapshot's acceptedAt. Works whichever of the ADS server and this
// listener hears the change first (responses already sent since acceptedAt are picked up).
import type { SnapshotSource } from '../cache/types';
import type { ProxyStatusRegistry } from './proxy-status';

/** Subscribes the registry to the cache; returns the unsubscribe function. */
export function trackConvergence(source: SnapshotSource, registry: ProxyStatusRegistry): () => void {
  return source.subscribe((groups) => {
    for (const group of groups) {
      const snapshot = source.getSnapshot(group);
      if (snapshot) registry.changeAccepted(group, snapshot.acceptedAt);
    }
  });
}
