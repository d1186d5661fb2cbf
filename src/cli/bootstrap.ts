// `meshgate bootstrap --template envoy/sidecar.yaml --node-id ID --group G [--namespace NS
// --service-account SA [--workload W]] [--server URL | --data-dir DIR] [--out FILE [--owner U:G]]`:
// a complete Envoy bootstrap for one proxy: the template (how to reach meshgate over ADS) with this
// proxy's node: id, cluster, metadata.meshgate_group and, for a workload identity, a bootstrap
// token in metadata.meshgate_token. Envoy does no variable substitution in a bootstrap and cannot
// read a token from a file, so a deployment generates the file (docker-compose.yml runs this in a
// one-shot service before each Envoy starts). The result is checked with Envoy's own validation
// rules before it is written; with --out it is written owner-only (it holds a token) and the
// token is never printed.
import fs from 'node:fs';
import yaml from 'js-yaml';
import { writeFileAtomic } from '../ca/atomic-file';
import { OptionsError, parseDuration } from '../config/options';
import { encodeMessage } from '../envoy/codec';
import type { JsonObject, JsonValue } from '../envoy/resource';
import { TokenAuthority, TokenError } from '../identity';
import { formatIssue, validateMessage } from '../validate';
import { parseArgs, single, UsageError } from './args';
import { dataDirOf, postAdmin, RemoteError } from './token';

export const BOOTSTRAP_USAGE =
  'usage: meshgate bootstrap --template FILE --node-id ID [--node-cluster C] [--group G]\n' +
  '                          [--namespace NS --service-account SA [--workload NAME] [--ttl DURATION]]\n' +
  '                          [--data-dir DIR | --server URL] [--out FILE [--owner UID:GID]]\n\n' +
  'Prints (or writes to FILE, mode 0600) the Envoy bootstrap in FILE with this proxy\'s node: id, cluster\n' +
  '(default: the template\'s), metadata.meshgate_group G (default: the template\'s) and, with --namespace and\n' +
  '--service-account, metadata.meshgate_token, a bootstrap token for that workload identity issued offline\n' +
  'with the key in --data-dir or by a running control plane (--server, token in MESHGATE_ADMIN_TOKEN).\n' +
  '--owner hands the written file to the user Envoy runs as (the envoyproxy/envoy image: 101:101).';

const BOOTSTRAP_MESSAGE = 'envoy.config.bootstrap.v3.Bootstrap';

/** What one proxy's bootstrap says about its node. */
export interface BootstrapNode {
  readonly id: string;
  readonly cluster?: string;
  readonly group?: string;
  readonly token?: string;
}

function isObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The template with `node` set for one proxy; everything else (ADS, the xDS cluster, admin) is the
 * template's. Metadata the template carries is kept; a token the template carries is dropped unless
 * a new one is given (a template is shared, a token belongs to one workload).
 */
export function bootstrapWithNode(template: JsonObject, node: BootstrapNode): JsonObject {
  const templateNode = isObject(template['node']) ? template['node'] : {};
  const { meshgate_token: _dropped, ...metadata } = isObject(templateNode['metadata']) ? templateNode['metadata'] : {};
  const cluster = node.cluster ?? templateNode['cluster'];
  return {
    ...template,
    node: {
      ...templateNode,
      id: node.id,
      ...(cluster !== undefined ? { cluster } : {}),
      metadata: {
        ...metadata,
        ...(node.group !== undefined ? { meshgate_group: node.group } : {}),
        ...(node.token !== undefined ? { meshgate_token: node.token } : {}),
      },
    },
  };
}

/** Envoy's validation rules and its JSON parser's view of a bootstrap: one line per problem. */
export function bootstrapProblems(bootstrap: JsonObject): string[] {
  const problems = validateMessage(BOOTSTRAP_MESSAGE, bootstrap).map(formatIssue);
  if (problems.length > 0) return problems;
  try {
    encodeMessage(BOOTSTRAP_MESSAGE, bootstrap);
  } catch (err) {
    return [(err as Error).message];
  }
  return [];
}

interface TokenRequest {
  namespace: string;
  serviceAccount: string;
  workload?: string;
  ttlSeconds?: number;
}

function tokenRequestOf(args: ReturnType<typeof parseArgs>): TokenRequest | undefined {
  const namespace = single(args, '--namespace');
  const serviceAccount = single(args, '--service-account');
  const workload = single(args, '--workload');
  const ttl = single(args, '--ttl');
  if (!namespace && !serviceAccount) {
    if (workload || ttl) throw new UsageError('--workload and --ttl need --namespace and --service-account');
    return undefined;
  }
  if (!namespace || !serviceAccount) throw new UsageError('give both --namespace and --service-account (the workload identity the token proves)');
  let ttlSeconds: number | undefined;
  try {
    ttlSeconds = ttl ? Math.round(parseDuration(ttl, '--ttl') / 1000) : undefined;
  } catch (err) {
    if (err instanceof OptionsError) throw new UsageError(err.message);
    throw err;
  }
  return { namespace, serviceAccount, ...(workload ? { workload } : {}), ...(ttlSeconds ? { ttlSeconds } : {}) };
}

