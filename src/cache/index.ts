// The snapshot cache's public surface.
export * from './types';
export { SnapshotCache, DEFAULT_DEBOUNCE_MS, DEFAULT_MAX_DELAY_MS } from './snapshot-cache';
export type { SnapshotCacheOptions, SetSnapshotOptions, SetSnapshotResult, SnapshotListener } from './snapshot-cache';
export { SnapshotRejectedError } from './snapshot-rejected-error';
export { defaultNodeGroupResolver, DEFAULT_GROUP, GROUP_METADATA_KEY } from './group-resolver';
export type { NodeGroupResolver } from './group-resolver';
export { edsServiceNameOf } from './eds-clusters';
