// Where the CA's signing material comes from: operator-supplied files (--ca-cert/--ca-key), else
// the root kept in <data dir>/ca/ (generated on first start, reused on every restart), else, with
// no data dir (offline commands), a root that lives only in memory.
import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from './atomic-file';
import { CertificateAuthority, CertificateAuthorityError } from './authority';
import type { Clock } from './clock';

export interface OpenCertificateAuthorityOptions {
  readonly trustDomain?: string;
  readonly clock?: Clock;
  /** The control plane's data dir: the generated root lives in <dataDir>/ca/. */
  readonly dataDir?: string;
  /** Operator-supplied signing certificate (bundle up to the root) and key, PEM files. */
  readonly caCertFile?: string;
  readonly caKeyFile?: string;
  /** Offline commands: do not create a root in the data dir when there is none (use one in memory). */
  readonly createIfMissing?: boolean;
}

export type CaOrigin = 'supplied' | 'data-dir' | 'generated' | 'memory';

export interface OpenedCertificateAuthority {
  readonly ca: CertificateAuthority;
  /** supplied: --ca-cert/--ca-key; data-dir: the root found in the data dir; generated: created there now; memory: nowhere. */
  readonly origin: CaOrigin;
}

export const ROOT_CERT_FILE = 'root-cert.pem';
export const ROOT_KEY_FILE = 'root-key.pem';

export function caDirOf(dataDir: string): string {
  return path.join(dataDir, 'ca');
}

export async function openCertificateAuthority(options: OpenCertificateAuthorityOptions): Promise<OpenedCertificateAuthority> {
  const common = { ...(options.trustDomain ? { trustDomain: options.trustDomain } : {}), ...(options.clock ? { clock: options.clock } : {}) };
  if (options.caCertFile || options.caKeyFile) {
    if (!options.caCertFile || !options.caKeyFile) throw new CertificateAuthorityError('--ca-cert and --ca-key go together: give both or neither');
    const cert = readText(options.caCertFile, '--ca-cert');
    const key = readText(options.caKeyFile, '--ca-key');
    return { ca: await CertificateAuthority.fromPem(cert, key, { ...common, what: `--ca-cert ${options.caCertFile}` }), origin: 'supplied' };
  }
  if (!options.dataDir) return { ca: (await CertificateAuthority.generate(common)).ca, origin: 'memory' };

  const dir = caDirOf(options.dataDir);
  const certFile = path.join(dir, ROOT_CERT_FILE);
  const keyFile = path.join(dir, ROOT_KEY_FILE);
  const haveCert = fs.existsSync(certFile);
  const haveKey = fs.existsSync(keyFile);
  if (haveCert && haveKey) {
    const ca = await CertificateAuthority.fromPem(readText(certFile, 'CA root'), readText(keyFile, 'CA root key'), { ...common, what: certFile });
    return { ca, origin: 'data-dir' };
  }
  if (haveCert !== haveKey) {
    // Regenerating here would silently change every proxy's trust bundle; an operator must decide.
    throw new CertificateAuthorityError(`${dir} holds ${haveCert ? ROOT_CERT_FILE : ROOT_KEY_FILE} without ${haveCert ? ROOT_KEY_FILE : ROOT_CERT_FILE}; restore the missing file or remove both to generate a new root`);
  }
  if (options.createIfMissing === false) return { ca: (await CertificateAuthority.generate(common)).ca, origin: 'memory' };
  const generated = await CertificateAuthority.generate(common);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  // The key first: a crash between the two writes leaves a key without a certificate, which the
  // check above reports instead of pairing a certificate with a key that was never written.
  writeFileAtomic(keyFile, generated.keyPem, 0o600);
  writeFileAtomic(certFile, generated.certificatePem, 0o644);
  return { ca: generated.ca, origin: 'generated' };
}

function readText(file: string, what: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new CertificateAuthorityError(`cannot read ${what} file ${file}: ${(err as Error).message}`);
  }
}
