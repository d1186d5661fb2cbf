// `meshgate token --namespace NS --service-account SA [--workload NAME] [--ttl 720h]`: a bootstrap
// token for a sidecar's node metadata (meshgate_token). Issued offline with the key in the data
// dir (created there if the control plane has not run yet), or by a running control plane's admin
// API with --server (token in MESHGATE_ADMIN_TOKEN). Only the token goes to stdout, for scripts.
import path from 'node:path';
import { OptionsError, parseDuration } from '../config/options';
import { TokenAuthority, TokenError } from '../identity';
import { parseArgs, single, UsageError } from './args';

export const TOKEN_USAGE =
  'usage: meshgate token --namespace NS --service-account SA [--workload NAME] [--ttl DURATION] [--data-dir DIR | --server URL]\n\n' +
  'Prints a bootstrap token proving the workload identity spiffe://<trust domain>/ns/NS/sa/SA; put it in the\n' +
  'sidecar bootstrap as node metadata meshgate_token. --workload limits it to one WorkloadEntry; without --ttl\n' +
  'it is valid until the key in <data-dir>/identity/token-key is rotated (which revokes every token).';

interface TokenRequest {
  namespace: string;
  serviceAccount: string;
  workload?: string;
  ttlSeconds?: number;
}

export async function runToken(argv: string[]): Promise<number> {
  const args = parseArgs(argv, { values: ['--namespace', '--service-account', '--workload', '--ttl', '--data-dir', '--server'], aliases: { '-n': '--namespace' } });
  if (args.positional.length > 0) throw new UsageError(`unexpected argument "${args.positional[0]}"`);
  const request = tokenRequest(args.values);
  const server = single(args, '--server');
  if (server && single(args, '--data-dir')) throw new UsageError('give --data-dir (offline) or --server (admin API), not both');
  try {
    const token = server ? await issueRemotely(server, request) : issueOffline(dataDirOf(single(args, '--data-dir')), request);
    process.stdout.write(token + '\n');
    return 0;
  } catch (err) {
    if (err instanceof TokenError || err instanceof RemoteError) {
      process.stderr.write(`meshgate token: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
}

function tokenRequest(values: ReadonlyMap<string, readonly string[]>): TokenRequest {
  const one = (flag: string): string | undefined => {
    const all = values.get(flag);
    if (all && all.length > 1) throw new UsageError(`option ${flag} given more than once`);
    return all?.[0];
  };
  const namespace = one('--namespace');
  const serviceAccount = one('--service-account');
  if (!namespace || !serviceAccount) throw new UsageError('--namespace and --service-account are required');
  const workload = one('--workload');
  const ttl = one('--ttl');
  let ttlSeconds: number | undefined;
  try {
    ttlSeconds = ttl ? Math.round(parseDuration(ttl, '--ttl') / 1000) : undefined;
  } catch (err) {
    if (err instanceof OptionsError) throw new UsageError(err.message);
    throw err;
  }
  return { namespace, serviceAccount, ...(workload ? { workload } : {}), ...(ttlSeconds ? { ttlSeconds } : {}) };
}

export function dataDirOf(flag: string | undefined): string {
  return path.resolve(flag ?? (process.env['MESHGATE_DATA_DIR'] || 'data'));
}

function issueOffline(dataDir: string, request: TokenRequest): string {
  return TokenAuthority.open(dataDir).issue(request).token;
}

export class RemoteError extends Error {
  override name = 'RemoteError';
}

/** POST a JSON body to the admin API; the answer's error message on failure. */
export async function postAdmin<T>(server: string, route: string, body: unknown): Promise<T> {
  const token = process.env['MESHGATE_ADMIN_TOKEN'];
  const response = await fetch(`${server.replace(/\/$/, '')}${route}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  const answer = (await response.json()) as T | { error: { message: string } };
  if (!response.ok) {
    const message = typeof answer === 'object' && answer !== null && 'error' in answer ? answer.error.message : `HTTP ${response.status}`;
    throw new RemoteError(message);
  }
  return answer as T;
}

async function issueRemotely(server: string, request: TokenRequest): Promise<string> {
  return (await postAdmin<{ token: string }>(server, '/v1/tokens', request)).token;
}