async function issueToken(request: TokenRequest, server: string | undefined, dataDir: string | undefined): Promise<string> {
  if (!server) return TokenAuthority.open(dataDirOf(dataDir)).issue(request).token;
  try {
    return (await postAdmin<{ token: string }>(server, '/v1/tokens', request)).token;
  } catch (err) {
    if (err instanceof RemoteError) throw err;
    // fetch() failing to connect: say where, not only "fetch failed".
    const cause = (err as { cause?: { message?: string } }).cause?.message;
    throw new RemoteError(`cannot reach ${server}: ${cause ?? (err as Error).message}`);
  }
}

function readTemplate(file: string): JsonObject {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read --template ${file}: ${(err as Error).message}`);
  }
  const parsed = yaml.load(text) as JsonValue | undefined;
  if (!isObject(parsed)) throw new UsageError(`--template ${file} is not a YAML mapping (an Envoy bootstrap)`);
  return parsed;
}

function ownerOf(value: string | undefined): { uid: number; gid: number } | undefined {
  if (value === undefined) return undefined;
  const match = /^(\d+):(\d+)$/.exec(value);
  if (!match) throw new UsageError(`--owner takes UID:GID (numbers), got "${value}"`);
  return { uid: Number(match[1]), gid: Number(match[2]) };
}

function render(bootstrap: JsonObject, template: string, node: BootstrapNode): string {
  const header = [
    `# Envoy bootstrap generated by \`meshgate bootstrap\` from ${template} for node "${node.id}"${node.group ? ` (proxy group ${node.group})` : ''}.`,
    ...(node.token ? ['# It holds the node\'s bootstrap token (node.metadata.meshgate_token): keep it private.'] : []),
  ];
  return `${header.join('\n')}\n${yaml.dump(bootstrap, { lineWidth: -1, noRefs: true })}`;
}

export async function runBootstrap(argv: string[]): Promise<number> {
  const args = parseArgs(argv, {
    values: ['--template', '--node-id', '--node-cluster', '--group', '--namespace', '--service-account', '--workload', '--ttl', '--data-dir', '--server', '--out', '--owner'],
    aliases: { '-n': '--namespace', '-o': '--out' },
  });
  if (args.positional.length > 0) throw new UsageError(`unexpected argument "${args.positional[0]}"`);
  const templateFile = single(args, '--template');
  const id = single(args, '--node-id');
  if (!templateFile || !id) throw new UsageError('--template and --node-id are required');
  const server = single(args, '--server');
  const dataDir = single(args, '--data-dir');
  if (server && dataDir) throw new UsageError('give --data-dir (offline) or --server (admin API), not both');
  const out = single(args, '--out');
  const owner = ownerOf(single(args, '--owner'));
  if (owner && !out) throw new UsageError('--owner needs --out');
  const request = tokenRequestOf(args);
  const template = readTemplate(templateFile);
  const cluster = single(args, '--node-cluster');
  const group = single(args, '--group');

  let token: string | undefined;
  if (request) {
    try {
      token = await issueToken(request, server, dataDir);
    } catch (err) {
      if (err instanceof TokenError || err instanceof RemoteError) {
        process.stderr.write(`meshgate bootstrap: ${err.message}\n`);
        return 1;
      }
      throw err;
    }
  }
  const node: BootstrapNode = { id, ...(cluster ? { cluster } : {}), ...(group ? { group } : {}), ...(token ? { token } : {}) };
  const bootstrap = bootstrapWithNode(template, node);
  const problems = bootstrapProblems(bootstrap);
  if (problems.length > 0) {
    // The problems name fields, never the token's value.
    process.stderr.write(`meshgate bootstrap: the result would not be a valid ${BOOTSTRAP_MESSAGE}:\n${problems.map((p) => `  ${p}`).join('\n')}\n`);
    return 1;
  }
  const text = render(bootstrap, templateFile, node);
  if (!out) {
    process.stdout.write(text);
    return 0;
  }
  try {
    writeFileAtomic(out, text, 0o600);
    if (owner) fs.chownSync(out, owner.uid, owner.gid);
  } catch (err) {
    process.stderr.write(`meshgate bootstrap: cannot write ${out}: ${(err as Error).message}\n`);
    return 1;
  }
  const identity = request ? `, token for ${request.namespace}/${request.serviceAccount}${request.workload ? ` (workload ${request.workload})` : ''}` : ', no token';
  process.stderr.write(`wrote ${out}: node ${id}${group ? `, proxy group ${group}` : ''}${identity}\n`);
  return 0;
}
