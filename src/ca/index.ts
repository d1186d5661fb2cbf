// The built-in CA: signing material, workload certificates, and their SDS Secret form.
export { CertificateAuthority, CertificateAuthorityError, DEFAULT_TRUST_DOMAIN } from './authority';
export type { WorkloadCertificate } from './authority';
export { openCertificateAuthority, caDirOf, ROOT_CERT_FILE, ROOT_KEY_FILE } from './open';
export type { CaOrigin, OpenCertificateAuthorityOptions, OpenedCertificateAuthority } from './open';
export { WorkloadCertificates, DEFAULT_WORKLOAD_CERT_TTL_MS, renewalTime } from './workload-certificates';
export type { MeshSecretProvider, WorkloadCertificatesOptions } from './workload-certificates';
export { secretResourcesOf } from './secrets';
export { systemClock } from './clock';
export type { Clock } from './clock';
