// `meshgate cert --namespace NS --service-account SA --out DIR`: a workload certificate as files,
// for proxyless gRPC apps (gRPC's file_watcher certificate provider reads cert.pem, key.pem and
// ca.pem and reloads them when they change: run this again before half the TTL has passed).
// Issued offline with the CA of the data dir (or --ca-cert/--ca-key), or by a running control
// plane with --server.
import fs from 'node:fs';
import path from 'node:path';
import { CertificateAuthorityError, openCertificateAuthority } from '../ca';
import { writeFileAtomic } from '../ca/atomic-file';
import { DEFAULT_WORKLOAD_CERT_TTL_MS } from '../ca/workload-certificates';
import { OptionsError, parseDuration } from '../config/options';
import { parseArgs, single, UsageError } from './args';
import { dataDirOf, postAdmin, RemoteError } from './token';

export const CERT_USAGE =
  'usage: meshgate cert --namespace NS --service-account SA --out DIR [--ttl DURATION] [--trust-domain TD]\n' +
  '                     [--data-dir DIR | --ca-cert FILE --ca-key FILE | --server URL]\n\n' +
  'Writes DIR/cert.pem (certificate chain), DIR/key.pem (private key, mode 0600) and DIR/ca.pem (trust bundle)\n' +
  'for spiffe://<trust domain>/ns/NS/sa/SA. Default TTL 24h.';

export const CERT_FILES = { certificate: 'cert.pem', key: 'key.pem', trustBundle: 'ca.pem' } as const;

interface IssuedFiles {
  spiffeId: string;
  certificateChain: string;
  privateKey: string;
  trustBundle: string;
  notAfter: string;
}

export async function runCert(argv: string[]): Promise<number> {
  const args = parseArgs(argv, {
    values: ['--namespace', '--service-account', '--out', '--ttl', '--trust-domain', '--data-dir', '--ca-cert', '--ca-key', '--server'],
    aliases: { '-n': '--namespace' },
  });
  if (args.positional.length > 0) throw new UsageError(`unexpected argument "${args.positional[0]}"`);
  const namespace = single(args, '--namespace');
  const serviceAccount = single(args, '--service-account');
  const out = single(args, '--out');
  if (!namespace || !serviceAccount || !out) throw new UsageError('--namespace, --service-account and --out are required');
  let ttlMs = DEFAULT_WORKLOAD_CERT_TTL_MS;
  try {
    const ttl = single(args, '--ttl');
    if (ttl) ttlMs = parseDuration(ttl, '--ttl');
  } catch (err) {
    if (err instanceof OptionsError) throw new UsageError(err.message);
    throw err;
  }
  const server = single(args, '--server');
  try {
    const issued = server
      ? await postAdmin<IssuedFiles>(server, '/v1/certificates', { namespace, serviceAccount, ttlSeconds: Math.round(ttlMs / 1000) })
      : await issueOffline(args, { namespace, serviceAccount }, ttlMs);
    const dir = path.resolve(out);
    fs.mkdirSync(dir, { recursive: true });
    writeFileAtomic(path.join(dir, CERT_FILES.key), issued.privateKey, 0o600);
    writeFileAtomic(path.join(dir, CERT_FILES.certificate), issued.certificateChain, 0o644);
    writeFileAtomic(path.join(dir, CERT_FILES.trustBundle), issued.trustBundle, 0o644);
    process.stderr.write(`${issued.spiffeId}: wrote ${CERT_FILES.certificate}, ${CERT_FILES.key}, ${CERT_FILES.trustBundle} in ${dir} (valid until ${issued.notAfter})\n`);
    return 0;
  } catch (err) {
    if (err instanceof CertificateAuthorityError || err instanceof RemoteError) {
      process.stderr.write(`meshgate cert: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
}

async function issueOffline(args: Parameters<typeof single>[0], identity: { namespace: string; serviceAccount: string }, ttlMs: number): Promise<IssuedFiles> {
  const caCertFile = single(args, '--ca-cert') ?? process.env['MESHGATE_CA_CERT'];
  const caKeyFile = single(args, '--ca-key') ?? process.env['MESHGATE_CA_KEY'];
  const trustDomain = single(args, '--trust-domain') ?? (process.env['MESHGATE_TRUST_DOMAIN'] || undefined);
  const { ca } = await openCertificateAuthority({
    dataDir: dataDirOf(single(args, '--data-dir')),
    ...(caCertFile ? { caCertFile } : {}),
    ...(caKeyFile ? { caKeyFile } : {}),
    ...(trustDomain ? { trustDomain } : {}),
  });
  const issued = await ca.issue(identity, ttlMs);
  return {
    spiffeId: issued.spiffeId,
    certificateChain: issued.certificateChainPem,
    privateKey: issued.privateKeyPem,
    trustBundle: issued.trustBundlePem,
    notAfter: new Date(issued.notAfter).toISOString(),
  };
}
