// The xDS server's public surface.
export { createXdsServer, defaultIdentifier, DEFAULT_WARMING_GATE_MS, DEFAULT_MAX_PENDING_BYTES_PER_STREAM } from './xds-server';
export type { XdsServer, XdsServerOptions, XdsServerStats } from './xds-server';
export * from './observer';
export { grpcServerOptions } from './server-options';
export type { TransportOptions } from './server-options';
export { XDS_SERVICES } from './service-definitions';
export type { XdsServiceSpec } from './service-definitions';
export { TOKEN_METADATA_KEY, IDENTITY_METADATA_KEY, NO_SECRET_ACCESS_CHECK } from './secret-access';
export type { SecretAccessCheck, SecretAccessDecision, SecretAccessRequest } from './secret-access';
