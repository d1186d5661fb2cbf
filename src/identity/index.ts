// Proving a proxy's workload identity to the control plane (see README.md here).
export { TokenAuthority, TokenError, TOKEN_PREFIX, TOKEN_KEY_FILE } from './tokens';
export type { TokenClaims, TokenVerdict } from './tokens';
export { createWorkloadProofCheck } from './workload-proof';
export type { WorkloadProofDependencies } from './workload-proof';
